"""The activity feed: the latest entries across all customers, newest first.

Filters by kind and by staff member; the list reads on as it scrolls (ActivityFeedModel).
Enter opens the customer at the Counter; the context menu and the usual keys show their
history, log a contact or add a follow-up about the entry. While hidden it only notes that
it is out of date, and reads again from the top when shown.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.shop.staff import list_staff
from relapp.domain.terms import INTERACTION_KINDS
from relapp.domain.timeline.history import ActivityEntry
from relapp.ui.change_bus import ChangeBus
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.timeline.kind_style import kind_icon, kind_name
from relapp.ui.today.activity_model import SUMMARY, ActivityFeedModel
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.paged_table import configure_paged_table
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

WATCHED = frozenset({Entity.INTERACTIONS, Entity.CONTACTS, Entity.STAFF})
_COLUMN_CHARS = (18, 17, 24, 60, 16)  # when, kind (with its icon), customer, summary, staff


class ActivityFeedView(QWidget):
    def __init__(
        self, change_bus: ChangeBus, actions: CustomerActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.customer_actions = actions
        self.freshness = StaleWhileHidden(self, self._read)

        self.kind_filter = QComboBox(objectName="activityKind", toolTip=self.tr("Kind of entry"))
        self.kind_filter.addItem(self.tr("All kinds"), None)
        for kind in INTERACTION_KINDS:
            self.kind_filter.addItem(kind_icon(kind), kind_name(kind), kind)
        self.staff_filter = QComboBox(objectName="activityStaff", toolTip=self.tr("Logged by"))
        self._fill_staff()
        self.kind_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.staff_filter.currentIndexChanged.connect(lambda _index: self.reload())

        self.model = ActivityFeedModel(self)
        self.table = QTableView(objectName="activityTable")
        self.table.setModel(self.model)
        configure_paged_table(self.table, _COLUMN_CHARS)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.open_customer())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.empty = EmptyState(kind_icon("note"), self.tr("Nothing to show"))
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)
        self._build_actions()
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.staff_filter)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.body, 1)
        self._update_actions()

    def _build_actions(self) -> None:
        def action(text: str, slot, key: str | None = None) -> QAction:
            made = QAction(text, self)
            made.triggered.connect(slot)
            if key:
                made.setShortcut(QKeySequence(key))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.addAction(made)
            return made

        self.open_action = action(self.tr("Open customer"), self.open_customer)
        self.history_action = action(self.tr("History"), self.show_history, "Ctrl+H")
        self.log_action = action(self.tr("Log contact…"), self.log_contact, "F5")
        self.task_action = action(self.tr("Add follow-up…"), self.add_follow_up, "Ctrl+T")

    def _fill_staff(self) -> None:
        """Everyone who ever logged an entry, deactivated accounts included."""
        chosen = self.staff_filter.currentData()
        self.staff_filter.blockSignals(True)
        self.staff_filter.clear()
        self.staff_filter.addItem(self.tr("All staff"), None)
        for member in list_staff(include_inactive=True):
            name = (
                member.name
                if member.active
                else self.tr("{name} (deactivated)").format(name=member.name)
            )
            self.staff_filter.addItem(name, member.id)
        self.staff_filter.setCurrentIndex(max(0, self.staff_filter.findData(chosen)))
        self.staff_filter.blockSignals(False)

    # -- loading ------------------------------------------------------------------------------

    def on_change(self, change: Change) -> None:
        if not change.entities & WATCHED:
            return
        if change.touches(Entity.STAFF):
            self._fill_staff()
        self.freshness.changed()

    def refresh(self) -> None:
        """Read again from the top now if shown, else when next shown."""
        self.freshness.changed()

    def reload(self) -> None:
        """The newest entries that match the filters, read now."""
        self.freshness.read_now()

    def _read(self) -> None:
        kind = self.kind_filter.currentData()
        self.model.set_filter(
            None if kind is None else frozenset({kind}), self.staff_filter.currentData()
        )
        has_rows = self.model.rowCount() > 0
        self.body.setCurrentWidget(self.table if has_rows else self.empty)
        if has_rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._explain_empty()
        self._update_actions()

    def _explain_empty(self) -> None:
        if self.is_filtering():
            self.empty.set_body(
                self.tr("Nothing matches these filters. Choose All kinds and All staff above.")
            )
        else:
            self.empty.set_body(
                self.tr(
                    "Visits, sales, calls, messages, queries and everything else the shop logs "
                    "appear here, newest first."
                )
            )

    def is_filtering(self) -> bool:
        return self.kind_filter.currentData() is not None or (
            self.staff_filter.currentData() is not None
        )

    # -- acting on the selected entry ---------------------------------------------------------

    def current_entry(self) -> ActivityEntry | None:
        return self.model.entry(self.table.currentIndex().row())

    def _update_actions(self) -> None:
        has_entry = self.current_entry() is not None
        for made in (self.open_action, self.history_action, self.log_action, self.task_action):
            made.setEnabled(has_entry)

    def _context_menu(self, position: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.open_action)
        menu.addAction(self.history_action)
        menu.addSeparator()
        menu.addAction(self.log_action)
        menu.addAction(self.task_action)
        menu.exec(self.table.viewport().mapToGlobal(position))

    def open_customer(self) -> None:
        line = self.current_entry()
        if line is not None:
            self.customer_actions.open_customer(line.entry.contact_id)

    def show_history(self) -> None:
        line = self.current_entry()
        if line is not None:
            self.customer_actions.show_history(self, line.entry.contact_id)

    def log_contact(self) -> None:
        line = self.current_entry()
        if line is not None:
            self.customer_actions.log_contact(self, line.entry.contact_id)

    def add_follow_up(self) -> None:
        line = self.current_entry()
        if line is not None:
            entry = line.entry
            self.customer_actions.add_task(
                self, entry.contact_id, interaction_id=entry.id, about=entry.summary
            )
