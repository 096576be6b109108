"""The Listening view's competitions page (placeholder until it is built)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from relapp.domain.changes import Change
from relapp.ui.change_bus import ChangeBus
from relapp.ui.staff.current_staff import CurrentStaff


class CompetitionsPage(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff

    def on_change(self, change: Change) -> None:
        pass
