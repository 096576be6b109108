"""The loyalty program a manager sets up: earning, expiry, bonuses, tiers and rewards.

Changing the program is a manager's job (relapp.domain.shop.staff.require_manager), and every
change is written to the audit log with the old and new values. The ledger itself is not
touched here: a new rate applies to sales from now on, never to points already earned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from relapp.db.audit import write_audit
from relapp.db.models import database
from relapp.db.store import loyalty_program
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.fields import clean_name, clean_text
from relapp.domain.loyalty.ledger import place_tierless
from relapp.domain.shop.formats import format_money
from relapp.domain.shop.settings import load_settings, save_settings
from relapp.domain.shop.staff import require_manager

# Program settings and the range each may take.
PROGRAM_LIMITS = {
    "points_per_unit": (0, 1_000),
    "points_expiry_months": (0, 120),  # 0: points never expire
    "tier_window_months": (1, 60),
    "welcome_bonus_points": (0, 1_000_000),
    "birthday_bonus_points": (0, 1_000_000),
    "referral_bonus_points": (0, 1_000_000),
    "value_of_100_points_cents": (0, 1_000_000),  # what 100 points are worth to the customer
}
MAX_REWARD_COST = 10_000_000
MAX_TIER_THRESHOLD_CENTS = 100_000_000_00
MAX_STOCK = 1_000_000
EXPIRING_SOON_DAYS = 30


def program_problems(changes: dict[str, int]) -> dict[str, str]:
    """A sentence per program setting that cannot be saved as given."""
    problems = {}
    for name, value in changes.items():
        if name not in PROGRAM_LIMITS:
            problems[name] = f"{name} is not a loyalty program setting."
            continue
        lowest, highest = PROGRAM_LIMITS[name]
        if not (isinstance(value, int) and lowest <= value <= highest):
            problems[name] = f"Choose a whole number from {lowest:,} to {highest:,}."
    return problems


def save_program(changes: dict[str, int], staff_id: int | None) -> Change:
    """Store program settings (manager only); raises ValueError naming every problem."""
    require_manager(staff_id, "change the loyalty program")
    problems = program_problems(changes)
    if problems:
        raise ValueError(" ".join(problems.values()))
    current = load_settings()
    changed = {name: value for name, value in changes.items() if getattr(current, name) != value}
    if not changed:
        return Change.of()
    with database.atomic():
        change = save_settings(**changed)
        _audit(
            "loyalty program changed",
            "settings",
            None,
            staff_id,
            {name: [getattr(current, name), value] for name, value in changed.items()},
        )
    return change


# -- tiers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRow:
    id: int
    name: str
    min_spend_cents: int
    multiplier_percent: int
    customers: int


def list_tiers() -> list[TierRow]:
    """Tiers from the lowest threshold up, with how many active customers are in each."""
    return [TierRow(*row) for row in loyalty_program.tiers_with_customers()]


def save_tier(
    tier_id: int | None, name: str, min_spend_cents: int, multiplier_percent: int,
    staff_id: int | None,
) -> Change:  # fmt: skip
    """Add a tier (tier_id None) or change one. Customers move at their next recompute,
    except those without a tier: with a tier from 0 they all join the one they reach now."""
    require_manager(staff_id, "change the tiers")
    name = clean_name(name)
    if not name:
        raise ValueError("A tier needs a name.")
    if not 0 <= min_spend_cents <= MAX_TIER_THRESHOLD_CENTS:
        raise ValueError(
            f"A tier threshold is from {format_money(0)} to"
            f" {format_money(MAX_TIER_THRESHOLD_CENTS)}."
        )
    if not 0 <= multiplier_percent <= 1_000:
        raise ValueError("A tier multiplier must be between 0% and 1,000%.")
    clash = loyalty_program.tier_with_name_or_threshold(name, min_spend_cents, tier_id)
    if clash is not None:
        raise ValueError(f"The tier {clash!r} already has this name or threshold.")
    with database.atomic():
        if tier_id is None:
            tier_id = loyalty_program.insert_tier(name, min_spend_cents, multiplier_percent)
            action = "tier added"
        else:
            loyalty_program.update_tier(tier_id, name, min_spend_cents, multiplier_percent)
            action = "tier changed"
        now = utc_now()
        placed = place_tierless(now, load_settings().tier_window_months)
        details = {"name": name, "min_spend_cents": min_spend_cents,
                   "multiplier_percent": multiplier_percent}  # fmt: skip
        if placed:
            details["customers_placed"] = placed
        _audit(action, "tier", tier_id, staff_id, details)
    if placed:
        return Change.of(Entity.TIERS, Entity.CONTACTS)
    return Change.of(Entity.TIERS)


# -- rewards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RewardRow:
    id: int
    name: str
    description: str
    points_cost: int
    stock: int | None  # None: unlimited
    active: bool
    redeemed: int  # times redeemed, all time


def list_rewards() -> list[RewardRow]:
    return [RewardRow(*row) for row in loyalty_program.rewards_with_redemptions()]


def save_reward(
    reward_id: int | None, name: str, description: str, points_cost: int, stock: int | None,
    active: bool, staff_id: int | None,
) -> Change:  # fmt: skip
    """Add a reward (reward_id None) or change one. A reward is never deleted: it may be in
    the ledger; deactivate it instead."""
    require_manager(staff_id, "change the rewards")
    name = clean_name(name)
    if not name:
        raise ValueError("A reward needs a name.")
    description = clean_text(description, 500)
    if not 1 <= points_cost <= MAX_REWARD_COST:
        raise ValueError(f"A reward costs from 1 to {MAX_REWARD_COST:,} points.")
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        raise ValueError(f"Stock is from 0 to {MAX_STOCK:,}, or unlimited.")
    with database.atomic():
        if reward_id is None:
            reward_id = loyalty_program.insert_reward(
                name, description, points_cost, stock, active, utc_now()
            )
            action = "reward added"
        else:
            loyalty_program.update_reward(reward_id, name, description, points_cost, stock, active)
            action = "reward changed"
        _audit(
            action, "reward", reward_id, staff_id,
            {"name": name, "points_cost": points_cost, "stock": stock, "active": active},
        )  # fmt: skip
    return Change.of(Entity.REWARDS)


# -- liability --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierLiability:
    tier: str  # "No tier" for customers without one
    customers: int
    points: int
    value_cents: int


@dataclass(frozen=True)
class Liability:
    points: int
    value_cents: int
    by_tier: tuple[TierLiability, ...]
    expiring_soon_points: int  # earned points whose expiry falls within EXPIRING_SOON_DAYS
    customers_with_points: int


def loyalty_liability() -> Liability:
    """What the shop owes in points: outstanding balances and their value, per tier.

    Expiring soon sums earn entries expiring within 30 days, capped per customer at the
    balance (points already spent cannot expire); the exact lots come from the ledger replay.
    """
    value_per_100 = load_settings().value_of_100_points_cents
    rows = loyalty_program.balances_by_tier()
    by_tier = tuple(
        TierLiability(name, customers, points, points * value_per_100 // 100)
        for name, customers, points in rows
    )
    now = utc_now()
    soon = loyalty_program.points_expiring_between(now, now + timedelta(days=EXPIRING_SOON_DAYS))
    points = sum(row.points for row in by_tier)
    return Liability(
        points=points,
        value_cents=points * value_per_100 // 100,
        by_tier=by_tier,
        expiring_soon_points=soon,
        customers_with_points=sum(row.customers for row in by_tier),
    )


def _audit(
    action: str,
    entity: str,
    entity_id: int | None,
    staff_id: int | None,
    details: dict[str, object],
) -> None:
    write_audit(action, entity, entity_id, details, utc_now(), staff_id)
