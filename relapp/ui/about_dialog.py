"""Help > About: version, the libraries it runs on, and where the data lives."""

from __future__ import annotations

import html
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from relapp import __version__
from relapp.db.server.urls import is_server_url, redact


class AboutDialog:
    @classmethod
    def text(cls, database_path: Path | str) -> str:
        """database_path: the shop file, or the shop server's URL (shown without its
        password)."""
        if is_server_url(database_path):
            where = f"Shop server: {html.escape(redact(str(database_path)))}"
        else:
            where = f"Database: {html.escape(str(database_path))}"
        return (
            f"<h3>Relapp {__version__}</h3>"
            "<p>Know your customers, reward their loyalty and keep them for years.</p>"
            f"<p>{where}</p>"
            f"<p><small>Qt {qVersion()} · PySide6 {PySide6.__version__}</small></p>"
        )

    @classmethod
    def show_for(cls, parent: QWidget, database_path: Path | str) -> None:
        QMessageBox.about(parent, parent.tr("About Relapp"), cls.text(database_path))
