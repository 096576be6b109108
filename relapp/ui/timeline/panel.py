"""One customer's history and follow-ups, with everything that can be done to an entry.

Shown as a tab at the Counter and in a history window of its own (from Contacts and Today).
The list reads pages as it scrolls (TimelineModel); the follow-ups above it tick off in place.
Editing and deleting entries are offered to managers; the domain checks the role again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.timeline.follow_ups import TaskItem, tasks_for
from relapp.domain.timeline.history import TIMELINE_KINDS, TimelineEntry, delete_interaction
from relapp.ui.operations import published, run_change
from relapp.ui.timeline.delegate import TimelineDelegate
from relapp.ui.timeline.edit_dialog import EditEntryDialog, ask_delete_reason
from relapp.ui.timeline.entry_text import day_heading
from relapp.ui.timeline.kind_style import kind_icon, kind_name
from relapp.ui.timeline.model import TimelineModel
from relapp.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:  # only named in annotations: CustomerActions opens this module
    from relapp.ui.customer_actions import CustomerActions

DONE_TASKS_SHOWN = 5
TASK_ROWS_SHOWN = 4  # more scroll inside the list
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
WATCHED = frozenset({Entity.INTERACTIONS, Entity.POINTS, Entity.TASKS, Entity.CONTACTS})


class TimelinePanel(QWidget):
    """Args:
    standalone: give Log contact and Follow-up their keys (Ctrl+L, Ctrl+T) and buttons. The
        Counter, which has its own buttons and keys for the customer on screen, passes False
        so that nothing is there twice. The keys of the entry in the list (Ctrl+R, Ctrl+E,
        Del) work in both: the Counter has none of its own for an entry.
    """

    def __init__(
        self, actions: CustomerActions, standalone: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.customer_actions = actions
        self.contact_id: int | None = None

        self.kind_filter = QComboBox(objectName="timelineKind")
        self.kind_filter.addItem(self.tr("All entries"), None)
        for kind in TIMELINE_KINDS:
            self.kind_filter.addItem(kind_icon(kind), kind_name(kind), kind)
        self.kind_filter.setToolTip(self.tr("Show one kind of entry only"))
        self.kind_filter.currentIndexChanged.connect(lambda _index: self._reload_from_top())

        self.model = TimelineModel(self)
        self.list = QListView(objectName="timelineList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(TimelineDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)  # see delegate.py: placing rows stays O(1)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setMouseTracking(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self.empty = EmptyState(kind_icon("note"), self.tr("No history yet"))
        self.empty.set_body(
            self.tr("Visits, sales, calls and everything logged for this customer appear here.")
        )

        self.tasks = QListWidget(objectName="timelineTasks")
        self.tasks.itemChanged.connect(self._task_ticked)
        self.tasks_title = QLabel(objectName="detailTitle")

        self._build_actions(standalone)
        actions.current_staff.changed.connect(lambda _member: self._update_actions())
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        shown = (self.log_action, self.task_action) if standalone else ()
        for action in (*shown, self.answered_action, self.resolve_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        more = QToolButton(text=self.tr("More"), objectName="timelineMore")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setMenu(self._entry_menu())
        bar.addWidget(more)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tasks_title)
        layout.addWidget(self.tasks)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self._update_actions()

    def _build_actions(self, standalone: bool) -> None:
        def action(text: str, slot, key: str | None = None, customer_key: bool = False) -> QAction:
            made = QAction(text, self)
            made.triggered.connect(slot)
            if key and (standalone or not customer_key):
                made.setShortcut(QKeySequence(key))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.addAction(made)
            return made

        self.log_action = action(self.tr("Log contact…"), self.log_contact, "Ctrl+L", True)
        self.task_action = action(self.tr("Follow-up…"), self.add_task, "Ctrl+T", True)
        self.answered_action = action(self.tr("Mark answered"), self.mark_answered)
        self.resolve_action = action(self.tr("Resolve"), self.resolve_or_reopen, "Ctrl+R")
        self.edit_action = action(self.tr("Edit entry…"), self.edit_entry, "Ctrl+E")
        self.delete_action = action(self.tr("Delete entry…"), self.delete_entry, "Del")
        for made in (self.log_action, self.task_action, self.resolve_action):
            if made.shortcut():
                made.setToolTip(f"{made.text()} ({made.shortcut().toString()})")

    def _entry_menu(self) -> QMenu:
        menu = QMenu(self)
        for made in (self.answered_action, self.resolve_action, self.task_action):
            menu.addAction(made)
        menu.addSeparator()
        menu.addAction(self.edit_action)
        menu.addAction(self.delete_action)
        return menu

    # -- showing ----------------------------------------------------------------------------

    def show_contact(self, contact_id: int | None) -> None:
        self.contact_id = contact_id
        self._reload_from_top()

    def _reload_from_top(self) -> None:
        kind = self.kind_filter.currentData()
        self.model.show_contact(self.contact_id, None if kind is None else frozenset({kind}))
        self._after_load()
        self._select_first_entry()
        self._show_tasks()

    def on_change(self, change: Change) -> None:
        if self.contact_id is None or not change.entities & WATCHED:
            return
        if change.contact_ids and self.contact_id not in change.contact_ids:
            return
        selected = self.current_entry()
        self.model.reload()
        self._after_load()
        if selected is None or not self.select_entry(selected.id, selected.kind):
            self._select_first_entry()  # e.g. the entry just logged
        self._show_tasks()

    def _after_load(self) -> None:
        has_entries = self.model.rowCount() > 0
        self.list.setVisible(has_entries)
        self.empty.setVisible(not has_entries)
        if not has_entries and self.kind_filter.currentData() is not None:
            self.empty.set_body(self.tr("No entries of this kind. Choose All entries above."))
        elif not has_entries:
            self.empty.set_body(
                self.tr(
                    "Visits, sales, calls and everything logged for this customer appear "
                    "here. Log the first contact with Log contact."
                )
            )
        self._update_actions()

    def _select_first_entry(self) -> None:
        for row in range(min(self.model.rowCount(), 2)):
            if self.model.entry(row) is not None:
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                return

    def select_entry(self, entry_id: int, kind: str) -> bool:
        row = self.model.row_of(entry_id, kind)
        if row < 0:
            return False
        self.list.selectionModel().setCurrentIndex(
            self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def current_entry(self) -> TimelineEntry | None:
        return self.model.entry(self.list.currentIndex().row())

    def visible_days(self) -> list[str]:
        """The day headings loaded, as shown (for tests and the history window's header)."""
        return [
            day_heading(self.model.day(row))
            for row in range(self.model.rowCount())
            if self.model.day(row) is not None
        ]

    # -- follow-ups -------------------------------------------------------------------------

    def _show_tasks(self) -> None:
        items = [] if self.contact_id is None else _shown_tasks(tasks_for(self.contact_id))
        self.tasks.blockSignals(True)
        self.tasks.clear()
        shop = shop_format()
        for task in items:
            item = QListWidgetItem(kind_icon("task"), self._task_text(task, shop))
            item.setData(TASK_ID_ROLE, task.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            done = task.done_at is not None
            item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
            if task.overdue:
                item.setForeground(Qt.GlobalColor.darkRed)
            elif done:
                item.setForeground(Qt.GlobalColor.gray)
            self.tasks.addItem(item)
        self.tasks.blockSignals(False)
        open_count = sum(1 for task in items if task.done_at is None)
        self.tasks_title.setText(
            self.tr("Follow-ups: {n} open").format(n=open_count)
            if items
            else self.tr("Follow-ups: none. Add one with Follow-up…")
        )
        self.tasks.setVisible(bool(items))
        # As tall as its rows, up to a few: the history below is what the panel is for.
        row_height = self.tasks.sizeHintForRow(0) if items else 0
        self.tasks.setFixedHeight(min(len(items), TASK_ROWS_SHOWN) * row_height + 6)

    def _task_text(self, task: TaskItem, shop: ShopFormat) -> str:
        when = shop.moment(task.due_at)
        staff = f" · {task.staff_name}" if task.staff_name else ""
        state = self.tr(" — overdue") if task.overdue else ""
        if task.done_at is not None:
            state = self.tr(" — done {day}").format(day=shop.day(task.done_at))
        return f"{task.title} ({when}{staff}){state}"

    def _task_ticked(self, item: QListWidgetItem) -> None:
        done = item.checkState() == Qt.CheckState.Checked
        if not self.customer_actions.set_task_done(self, item.data(TASK_ID_ROLE), done):
            self._show_tasks()  # refused: show the task as it is

    # -- acting -----------------------------------------------------------------------------

    def _update_actions(self) -> None:
        entry = self.current_entry()
        has_customer = self.contact_id is not None
        self.log_action.setEnabled(has_customer)
        self.task_action.setEnabled(has_customer)
        is_case = entry is not None and entry.status is not None
        self.answered_action.setEnabled(
            is_case and entry.status == "open" and entry.first_response_at is None
        )
        self.resolve_action.setEnabled(is_case)
        self.resolve_action.setText(
            self.tr("Reopen") if is_case and entry.status == "resolved" else self.tr("Resolve")
        )
        is_interaction = entry is not None and entry.kind != "points"
        # Enabled whoever is signed in: with the wrong role, the key offers the sign-in
        # (CurrentStaff.require_permission) instead of doing nothing.
        self.edit_action.setEnabled(is_interaction)
        self.delete_action.setEnabled(is_interaction and entry.refunded_at is None)

    def log_contact(self) -> None:
        if self.contact_id is not None:
            self.customer_actions.log_contact(self, self.contact_id)

    def add_task(self) -> None:
        if self.contact_id is None:
            return
        entry = self.current_entry()
        tied = entry is not None and entry.kind != "points"
        self.customer_actions.add_task(
            self,
            self.contact_id,
            interaction_id=entry.id if tied else None,
            about=entry.summary or kind_name(entry.kind) if tied else "",
        )

    def mark_answered(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.status == "open":
            self.customer_actions.respond(self, entry.id)

    def resolve_or_reopen(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.status is None:
            return
        if entry.status == "open":
            self.customer_actions.resolve(self, entry.id)
        else:
            self.customer_actions.reopen(self, entry.id)

    def edit_entry(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.kind == "points":
            return
        staff_id = self.customer_actions.current_staff.require_permission(
            self, "edit_entries", self.tr("edit history entries")
        )
        if staff_id is None:
            return
        change = EditEntryDialog.ask(self, entry.id, staff_id)
        if change is not None:
            published(self.customer_actions.change_bus, change)

    def delete_entry(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.kind == "points":
            return
        staff_id = self.customer_actions.current_staff.require_permission(
            self, "delete_entries", self.tr("delete history entries")
        )
        if staff_id is None:
            return
        reason = ask_delete_reason(self, entry.kind)
        if reason is None:
            return
        run_change(
            self,
            self.customer_actions.change_bus,
            lambda: delete_interaction(entry.id, staff_id, reason),
        )

    def _context_menu(self, position) -> None:
        index: QModelIndex = self.list.indexAt(position)
        if self.model.entry(index.row()) is None:
            return
        self.list.setCurrentIndex(index)
        self._entry_menu().exec(self.list.viewport().mapToGlobal(position))


def _shown_tasks(tasks: list[TaskItem]) -> list[TaskItem]:
    """Every open follow-up, then the few done most recently."""
    open_tasks = [task for task in tasks if task.done_at is None]
    done = [task for task in tasks if task.done_at is not None][:DONE_TASKS_SHOWN]
    return open_tasks + done
