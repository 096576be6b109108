"""Membership plans a manager sets up: the fee, the length, grace, the perks, reminders.

A plan is added, changed or retired (never deleted: memberships name it), by a manager only,
and every change is in the audit log. Each refusal is one sentence (PlanRefused) naming what
to change. A change to a plan's length or grace applies to memberships made from then on (a
membership keeps the dates it was made with); its perks (multiplier, discount, member-only
rewards) apply to every member at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.migrations.m0019_memberships import MAX_DAYS, MAX_MONTHS, MAX_MULTIPLIER_PERCENT
from relapp.db.store import loyalty_program
from relapp.db.store import memberships as store
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.fields import clean_name
from relapp.domain.memberships.status import shop_today
from relapp.domain.shop.formats import format_money
from relapp.domain.shop.money import MAX_AMOUNT_CENTS
from relapp.domain.shop.staff import require_manager
from relapp.errors import RelappError

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # fmt: skip
# The longest each month can be (29 February: kept on the 28th in a common year).
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class PlanRefused(RelappError):
    """The plan cannot be saved as given; nothing was changed."""


@dataclass(frozen=True)
class Plan:
    """A plan as a manager sets it up (id None: not saved yet)."""

    name: str
    fee_cents: int = 0
    length_months: int | None = 12
    year_end: tuple[int, int] | None = None  # (month, day); exactly one of this and months
    grace_days: int = 14
    points_multiplier_percent: int = 100  # 100: the normal rate
    discount_percent: int = 0  # shown at the Counter
    welcome_reward_id: int | None = None
    reminder_days: int = 14
    active: bool = True
    member_rewards: tuple[int, ...] = ()  # rewards only its current members may take
    id: int | None = None

    @property
    def length_text(self) -> str:
        """ "12 months", "1 month" or "to 31 December each year"."""
        if self.length_months is not None:
            months = self.length_months
            return f"{months} month" if months == 1 else f"{months} months"
        if self.year_end is None:
            return ""
        month, day = self.year_end
        return f"to {day} {MONTH_NAMES[month - 1]} each year"

    @property
    def perk_text(self) -> str:
        """ "points ×1.5 · 10% discount" (or "" for a plan with no perk beyond joining)."""
        perks = []
        if self.points_multiplier_percent != 100:
            perks.append(f"points ×{self.points_multiplier_percent / 100:g}")
        if self.discount_percent:
            perks.append(f"{self.discount_percent}% discount")
        return " · ".join(perks)


@dataclass(frozen=True)
class PlanLine:
    plan: Plan
    current_members: int
    welcome_reward: str  # its name, "" if none


def list_plans(today: date | None = None) -> list[PlanLine]:
    """Every plan, active first then by name, with its members current on today."""
    day = (today or shop_today()).isoformat()
    counts = store.current_counts(day)
    rewards = {row[0]: row[1] for row in loyalty_program.rewards_with_redemptions()}
    return [
        PlanLine(plan, counts.get(plan.id or 0, 0), rewards.get(plan.welcome_reward_id or 0, ""))
        for plan in (_plan(row) for row in store.plan_rows())
    ]


def active_plans() -> list[Plan]:
    return [_plan(row) for row in store.plan_rows() if row.active]


def plan_by_id(plan_id: int) -> Plan:
    row = store.plan_row(plan_id)
    if row is None:
        raise PlanRefused(f"There is no membership plan number {plan_id}.")
    return _plan(row)


def _plan(row: store.PlanRow) -> Plan:
    year_end = None
    if row.year_end_month is not None and row.year_end_day is not None:
        year_end = (row.year_end_month, row.year_end_day)
    return Plan(
        row.name, row.fee_cents, row.length_months, year_end, row.grace_days,
        row.points_multiplier_percent, row.discount_percent, row.welcome_reward_id,
        row.reminder_days, row.active,
        tuple(store.plan_reward_ids(row.id)), row.id,
    )  # fmt: skip


def plan_problem(plan: Plan) -> str | None:
    """The first thing wrong with the plan, in a sentence; None if it can be saved."""
    name = clean_name(plan.name)
    if not name:
        return "A membership plan needs a name."
    if not 0 <= plan.fee_cents <= MAX_AMOUNT_CENTS:
        return f"A plan's fee is from {format_money(0)} to {format_money(MAX_AMOUNT_CENTS)}."
    if (plan.length_months is None) == (plan.year_end is None):
        return "Give the plan a length in months or a fixed year end, one or the other."
    if plan.length_months is not None and not 1 <= plan.length_months <= MAX_MONTHS:
        return f"A plan lasts from 1 to {MAX_MONTHS} months."
    if plan.year_end is not None:
        month, day = plan.year_end
        if not 1 <= month <= 12 or not 1 <= day <= _LONGEST_MONTH[month - 1]:
            return "The year end must be a day every year has, such as 31 December."
    if not 0 <= plan.grace_days <= MAX_DAYS:
        return f"Grace after the end is from 0 to {MAX_DAYS} days."
    if not 100 <= plan.points_multiplier_percent <= MAX_MULTIPLIER_PERCENT:
        return (
            f"The points multiplier is from 100% (the normal rate) to {MAX_MULTIPLIER_PERCENT:,}%."
        )
    if not 0 <= plan.discount_percent <= 100:
        return "The discount is from 0% to 100%."
    if not 0 <= plan.reminder_days <= MAX_DAYS:
        return f"Reminders start from 0 to {MAX_DAYS} days before the end."
    catalogue = {row[0] for row in loyalty_program.rewards_with_redemptions()}
    if plan.welcome_reward_id is not None and plan.welcome_reward_id not in catalogue:
        return "The welcome reward is not in the rewards catalogue."
    if any(reward_id not in catalogue for reward_id in plan.member_rewards):
        return "A member-only reward is not in the rewards catalogue."
    return None


def save_plan(plan: Plan, staff_id: int | None) -> Change:
    """Add the plan (id None) or change it; manager only; audited.

    Raises:
        NotAllowed: not a signed-in manager.
        PlanRefused: the plan is not valid, or its name is taken (in any letter case).
    """
    require_manager(staff_id, "change the membership plans")
    problem = plan_problem(plan)
    if problem:
        raise PlanRefused(problem)
    name = clean_name(plan.name)
    clash = store.plan_named(name, plan.id)
    if clash is not None:
        raise PlanRefused(f"There is a membership plan called {clash} already.")
    month, day = plan.year_end or (None, None)
    values: dict[str, object] = {
        "name": name, "fee_cents": plan.fee_cents, "length_months": plan.length_months,
        "year_end_month": month, "year_end_day": day, "grace_days": plan.grace_days,
        "points_multiplier_percent": plan.points_multiplier_percent,
        "discount_percent": plan.discount_percent, "welcome_reward_id": plan.welcome_reward_id,
        "reminder_days": plan.reminder_days, "active": plan.active,
    }  # fmt: skip
    with write_transaction():
        if plan.id is not None and store.plan_row(plan.id) is None:
            raise PlanRefused(f"There is no membership plan number {plan.id}.")
        now = utc_now()
        plan_id = store.save_plan(plan.id, values, format_timestamp(now))
        store.set_plan_rewards(plan_id, sorted(set(plan.member_rewards)))
        details = {**values, "member_rewards": sorted(set(plan.member_rewards))}
        action = "membership plan added" if plan.id is None else "membership plan changed"
        write_audit(action, "membership_plan", plan_id, details, now, staff_id)
    return Change.of(Entity.MEMBERSHIPS, Entity.REWARDS)


def retire_plan(plan_id: int, staff_id: int | None) -> Change:
    """No one joins or renews on the plan from now on; its members keep their memberships
    (and their perks) to the end."""
    return save_plan(replace(plan_by_id(plan_id), active=False), staff_id)


@dataclass(frozen=True)
class RewardPlans:
    """Which plans' members alone may take each reward (absent: anyone)."""

    by_reward: dict[int, list[int]] = field(default_factory=dict)

    def member_only(self, reward_id: int) -> bool:
        return reward_id in self.by_reward


def member_only_rewards() -> RewardPlans:
    return RewardPlans(store.member_only_reward_ids())
