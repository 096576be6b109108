"""The demo shop's membership plans, and its members joining, renewing and cancelling at the
counter as the shop's visits happen.

Two plans: Friends of the Lane (free, six months, a welcome coffee) and the Lantern Club
(paid, a year, points x1.5 and 10% off). Some customers plan to join; they join at their
first purchase from a chosen moment on, and from then on each visit may renew (in the plan's
reminder days before the end, or in grace), or, rarely, cancel. Every row is what
relapp.domain.memberships.members would write for the same events: dates from the plan
(relapp.domain.memberships.status), a renewal a new row naming the one it renews and
starting the day after the old end (or on the day, once lapsed), a payment for a fee, a note
in the history, the welcome reward through the ledger (a bonus and its redemption reversing
it), and a current member's sales earning the plan's multiplier. The demo's days are the
shop's (Melbourne's) calendar.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Protocol

from relapp.domain.memberships.status import (
    CURRENT,
    EXPIRED,
    GRACE,
    end_of,
    grace_end,
    renewal_start,
    status_of_dates,
)
from relapp.domain.shop.formats import ShopFormat


@dataclass(frozen=True)
class DemoPlan:
    id: int
    name: str
    fee_cents: int
    length_months: int
    grace_days: int
    points_multiplier_percent: int
    discount_percent: int
    welcome_reward_id: int | None  # the reward catalogue's number (relapp.demo.vocabulary)
    reminder_days: int


FRIENDS = DemoPlan(1, "Friends of the Lane", 0, 6, 14, 100, 0, 1, 14)  # 1: Free coffee
CLUB = DemoPlan(2, "Lantern Club", 6_000, 12, 30, 150, 10, None, 30)
PLANS = (FRIENDS, CLUB)
# Rewards only a plan's current members may take: (plan, reward number). 8: the private
# styling session, which has stock, so the demo's own redemptions never draw on it.
MEMBER_REWARDS = ((CLUB.id, 8),)

# Who plans to join, by visiting profile (relapp.demo.generator.PROFILES): (share, share of
# them on the Lantern Club). Joining happens at a purchase, so the lapsed join less often.
JOINING = {"regular": (0.38, 0.5), "occasional": (0.06, 0.25), "lapsed": (0.10, 0.3)}
# A member's chance to renew at a visit in grace, drawn once; before the end, when reminded,
# half that (many renew only once their membership has ended).
KEEN = (0.0, 0.5, 0.8, 0.95)
CANCEL_PER_VISIT = 0.002  # a current member who walks in asks to stop
UPGRADE = 0.15  # a Friend renewing onto the Lantern Club
REJOIN_PER_VISIT = 0.03  # a lapsed member renewing when they come back

SHOP_FORMAT = ShopFormat("en_AU", "AUD")
DAY_SECONDS = 86_400
_EPOCH = date(1970, 1, 1)


@dataclass
class Held:
    """One membership row as the desk made it."""

    id: int
    plan: DemoPlan
    starts_on: date
    ends_on: date
    grace_until: date
    renewed_from_id: int | None
    created_at: int  # the moment, in seconds
    cancelled_at: int | None = None

    def row(self, contact_id: int, staff_id: int, stamp: Callable[[int], str]) -> tuple:
        return (
            self.id, contact_id, self.plan.id, self.starts_on.isoformat(),
            self.ends_on.isoformat(), self.grace_until.isoformat(), self.renewed_from_id,
            None if self.cancelled_at is None else stamp(self.cancelled_at),
            stamp(self.created_at), staff_id,
        )  # fmt: skip


def shop_day(moment: int, utc_offset: int) -> date:
    """The shop's calendar day of a moment (seconds since 1970, UTC)."""
    return _day((moment + utc_offset) // DAY_SECONDS)


@cache  # two years of days, asked for at every member's visit
def _day(days_since_1970: int) -> date:
    return _EPOCH + timedelta(days=days_since_1970)


class MemberHistory(Protocol):
    """What a desk writes into a customer's history (the generator's _History)."""

    def note(self, moment: int, summary: str) -> None: ...

    def welcome(self, moment: int, membership_id: int, plan: str, reward_id: int) -> None: ...


def would_join(profile: str, rng: random.Random) -> DemoPlan | None:
    """The plan a customer of this profile will join, or None."""
    share, club = JOINING.get(profile, (0.0, 0.0))
    if rng.random() >= share:
        return None
    return CLUB if rng.random() < club else FRIENDS


class MemberDesk:
    """One customer's memberships, made visit by visit (the module docstring).

    The history (relapp.demo.generator._History) tells it of each visit in time order and
    asks it for the member rate of each sale; it writes its notes, payments and welcome
    entries through the history's hooks.
    """

    def __init__(
        self, plan: DemoPlan, join_after: int, rng: random.Random, ids: Iterator[int],
        utc_offset: int,
    ) -> None:  # fmt: skip
        self.plan = plan
        self.join_after = join_after
        self.rng = rng
        self.ids = ids
        self.utc_offset = utc_offset
        self.keen = rng.choice(KEEN)
        self.held: list[Held] = []
        self.payments: list[tuple[int, int, int]] = []  # (membership, cents, moment)
        self.stopped = False  # cancelled: no more joining or renewing

    def visit(self, moment: int, purchase: bool, history: MemberHistory) -> None:
        """What happens about the membership when the customer is in the shop at moment."""
        if self.stopped:
            return
        rng = self.rng
        today = shop_day(moment, self.utc_offset)
        if not self.held:
            if purchase and moment >= self.join_after:
                self._make(self.plan, today, None, moment, history)
            return
        latest = self.held[-1]
        state = status_of_dates(latest.starts_on, latest.ends_on, latest.grace_until, today)
        if state == CURRENT:
            if rng.random() < CANCEL_PER_VISIT:
                latest.cancelled_at = moment
                self.stopped = True
                history.note(moment, f"{latest.plan.name} membership cancelled")
            elif (latest.ends_on - today).days <= latest.plan.reminder_days and (
                rng.random() < self.keen / 2
            ):
                self._renew(latest, today, moment, history)
        elif state == GRACE:
            if rng.random() < self.keen:
                self._renew(latest, today, moment, history)
        elif state == EXPIRED and rng.random() < REJOIN_PER_VISIT * self.keen:
            self._renew(latest, today, moment, history)

    def member_rate(self, moment: int) -> tuple[str, int] | None:
        """(plan, multiplier percent) for a sale at moment, if a membership of a plan with a
        multiplier is current that day; None: the normal rate (grace included)."""
        today = shop_day(moment, self.utc_offset)
        for held in self.held:
            if held.plan.points_multiplier_percent == 100:
                continue
            if held.cancelled_at is not None and held.cancelled_at <= moment:
                continue
            if held.starts_on <= today <= held.ends_on:
                return held.plan.name, held.plan.points_multiplier_percent
        return None

    def rows(self, contact_id: int, stamp: Callable[[int], str], staff_of: Callable[[int], int]):
        """(membership rows, payment rows) to write."""
        memberships = [held.row(contact_id, staff_of(held.created_at), stamp) for held in self.held]
        payments = [
            (membership_id, cents, stamp(moment), staff_of(moment))
            for membership_id, cents, moment in self.payments
        ]
        return memberships, payments

    def _renew(self, old: Held, today: date, moment: int, history: MemberHistory) -> None:
        plan = old.plan
        if plan is FRIENDS and self.rng.random() < UPGRADE:
            plan = CLUB
        self._make(plan, renewal_start(old.ends_on, today), old, moment, history)

    def _make(
        self, plan: DemoPlan, start: date, old: Held | None, moment: int, history: MemberHistory
    ) -> None:
        ends_on = end_of(start, plan.length_months, None)
        held = Held(next(self.ids), plan, start, ends_on, grace_end(ends_on, plan.grace_days),
                    None if old is None else old.id, moment)  # fmt: skip
        self.held.append(held)
        if plan.fee_cents:
            self.payments.append((held.id, plan.fee_cents, moment))
        verb = "Joined" if old is None else "Renewed"
        paid = f", paid {SHOP_FORMAT.money(plan.fee_cents)}" if plan.fee_cents else ""
        history.note(
            moment,
            f"{verb} {plan.name} membership: {SHOP_FORMAT.day(start)} to"
            f" {SHOP_FORMAT.day(ends_on)}{paid}",
        )
        if old is None and plan.welcome_reward_id is not None:
            history.welcome(moment, held.id, plan.name, plan.welcome_reward_id)
