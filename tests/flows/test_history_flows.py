"""A customer's history from the real window: F4 at the Counter, an entry corrected by a
signed-in member of staff."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact, Interaction
from relapp.ui.timeline.history_window import HistoryWindow
from tests.flows.harness import Flow
from tests.flows.test_contacts_flows import click_row, filter_contacts


def test_correct_a_history_entry_from_the_counter(flow: Flow):
    entry = (
        Interaction.select()
        .join(Contact)
        .where(
            Interaction.kind == "note",
            Contact.card_number.is_null(False),
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Interaction.occurred_at.desc())
        .first()
    )
    customer = entry.contact
    flow.sign_in("Maya", "1234")  # editing history is a manager's
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    counter = flow.current_view()
    flow.wait_until(lambda: counter.shown_contact_id == customer.id)
    flow.press("F4")
    timeline = counter.timeline
    flow.wait_until(lambda: timeline.list.model().rowCount() > 0)
    flow.qtbot.mouseClick(timeline.list.viewport(), Qt.MouseButton.LeftButton)
    flow.move_to(timeline.list, entry.summary[:30])

    def correct(dialog):
        flow.press("Ctrl+A")
        flow.type("Asked us to hold the green coat until Friday")
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Edit entry"))
    flow.in_next_dialog(correct, "Edit history entry")
    flow.click(timeline.findChild(object, "timelineMore"))
    flow.wait_for_dialogs()

    assert Interaction.get_by_id(entry.id).summary == "Asked us to hold the green coat until Friday"
    flow.wait_until(lambda: "hold the green coat" in str(timeline.list.currentIndex().data()))


def _a_note_in_the_history_window(flow: Flow) -> Interaction:
    """Contacts (Ctrl+2), the customer filtered and picked, Ctrl+H: their history window,
    its list on the note."""
    entry = (
        Interaction.select()
        .join(Contact)
        .where(
            Interaction.kind == "note",
            Contact.email.is_null(False),
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Interaction.occurred_at.desc())
        .first()
    )
    contacts = filter_contacts(flow, entry.contact.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    click_row(flow, contacts, 0)
    flow.press("Ctrl+H")
    flow.wait_until(lambda: isinstance(QApplication.activeWindow(), HistoryWindow))
    history = QApplication.activeWindow()
    flow.wait_until(lambda: history.panel.list.model().rowCount() > 0)
    flow.qtbot.mouseClick(history.panel.list.viewport(), Qt.MouseButton.LeftButton)
    flow.move_to(history.panel.list, entry.summary[:12])
    return entry


def test_ctrl_e_with_nobody_signed_in_asks_a_manager_to_sign_in(flow: Flow):
    entry = _a_note_in_the_history_window(flow)
    said = {}

    def sign_in_as_maya(dialog):
        said["reason"] = dialog.findChild(object, "signInReason").text()
        while not dialog.selected_member().name.startswith("Maya"):
            flow.press("Down")
        flow.type("1234")
        flow.press("Return")

    def correct(dialog):
        flow.press("Ctrl+A")
        flow.type("Wants the blue scarf kept aside")
        flow.press("Return")

    flow.in_next_dialog(sign_in_as_maya, "Sign in")
    flow.in_next_dialog(correct, "Edit history entry")
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert said["reason"] == (
        "Only a manager can edit history entries. Sign in as a manager to go on."
    )
    assert flow.window.current_staff.member.name.startswith("Maya")
    assert Interaction.get_by_id(entry.id).summary == "Wants the blue scarf kept aside"


def test_a_cashier_pressing_ctrl_e_is_told_only_a_manager_may(flow: Flow):
    flow.sign_in("Sam", "0000")
    entry = _a_note_in_the_history_window(flow)
    refusal = {}

    def stay_as_sam(dialog):
        while not dialog.selected_member().name.startswith("Sam"):
            flow.press("Down")
        flow.type("0000")
        flow.press("Return")

    def read_refusal(box):
        refusal["text"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(stay_as_sam, "Sign in")
    flow.in_next_dialog(read_refusal, "Relapp")
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert refusal["text"] == "Only a manager can edit history entries."
    assert Interaction.get_by_id(entry.id).summary == entry.summary


def test_ctrl_e_in_the_counters_history_tab_asks_a_manager_to_sign_in(flow: Flow):
    entry = (
        Interaction.select()
        .join(Contact)
        .where(
            Interaction.kind == "note",
            Contact.card_number.is_null(False),
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Interaction.occurred_at.desc())
        .first()
    )
    customer = entry.contact
    assert flow.window.current_staff.member is None and flow.window.current_staff.pins_in_use()
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    counter = flow.current_view()
    flow.wait_until(lambda: counter.shown_contact_id == customer.id)
    flow.press("F4")
    timeline = counter.timeline
    flow.wait_until(lambda: timeline.list.model().rowCount() > 0)
    flow.qtbot.mouseClick(timeline.list.viewport(), Qt.MouseButton.LeftButton)
    flow.move_to(timeline.list, entry.summary[:30])
    said = {}

    def sign_in_as_maya(dialog):
        said["reason"] = dialog.findChild(object, "signInReason").text()
        while not dialog.selected_member().name.startswith("Maya"):
            flow.press("Down")
        flow.type("1234")
        flow.press("Return")

    def correct(dialog):
        flow.press("Ctrl+A")
        flow.type("Collects the repaired watch on Monday")
        flow.press("Return")

    flow.in_next_dialog(sign_in_as_maya, "Sign in")
    flow.in_next_dialog(correct, "Edit history entry")
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert said["reason"] == (
        "Only a manager can edit history entries. Sign in as a manager to go on."
    )
    assert flow.window.current_staff.member.name.startswith("Maya")
    assert Interaction.get_by_id(entry.id).summary == "Collects the repaired watch on Monday"
