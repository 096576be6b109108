"""A view whose screen is still being built: says what it will do and what the shop holds.

Later issues replace each with the real view; until then no page is blank.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from relapp.domain.changes import Change, Entity
from relapp.domain.settings import load_settings
from relapp.domain.shop import shop_summary
from relapp.ui.icons import view_icon
from relapp.ui.widgets.empty_state import EmptyState


class PlaceholderView(QWidget):
    icon_name = ""
    title = ""
    purpose = ""
    # Which changes make the summary line stale.
    watches = frozenset({Entity.CONTACTS, Entity.POINTS, Entity.INTERACTIONS, Entity.SETTINGS})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_state = EmptyState(view_icon(self.icon_name), self.tr(self.title))
        self.empty_state.set_body(self.tr(self.purpose))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_state)
        # Counting a large shop takes time: only the view on screen does it, when it shows.
        self.stale = True

    def on_change(self, change: Change) -> None:
        if change.entities & self.watches:
            self.stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        if self.stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self.empty_state.set_detail(self.status_text())
        self.stale = False

    def status_text(self) -> str:
        summary = shop_summary()
        shop = load_settings().shop_name
        if summary.customers == 0:
            facts = self.tr("{shop} has no customers yet.").format(shop=shop)
        else:
            facts = self.tr(
                "{shop} has {customers} customers, {queries} open queries and "
                "{points} loyalty points outstanding."
            ).format(
                shop=shop,
                customers=QLocale().toString(summary.customers),
                queries=QLocale().toString(summary.open_queries),
                points=QLocale().toString(summary.points_outstanding),
            )
        return facts + "\n\n" + self.tr("This screen is coming in the next update.")

    def tr(self, text: str) -> str:
        return QCoreApplication.translate(type(self).__name__, text)
