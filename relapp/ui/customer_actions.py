"""What any view can do for a customer on a row: open them, see their history, log a contact,
add a follow-up, mark a follow-up done, answer or close a case, print their dossier or card.

One object shared by the Counter, Contacts, Today and the activity feed, so that every view
acts the same way: each action asks what it needs, calls the domain, publishes the Change and
says what went wrong in a sentence. Each returns whether something was done.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from relapp.domain.changes import Change
from relapp.domain.loyalty.ledger import customer
from relapp.domain.timeline import follow_ups
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published, run_change
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.timeline.history_window import HistoryWindow
from relapp.ui.timeline.log_dialog import QuickLogDialog
from relapp.ui.timeline.task_dialog import TaskDialog


class CustomerActions(QObject):
    """Signals:
    open_customer_requested(int): show this customer at the Counter (the main window does).
    """

    open_customer_requested = Signal(int)

    def __init__(
        self, change_bus: ChangeBus, current_staff: CurrentStaff, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff

    def open_customer(self, contact_id: int) -> None:
        self.open_customer_requested.emit(contact_id)

    def show_history(self, parent: QWidget, contact_id: int) -> None:
        """The customer's history in a window of its own (one per customer)."""
        HistoryWindow.show_for(parent, contact_id, self)

    def log_contact(self, parent: QWidget, contact_id: int, kind: str | None = None) -> bool:
        logged = QuickLogDialog.ask(
            parent, contact_id, contact_name(contact_id), self.current_staff.staff_id, kind
        )
        if logged is None:
            return False
        published(self.change_bus, logged)
        return True

    def add_task(
        self, parent: QWidget, contact_id: int, interaction_id: int | None = None, about: str = ""
    ) -> bool:
        added = TaskDialog.ask(
            parent,
            contact_id,
            contact_name(contact_id),
            self.current_staff.staff_id,
            interaction_id=interaction_id,
            about=about,
        )
        if added is None:
            return False
        published(self.change_bus, added)
        return True

    def print_dossier(self, parent: QWidget, contact_id: int) -> bool:
        """The customer's dossier, made and shown ready to print."""
        from relapp.reports.catalogue import ReportRequest
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        request = ReportRequest("customer", customer=str(contact_id))
        return ReportPreviewDialog.make_and_show(parent, request)

    def print_cards(self, parent: QWidget, contact_ids: list[int]) -> bool:
        """Loyalty cards for these customers, made and shown ready to print."""
        from relapp.reports.catalogue import ReportRequest
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        request = ReportRequest("cards", ids=tuple(contact_ids))
        return ReportPreviewDialog.make_and_show(parent, request)

    def print_membership_cards(self, parent: QWidget, contact_ids: list[int]) -> bool:
        """Membership cards (the loyalty card with the plan and its end) for these members."""
        from relapp.reports.catalogue import ReportRequest
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        request = ReportRequest("member-cards", ids=tuple(contact_ids))
        return ReportPreviewDialog.make_and_show(parent, request)

    def set_task_done(self, parent: QWidget, task_id: int, done: bool) -> bool:
        action = follow_ups.complete_task if done else follow_ups.reopen_task
        return self._run(parent, lambda: action(task_id))

    def respond(self, parent: QWidget, interaction_id: int) -> bool:
        staff_id = self.current_staff.staff_id
        return self._run(parent, lambda: follow_ups.respond(interaction_id, staff_id))

    def resolve(self, parent: QWidget, interaction_id: int) -> bool:
        staff_id = self.current_staff.staff_id
        return self._run(parent, lambda: follow_ups.resolve(interaction_id, staff_id))

    def reopen(self, parent: QWidget, interaction_id: int) -> bool:
        staff_id = self.current_staff.staff_id
        return self._run(parent, lambda: follow_ups.reopen(interaction_id, staff_id))

    def _run(self, parent: QWidget, action: Callable[[], Change]) -> bool:
        change = run_change(parent, self.change_bus, action)
        return change is not None and bool(change.entities)


def contact_name(contact_id: int) -> str:
    """The customer's name as shown in dialogs ("" when they are gone)."""
    try:
        return customer(contact_id).name
    except RelappError:
        return ""
