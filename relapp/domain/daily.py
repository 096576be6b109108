"""The loyalty program's daily round: expire due points, give today's birthday bonuses.

The app runs it at start-up and then every hour (it only writes what is due, so running it
often costs a few index lookups); a second counter on the same database running it at the
same moment finds nothing left to do.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty import expire_due_points, grant_birthday_bonus
from relapp.domain.settings import load_settings


@dataclass(frozen=True)
class DailyResult:
    expired_points: int
    birthday_bonuses: int

    @property
    def change(self) -> Change:
        wrote = self.expired_points or self.birthday_bonuses
        return Change.of(Entity.POINTS, Entity.CONTACTS) if wrote else Change.of()


def run_daily_jobs(today: date | None = None, now: datetime | None = None) -> DailyResult:
    """Expire what is due, then give the birthday bonus to today's birthdays (once a year)."""
    today = today or date.today()  # the shop's own calendar day
    expired = expire_due_points(now)
    bonuses = 0
    if load_settings().birthday_bonus_points > 0:
        for contact_id in birthdays_on(today):
            if grant_birthday_bonus(contact_id, today) is not None:
                bonuses += 1
    return DailyResult(expired, bonuses)


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
