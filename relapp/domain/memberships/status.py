"""A membership's dates and its status, worked out from dates alone (no clock, no database).

Rules chosen here:

* The shop's day. A membership starts and ends on calendar days of the shop (stored as dates,
  not moments), and "today" is the shop's calendar day: the local date of this machine
  (shop_today). A change of time zone therefore moves nothing stored: on a given local day
  the status is the same whatever the zone.
* A plan of N months starting on day D of a month ends the day before day D, N months on
  (15 March for 12 months: 14 March of the next year; 1 March: 28 or 29 February). When that
  month has no day D (30 January for 1 month: no 30 February), it ends on that month's last
  day. One starting on the last day of a month ends on the last day of the month N months
  on, as if it had started the next day, the 1st (31 January: 28 or 29 February for one
  month, 31 March for two, 31 January for a year). A renewal starts the day after the end,
  so a member who renews in time is never without a membership for a day.
* A plan with a fixed year end (month, day) ends on the first such day after the start day
  (joining on the year end itself runs to the next year's, so a membership is never a single
  day). A year end of 29 February is kept on 28 February in a common year.
* Grace: grace_until is the end plus the plan's grace days (fixed when the membership is
  made: the terms joined on stay with it).
* Status on a day: cancelled once cancelled; else pending before the start, current from
  the start to the end (both included), in grace after the end up to grace_until (included),
  expired after that.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PENDING, CURRENT, GRACE, EXPIRED, CANCELLED = "pending", "current", "grace", "expired", "cancelled"
STATUSES = (PENDING, CURRENT, GRACE, EXPIRED, CANCELLED)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Membership:
    id: int
    contact_id: int
    plan_id: int
    plan_name: str
    starts_on: date
    ends_on: date
    grace_until: date
    renewed_from_id: int | None = None
    cancelled_at: datetime | None = None
    points_multiplier_percent: int = 100  # the plan's perks as they are now
    discount_percent: int = 0

    def status(self, today: date) -> str:
        return status(self, today)


def status(membership: Membership, today: date) -> str:
    """pending, current, grace, expired or cancelled on the shop's day `today`."""
    if membership.cancelled_at is not None:
        return CANCELLED
    return status_of_dates(membership.starts_on, membership.ends_on, membership.grace_until, today)


def status_of_dates(starts_on: date, ends_on: date, grace_until: date, today: date) -> str:
    """The status of a membership not cancelled, from its three dates."""
    if today < starts_on:
        return PENDING
    if today <= ends_on:
        return CURRENT
    if today <= grace_until:
        return GRACE
    return EXPIRED


def shop_today(now: datetime | None = None) -> date:
    """The shop's calendar day: the local date of now (default: this moment)."""
    return (now or datetime.now().astimezone()).astimezone().date()


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def months_later(starts_on: date, months: int) -> date:
    """The end of a membership of this many months from starts_on (module docstring)."""
    if months < 1:
        raise ValueError("A membership lasts at least one month.")
    if starts_on.day == last_day(starts_on.year, starts_on.month):
        starts_on += ONE_DAY  # anchored to month ends: as if it started on the 1st
    index = starts_on.year * 12 + starts_on.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if starts_on.day == 1:
        return date(year, month, 1) - ONE_DAY
    return date(year, month, min(starts_on.day - 1, last_day(year, month)))


def year_end_after(starts_on: date, month: int, day: int) -> date:
    """The first (month, day) after starts_on; 29 February is 28 February in a common year."""
    for year in (starts_on.year, starts_on.year + 1):
        candidate = date(year, month, min(day, last_day(year, month)))
        if candidate > starts_on:
            return candidate
    raise AssertionError("unreachable: next year's year end is after any day of this year")


def end_of(starts_on: date, length_months: int | None, year_end: tuple[int, int] | None) -> date:
    """The last day of a membership from starts_on: N months, or to the plan's year end."""
    if length_months is not None:
        return months_later(starts_on, length_months)
    if year_end is None:
        raise ValueError("A plan has a length in months or a fixed year end.")
    return year_end_after(starts_on, *year_end)


def grace_end(ends_on: date, grace_days: int) -> date:
    return ends_on + timedelta(days=grace_days)


def renewal_start(ends_on: date, today: date) -> date:
    """A renewal starts the day after the old end, or today if that has passed."""
    return max(ends_on + ONE_DAY, today)
