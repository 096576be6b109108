"""The members report's figures: who is a member now, by plan; joins, renewals, lapses and
fees month by month over the last 12 months; and the renewal rate.

Rules chosen here:

* Months are the shop's calendar months, the 12 ending with today's.
* A joining or a renewal counts in the month its membership starts (a renewal made early
  counts when it takes over), cancelled ones not at all.
* A lapse is a customer's latest membership (nothing after it) whose grace ended: it counts
  in the month of the day after its grace (the first day without a membership).
* Fees are the payments recorded, in the month of the shop's day they were paid.
* The renewal rate: of the memberships (not cancelled) that ended in the last 365 days, the
  share renewed; none ended: no rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import memberships as store
from relapp.domain.memberships.status import ONE_DAY, shop_today

MONTHS = 12


@dataclass(frozen=True)
class PlanCount:
    plan: str
    current: int
    in_grace: int
    fee_cents: int
    active: bool


@dataclass(frozen=True)
class MonthCount:
    month: date  # its first day
    joins: int
    renewals: int
    lapses: int
    payments: int
    fees_cents: int


@dataclass(frozen=True)
class MembersFigures:
    today: date
    plans: tuple[PlanCount, ...]
    months: tuple[MonthCount, ...]  # oldest first
    ended: int  # memberships that ended in the last 365 days
    renewed: int  # of those, renewed

    @property
    def renewal_rate(self) -> float | None:
        return self.renewed / self.ended if self.ended else None

    @property
    def current(self) -> int:
        return sum(plan.current for plan in self.plans)

    @property
    def fees_cents(self) -> int:
        return sum(month.fees_cents for month in self.months)


def _month_starts(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(first)
        first = (first - ONE_DAY).replace(day=1)
    return months[::-1]


def members_figures(today: date | None = None) -> MembersFigures:
    day = today or shop_today()
    months = _month_starts(day)
    since = months[0]
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    with database.atomic():  # one read: the figures agree
        plans = tuple(PlanCount(*row) for row in store.current_by_plan(day.isoformat()))
        started = store.started_by_month(since.isoformat(), (next_month - ONE_DAY).isoformat())
        lapsed = store.lapsed_grace_ends((since - ONE_DAY).isoformat(), day.isoformat())
        # Payments from the start of the first month on this machine's calendar.
        moment = datetime.combine(since, time()).astimezone(UTC)
        payments = store.payments_since(format_timestamp(moment))
        ended, renewed = store.ended_and_renewed(
            (day - timedelta(days=365)).isoformat(), day.isoformat()
        )
    counts: dict[str, dict[str, int]] = {
        first.isoformat()[:7]: dict.fromkeys(("joins", "renewals", "lapses", "payments", "fees"), 0)
        for first in months
    }
    for month, renewal, count in started:
        if month in counts:
            counts[month]["renewals" if renewal else "joins"] += count
    for grace_until in lapsed:
        month = (date.fromisoformat(grace_until) + ONE_DAY).isoformat()[:7]
        if month in counts:
            counts[month]["lapses"] += 1
    for paid_at, amount in payments:
        month = shop_today(parse_timestamp(paid_at)).isoformat()[:7]
        if month in counts:
            counts[month]["payments"] += 1
            counts[month]["fees"] += amount
    rows = tuple(
        MonthCount(first, *(counts[first.isoformat()[:7]][key] for key in
                            ("joins", "renewals", "lapses", "payments", "fees")))
        for first in months
    )  # fmt: skip
    return MembersFigures(day, plans, rows, ended, renewed)
