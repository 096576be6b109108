"""Retention: are customers coming back? The figures of the retention summary report.

Rules chosen here:

* The period. `as_of` is the last day the summary covers (default: today on this machine's
  clock, the shop's local time, as in relapp.domain.today). It ends at the next local
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
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.domain.clock import utc_now
from relapp.domain.contact_rhythm import INACTIVE_CONTACTS_SQL, drifting_customers
from relapp.domain.terms import LADDER_STAGES
from relapp.domain.today import local_midnight

ACTIVE_DAYS = 90
LAPSED_DAYS = 365
DEFAULT_MONTHS = 12

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


def retention_summary(as_of: date | None = None, months: int = DEFAULT_MONTHS) -> RetentionSummary:
    """The retention figures for the period ending with as_of (see the module docstring).

    Args:
        as_of: the last day covered (default: today, local time).
        months: how many calendar months the new and returning table covers (1 or more).
    """
    if months < 1:
        raise ValueError("months must be 1 or more")
    now = utc_now()
    as_of = as_of or now.astimezone().date()
    end = local_midnight(as_of + timedelta(days=1))
    starts = month_starts(as_of, months)
    params = {
        "end": format_timestamp(end),
        "active_from": _days_back(as_of, ACTIVE_DAYS),
        "lapsed_before": _days_back(as_of, LAPSED_DAYS),
        **{f"m{index}": format_timestamp(local_midnight(start))
           for index, start in enumerate(starts)},
    }  # fmt: skip
    # Both halves read the whole history: side by side on two cores (module docstring). Not
    # inside a transaction, whose writes another connection would not see.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="relapp-retention") as pool:
        table = (
            None
            if database.in_transaction()
            else pool.submit(_in_own_snapshot, _month_table, params, months)
        )
        with database.atomic():  # one read snapshot: these counts agree with each other
            customers, tiers, stages = _customer_mix()
            visited, active, lapsed, buyers, repeat_buyers = _visit_figures(params)
            drifting = drifting_customers(min(now, end), limit=0).total
            new, visitors = _month_table(params, months) if table is None else table.result()
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
    """Live customers in all, per tier and per ladder stage, in one walk of the index
    contact_by_tier: it holds every column asked for, in tier order, so neither a contact row
    nor a sort is needed (grouping by tier and stage would sort a million entries)."""
    per_stage = ", ".join("sum(ladder_stage = ?)" for _ in LADDER_STAGES)
    rows = database.execute_sql(
        f"SELECT tier_id, count(*), {per_stage} FROM contact"
        " WHERE archived_at IS NULL AND erased_at IS NULL GROUP BY tier_id",
        LADDER_STAGES,
    ).fetchall()
    by_tier = {tier_id: count for tier_id, count, *_stages in rows}
    tiers = [MixEntry(None, by_tier.get(None, 0))] + [
        MixEntry(name, by_tier.get(tier_id, 0))
        for tier_id, name in database.execute_sql(
            "SELECT id, name FROM tier ORDER BY min_spend_cents"
        )
    ]
    stages = [sum(row[2 + index] for row in rows) for index in range(len(LADDER_STAGES))]
    return (
        sum(by_tier.values()),
        tuple(tiers),
        tuple(MixEntry(stage, count) for stage, count in zip(LADDER_STAGES, stages, strict=True)),
    )


def _visit_figures(params: dict[str, str]) -> tuple[int, int, int, int, int]:
    """(visited, active, lapsed, buyers, repeat buyers) among live customers.

    A customer's purchases are their visits less those of kind visit and the refunded
    purchases: those are about an eighth of the history in the demo, found in one pass over it
    and counted per customer, then joined to the rhythm rows through an index SQLite builds
    for the purpose.
    """
    row = database.execute_sql(
        f"""WITH {_RHYTHM_SQL},
        not_purchases (contact_id, visits) AS (
            SELECT contact_id, count(*) FROM interaction NOT INDEXED
            WHERE (kind = 'visit' OR refunded_at IS NOT NULL) AND occurred_at < :end
            GROUP BY contact_id
        ),
        per_customer (last_at, purchases) AS (
            SELECT r.last_at, r.visits - coalesce(n.visits, 0)
            FROM rhythm r LEFT JOIN not_purchases n ON n.contact_id = r.contact_id
            WHERE r.contact_id NOT IN {INACTIVE_CONTACTS_SQL}
        )
        SELECT count(*), sum(last_at >= :active_from), sum(last_at < :lapsed_before),
            sum(purchases >= 1), sum(purchases >= 2)
        FROM per_customer""",
        params,
    ).fetchone()
    return tuple(count or 0 for count in row)  # sum() of no rows is NULL


def _month_table(params: dict[str, str], months: int) -> tuple[list[int], list[int]]:
    """For each month, how many live customers visited for the first time, and how many
    visited at all."""
    new = dict(
        database.execute_sql(
            f"WITH {_RHYTHM_SQL} SELECT {_month_index('first_at', months)}, count(*)"
            f" FROM rhythm WHERE first_at >= :m0 AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}"
            " GROUP BY 1",
            params,
        ).fetchall()
    )
    # Who visited in a month takes one pass over the history in storage order: no index holds
    # kind, customer and time together, and through one every visit would be a random read of
    # its row. Archived and erased customers are taken off afterwards, from their own
    # histories (few, through interaction_contact_time): asking for each row of the pass
    # whether its customer is one of them costs a tenth of the pass.
    everyone = _visitors(params, months, "interaction NOT INDEXED", "")
    gone = _visitors(params, months, "interaction", f"AND contact_id IN {INACTIVE_CONTACTS_SQL}")
    return [new.get(m, 0) for m in range(months)], [
        everyone.get(m, 0) - gone.get(m, 0) for m in range(months)
    ]


def _visitors(params: dict[str, str], months: int, source: str, only: str) -> dict[int, int]:
    """Month index -> how many customers (of those `only` allows) visited in that month.
    ("+kind": not through the kind index, which would read every visit of the shop.)"""
    return dict(
        database.execute_sql(
            f"SELECT {_month_index('occurred_at', months)}, count(DISTINCT contact_id)"
            f" FROM {source} WHERE +kind IN ('visit', 'purchase')"
            f" AND occurred_at >= :m0 AND occurred_at < :end {only} GROUP BY 1",
            params,
        ).fetchall()
    )


def _month_index(column: str, stop: int, start: int = 0) -> str:
    """SQL for which of the months start..stop-1 a time in them falls in (0: the oldest of
    the table): a binary search over the months' local-midnight starts :m1, :m2, ..., which
    compare with the stored UTC text as they are."""
    if stop - start == 1:
        return str(start)
    middle = (start + stop) // 2
    return (
        f"CASE WHEN {column} < :m{middle} THEN {_month_index(column, middle, start)}"
        f" ELSE {_month_index(column, stop, middle)} END"
    )


# Each customer's visits, first and last visit by the end of the period: contact_rhythm's row,
# or, for the few whose last visit is later (none, for a summary of today), the same rebuilt
# from their history ("+kind" keeps that on interaction_contact_time: the kind index would
# read every visit of the shop). A customer with no visit by then has no row.
_RHYTHM_SQL = """rhythm (contact_id, visits, first_at, last_at) AS (
    SELECT contact_id, visits, first_visit_at, last_visit_at FROM contact_rhythm
    WHERE last_visit_at < :end
    UNION ALL
    SELECT contact_id, count(*), min(occurred_at), max(occurred_at) FROM interaction
    WHERE contact_id IN (SELECT contact_id FROM contact_rhythm WHERE last_visit_at >= :end)
        AND +kind IN ('visit', 'purchase') AND occurred_at < :end
    GROUP BY contact_id
)"""
