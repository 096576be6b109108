"""What the Campaigns view reads: who a campaign reaches (as it would now, or as recorded once
produced), the names left out for one reason, and a message previewed before it is saved."""

from __future__ import annotations

import pytest

from relapp.domain.campaigns.campaigns import (
    REASON_WORDS,
    audience,
    create_campaign,
    produce_campaign,
)
from relapp.domain.campaigns.listing import (
    Reach,
    campaign_reach,
    left_out_names,
    list_campaigns,
    planned_reach,
    preview_message,
)
from relapp.domain.campaigns.templates import TemplateError
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


@pytest.fixture
def regulars(db):
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    ids = {}
    for given, texts in (("Ada", True), ("Bo", False), ("Cy", True), ("Di", False), ("Ed", True)):
        contact = add_contact(given, "Lee", phone="0412 000 000")
        tag_contacts([contact.id], "Regulars")
        if texts:
            record_consent(contact.id, "sms", True, "in person")
        ids[given] = contact.id
    return ids


def test_a_campaign_not_produced_is_counted_as_it_would_be_now(regulars):
    create_campaign("Spring", "Regulars", "sms", "Hi {first_name}", holdout_percent=34)
    [campaign] = list_campaigns()
    reach = campaign_reach(campaign)
    # 3 reached, 34 % of them held out rounded down: 1.
    assert reach == Reach(2, 1, {**dict.fromkeys(reach.left_out, 0), "no_consent": 2})
    assert reach.left_out_total == 2
    assert list(reach.left_out) == list(REASON_WORDS)  # every reason, in the order they apply
    names = left_out_names(campaign, "no_consent")
    assert names.names == (
        (regulars["Bo"], "Bo Lee"),
        (regulars["Di"], "Di Lee"),
    )
    assert names.total == 2
    assert left_out_names(campaign, "at_cap").names == ()


def test_a_produced_campaign_shows_what_was_recorded_not_what_changed_since(regulars):
    create_campaign("Spring", "Regulars", "sms", "Hi {first_name}")
    [campaign] = list_campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    record_consent(regulars["Bo"], "sms", True, "in person")  # agreed afterwards
    [campaign] = list_campaigns()
    reach = campaign_reach(campaign)
    assert (reach.sent, reach.held_out, reach.left_out["no_consent"]) == (3, 0, 2)
    assert [name for _id, name in left_out_names(campaign, "no_consent").names] == [
        "Bo Lee",
        "Di Lee",
    ]


def test_the_preview_is_the_first_reached_customers_message(regulars):
    found = audience("Regulars", "sms")
    message = preview_message(found, "sms", "Hi {first_name}!", subject="ignored {frist}")
    assert message is not None
    assert (message.recipient.contact_id, message.body, message.subject) == (
        regulars["Ada"], "Hi Ada!", "",
    )  # fmt: skip
    email = preview_message(found, "email", "Hi", subject="For {first_name}")
    assert email is not None and email.subject == "For Ada"
    assert planned_reach(found, 0).sent == 3


def test_the_preview_refuses_a_misspelt_field_and_reaches_nobody_without_members(regulars):
    found = audience("Regulars", "sms")
    with pytest.raises(TemplateError, match=r"\{frist_name\}, which is not a merge field"):
        preview_message(found, "sms", "Hi {frist_name}")
    nobody = audience("Regulars", "email")  # nobody agreed to emails
    assert preview_message(nobody, "email", "Hi {first_name}") is None
