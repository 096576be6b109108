"""UI fixtures: the real application setup, with per-test QSettings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from relapp.ui.app import create_application
from relapp.ui.change_bus import ChangeBus


@pytest.fixture
def app(qapp, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt"))
    return create_application()


@pytest.fixture
def change_bus(app) -> ChangeBus:
    return ChangeBus()
