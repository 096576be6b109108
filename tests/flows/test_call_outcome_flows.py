"""Call outcomes from the real window: after a phone-call campaign is produced, the owner
opens its outcomes (Ctrl+7, Alt+O), chooses two customers' outcomes by their first letter,
types a note, saves with Ctrl+S, and finds each logged as an outbound call on the customer's
history; opened again, those rows show their outcome and cannot be changed."""

from __future__ import annotations

from relapp.db.models import Contact, Interaction, Staff
from relapp.domain.campaigns.call_outcomes import calls_to_log
from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
from relapp.domain.campaigns.listing import list_campaigns
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.flows.harness import Flow


def produced_call_campaign() -> int:
    """A produced call campaign to three customers of the demo shop with a phone."""
    people = (
        Contact.select()
        .where(Contact.phone.is_null(False), Contact.phone != "", Contact.archived_at.is_null())
        .order_by(Contact.id)
        .limit(3)
    )
    ids = [person.id for person in people]
    tag_contacts(ids, "Call list")
    for contact_id in ids:
        record_consent(contact_id, "phone", True, "in person")
    save_segment("Call list", ContactFilter(tags=("Call list",)))
    create_campaign("Spring calls", "Call list", "call", "Hello {first_name}", recent_days=0)
    [campaign] = list_campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    return campaign.id


def test_type_back_two_call_outcomes_and_see_them_logged(flow: Flow):
    campaign_id = produced_call_campaign()
    rows = calls_to_log(campaign_id)
    assert len(rows) >= 2
    first, second = rows[0], rows[1]
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")
    view = flow.current_view()
    assert view.table.rowCount() == 1
    assert view.outcomes_button.isEnabled()
    seen = {}

    def outcomes(dialog):
        seen["title"] = dialog.windowTitle()
        seen["first row"] = [dialog.table.item(0, column).text() for column in range(3)]
        assert dialog.outcomes[0].hasFocus()
        flow.type("c")  # Call back
        flow.press("Right")
        assert dialog.notes[0].hasFocus()
        flow.type("Ring after 5")
        flow.press("Down")
        flow.press("Left")
        assert dialog.outcomes[1].hasFocus()
        flow.type("nn")  # No answer, then Not interested
        seen["chosen"] = (dialog.outcomes[0].currentText(), dialog.outcomes[1].currentText())
        flow.press("Ctrl+S")

    flow.in_next_dialog(outcomes, "Call outcomes · Spring calls")
    flow.press("Alt+O")
    flow.wait_for_dialogs()

    assert seen["title"] == "Call outcomes · Spring calls"
    assert seen["first row"][:2] == [str(first.contact_id), first.name]
    assert seen["first row"][2].startswith("+")  # shown in international form, spaced
    assert seen["chosen"] == ("Call back", "Not interested")
    maya = Staff.get(Staff.name.startswith("Maya"))
    logged = (
        Interaction.select()
        .where(Interaction.kind == "call", Interaction.summary.startswith("Call (Spring calls):"))
        .order_by(Interaction.contact)
    )
    assert [
        (entry.contact_id, entry.direction, entry.summary, entry.details, entry.staff_id)
        for entry in logged
    ] == [
        (first.contact_id, "outbound", "Call (Spring calls): Call back", "Ring after 5", maya.id),
        (second.contact_id, "outbound", "Call (Spring calls): Not interested", "", maya.id),
    ]

    def again(dialog):
        seen["again"] = [
            (dialog.outcomes[row].currentText(), dialog.notes[row].text(),
             dialog.outcomes[row].isEnabled(), dialog.notes[row].isEnabled())
            for row in range(dialog.table.rowCount())
        ]  # fmt: skip
        flow.press("Escape")

    flow.in_next_dialog(again, "Call outcomes · Spring calls")
    flow.press("Alt+O")
    flow.wait_for_dialogs()
    assert seen["again"][:2] == [
        ("Call back", "Ring after 5", False, False),
        ("Not interested", "", False, False),
    ]
    assert all(row == ("", "", True, True) for row in seen["again"][2:])
    assert logged.count() == 2
