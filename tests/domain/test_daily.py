"""The daily round: due points expire, today's birthdays get their bonus once a year."""

from __future__ import annotations

from datetime import date, timedelta

from relapp.db.fields import format_timestamp
from relapp.db.models import PointsEntry
from relapp.domain.clock import utc_now
from relapp.domain.daily import birthdays_on, run_daily_jobs
from relapp.domain.settings import save_settings
from tests.factories import add_contact


def test_birthdays_today_get_the_bonus_once(db):
    save_settings(birthday_bonus_points=100)
    today = date(2026, 11, 23)
    ann = add_contact("Ann", "Lee", birth_month=11, birth_day=23)
    add_contact("Bob", "Ng", birth_month=11, birth_day=24)
    add_contact("Old", "Gone", birth_month=11, birth_day=23, archived_at=utc_now())
    first = run_daily_jobs(today=today)
    assert first.birthday_bonuses == 1 and first.change.entities
    assert [(entry.contact_id, entry.points) for entry in PointsEntry.select()] == [(ann.id, 100)]
    again = run_daily_jobs(today=today)
    assert again.birthday_bonuses == 0 and not again.change.entities
    assert PointsEntry.select().count() == 1


def test_a_leap_day_birthday_is_kept_on_the_28th(db):
    leap = add_contact("Lea", "Leap", birth_month=2, birth_day=29)
    assert birthdays_on(date(2027, 2, 28)) == [leap.id]
    assert birthdays_on(date(2028, 2, 28)) == []
    assert birthdays_on(date(2028, 2, 29)) == [leap.id]


def test_due_points_expire_in_the_round(db):
    ann = add_contact("Ann", "Lee")
    past = utc_now() - timedelta(days=400)
    PointsEntry.create(contact=ann, kind="earn", points=70, occurred_at=past,
                       expires_at=format_timestamp(past + timedelta(days=365)),
                       reason="test")  # fmt: skip
    result = run_daily_jobs()
    assert result.expired_points == 70
    assert sum(entry.points for entry in PointsEntry.select()) == 0
