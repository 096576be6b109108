"""Retention: are customers coming back? The figures of the retention summary report.

Rules chosen here:

* The period. `as_of` is the last day the summary covers (default: today on this machine's
  clock, the shop's local time, as in relapp.domain.timeline.today). It ends at the next local
  midnight, and history dated later is left out of every count, so a summary for a past day
  counts visits and purchases as they were then. "The last N days" are as_of and the N - 1
  days before it, from local midnight.
* Customers: contacts, person or business, at any ladder stage (prospects too), that are
  not archived or erased. Archived, erased, tier and ladder stage are taken as they stand
  now, also for a past as_of.
* A visit is what contact_rhythm calls one: an interaction of kind visit or purchase, a
  refunded purchase included (the customer still came in). A purchase is an interaction of
  kind purchase that was not refunded (what tier spend counts).
* Active: visited in the last 90 days. Lapsed: has visited, but not in the last 365 days
  (their last visit was 365 or more days before as_of). Those whose last visit was 90 to
  364 days before as_of are neither.
* Drifting away: Today's count (contact_rhythm.drifting_customers) at the end of the
  period, or now if that is earlier. It judges each customer by the visits recorded now,
  so for a past as_of a customer who has come back since does not count.
* Repeat-purchase rate, all time: of the customers with at least one purchase, the share
  with two or more; None when nobody has bought. (The same over the last 12 months would
  need every recent purchase counted per customer: measured at 1.5 s more at a million
  customers, a third of the whole, so it is left out.)
* New and returning, for each of the last `months` calendar months in local time (the
  month of as_of last, up to as_of): new = the customer's first visit ever falls in that
  month; returning = visited in that month and had visited before it. A customer counts
  once per month however often they came, and never as both.

How it stays fast at a million customers (tests/benchmarks/bench_report_retention.py: 4 to
5.5 s, 5.6 to 6.6 s from a cold disk, on two otherwise idle cores). Visits, first and last
visit per customer come from contact_rhythm, kept by triggers (schema 7), and the tier and
stage counts from one walk of a covering index. Two figures need the history itself: who
visited in each month, and how many of a customer's visits were not purchases. No index
holds kind, customer and time together, so each reads the interaction table once in storage
order (through an index, every row would be a random read: 23 s instead of 4 s for the
months through interaction_time). They run side by side, the month table on a worker thread
with its own connection (as relapp.db.bulk's writer does), which halves the time on two
cores. So the month table is read in one snapshot and the other figures in another, started
together: a sale recorded in those seconds may be in one and not the other. Each snapshot is
consistent in itself (returning is never negative). Archived and erased customers are left
out through the index contact_inactive: per customer where customers are counted, and for
the month table by counting them apart (few, through their own histories) and taking them
off, which is cheaper than asking for every row of the pass.

For one shop (shop_id; schema 11: each interaction carries the shop it happened at, and shop
1's include those from before there were shops, which have none): the same figures, counted
from the visits and purchases made at that shop only.

* The shop's customers: live customers with at least one interaction of any kind at the shop
  (a visit, a purchase, a call, a query) by the end of the period; the tier and stage mix is
  theirs (tier and stage being the business's: points and tiers are shared). Visited: of
  them, with a visit at the shop.
* Active, lapsed, the repeat-purchase rate and the month table as above, each counting the
  shop's visits and purchases alone: "new" in a month is a first visit to this shop, so a
  customer of another shop coming here for the first time is new here.
* Drifting away: by the customer's rhythm at this shop (the visits recorded there now, the
  rule of relapp.domain.contacts.rhythm: three visits or more there, the last one more than
  twice their usual interval there ago and more than 30 days ago), at the end of the period
  or now if that is earlier. A regular of this shop who now shops only at another drifts
  away from this one.
* contact_rhythm holds every shop's visits together, so one shop's figures read the
  interactions themselves (five passes in storage order, relapp.db.store.retention), in one
  snapshot on this thread; the all-shops path above is not changed by it (its speed is the
  measured one). At 50,000 customers (513,727 interactions, a third at a second shop): all
  shops 0.25 s, shop 1 0.9 s, the second shop 0.6 s, warm cache, one run each.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import loyalty_program
from relapp.db.store import retention as retention_store
from relapp.db.store import shops as shop_store
from relapp.domain.clock import utc_now
from relapp.domain.contacts.rhythm import (
    MIN_VISITS_FOR_RHYTHM,
    drifting_customers,
    moment_to_the_second,
)
from relapp.domain.terms import LADDER_STAGES
from relapp.domain.timeline.today import local_midnight

ACTIVE_DAYS = 90
LAPSED_DAYS = 365
DEFAULT_MONTHS = 12
# A file's shop: rows with no shop (from before schema 11) are its.
FIRST_SHOP_ID = shop_store.FIRST_SHOP_ID
# The drifting rule's floor and factor, as schema 7 computes drifts_at (rhythm's docstring).
DRIFT_FLOOR = timedelta(days=30)
DRIFT_FACTOR = 2

T = TypeVar("T")


@dataclass(frozen=True)
class MonthActivity:
    month: date  # the first day of the month
    new: int  # first visit ever in this month
    returning: int  # visited in this month, and had visited before it

    @property
    def visitors(self) -> int:
        return self.new + self.returning


@dataclass(frozen=True)
class RepeatRate:
    buyers: int  # customers with at least one purchase
    repeat_buyers: int  # of those, with two or more

    @property
    def rate(self) -> float | None:
        """The share of buyers who bought again, 0 to 1; None if nobody bought."""
        return self.repeat_buyers / self.buyers if self.buyers else None


@dataclass(frozen=True)
class MixEntry:
    name: str | None  # a tier or a ladder stage; None: customers without a tier
    customers: int


@dataclass(frozen=True)
class RetentionSummary:
    as_of: date
    period_end: datetime  # UTC: the local midnight after as_of
    customers: int  # live customers
    visited: int  # of them, with at least one visit
    active: int  # visited in the last ACTIVE_DAYS days
    lapsed: int  # visited before, not in the last LAPSED_DAYS days
    drifting: int
    repeat: RepeatRate  # all time
    months: tuple[MonthActivity, ...]  # oldest first
    tiers: tuple[MixEntry, ...]  # no tier first, then from the lowest threshold up
    stages: tuple[MixEntry, ...]  # in ladder order


def retention_summary(
    as_of: date | None = None, months: int = DEFAULT_MONTHS, shop_id: int | None = None
) -> RetentionSummary:
    """The retention figures for the period ending with as_of (see the module docstring).

    Args:
        as_of: the last day covered (default: today, local time).
        months: how many calendar months the new and returning table covers (1 or more).
        shop_id: one shop's figures (its visits and purchases only); None: all shops.
    """
    if months < 1:
        raise ValueError("months must be 1 or more")
    now = utc_now()
    as_of = as_of or now.astimezone().date()
    end = local_midnight(as_of + timedelta(days=1))
    starts = month_starts(as_of, months)
    period_end = format_timestamp(end)
    month_start_stamps = [format_timestamp(local_midnight(start)) for start in starts]
    if shop_id is not None:
        return _shop_summary(shop_id, as_of, now, end, starts, month_start_stamps)
    # Both halves read the whole history: side by side on two cores (module docstring). Not
    # inside a transaction, whose writes another connection would not see.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="relapp-retention") as pool:
        table = (
            None
            if database.in_transaction()
            else pool.submit(
                _in_own_snapshot, retention_store.month_table, period_end, month_start_stamps
            )
        )
        with database.atomic():  # one read snapshot: these counts agree with each other
            customers, tiers, stages = _customer_mix()
            visited, active, lapsed, buyers, repeat_buyers = retention_store.visit_figures(
                period_end, _days_back(as_of, ACTIVE_DAYS), _days_back(as_of, LAPSED_DAYS)
            )
            drifting = drifting_customers(min(now, end), limit=0).total
            new, visitors = (
                retention_store.month_table(period_end, month_start_stamps)
                if table is None
                else table.result()
            )
    return _summary(
        as_of, end, (customers, tiers, stages), (visited, active, lapsed, buyers, repeat_buyers),
        drifting, starts, (new, visitors),
    )  # fmt: skip


def _summary(
    as_of: date,
    end: datetime,
    mix: tuple[int, tuple[MixEntry, ...], tuple[MixEntry, ...]],
    figures: tuple[int, int, int, int, int],
    drifting: int,
    starts: list[date],
    months: tuple[list[int], list[int]],
) -> RetentionSummary:
    """The summary from the store's figures: the customer mix, (visited, active, lapsed,
    buyers, repeat buyers), and per month (new, visitors)."""
    customers, tiers, stages = mix
    visited, active, lapsed, buyers, repeat_buyers = figures
    new, visitors = months
    return RetentionSummary(
        as_of=as_of,
        period_end=end,
        customers=customers,
        visited=visited,
        active=active,
        lapsed=lapsed,
        drifting=drifting,
        repeat=RepeatRate(buyers, repeat_buyers),
        months=tuple(
            MonthActivity(start, first, seen - first)
            for start, first, seen in zip(starts, new, visitors, strict=True)
        ),
        tiers=tiers,
        stages=stages,
    )


def month_starts(as_of: date, months: int) -> list[date]:
    """The first days of the `months` calendar months ending with as_of's, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _days_back(as_of: date, days: int) -> str:
    """The start of the last `days` days: local midnight of as_of - (days - 1)."""
    return format_timestamp(local_midnight(as_of - timedelta(days=days - 1)))


def _in_own_snapshot(work: Callable[..., T], *args: object) -> T:
    """Run work on this (worker) thread's own connection, which peewee opens for it, in one
    read snapshot, and close the connection afterwards."""
    try:
        with database.atomic():
            return work(*args)
    finally:
        database.close()


def _customer_mix() -> tuple[int, tuple[MixEntry, ...], tuple[MixEntry, ...]]:
    """Live customers in all, per tier and per ladder stage."""
    return _mix_of(retention_store.live_customers_by_tier(LADDER_STAGES))


def _mix_of(
    rows: list[tuple[Any, ...]],
) -> tuple[int, tuple[MixEntry, ...], tuple[MixEntry, ...]]:
    """Customers in all, per tier and per ladder stage, from the store's rows per tier."""
    by_tier = {tier_id: count for tier_id, count, *_stages in rows}
    tiers = [MixEntry(None, by_tier.get(None, 0))] + [
        MixEntry(name, by_tier.get(tier_id, 0))
        for tier_id, name, *_rule in loyalty_program.tiers_by_threshold()
    ]
    stages = [sum(row[2 + index] for row in rows) for index in range(len(LADDER_STAGES))]
    return (
        sum(by_tier.values()),
        tuple(tiers),
        tuple(MixEntry(stage, count) for stage, count in zip(LADDER_STAGES, stages, strict=True)),
    )


# ------------------------------------------------------------------------------- one shop


def _shop_summary(
    shop_id: int,
    as_of: date,
    now: datetime,
    end: datetime,
    starts: list[date],
    month_start_stamps: list[str],
) -> RetentionSummary:
    """retention_summary() of one shop: its own visits and purchases (module docstring)."""
    period_end = format_timestamp(end)
    with database.atomic():  # one read snapshot: these counts agree with each other
        rows = retention_store.shop_customers_by_tier(shop_id, period_end, LADDER_STAGES)
        customers, tiers, stages = _mix_of(rows)
        visited, active, lapsed, buyers, repeat_buyers = retention_store.shop_visit_figures(
            shop_id, period_end, _days_back(as_of, ACTIVE_DAYS), _days_back(as_of, LAPSED_DAYS)
        )
        drifting = _shop_drifting(shop_id, min(now, end))
        new, visitors = retention_store.shop_month_table(shop_id, period_end, month_start_stamps)
    return _summary(
        as_of, end, (customers, tiers, stages), (visited, active, lapsed, buyers, repeat_buyers),
        drifting, starts, (new, visitors),
    )  # fmt: skip


def _shop_drifting(shop_id: int, moment: datetime) -> int:
    """How many live customers drift away from this shop at moment, by their rhythm there:
    drifts_at (the last visit plus twice the mean gap between visits, rounded down to whole
    seconds, or plus 30 days if that is longer) before moment, as schema 7 computes it. Only
    customers quiet there for more than 30 days can be drifting: the store finds them."""
    moment = moment_to_the_second(moment)
    quiet = retention_store.shop_rhythms_quiet_since(
        shop_id, format_timestamp(moment - DRIFT_FLOOR), MIN_VISITS_FOR_RHYTHM
    )
    drifting = 0
    for visits, first, last in quiet:
        first_at, last_at = parse_timestamp(first), parse_timestamp(last)
        gap_seconds = DRIFT_FACTOR * int((last_at - first_at).total_seconds()) // (visits - 1)
        drifts_at = last_at + max(timedelta(seconds=gap_seconds), DRIFT_FLOOR)
        drifting += drifts_at < moment
    return drifting
