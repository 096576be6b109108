"""What tells two customers of the same name apart: the search rows and the enrol warning."""

from __future__ import annotations

from datetime import timedelta

from relapp.db.models import Interaction
from relapp.domain.clock import utc_now
from relapp.domain.contacts.enrolment import NewContact, clean_new_contact, likely_duplicates
from relapp.domain.contacts.profiles import CustomerClues, customer_clues
from tests.factories import add_contact


def visit(contact, days_ago: int) -> None:
    when = utc_now() - timedelta(days=days_ago)
    Interaction.create(contact=contact, kind="visit", occurred_at=when, created_at=when,
                       updated_at=when)  # fmt: skip


def test_clues_hold_phone_email_card_and_the_last_visit(db):
    first = add_contact("Deborah", "Smith", phone="0412 345 678", card_number="270000000017")
    second = add_contact("Deborah", "Smith", email="deb@example.com")
    visit(first, 40)
    visit(first, 3)

    clues = customer_clues([first.id, second.id, 404])

    assert set(clues) == {first.id, second.id}
    assert clues[first.id] == CustomerClues(
        "+61412345678", None, "270000000017", clues[first.id].last_visit
    )
    assert clues[first.id].last_visit.date() == (utc_now() - timedelta(days=3)).date()
    assert clues[second.id] == CustomerClues(None, "deb@example.com", None, None)


def test_the_duplicate_warning_carries_the_same_clues(db):
    known = add_contact("Deborah", "Smith", phone="0412 345 678", card_number="270000000017")
    visit(known, 3)
    clean = clean_new_contact(NewContact("Debora", "Smith"), "AU")

    [duplicate] = likely_duplicates(clean)

    assert (duplicate.id, duplicate.reason) == (known.id, "similar name")
    assert duplicate.clues == customer_clues([known.id])[known.id]
    assert duplicate.clues.card_number == "270000000017"


def test_a_name_spelt_the_same_is_called_the_same_name(db):
    known = add_contact("Sam", "Harris-Walker")
    clean = clean_new_contact(NewContact("sam", "Harris-Walker"), "AU")

    [duplicate] = likely_duplicates(clean)

    assert (duplicate.id, duplicate.reason) == (known.id, "same name")
