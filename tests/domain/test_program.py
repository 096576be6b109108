"""The loyalty program a manager sets up: settings, tiers, rewards, and the liability."""

from __future__ import annotations

from datetime import timedelta

import pytest

from relapp.db.fields import format_timestamp
from relapp.db.models import AuditLog, PointsEntry, Reward, Staff, Tier
from relapp.domain.clock import utc_now
from relapp.domain.program import (
    list_rewards,
    list_tiers,
    loyalty_liability,
    program_problems,
    save_program,
    save_reward,
    save_tier,
)
from relapp.domain.settings import load_settings
from relapp.domain.staff import NotAllowed
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
