"""A customer's history from the real window: F4 at the Counter, an entry corrected by a
signed-in member of staff."""

from __future__ import annotations

from PySide6.QtCore import Qt

from relapp.db.models import Contact, Interaction
from tests.flows.harness import Flow


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
