"""The retention summary's rules on small hand-built shops with fixed dates, and its figures
against a plain recount of the demo shop's history."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.fields import parse_timestamp
from relapp.db.models import Contact, Interaction, Tier, database
from relapp.domain.contacts.rhythm import drifting_customers
from relapp.domain.timeline import retention
from relapp.domain.timeline.retention import MixEntry, retention_summary
from tests.conftest import AS_OF
from tests.factories import FakeClock, add_contact

AS_OF_DAY = date(2026, 11, 22)
NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def clock_zone(time_zone):
    """Local time is UTC unless a test says otherwise."""
    time_zone("UTC")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Now is noon on the summary's day: drifting is counted at the end of it."""
    fake = FakeClock(NOON)
    monkeypatch.setattr(retention, "utc_now", fake)
    return fake


def set_zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


def log(contact: Contact, kind: str, *moments: datetime, **extra) -> None:
    for moment in moments:
        Interaction.create(contact=contact, kind=kind, occurred_at=moment, created_at=moment,
                           updated_at=moment, **extra)  # fmt: skip


def days_before(days: int, hour: int = 12) -> datetime:
    """A moment `days` days before the summary's day, in UTC (= local time here)."""
    return datetime(2026, 11, 22, hour, tzinfo=UTC) - timedelta(days=days)


def summary(**kwargs) -> retention.RetentionSummary:
    return retention_summary(AS_OF_DAY, **kwargs)


def test_a_shop_with_no_customers_has_zero_everywhere(db):
    result = summary(months=3)
    assert (result.customers, result.visited, result.active, result.lapsed, result.drifting) == (
        0, 0, 0, 0, 0
    )  # fmt: skip
    assert (result.repeat.buyers, result.repeat.repeat_buyers, result.repeat.rate) == (0, 0, None)
    assert [(m.month, m.new, m.returning) for m in result.months] == [
        (date(2026, 9, 1), 0, 0), (date(2026, 10, 1), 0, 0), (date(2026, 11, 1), 0, 0)
    ]  # fmt: skip
    assert result.tiers == (MixEntry(None, 0),)
    assert [entry.customers for entry in result.stages] == [0] * 6
    assert result.period_end == datetime(2026, 11, 23, tzinfo=UTC)


def test_active_is_the_last_90_days_and_lapsed_365_days_or_more(db):
    for name, days in (("Active", 89), ("Quiet", 90), ("Still", 364), ("Lapsed", 365)):
        log(add_contact(name), "visit", days_before(800), days_before(days))
    add_contact("Never")  # a prospect: a customer, but not one who has visited
    result = summary()
    assert (result.customers, result.visited, result.active, result.lapsed) == (5, 4, 1, 1)


def test_the_period_ends_at_midnight_after_as_of(db):
    late = add_contact("Late")
    log(late, "purchase", datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC))
    after = add_contact("After")
    log(after, "purchase", datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    result = summary()
    assert (result.visited, result.active, result.months[-1].new) == (1, 1, 1)
    assert result.repeat.buyers == 1


def test_repeat_purchases_leave_out_visits_and_refunds(db):
    log(add_contact("Twice"), "purchase", days_before(30), days_before(3))
    log(add_contact("Once"), "purchase", days_before(30))
    log(add_contact("Once"), "visit", days_before(20), days_before(10), days_before(5))
    refunded = add_contact("Refunded")
    log(refunded, "purchase", days_before(30))
    log(refunded, "purchase", days_before(3), refunded_at=days_before(2))
    log(add_contact("Looker"), "visit", days_before(30), days_before(3))
    log(add_contact("Caller"), "call", days_before(30), days_before(3), direction="inbound")
    result = summary()
    assert (result.repeat.buyers, result.repeat.repeat_buyers) == (3, 1)
    assert result.repeat.rate == pytest.approx(1 / 3)
    # A refunded purchase and a visit without one still were visits; a call was not.
    assert result.visited == 5


def test_a_first_visit_in_the_month_is_new_not_returning(db):
    newcomer = add_contact("Newcomer")  # first ever in October, twice; back in November
    log(newcomer, "visit", datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC))
    log(newcomer, "purchase", datetime(2026, 11, 2, tzinfo=UTC))
    regular = add_contact("Regular")  # from before the table's months, in both months
    log(regular, "purchase", datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 10, 9, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 15, tzinfo=UTC))  # fmt: skip
    gone = add_contact("Gone")  # new in September, not seen since
    log(gone, "visit", datetime(2026, 9, 30, 23, 59, tzinfo=UTC))
    outbound = add_contact("Outbound")  # only contacted by the shop: not a visitor
    log(outbound, "campaign", datetime(2026, 11, 5, tzinfo=UTC), direction="outbound")
    result = summary(months=3)
    assert [(m.month.month, m.new, m.returning, m.visitors) for m in result.months] == [
        (9, 1, 0, 1), (10, 1, 1, 2), (11, 0, 2, 2)
    ]  # fmt: skip


def test_months_are_calendar_months_in_local_time(db):
    set_zone("Australia/Melbourne")  # UTC+11 in summer: local midnight is 13:00 UTC the day before
    october = add_contact("October")  # 23:59 on 31 October in Melbourne
    log(october, "visit", datetime(2026, 10, 31, 12, 59, tzinfo=UTC))
    november = add_contact("November")  # 00:00 on 1 November in Melbourne
    log(november, "visit", datetime(2026, 10, 31, 13, 0, tzinfo=UTC))
    tomorrow = add_contact("Tomorrow")  # 00:30 on 23 November in Melbourne: after as_of
    log(tomorrow, "visit", datetime(2026, 11, 22, 13, 30, tzinfo=UTC))
    result = summary(months=2)
    assert [(m.month.month, m.new) for m in result.months] == [(10, 1), (11, 1)]
    assert result.visited == 2
    assert result.period_end == datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def test_the_active_window_starts_at_local_midnight(db):
    set_zone("America/New_York")  # UTC-5 in November
    start = datetime(2026, 8, 25, 4, 0, tzinfo=UTC)  # midnight of 24 August in New York (EDT)
    log(add_contact("In"), "visit", start)
    log(add_contact("Out"), "visit", start - timedelta(seconds=1))
    assert summary().active == 1


def test_archived_and_erased_customers_are_left_out(db):
    gold = Tier.create(name="Gold", min_spend_cents=100_000, multiplier_percent=150)
    kept = add_contact("Kept", ladder_stage="client", tier=gold)
    archived = add_contact("Archived", ladder_stage="client", tier=gold, archived_at=NOON)
    erased = add_contact("Erased", ladder_stage="client", erased_at=NOON)
    for contact in (kept, archived, erased):
        log(contact, "purchase", days_before(40), days_before(10))
    result = summary(months=2)
    assert (result.customers, result.visited, result.active, result.repeat.buyers) == (1, 1, 1, 1)
    assert [(m.new, m.returning) for m in result.months] == [(1, 0), (0, 1)]
    assert result.tiers == (MixEntry(None, 0), MixEntry("Gold", 1))
    assert dict((entry.name, entry.customers) for entry in result.stages)["client"] == 1


def test_tiers_by_threshold_and_stages_in_ladder_order(db):
    gold = Tier.create(name="Gold", min_spend_cents=100_000, multiplier_percent=150)
    bronze = Tier.create(name="Bronze", min_spend_cents=0, multiplier_percent=100)
    add_contact("A", tier=gold, ladder_stage="advocate")
    add_contact("B", tier=bronze, ladder_stage="customer")
    add_contact("C", tier=bronze, ladder_stage="customer")
    add_contact("D", kind="business", organisation="Partner Co", ladder_stage="partner")
    result = summary()
    # D was given no tier: with a tier from nothing, D starts in it like every customer.
    assert result.tiers == (MixEntry(None, 0), MixEntry("Bronze", 3), MixEntry("Gold", 1))
    assert [(entry.name, entry.customers) for entry in result.stages] == [
        ("prospect", 0), ("customer", 2), ("client", 0), ("supporter", 0), ("advocate", 1),
        ("partner", 1),
    ]  # fmt: skip
    assert result.customers == sum(entry.customers for entry in result.tiers)


def test_a_past_day_counts_the_history_as_it_was_then(db):
    back = add_contact("Back")  # lapsed on 1 June 2026, and has come back since
    log(back, "purchase", datetime(2025, 1, 10, tzinfo=UTC), datetime(2025, 5, 30, tzinfo=UTC))
    log(back, "purchase", datetime(2026, 10, 1, tzinfo=UTC))
    may = add_contact("May")  # new in May 2026, and again in July
    log(may, "visit", datetime(2026, 5, 15, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
    later = add_contact("Later")  # first came after 1 June 2026
    log(later, "visit", datetime(2026, 7, 1, tzinfo=UTC))
    result = retention_summary(date(2026, 6, 1), months=2)
    assert (result.visited, result.active, result.lapsed) == (2, 1, 1)
    assert (result.repeat.buyers, result.repeat.repeat_buyers) == (1, 1)
    assert [(m.month.month, m.new, m.returning) for m in result.months] == [(5, 1, 0), (6, 0, 0)]
    today = summary(months=2)
    assert (today.visited, today.active, today.lapsed) == (3, 1, 0)


def test_drifting_is_the_today_views_count(db, clock):
    for name in ("Steady", "Drifter"):
        contact = add_contact(name)
        log(contact, "purchase", *(days_before(days) for days in (100, 90, 80, 70)))
    log(Contact.get(given_name="Steady"), "purchase", days_before(2))
    result = summary()
    assert result.drifting == 1 == drifting_customers(clock.moment, limit=0).total
    # A summary of a day not over yet counts at the clock's moment, as Today does.
    clock.moment = days_before(100) - DAY
    assert retention_summary(AS_OF_DAY).drifting == drifting_customers(clock.moment).total == 0


def test_months_must_be_at_least_one(db):
    with pytest.raises(ValueError):
        summary(months=0)
    assert [m.month for m in summary(months=1).months] == [date(2026, 11, 1)]


def test_a_summary_inside_a_transaction_sees_its_writes(db):
    with database.atomic():
        log(add_contact("Uncommitted"), "visit", days_before(1))
        result = summary()
    assert (result.visited, result.months[-1].new) == (1, 1)


def test_the_demo_shop_agrees_with_a_plain_recount_of_its_history(demo_db):
    """Every figure, recounted from the interaction rows in Python, in a zone with summer time."""
    set_zone("Australia/Melbourne")
    result = retention_summary(AS_OF, months=12)
    live = {contact.id for contact in Contact.select().where(
        Contact.archived_at.is_null() & Contact.erased_at.is_null())}  # fmt: skip
    first: dict[int, date] = {}
    last: dict[int, date] = {}
    purchases: dict[int, int] = defaultdict(int)
    visitors: dict[tuple[int, int], set[int]] = defaultdict(set)
    for contact_id, kind, moment, refunded in database.execute_sql(
        "SELECT contact_id, kind, occurred_at, refunded_at FROM interaction"
        " WHERE kind IN ('visit', 'purchase')"
    ):
        day = parse_timestamp(moment).astimezone().date()
        if contact_id not in live or day > AS_OF:
            continue
        first[contact_id] = min(first.get(contact_id, day), day)
        last[contact_id] = max(last.get(contact_id, day), day)
        purchases[contact_id] += kind == "purchase" and refunded is None
        visitors[(day.year, day.month)].add(contact_id)
    assert result.customers == len(live)
    assert result.visited == len(first) > 0
    assert result.active == sum((AS_OF - day).days < 90 for day in last.values())
    assert result.lapsed == sum((AS_OF - day).days >= 365 for day in last.values())
    assert result.repeat.buyers == sum(count >= 1 for count in purchases.values())
    assert result.repeat.repeat_buyers == sum(count >= 2 for count in purchases.values())
    for month in result.months:
        key = (month.month.year, month.month.month)
        assert month.new == sum((day.year, day.month) == key for day in first.values())
        assert month.visitors == len(visitors[key])
    assert sum(month.visitors for month in result.months) > 0
