"""A phone-call campaign's outcomes typed back: each logged once on the customer's history as
an outbound call, and a wrong batch refused whole, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from relapp.db.models import Interaction
from relapp.db.store import campaigns as campaign_store
from relapp.domain.campaigns.call_outcomes import (
    CallOutcomeError,
    CallRow,
    calls_to_log,
    log_call_outcomes,
)
from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
from relapp.domain.changes import Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


def caller(given: str, *, agreed: bool = True, phone: str = "0412 000 001") -> int:
    contact = add_contact(given, "Lee", phone=phone)
    tag_contacts([contact.id], "Callers")
    if agreed:
        record_consent(contact.id, "phone", True, "in person")
    return contact.id


@pytest.fixture
def campaign(db):
    """A produced call campaign: Ann and Bob called, Cat left out (no consent)."""
    save_segment("Callers", ContactFilter(tags=("Callers",)))
    people = {
        "ann": caller("Ann", phone="0412 000 001"),
        "bob": caller("Bob", phone="0412 000 002"),
        "cat": caller("Cat", agreed=False, phone="0412 000 003"),
    }
    create_campaign("Spring calls", "Callers", "call", "Hello {first_name}")
    (made,) = campaign_store.campaigns()
    produce_campaign(made.id, lambda row, messages, progress: [])
    return made.id, people


def calls() -> list[tuple[int, str, str, str | None]]:
    rows = Interaction.select().where(Interaction.kind == "call").order_by(Interaction.id)
    return [(row.contact_id, row.direction, row.summary, row.details) for row in rows]


def test_the_call_list_is_who_was_sent_it_with_what_is_logged(campaign):
    campaign_id, people = campaign
    assert calls_to_log(campaign_id) == [
        CallRow(people["ann"], "Ann Lee", "+61412000001", None),
        CallRow(people["bob"], "Bob Lee", "+61412000002", None),
    ]
    log_call_outcomes(campaign_id, {people["bob"]: ("call_back", "After 5")})
    assert [(row.outcome, row.logged, row.note) for row in calls_to_log(campaign_id)] == [
        (None, False, ""), ("call_back", True, "After 5"),
    ]  # fmt: skip


def test_each_outcome_is_logged_as_an_outbound_call_with_its_note_and_staff(campaign):
    campaign_id, people = campaign
    change = log_call_outcomes(
        campaign_id,
        {people["ann"]: ("answered", "Loved the spring range"), people["bob"]: ("no_answer", "")},
        staff_id=None,
    )
    assert calls() == [
        (people["ann"], "outbound", "Call (Spring calls): Answered", "Loved the spring range"),
        (people["bob"], "outbound", "Call (Spring calls): No answer", ""),
    ]
    assert change.touches(Entity.INTERACTIONS)
    assert change.contact_ids == {people["ann"], people["bob"]}


@pytest.mark.parametrize(
    ("who", "outcome", "note", "words"),
    [
        ("cat", "answered", "", "was not called in the campaign"),
        ("nobody", "answered", "", "was not called in the campaign"),
        ("bob", "maybe", "", "A call's outcome is one of"),
        ("bob", "answered", "x" * 501, "at most 500 characters"),
    ],
)
def test_a_wrong_entry_refuses_the_whole_batch(campaign, who, outcome, note, words):
    campaign_id, people = campaign
    contact_id = people.get(who, 999_999)
    batch = {people["ann"]: ("answered", "fine"), contact_id: (outcome, note)}
    with pytest.raises(CallOutcomeError, match=words):
        log_call_outcomes(campaign_id, batch)
    assert calls() == []


def test_only_a_produced_call_campaign_has_outcomes(campaign):
    _campaign_id, people = campaign
    create_campaign("Later calls", "Callers", "call", "Hi")
    create_campaign("Texts", "Callers", "sms", "Hi")
    later = campaign_store.campaign_named("Later calls")
    texts = campaign_store.campaign_named("Texts")
    assert later is not None and texts is not None
    with pytest.raises(CallOutcomeError, match="not produced yet"):
        log_call_outcomes(later.id, {people["ann"]: ("answered", "")})
    with pytest.raises(CallOutcomeError, match="not a phone-call campaign"):
        calls_to_log(texts.id)
    with pytest.raises(CallOutcomeError, match="There is no campaign 999"):
        log_call_outcomes(999, {})
    assert calls() == []


def test_an_outcome_already_logged_is_not_logged_twice(campaign):
    campaign_id, people = campaign
    log_call_outcomes(campaign_id, {people["ann"]: ("left_message", "Voicemail")})
    later = utc_now() + timedelta(hours=2)
    change = log_call_outcomes(
        campaign_id,
        {people["ann"]: ("answered", "Called back"), people["bob"]: ("not_interested", "")},
        now=later,
    )
    assert calls() == [
        (people["ann"], "outbound", "Call (Spring calls): Left message", "Voicemail"),
        (people["bob"], "outbound", "Call (Spring calls): Not interested", ""),
    ]
    assert change.contact_ids == {people["bob"]}
    assert log_call_outcomes(campaign_id, {people["bob"]: ("answered", "")}).entities == set()
    assert len(calls()) == 2
