"""Quick enrol at the counter: checked fields, next card number, duplicate warnings."""

from __future__ import annotations

import json

import pytest

from relapp.db.models import AuditLog, Contact
from relapp.domain.clock import utc_now
from relapp.domain.contacts.enrolment import (
    NewContact,
    clean_new_contact,
    enrol,
    likely_duplicates,
    next_card_number,
)
from relapp.domain.contacts.fields import InvalidContact
from relapp.domain.contacts.search import search_contacts
from relapp.domain.loyalty.cards import card_number_for, is_valid_card_number


def existing(given, family, **fields) -> Contact:
    now = utc_now()
    return Contact.create(
        given_name=given, family_name=family, created_at=now, updated_at=now, **fields
    )


def test_enrol_stores_clean_fields_and_issues_a_card(db):
    clean = clean_new_contact(
        NewContact("  Zoë ", "O'Brien", phone="0412 345 678", email="Zoe@Example.COM"), "AU"
    )
    enrolment = enrol(clean)

    stored = Contact.get_by_id(enrolment.contact_id)
    assert (stored.given_name, stored.family_name) == ("Zoë", "O'Brien")
    assert stored.phone == "+61412345678"
    assert stored.phone_national == "0412345678"
    assert stored.email == "Zoe@example.com"  # the domain part is normalised
    assert stored.card_number == enrolment.card_number == card_number_for(1)
    assert stored.source == "counter"
    audit = AuditLog.get(AuditLog.entity_id == stored.id)
    assert audit.action == "contact enrolled"
    assert json.loads(audit.details) == {"card_number": stored.card_number}
    assert [hit.id for hit in search_contacts("0412")] == [stored.id]
    assert enrolment.change.contact_ids == {stored.id}


def test_cards_are_issued_in_sequence_after_the_highest(db):
    existing("A", "One", card_number=card_number_for(41))
    existing("B", "Foreign", card_number="999999999999")  # another scheme's card is ignored
    assert next_card_number() == card_number_for(42)
    first = enrol(clean_new_contact(NewContact("New"), "AU"))
    second = enrol(clean_new_contact(NewContact("Newer"), "AU"))
    assert (first.card_number, second.card_number) == (card_number_for(42), card_number_for(43))
    assert is_valid_card_number(second.card_number)


def test_a_scanned_card_is_kept(db):
    enrolment = enrol(clean_new_contact(NewContact("Pia", card_number=" 4006 1234 "), "AU"))
    assert Contact.get_by_id(enrolment.contact_id).card_number == "40061234"


def test_every_problem_is_reported_at_once(db):
    existing("Held", "Card", card_number="12345678")
    with pytest.raises(InvalidContact) as caught:
        clean_new_contact(
            NewContact("", "", phone="12", email="not-an-email", card_number="12345678"), "AU"
        )
    problems = caught.value.problems
    assert set(problems) == {"given_name", "phone", "email", "card_number"}
    assert "already belongs" in problems["card_number"]
    assert Contact.select().count() == 1


@pytest.mark.parametrize("card", ["12ab", "123", "1" * 40])
def test_malformed_card_numbers_are_refused(db, card):
    with pytest.raises(InvalidContact) as caught:
        clean_new_contact(NewContact("Ann", card_number=card), "AU")
    assert "card_number" in caught.value.problems


def test_an_overlong_name_is_refused(db):
    with pytest.raises(InvalidContact) as caught:
        clean_new_contact(NewContact("x" * 101), "AU")
    assert "at most 100" in caught.value.problems["given_name"]


def test_a_business_name_alone_is_not_enough_but_one_name_is(db):
    clean = clean_new_contact(NewContact(family_name="王"), "AU")
    assert (clean.given_name, clean.family_name, clean.phone) == ("", "王", None)


def test_likely_duplicates_by_phone_email_and_similar_name(db):
    by_phone = existing("Different", "Person", phone="+61412345678")
    by_email = existing("Other", "Human", email="zoe@example.com")
    by_name = existing("Zoe", "OBrien")
    existing("Zack", "Smith")
    erased = existing("Zoë", "O'Brien", erased_at=utc_now())
    clean = clean_new_contact(
        NewContact("Zoë", "O'Brien", phone="0412345678", email="ZOE@example.com"), "AU"
    )
    found = {duplicate.id: duplicate.reason for duplicate in likely_duplicates(clean)}
    assert found == {
        by_phone.id: "same phone",
        by_email.id: "same email",
        by_name.id: "similar name",
    }
    assert erased.id not in found


def test_no_duplicates_for_a_new_face(db):
    existing("Ann", "Lee", phone="+61400000000")
    clean = clean_new_contact(NewContact("Bob", "Marley", phone="0412345678"), "AU")
    assert likely_duplicates(clean) == []


def test_a_card_taken_between_check_and_save_is_refused_cleanly(db):
    clean = clean_new_contact(NewContact("Ann", card_number="55556666"), "AU")
    existing("Quick", "Other", card_number="55556666")
    with pytest.raises(InvalidContact, match="already belongs"):
        enrol(clean)
    assert Contact.select().where(Contact.given_name == "Ann").count() == 0


def test_a_new_customer_gets_the_programs_welcome_bonus(db):
    from relapp.db.models import PointsEntry
    from relapp.domain.changes import Entity
    from relapp.domain.shop.settings import save_settings

    save_settings(welcome_bonus_points=50)
    enrolment = enrol(clean_new_contact(NewContact("Mia"), "AU"))
    assert Contact.get_by_id(enrolment.contact_id).points_balance == 50
    assert PointsEntry.get().reason == "Welcome bonus"
    assert enrolment.change.touches(Entity.POINTS)
