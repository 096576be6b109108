"""A customer's history in a window of its own, opened from Contacts, Today or the feed.

One window per customer: asking again brings the open one forward. Windows stay open beside
the main window (not modal), so the shop can keep a customer's history up while serving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from relapp.domain.changes import Change
from relapp.domain.contacts.profiles import ContactNotFound, customer_profile
from relapp.ui.counter.customer_panel import standing
from relapp.ui.timeline.panel import TimelinePanel

if TYPE_CHECKING:  # only named in annotations: CustomerActions opens this module
    from relapp.ui.customer_actions import CustomerActions

_open_windows: dict[int, HistoryWindow] = {}


class HistoryWindow(QWidget):
    def __init__(
        self, contact_id: int, actions: CustomerActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.contact_id = contact_id
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 680)
        self.name = QLabel(objectName="historyName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.standing = QLabel(objectName="editorSubtitle")
        self.standing.setTextFormat(Qt.TextFormat.PlainText)
        self.overdue = QLabel(objectName="overdueBanner", wordWrap=True)
        self.overdue.setTextFormat(Qt.TextFormat.PlainText)
        self.panel = TimelinePanel(actions)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.standing)
        layout.addWidget(self.overdue)
        layout.addWidget(self.panel, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        actions.change_bus.changed.connect(self.on_change)
        if self.show_header():
            self.panel.show_contact(contact_id)

    @classmethod
    def show_for(cls, parent: QWidget | None, contact_id: int, actions: CustomerActions):
        window = _open_windows.get(contact_id)
        # Deleted with the main window it belonged to (no closeEvent then): open a new one.
        if window is None or not shiboken6.isValid(window):
            window = cls(contact_id, actions, parent.window() if parent else None)
            _open_windows[contact_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def show_header(self) -> bool:
        """Show who this is; False (and the window closes) if they are gone (erased)."""
        try:
            profile = customer_profile(self.contact_id)
        except ContactNotFound:
            self.close()
            return False
        self.setWindowTitle(self.tr("History — {name}").format(name=profile.name))
        self.name.setText(profile.name + (self.tr(" (archived)") if profile.archived else ""))
        points = self.tr("{points} points").format(points=profile.points_balance)
        self.standing.setText("  ·  ".join([*standing(profile), points]))
        overdue = [case for case in profile.open_cases if case.overdue]
        self.overdue.setText(
            self.tr("{n} open query or complaint is past the response target.").format(n=1)
            if len(overdue) == 1
            else self.tr("{n} open queries and complaints are past the response target.").format(
                n=len(overdue)
            )
        )
        self.overdue.setVisible(bool(overdue))
        return True

    def on_change(self, change: Change) -> None:
        if change.contact_ids and self.contact_id not in change.contact_ids:
            return
        if self.show_header():
            self.panel.on_change(change)

    def closeEvent(self, event: QCloseEvent) -> None:
        if _open_windows.get(self.contact_id) is self:
            del _open_windows[self.contact_id]
        super().closeEvent(event)
