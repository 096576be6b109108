"""Help > About: version, the libraries it runs on, and where the data lives."""

from __future__ import annotations

import html
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from relapp import __version__


class AboutDialog:
    @classmethod
    def text(cls, database_path: Path) -> str:
        return (
            f"<h3>Relapp {__version__}</h3>"
            "<p>Know your customers, reward their loyalty and keep them for years.</p>"
            f"<p>Database: {html.escape(str(database_path))}</p>"
            f"<p><small>Qt {qVersion()} · PySide6 {PySide6.__version__}</small></p>"
        )

    @classmethod
    def show_for(cls, parent: QWidget, database_path: Path) -> None:
        QMessageBox.about(parent, parent.tr("About Relapp"), cls.text(database_path))
