"""A customer's history from the real window: F4 at the Counter, an entry corrected by a
signed-in member of staff."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact, Interaction
from relapp.ui.timeline.history_window import HistoryWindow
from tests.flows.harness import Flow
from tests.flows.test_contacts_flows import click_row, filter_contacts


def latest_note(reached_by) -> Interaction:
    """The newest note of a live customer who has reached_by (a card, an email)."""
    return (
        Interaction.select()
        .join(Contact)
        .where(
            Interaction.kind == "note",
            reached_by.is_null(False),
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Interaction.occurred_at.desc())
        .first()
    )


def counter_history_on(flow: Flow, entry: Interaction):
    """Ctrl+1, the customer's card, Enter, F4: the Counter's History tab, its list on entry."""
    flow.press("Ctrl+1")
    flow.type(entry.contact.card_number)
    flow.press("Return")
    counter = flow.current_view()
    flow.wait_until(lambda: counter.shown_contact_id == entry.contact_id)
    flow.press("F4")
    timeline = counter.timeline
    flow.wait_until(lambda: timeline.list.model().rowCount() > 0)
    flow.qtbot.mouseClick(timeline.list.viewport(), Qt.MouseButton.LeftButton)
    flow.move_to(timeline.list, entry.summary[:30])
    return timeline


def sign_in_as(flow: Flow, name: str, pin: str, said: dict):
    """A handler for the sign-in dialog: keeps the reason it gives, picks name, types pin."""

    def answer(dialog):
        reason = dialog.findChild(object, "signInReason")
        said["reason"] = reason.text() if reason is not None else ""
        while not dialog.selected_member().name.startswith(name):
            flow.press("Down")
        flow.type(pin)
        flow.press("Return")

    return answer


def retype_summary(flow: Flow, text: str):
    def answer(dialog):
        flow.press("Ctrl+A")
        flow.type(text)
        flow.press("Return")

    return answer


def test_correct_a_history_entry_from_the_counter(flow: Flow):
    entry = latest_note(Contact.card_number)
    flow.sign_in("Maya", "1234")  # editing history is a manager's
    timeline = counter_history_on(flow, entry)

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Edit entry"))
    flow.in_next_dialog(
        retype_summary(flow, "Asked us to hold the green coat until Friday"), "Edit history entry"
    )
    flow.click(timeline.findChild(object, "timelineMore"))
    flow.wait_for_dialogs()

    assert Interaction.get_by_id(entry.id).summary == "Asked us to hold the green coat until Friday"
    flow.wait_until(lambda: "hold the green coat" in str(timeline.list.currentIndex().data()))


def _a_note_in_the_history_window(flow: Flow) -> Interaction:
    """Contacts (Ctrl+2), the customer filtered and picked, Ctrl+H: their history window,
    its list on the note."""
    entry = latest_note(Contact.email)
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


MANAGER_ASKED = "Only a manager can edit history entries. Sign in as a manager to go on."


def test_ctrl_e_with_nobody_signed_in_asks_a_manager_to_sign_in(flow: Flow):
    entry = _a_note_in_the_history_window(flow)
    said = {}

    flow.in_next_dialog(sign_in_as(flow, "Maya", "1234", said), "Sign in")
    flow.in_next_dialog(
        retype_summary(flow, "Wants the blue scarf kept aside"), "Edit history entry"
    )
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert said["reason"] == MANAGER_ASKED
    assert flow.window.current_staff.member.name.startswith("Maya")
    assert Interaction.get_by_id(entry.id).summary == "Wants the blue scarf kept aside"


def test_a_cashier_pressing_ctrl_e_is_told_only_a_manager_may(flow: Flow):
    flow.sign_in("Sam", "0000")
    entry = _a_note_in_the_history_window(flow)
    refusal = {}

    def read_refusal(box):
        refusal["text"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(sign_in_as(flow, "Sam", "0000", {}), "Sign in")
    flow.in_next_dialog(read_refusal, "Relapp")
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert refusal["text"] == "Only a manager can edit history entries."
    assert Interaction.get_by_id(entry.id).summary == entry.summary


def test_ctrl_e_in_the_counters_history_tab_asks_a_manager_to_sign_in(flow: Flow):
    entry = latest_note(Contact.card_number)
    assert flow.window.current_staff.member is None and flow.window.current_staff.pins_in_use()
    counter_history_on(flow, entry)
    said = {}

    flow.in_next_dialog(sign_in_as(flow, "Maya", "1234", said), "Sign in")
    flow.in_next_dialog(
        retype_summary(flow, "Collects the repaired watch on Monday"), "Edit history entry"
    )
    flow.press("Ctrl+E")
    flow.wait_for_dialogs()

    assert said["reason"] == MANAGER_ASKED
    assert flow.window.current_staff.member.name.startswith("Maya")
    assert Interaction.get_by_id(entry.id).summary == "Collects the repaired watch on Monday"
