"""The loyalty program's daily round: expire due points, give today's birthday bonuses, and
move customers down a tier when old purchases leave the rolling window.

The app runs it at start-up and then every hour (it only writes what is due, so running it
often costs a few index lookups); a second counter on the same database running it at the
same moment finds nothing left to do.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.loyalty import expire_due_points, grant_birthday_bonus, recompute_tier
from relapp.domain.loyalty_ledger import window_start
from relapp.domain.settings import load_settings, save_settings

# With no record of the last sweep, purchases that left the window this long ago are checked.
FIRST_SWEEP_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class DailyResult:
    expired_points: int
    birthday_bonuses: int
    tier_changes: int = 0

    @property
    def change(self) -> Change:
        wrote = self.expired_points or self.birthday_bonuses or self.tier_changes
        return Change.of(Entity.POINTS, Entity.CONTACTS) if wrote else Change.of()


def run_daily_jobs(today: date | None = None, now: datetime | None = None) -> DailyResult:
    """Expire what is due, give the birthday bonus to today's birthdays (once a year), and
    move down the customers whose purchases have left the tier window since the last round."""
    today = today or date.today()  # the shop's own calendar day
    expired = expire_due_points(now)
    bonuses = 0
    if load_settings().birthday_bonus_points > 0:
        for contact_id in birthdays_on(today):
            if grant_birthday_bonus(contact_id, today) is not None:
                bonuses += 1
    return DailyResult(expired, bonuses, sweep_tier_window(now or utc_now()))


def sweep_tier_window(now: datetime) -> int:
    """Recompute the tier of everyone with a purchase that left the rolling window between
    the last sweep and now; returns how many tiers changed. A sale recomputes its own
    customer at once; this catches those who simply stopped buying."""
    settings = load_settings()
    if settings.tier_window_months == 0:
        return 0  # every purchase counts forever: nothing ever leaves the window
    last = parse_timestamp(settings.tier_sweep_at) if settings.tier_sweep_at else None
    previous = last or now - FIRST_SWEEP_LOOKBACK
    window = settings.tier_window_months
    left_from, left_until = window_start(previous, window), window_start(now, window)
    # "+kind": walk the time index over the slice, not every purchase in the kind index.
    contact_ids = [
        row[0]
        for row in database.execute_sql(
            "SELECT DISTINCT contact_id FROM interaction WHERE +kind = 'purchase'"
            " AND occurred_at >= ? AND occurred_at < ?",
            (format_timestamp(left_from), format_timestamp(left_until)),
        )
    ]
    changed = sum(recompute_tier(contact_id, now) is not None for contact_id in contact_ids)
    save_settings(tier_sweep_at=format_timestamp(now))
    return changed


def birthdays_on(day: date) -> list[int]:
    """Active customers whose birthday is this day; 29 February counts on the 28th in a
    year without one."""
    days = [day.day]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        days.append(29)
    marks = ", ".join("?" for _ in days)
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM contact WHERE birth_month = ? AND birth_day IN ({marks})"
            " AND archived_at IS NULL AND erased_at IS NULL",
            (day.month, *days),
        )
    ]
