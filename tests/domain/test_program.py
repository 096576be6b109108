"""The loyalty program a manager sets up: settings, tiers, rewards, and the liability."""

from __future__ import annotations

from datetime import timedelta

import pytest

from relapp.db.fields import format_timestamp
from relapp.db.models import AuditLog, Contact, PointsEntry, Reward, Staff, Tier
from relapp.domain.changes import Entity
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.program import (
    list_rewards,
    list_tiers,
    loyalty_liability,
    program_problems,
    save_program,
    save_reward,
    save_tier,
)
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.staff import NotAllowed
from tests.factories import add_contact


@pytest.fixture
def staff(db):
    now = utc_now()
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=now)
    cashier = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=now)
    return manager.id, cashier.id


def test_a_manager_changes_the_program_and_it_is_audited(staff):
    manager, _ = staff
    save_program({"points_per_unit": 2, "points_expiry_months": 12}, manager)
    settings = load_settings()
    assert (settings.points_per_unit, settings.points_expiry_months) == (2, 12)
    audit = AuditLog.get(AuditLog.action == "loyalty program changed")
    assert audit.staff_id == manager and '"points_per_unit": [1, 2]' in audit.details


def test_a_cashier_cannot_change_the_program(staff):
    _, cashier = staff
    with pytest.raises(NotAllowed, match="Only a manager"):
        save_program({"points_per_unit": 5}, cashier)
    with pytest.raises(NotAllowed):
        save_program({"points_per_unit": 5}, None)
    assert load_settings().points_per_unit == 1


def test_program_values_are_checked():
    problems = program_problems({"points_per_unit": -1, "points_expiry_months": "12", "x": 1})
    assert set(problems) == {"points_per_unit", "points_expiry_months", "x"}


def test_tiers_are_added_changed_and_listed_lowest_first(staff):
    manager, _ = staff
    save_tier(None, "Gold", 150_000, 150, manager)
    save_tier(None, "Bronze", 0, 100, manager)
    gold = Tier.get(Tier.name == "Gold")
    save_tier(gold.id, "Gold", 120_000, 160, manager)
    assert [(row.name, row.min_spend_cents, row.multiplier_percent) for row in list_tiers()] == [
        ("Bronze", 0, 100),
        ("Gold", 120_000, 160),
    ]
    with pytest.raises(ValueError, match="already has this name or threshold"):
        save_tier(None, "gold", 5, 100, manager)


def test_rewards_are_kept_when_retired(staff):
    manager, _ = staff
    save_reward(None, "Coffee", "A flat white", 50, 10, True, manager)
    coffee = Reward.get(Reward.name == "Coffee")
    save_reward(coffee.id, "Coffee", "A flat white", 60, None, False, manager)
    (row,) = list_rewards()
    assert (row.points_cost, row.stock, row.active, row.redeemed) == (60, None, False, 0)
    with pytest.raises(ValueError, match="costs from 1"):
        save_reward(None, "Free", "", 0, None, True, manager)


def test_the_liability_sums_balances_by_tier_and_what_expires_soon(staff):
    manager, _ = staff
    save_program({"value_of_100_points_cents": 50}, manager)
    save_tier(None, "Silver", 50_000, 125, manager)
    silver = Tier.get(Tier.name == "Silver")
    ann, bob = add_contact("Ann", "Lee"), add_contact("Bob", "Ng", tier=silver)
    now = utc_now()
    soon, later = now + timedelta(days=10), now + timedelta(days=200)
    PointsEntry.create(contact=ann, kind="earn", points=300, occurred_at=now,
                       expires_at=format_timestamp(soon), reason="test")  # fmt: skip
    PointsEntry.create(contact=bob, kind="earn", points=1_000, occurred_at=now,
                       expires_at=format_timestamp(later), reason="test")  # fmt: skip
    liability = loyalty_liability()
    assert (liability.points, liability.value_cents) == (1_300, 650)
    assert [(row.tier, row.customers, row.points) for row in liability.by_tier] == [
        ("No tier", 1, 300),
        ("Silver", 1, 1_000),
    ]
    assert liability.expiring_soon_points == 300
    assert liability.customers_with_points == 2


# -- everyone in a tier ---------------------------------------------------------------------


def test_a_new_customer_starts_in_the_tier_that_starts_at_nothing(staff):
    from relapp.domain.contacts.enrolment import NewContact, clean_new_contact, enrol

    manager, _ = staff
    save_tier(None, "Bronze", 0, 100, manager)
    save_tier(None, "Silver", 50_000, 125, manager)
    bronze = Tier.get(Tier.name == "Bronze")
    enrolled = enrol(clean_new_contact(NewContact(given_name="Ann", family_name="Lee"), "AU"))
    added = add_contact("Bob", "Ng")  # any writer: a plain INSERT too
    assert Contact.get_by_id(enrolled.contact_id).tier_id == bronze.id
    assert Contact.get_by_id(added.id).tier_id == bronze.id
    # Given a tier, it keeps it.
    silver = Tier.get(Tier.name == "Silver")
    assert Contact.get_by_id(add_contact("Cat", "Wu", tier=silver).id).tier_id == silver.id


def test_without_a_tier_from_nothing_a_new_customer_has_none(staff):
    manager, _ = staff
    save_tier(None, "Silver", 50_000, 125, manager)
    assert Contact.get_by_id(add_contact("Ann", "Lee").id).tier_id is None


def test_imported_customers_start_in_the_lowest_tier(staff, tmp_path):
    from relapp.exchange.importer import import_file

    manager, _ = staff
    save_tier(None, "Bronze", 0, 100, manager)
    source = tmp_path / "customers.csv"
    source.write_text("given_name,family_name,email\nAnn,Lee,ann@example.com\nBob,Ng,\n")
    assert import_file(source).imported == 2
    assert [contact.tier.name for contact in Contact.select().order_by(Contact.id)] == [
        "Bronze", "Bronze"]  # fmt: skip


def test_a_tier_from_nothing_added_later_takes_in_everyone_without_one(staff):
    manager, _ = staff
    save_tier(None, "Silver", 50_000, 125, manager)
    ann, bob = add_contact("Ann", "Lee"), add_contact("Bob", "Ng")
    assert Contact.get_by_id(ann.id).tier_id is None
    change = save_tier(None, "Bronze", 0, 100, manager)
    bronze = Tier.get(Tier.name == "Bronze")
    assert {Contact.get_by_id(c.id).tier_id for c in (ann, bob)} == {bronze.id}
    assert Entity.CONTACTS in change.entities
    audit = AuditLog.select().where(AuditLog.action == "tier added").order_by(AuditLog.id.desc())
    assert '"customers_placed": 2' in audit.first().details


def test_tier_counts_agree_with_the_contacts_list(demo_db):
    """Loyalty's tier table and the Contacts tab's tier filter count the same customers, and
    together every active customer (a demo shop's first tier starts at nothing)."""
    from relapp.domain.contacts.listing import ContactFilter, count_contacts

    tiers = list_tiers()
    assert tiers[0].min_spend_cents == 0
    for tier in tiers:
        assert count_contacts(ContactFilter(tiers=(tier.name,))) == tier.customers, tier.name
    assert sum(tier.customers for tier in tiers) == count_contacts(ContactFilter())
    assert not Contact.select().where(Contact.tier.is_null()).exists()


def test_an_older_shops_customers_without_a_tier_are_placed_when_it_opens(tmp_path):
    """Schema 9 puts them where their spend over the tier window puts them."""
    from peewee import SqliteDatabase

    from relapp.db import connection
    from relapp.db.connection import open_database

    path = tmp_path / "older.db"
    old = SqliteDatabase(str(path), pragmas=connection.connection_pragmas())
    old.connect()
    connection.migrate_database(old, path, target=8)
    recent = format_timestamp(utc_now() - timedelta(days=30))
    long_ago = format_timestamp(utc_now() - timedelta(days=800))
    old.execute_sql(
        "INSERT INTO tier (id, name, min_spend_cents, multiplier_percent) VALUES"
        " (1, 'Bronze', 0, 100), (2, 'Silver', 50000, 125)"
    )
    for number, (name, tier) in enumerate(
        (("Ann", None), ("Bob", None), ("Cat", None), ("Dan", 2)), start=1
    ):
        old.execute_sql(
            "INSERT INTO contact (id, given_name, tier_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (number, name, tier, long_ago, long_ago),
        )
    # Bob spent 600 this month (never recomputed); Cat's 900 is older than the window.
    for contact_id, amount, when in ((2, 60_000, recent), (3, 90_000, long_ago)):
        old.execute_sql(
            "INSERT INTO interaction (contact_id, kind, occurred_at, amount_cents, created_at,"
            " updated_at) VALUES (?, 'purchase', ?, ?, ?, ?)",
            (contact_id, when, amount, when, when),
        )
    old.close()

    database = open_database(path)
    try:
        tiers = dict(database.execute_sql("SELECT given_name, tier_id FROM contact").fetchall())
        assert tiers == {"Ann": 1, "Bob": 2, "Cat": 1, "Dan": 2}
        database.execute_sql(
            "INSERT INTO contact (given_name, created_at, updated_at) VALUES ('Eve', ?, ?)",
            (recent, recent),
        )
        eve = database.execute_sql("SELECT tier_id FROM contact WHERE given_name = 'Eve'")
        assert eve.fetchone() == (1,)
    finally:
        database.close()
