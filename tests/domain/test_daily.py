"""The daily round: due points expire, today's birthdays get their bonus once a year."""

from __future__ import annotations

from datetime import date, timedelta

from relapp.db.fields import format_timestamp
from relapp.db.models import PointsEntry
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.daily import birthdays_on, run_daily_jobs
from relapp.domain.shop.settings import save_settings
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


def test_a_customer_who_stopped_buying_moves_down_when_purchases_leave_the_window(db):
    from relapp.db.models import Contact, Interaction, Tier
    from relapp.domain.loyalty.daily import sweep_tier_window

    save_settings(tier_window_months=12)
    bronze = Tier.create(name="Bronze", min_spend_cents=0)
    Tier.create(name="Gold", min_spend_cents=100_000)
    gold = Tier.get(Tier.name == "Gold")
    now = utc_now()
    bought = now - timedelta(days=366)  # just left a 12-month window
    ann = add_contact("Ann", "Lee", tier=gold)
    Interaction.create(contact=ann, kind="purchase", amount_cents=150_000, occurred_at=bought,
                       created_at=bought, updated_at=bought)  # fmt: skip
    assert sweep_tier_window(now) == 1
    assert Contact.get_by_id(ann.id).tier_id == bronze.id
    assert sweep_tier_window(now + timedelta(hours=1)) == 0  # nothing new left the window
