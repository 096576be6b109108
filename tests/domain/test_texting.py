"""Texting one customer from the Counter: the number, the warnings (never refusals), the
length line and what the history keeps."""

from __future__ import annotations

import pytest

from relapp.db.models import Interaction
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.texting import (
    NoMobile,
    length_line,
    log_text_sent,
    mobile_number,
    sent_summary,
    texting_warnings,
)
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.history import MAX_SUMMARY_LENGTH, log_interaction
from relapp.errors import RelappError
from tests.factories import add_contact


def test_a_mobile_is_the_number_and_no_number_or_a_landline_is_one_sentence():
    assert mobile_number("Ann Lee", "+61412345678") == "+61412345678"
    assert mobile_number("Ann Lee", "+12015550123") == "+12015550123"  # could be a mobile
    with pytest.raises(NoMobile, match=r"^Ann Lee has no mobile number on record, so a text"):
        mobile_number("Ann Lee", None)
    with pytest.raises(NoMobile, match=r"^Ann Lee's number, \+61 2 9374 4000, is a landline"):
        mobile_number("Ann Lee", "+61293744000")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", "1 text message · 0 of 160 characters (GSM-7)"),
        ("Your order is ready", "1 text message · 19 of 160 characters (GSM-7)"),
        ("Price: 5€", "1 text message · 10 of 160 characters (GSM-7)"),  # € takes two
        ("Ready 😀", "1 text message · 8 of 70 characters (UCS-2)"),  # the emoji takes two
        ("x" * 161, "2 text messages · 161 of 306 characters (GSM-7)"),
        ("ç" * 71, "2 text messages · 71 of 134 characters (UCS-2)"),
    ],
)
def test_the_length_line_counts_as_the_network_does(text, line):
    assert length_line(text) == line


def test_the_summary_is_the_text_on_one_line_shortened_to_fit():
    assert sent_summary("Your order\nis  ready.") == "Text message: Your order is ready."
    long = sent_summary("word " * 100)
    assert len(long) <= MAX_SUMMARY_LENGTH and long.endswith(" word…")


def test_no_consent_and_the_cap_are_warnings_each_a_sentence(db):
    ann = add_contact("Ann", "Lee", phone="0412 345 678")
    assert texting_warnings(ann.id, "Ann Lee") == (
        "Ann Lee has not agreed to text messages: send only what they need to know (their"
        " order is ready, a booking moved), no offers.",
    )
    record_consent(ann.id, "sms", True, "in person")
    assert texting_warnings(ann.id, "Ann Lee") == ()
    record_consent(ann.id, "sms", False, "in person")
    (withdrawn,) = texting_warnings(ann.id, "Ann Lee")
    assert withdrawn.startswith("Ann Lee withdrew consent to text messages: send only")
    record_consent(ann.id, "sms", True, "in person")
    save_settings(contact_cap_per_30_days=1)
    log_interaction(ann.id, "call", summary="Called", direction="outbound")
    (cap,) = texting_warnings(ann.id, "Ann Lee")
    assert cap.startswith("Do not contact yet unless they need it: 1 outbound contact in the")


def test_a_text_logged_as_sent_is_an_outbound_message_with_the_text_as_details(db):
    ann = add_contact("Ann", "Lee", phone="0412 345 678")
    logged = log_text_sent(ann.id, "Your order is ready 😀\nSee you soon")
    entry = Interaction.get_by_id(logged.id)
    assert (entry.contact_id, entry.kind, entry.direction) == (ann.id, "message", "outbound")
    assert entry.summary == "Text message: Your order is ready 😀 See you soon"
    assert entry.details == "Your order is ready 😀\nSee you soon"
    assert ann.id in logged.change.contact_ids
    with pytest.raises(RelappError, match="Type the message first"):
        log_text_sent(ann.id, "  \n ")
