"""The Today view: the shop's work list for the day, at the counter.

Follow-ups due, open queries and complaints, birthdays this week, regulars drifting away and
who must not be contacted again yet, each line acted on where it stands (Enter, F5,
Ctrl+D, the context menu or the buttons); a second tab holds the shop's activity feed.

Like the other views it reads only while on screen: a change elsewhere marks it stale, and
it reads again when shown (or at once if it is on screen).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.campaigns.automatic import Waiting, waiting_lists
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.listing import ContactQuery, contact_ids_page
from relapp.domain.listening.winners import mark_told
from relapp.domain.shop.settings import load_settings
from relapp.domain.timeline.today import TodayQueue, today_queue
from relapp.ui.change_bus import ChangeBus
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.icons import view_icon
from relapp.ui.operations import run_change
from relapp.ui.today.activity_view import ActivityFeedView
from relapp.ui.today.sections import PRIZES, TASKS, RowRef, build_sections, summary_text
from relapp.ui.today.texts import long_day
from relapp.ui.today.work_list import REF_ROLE, WorkList
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

WAITING_MAX_AGE = 600  # seconds
WATCHED = frozenset(
    {Entity.TASKS, Entity.INTERACTIONS, Entity.CONTACTS, Entity.SETTINGS, Entity.POINTS,
     Entity.CAMPAIGNS, Entity.MEMBERSHIPS, Entity.COMPETITIONS}
)  # fmt: skip


class TodayView(QWidget):
    def __init__(
        self, change_bus: ChangeBus, actions: CustomerActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.customer_actions = actions
        self.queue: TodayQueue | None = None
        # Automatic campaigns' lists to approve. Counting them takes 0.46 s on a million
        # customers (docs/performance.md), too long for every sale while Today is on screen:
        # they are counted again on Ctrl+R, when campaigns or settings change, on a new day,
        # or once WAITING_MAX_AGE has passed.
        self.waiting: list[Waiting] = []
        self.waiting_counted: tuple[float, object] | None = None  # (monotonic time, the day)
        self.freshness = StaleWhileHidden(self, self._read)
        self.reads = 0  # how many times the list was read: see _write

        self.day_label = QLabel(objectName="todayDay")
        font = QFont(self.day_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.day_label.setFont(font)
        self.summary_label = QLabel(objectName="todaySummary", wordWrap=True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton(self.tr("Refresh"), autoDefault=False)
        # Ctrl+R: F5 logs a contact, as at the Counter.
        self.refresh_button.setShortcut(QKeySequence("Ctrl+R"))
        self.refresh_button.setToolTip(self.tr("Read the list again (Ctrl+R)"))
        self.refresh_button.clicked.connect(self.refresh_all)

        self.work_list = WorkList()
        self.work_list.itemActivated.connect(self._activated)
        self.work_list.currentItemChanged.connect(lambda *_: self._update_actions())
        self.work_list.customContextMenuRequested.connect(self._context_menu)
        self.today_page = QWidget()
        self._build_actions(self.today_page)
        toolbar = QToolBar(objectName="todayActions")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for made in (self.open_action, self.history_action, self.log_action, self.task_action):
            toolbar.addAction(made)
        toolbar.addSeparator()
        toolbar.addAction(self.answered_action)
        toolbar.addAction(self.done_action)
        toolbar.addSeparator()
        toolbar.addAction(self.approve_action)
        page_layout = QVBoxLayout(self.today_page)
        page_layout.setContentsMargins(0, 4, 0, 0)
        page_layout.addWidget(toolbar)
        page_layout.addWidget(self.work_list, 1)

        self.activity_view = ActivityFeedView(change_bus, actions)
        self.tabs = QTabWidget(objectName="todayTabs")
        self.tabs.addTab(self.today_page, self.tr("Today"))
        self.tabs.addTab(self.activity_view, self.tr("Activity"))
        self.tabs.currentChanged.connect(lambda _index: self._focus_list())

        header = QHBoxLayout()
        header.addWidget(self.day_label)
        header.addSpacing(16)
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.refresh_button)
        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addLayout(header)
        work_layout.addWidget(self.tabs, 1)
        self.work = work
        self.empty_state = EmptyState(view_icon("today"), self.tr("Today"))
        self.empty_state.set_body(
            self.tr(
                "Once customers are enrolled at the Counter, their follow-ups, open queries "
                "and complaints, birthdays and visits gather here each day."
            )
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(work)
        self.pages.addWidget(self.empty_state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._update_actions()

    def _build_actions(self, owner: QWidget) -> None:
        def action(text: str, slot: Callable[[], None], key: str | None, tip: str) -> QAction:
            made = QAction(text, owner)
            made.triggered.connect(slot)
            if key:
                made.setShortcut(QKeySequence(key))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                owner.addAction(made)
                tip = f"{tip} ({made.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            made.setToolTip(tip)
            return made

        # Enter opens the customer through the list's own activation (and a double click).
        self.open_action = action(
            self.tr("Open customer"), self.open_customer, None,
            self.tr("Show the customer at the Counter (Enter)"),
        )  # fmt: skip
        self.history_action = action(
            self.tr("History"), self.show_history, "Ctrl+H", self.tr("The customer's history")
        )
        self.log_action = action(
            self.tr("Log contact…"), self.log_contact, "F5",
            self.tr("Log a call, message or visit"),
        )  # fmt: skip
        self.task_action = action(
            self.tr("Add follow-up…"), self.add_follow_up, "Ctrl+T",
            self.tr("Plan a follow-up for this customer"),
        )  # fmt: skip
        self.answered_action = action(
            self.tr("Mark answered"), self.mark_answered, None,
            self.tr("Someone has replied to this query or complaint"),
        )  # fmt: skip
        self.done_action = action(
            self.tr("Mark done"), self.mark_done, "Ctrl+D",
            self.tr("Tick off the follow-up, resolve the case, or mark the prize winner told"),
        )  # fmt: skip
        # Enter on an automatic campaign's line approves it, as Enter opens a customer.
        self.approve_action = action(
            self.tr("Approve list…"), self.approve_list, None,
            self.tr("See whom the automatic campaign reaches, then produce it (Enter)"),
        )  # fmt: skip

    # -- reading ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # self.freshness has read a stale list just before
        self._focus_list()

    def on_change(self, change: Change) -> None:
        self.activity_view.on_change(change)
        if change.entities & {Entity.CAMPAIGNS, Entity.SETTINGS}:
            self.waiting_counted = None
        if change.entities & WATCHED:
            self.freshness.changed()

    def refresh_all(self) -> None:
        """Ctrl+R: the list, and the activity feed if it is on screen."""
        self.waiting_counted = None
        self.refresh()
        self.activity_view.refresh()

    def refresh(self) -> None:
        """Read the work list now."""
        self.freshness.read_now()

    def _read(self) -> None:
        # On the GUI thread on purpose: today_queue() takes 40-200 ms on a million customers,
        # short enough at a click or a change, and a worker thread would need its own
        # connection and a way to drop results made stale by a newer change.
        self.reads += 1
        if not contact_ids_page(ContactQuery(), 0, 1):  # one index row, not a count
            self.queue = None
            shop = load_settings().shop_name
            self.empty_state.set_detail(self.tr("{shop} has no customers yet.").format(shop=shop))
            self.pages.setCurrentWidget(self.empty_state)
            return
        self.pages.setCurrentWidget(self.work)
        self.queue = today_queue()
        counted = self.waiting_counted
        if (
            counted is None
            or counted[1] != self.queue.today
            or time.monotonic() - counted[0] > WAITING_MAX_AGE
        ):
            self.waiting = waiting_lists(self.queue.now, self.queue.today)
            self.waiting_counted = (time.monotonic(), self.queue.today)
        self.day_label.setText(long_day(self.queue.today))
        self.summary_label.setText(summary_text(self.queue, self.waiting))
        self.work_list.show_sections(build_sections(self.queue, self.waiting))
        self._update_actions()

    def _focus_list(self) -> None:
        if self.tabs.currentWidget() is self.today_page:
            self.work_list.setFocus()

    def focus_first_field(self) -> None:
        """The work list, or the activity feed's table on that tab."""
        if self.tabs.currentWidget() is self.today_page:
            self.work_list.setFocus()
        else:
            self.activity_view.table.setFocus()

    # -- acting on the selected line ----------------------------------------------------------

    def current_ref(self) -> RowRef | None:
        return self.work_list.current_ref()

    def _update_actions(self) -> None:
        ref = self.current_ref()
        customer = ref is not None and ref.is_customer
        for made in (self.open_action, self.history_action, self.log_action, self.task_action):
            made.setEnabled(customer)
        self.approve_action.setEnabled(ref is not None and not ref.is_customer)
        self.done_action.setEnabled(ref is not None and ref.can_mark_done)
        self.answered_action.setEnabled(ref is not None and ref.can_mark_answered)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(0, REF_ROLE)
        if ref is not None:  # a customer's or a campaign's line, not a heading or a note
            self.work_list.setCurrentItem(item)
            if ref.is_customer:
                self.open_customer()
            else:
                self.approve_list()

    def _context_menu(self, position: QPoint) -> None:
        item = self.work_list.itemAt(position)
        if item is None or item.data(0, REF_ROLE) is None:
            return
        self.work_list.setCurrentItem(item)
        menu = QMenu(self)
        shown = (self.open_action, self.history_action, None, self.log_action, self.task_action,
                 None, self.answered_action, self.done_action)  # fmt: skip
        if not item.data(0, REF_ROLE).is_customer:
            shown = (self.approve_action,)
        for made in shown:  # fmt: skip
            if made is None:
                menu.addSeparator()
            else:
                menu.addAction(made)
        menu.exec(self.work_list.viewport().mapToGlobal(position))

    def approve_list(self) -> None:
        ref = self.current_ref()
        if ref is None or ref.is_customer:
            return
        from relapp.ui.campaigns.approve_dialog import approve_list

        staff = self.customer_actions.current_staff.staff_id
        self._write(lambda: approve_list(self, self.change_bus, ref.rule, staff), True)

    def open_customer(self) -> None:
        ref = self.current_ref()
        if ref is not None and ref.is_customer:
            self.customer_actions.open_customer(ref.contact_id)

    def show_history(self) -> None:
        ref = self.current_ref()
        if ref is not None:
            self.customer_actions.show_history(self, ref.contact_id)

    def log_contact(self) -> None:
        ref = self.current_ref()
        if ref is not None:
            self._write(lambda: self.customer_actions.log_contact(self, ref.contact_id,
                                                                  ref.log_kind))  # fmt: skip

    def add_follow_up(self) -> None:
        ref = self.current_ref()
        if ref is not None:
            # Only a case's line has an interaction: the follow-up is then tied to the case.
            self._write(lambda: self.customer_actions.add_task(
                self, ref.contact_id, interaction_id=ref.interaction_id, about=ref.about
            ))  # fmt: skip

    def mark_done(self) -> None:
        ref = self.current_ref()
        if ref is None or not ref.can_mark_done:
            return
        if ref.section == TASKS:
            self._write(lambda: self.customer_actions.set_task_done(self, ref.task_id, True), True)
        elif ref.section == PRIZES:
            self._write(lambda: self._mark_told(ref), True)
        else:
            self._write(lambda: self.customer_actions.resolve(self, ref.interaction_id), True)

    def _mark_told(self, ref: RowRef) -> bool:
        staff = self.customer_actions.current_staff.staff_id
        told = run_change(self, self.change_bus,
                          lambda: mark_told(ref.competition_id, ref.position, staff))  # fmt: skip
        return told is not None

    def mark_answered(self) -> None:
        ref = self.current_ref()
        if ref is not None and ref.can_mark_answered:
            self._write(lambda: self.customer_actions.respond(self, ref.interaction_id), True)

    def _write(self, action: Callable[[], bool], always_reread: bool = False) -> None:
        """Run a customer action, then make sure the list shows its outcome.

        The action publishes its Change, and on_change reads the list again when the main
        window has connected it; otherwise (or when nothing changed, e.g. someone else had
        already ticked the task off) read it here, so the line never lingers.
        """
        reads = self.reads
        done = action()
        if (done or always_reread) and self.reads == reads:
            self.refresh()
