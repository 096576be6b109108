"""The points ledger's rules hold in the database itself, whatever code writes to it."""

from __future__ import annotations

import pytest
from peewee import IntegrityError

from relapp.db.models import Contact, PointsEntry
from relapp.domain.clock import utc_now


@pytest.fixture
def customer(db) -> Contact:
    now = utc_now()
    return Contact.create(given_name="Ann", family_name="Lee", created_at=now, updated_at=now)


def add_points(contact: Contact, points: int, kind: str | None = None, **extra) -> PointsEntry:
    kind = kind or ("earn" if points > 0 else "adjust")
    return PointsEntry.create(
        contact=contact, kind=kind, points=points, occurred_at=utc_now(), reason="test", **extra
    )


def balance(contact: Contact) -> int:
    return Contact.get_by_id(contact.id).points_balance


def test_each_entry_moves_the_cached_balance(customer):
    add_points(customer, 120)
    add_points(customer, 30)
    add_points(customer, -50)
    assert balance(customer) == 100
    assert sum(e.points for e in customer.points_entries) == 100


def test_an_entry_that_would_overdraw_is_refused_and_changes_nothing(customer):
    add_points(customer, 40)
    with pytest.raises(IntegrityError, match="not enough points"):
        add_points(customer, -41)
    assert balance(customer) == 40
    assert PointsEntry.select().count() == 1


def test_entries_cannot_be_edited(customer):
    entry = add_points(customer, 40)
    with pytest.raises(IntegrityError, match="cannot be changed"):
        PointsEntry.update(points=4000).where(PointsEntry.id == entry.id).execute()
    assert PointsEntry.get_by_id(entry.id).points == 40


def test_entries_cannot_be_deleted(customer):
    entry = add_points(customer, 40)
    with pytest.raises(IntegrityError, match="cannot be deleted"):
        entry.delete_instance()
    assert balance(customer) == 40
    assert PointsEntry.select().count() == 1


def test_the_cached_balance_cannot_be_set_directly(customer):
    add_points(customer, 40)
    with pytest.raises(IntegrityError, match="only through the points ledger"):
        Contact.update(points_balance=1_000_000).where(Contact.id == customer.id).execute()
    assert balance(customer) == 40


def test_a_contact_with_ledger_entries_cannot_be_deleted(customer):
    add_points(customer, 40)
    with pytest.raises(IntegrityError):
        customer.delete_instance()
    assert Contact.select().count() == 1


@pytest.mark.parametrize(
    ("kind", "points", "extra"),
    [
        ("earn", -5, {}),  # earning never takes points away
        ("redeem", 5, {}),  # a redemption never gives points
        ("redeem", -5, {}),  # a redemption names its reward
        ("reversal", -5, {}),  # a reversal names the entry it reverses
        ("adjust", 0, {}),  # an entry of zero points is noise
        ("gift", 5, {}),  # unknown kind
    ],
)
def test_malformed_entries_are_refused(customer, kind, points, extra):
    add_points(customer, 100)
    with pytest.raises(IntegrityError):
        add_points(customer, points, kind=kind, **extra)
    assert balance(customer) == 100


def test_an_entry_without_a_reason_is_refused(customer):
    with pytest.raises(IntegrityError):
        PointsEntry.create(
            contact=customer, kind="earn", points=5, occurred_at=utc_now(), reason="  "
        )


def test_card_numbers_are_unique_and_digits_only(db, customer):
    now = utc_now()
    Contact.update(card_number="270000000017").where(Contact.id == customer.id).execute()
    with pytest.raises(IntegrityError):
        Contact.create(card_number="270000000017", created_at=now, updated_at=now)
    with pytest.raises(IntegrityError):
        Contact.create(card_number="27-0000-0001", created_at=now, updated_at=now)
    assert Contact.select().count() == 1
