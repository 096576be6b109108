"""Reports for one shop (schema 11): the retention figures and today's follow-ups of one shop
count only that shop's rows (shop 1's including those with no shop, written before there
were shops), and the figures for all shops are what they were before shops were told apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.fields import parse_timestamp
from relapp.db.models import Contact, Interaction, Task, Tier, database
from relapp.domain.contacts.rhythm import drifting_customers
from relapp.domain.shop.shops import add_shop
from relapp.domain.timeline import retention
from relapp.domain.timeline.retention import MixEntry, RetentionSummary, retention_summary
from relapp.domain.timeline.today import today_queue, today_queue_at_shop
from tests.conftest import AS_OF
from tests.factories import FakeClock, add_contact

AS_OF_DAY = date(2026, 11, 22)
NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def clock_zone(time_zone):
    time_zone("UTC")


@pytest.fixture
def clock(monkeypatch):
    """Now is noon on the summary's day."""
    fake = FakeClock(NOON)
    monkeypatch.setattr(retention, "utc_now", fake)
    return fake


def days_before(days: int) -> datetime:
    return NOON - timedelta(days=days)


def log(contact: Contact, kind: str, shop: int | None, *moments: datetime, **extra) -> None:
    """Interactions of the contact at the shop (None: from before there were shops)."""
    for moment in moments:
        Interaction.create(contact=contact, kind=kind, occurred_at=moment, created_at=moment,
                           updated_at=moment, shop=shop, **extra)  # fmt: skip


def visit_figures(summary: RetentionSummary) -> tuple:
    """Every figure counted from visits and purchases (not the customers and their mix)."""
    return (summary.visited, summary.active, summary.lapsed, summary.drifting,
            summary.repeat, summary.months)  # fmt: skip


def stages_of(summary: RetentionSummary) -> dict[str | None, int]:
    return {entry.name: entry.customers for entry in summary.stages if entry.customers}


# ------------------------------------------------------------------------------ retention


def test_one_shops_retention_counts_only_the_visits_made_there(db, clock):
    harbour = add_shop("Harbour Street").id
    gold = Tier.create(name="Gold", min_spend_cents=100_000, multiplier_percent=150)
    regular = add_contact("Regular", tier=gold, ladder_stage="client")  # shop 1, old and new rows
    log(regular, "purchase", None, days_before(200), days_before(100))
    log(regular, "purchase", 1, days_before(10))
    mover = add_contact("Mover", ladder_stage="customer")  # shop 1 long ago, Harbour lately
    log(mover, "visit", None, days_before(400))
    log(mover, "purchase", harbour, datetime(2026, 11, 5, tzinfo=UTC))
    caller = add_contact("Caller", ladder_stage="prospect")  # Harbour rang them: no visit
    log(caller, "call", harbour, days_before(3), direction="outbound")
    add_contact("Prospect", ladder_stage="prospect")  # nothing anywhere

    first = retention_summary(AS_OF_DAY, months=2, shop_id=1)
    assert (first.customers, first.visited, first.active, first.lapsed) == (2, 2, 1, 1)
    assert (first.repeat.buyers, first.repeat.repeat_buyers) == (1, 1)  # the mover only looked
    assert [(m.new, m.returning) for m in first.months] == [(0, 0), (0, 1)]
    assert first.tiers == (MixEntry(None, 1), MixEntry("Gold", 1))
    assert stages_of(first) == {"client": 1, "customer": 1}

    second = retention_summary(AS_OF_DAY, months=2, shop_id=harbour)
    assert (second.customers, second.visited, second.active, second.lapsed) == (2, 1, 1, 0)
    assert (second.repeat.buyers, second.repeat.repeat_buyers) == (1, 0)
    # New to Harbour Street in November, though a customer of shop 1 for over a year.
    assert [(m.new, m.returning) for m in second.months] == [(0, 0), (1, 0)]
    assert stages_of(second) == {"customer": 1, "prospect": 1}

    every = retention_summary(AS_OF_DAY, months=2)
    assert (every.customers, every.visited, every.active, every.lapsed) == (4, 2, 2, 0)
    assert (every.repeat.buyers, every.repeat.repeat_buyers) == (2, 1)
    assert [(m.new, m.returning) for m in every.months] == [(0, 0), (0, 2)]


def test_a_shop_with_nothing_yet_has_zero_everywhere(db, clock):
    log(add_contact("Elsewhere"), "purchase", None, days_before(5))
    empty = retention_summary(AS_OF_DAY, months=3, shop_id=add_shop("New branch").id)
    assert (empty.customers, empty.visited, empty.active, empty.lapsed, empty.drifting) == (
        0, 0, 0, 0, 0
    )  # fmt: skip
    assert (empty.repeat.buyers, empty.repeat.rate) == (0, None)
    assert [m.visitors for m in empty.months] == [0, 0, 0]
    assert empty.tiers == (MixEntry(None, 0),)


def test_drifting_away_is_by_the_rhythm_at_that_shop(db, clock):
    harbour = add_shop("Harbour Street").id
    moved = add_contact("Moved")  # a Harbour regular who now shops at shop 1
    log(moved, "purchase", harbour, *(days_before(days) for days in (100, 90, 80, 70)))
    log(moved, "purchase", None, days_before(2))
    drifter = add_contact("Drifter")  # stays away from shop 1 altogether
    log(drifter, "purchase", 1, *(days_before(days) for days in (100, 90, 80)))
    log(drifter, "purchase", None, days_before(70))
    steady = add_contact("Steady")  # at Harbour every 10 days
    log(steady, "purchase", harbour, *(days_before(days) for days in (40, 30, 20, 10)))
    assert retention_summary(AS_OF_DAY).drifting == 1 == drifting_customers(NOON).total
    assert retention_summary(AS_OF_DAY, shop_id=harbour).drifting == 1  # moved
    assert retention_summary(AS_OF_DAY, shop_id=1).drifting == 1  # drifter
    # Exactly 30 days (the floor) is not drifting yet; a second more is.
    quiet = add_contact("Quiet")
    log(quiet, "visit", harbour, *(days_before(days) for days in (36, 33, 30)))
    clock.moment = days_before(0)
    assert retention_summary(AS_OF_DAY, shop_id=harbour).drifting == 1
    clock.moment = NOON + timedelta(seconds=1)
    later = retention_summary(AS_OF_DAY, shop_id=harbour)
    assert later.drifting == 2
    archived = Contact.get(given_name="Quiet")
    archived.archived_at = NOON
    archived.save()
    assert retention_summary(AS_OF_DAY, shop_id=harbour).drifting == 1


def test_archived_customers_and_later_history_are_left_out_at_one_shop(db, clock):
    harbour = add_shop("Harbour Street").id
    log(add_contact("Gone", archived_at=NOON), "purchase", harbour, days_before(5))
    log(add_contact("Tomorrow"), "purchase", harbour, NOON + DAY)
    counted = retention_summary(AS_OF_DAY, shop_id=harbour)
    assert (counted.customers, counted.visited, counted.repeat.buyers) == (0, 0, 0)
    assert sum(m.visitors for m in counted.months) == 0


def test_on_a_shop_file_shop_1_is_every_visit(demo_db):
    """A file is one shop: its shop 1 figures are the all-shops ones, customers apart (shop 1's
    are those with something recorded, all shops' every customer)."""
    every = retention_summary(AS_OF)
    first = retention_summary(AS_OF, shop_id=1)
    assert visit_figures(first) == visit_figures(every)
    assert every.visited <= first.customers <= every.customers
    assert first.customers == sum(entry.customers for entry in first.tiers)


def test_two_shops_split_the_demo_and_all_shops_stays_as_it_was(demo_db, time_zone):
    """Every third interaction of the demo moved to a second shop: all shops' figures do not
    change, and each shop's agree with a plain recount of its own rows in Python."""
    time_zone("Australia/Melbourne")
    before = retention_summary(AS_OF)
    harbour = add_shop("Harbour Street").id
    third = Interaction.id - Interaction.id / 3 * 3  # id mod 3 (whole-number division)
    Interaction.update(shop=harbour).where(third == 0).execute()
    Interaction.update(shop=1).where(third == 1).execute()  # the rest stay with no shop
    assert retention_summary(AS_OF) == before

    live = {contact.id for contact in Contact.select().where(
        Contact.archived_at.is_null() & Contact.erased_at.is_null())}  # fmt: skip
    end = datetime.combine(AS_OF + DAY, datetime.min.time()).astimezone(UTC)
    moment = min(datetime.now(UTC).replace(microsecond=0), end)
    for shop, mine in ((1, lambda id: id % 3 != 0), (harbour, lambda id: id % 3 == 0)):
        summary = retention_summary(AS_OF, shop_id=shop)
        served: set[int] = set()
        first: dict[int, date] = {}
        last: dict[int, date] = {}
        purchases: dict[int, int] = defaultdict(int)
        visitors: dict[tuple[int, int], set[int]] = defaultdict(set)
        rhythm: dict[int, list[datetime]] = defaultdict(list)
        for row_id, contact_id, kind, stamp, refunded in database.execute_sql(
            "SELECT id, contact_id, kind, occurred_at, refunded_at FROM interaction"
        ):
            if not mine(row_id) or contact_id not in live:
                continue
            moment_at = parse_timestamp(stamp)
            if kind in ("visit", "purchase"):
                rhythm[contact_id].append(moment_at)
            day = moment_at.astimezone().date()
            if day > AS_OF:
                continue
            served.add(contact_id)
            if kind not in ("visit", "purchase"):
                continue
            first[contact_id] = min(first.get(contact_id, day), day)
            last[contact_id] = max(last.get(contact_id, day), day)
            purchases[contact_id] += kind == "purchase" and refunded is None
            visitors[(day.year, day.month)].add(contact_id)
        assert summary.customers == len(served) > 0
        assert summary.visited == len(first) > 0
        assert summary.active == sum((AS_OF - day).days < 90 for day in last.values())
        assert summary.lapsed == sum((AS_OF - day).days >= 365 for day in last.values())
        assert summary.repeat.buyers == sum(count >= 1 for count in purchases.values())
        assert summary.repeat.repeat_buyers == sum(count >= 2 for count in purchases.values())
        for month in summary.months:
            key = (month.month.year, month.month.month)
            assert month.new == sum((day.year, day.month) == key for day in first.values())
            assert month.visitors == len(visitors[key])
        drifting = 0
        for moments in rhythm.values():
            if len(moments) >= 3:
                gap = 2 * int((max(moments) - min(moments)).total_seconds()) // (len(moments) - 1)
                drifts_at = max(moments) + max(timedelta(seconds=gap), timedelta(days=30))
                drifting += drifts_at < moment
        assert summary.drifting == drifting


# ------------------------------------------------------------------------------ follow-ups


def test_one_shops_follow_ups_are_its_tasks_and_the_rest_is_everyones(db):
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    harbour = add_shop("Harbour Street").id
    ann = add_contact("Ann")
    for title, shop, due in (
        ("Old task", None, now - DAY), ("Shop 1 task", 1, now - DAY),
        ("Harbour task", harbour, now - DAY), ("Harbour later", harbour, now + timedelta(hours=3)),
        ("Shop 1 later", 1, now + timedelta(hours=2)),
    ):  # fmt: skip
        Task.create(contact=ann, title=title, due_at=due, created_at=now - 2 * DAY, shop=shop)
    asked = now - DAY
    Interaction.create(contact=ann, kind="query", status="open", summary="Laces?", shop=harbour,
                       occurred_at=asked, created_at=asked, updated_at=asked)  # fmt: skip
    every = today_queue(now=now)
    first = today_queue_at_shop(1, now=now)
    second = today_queue_at_shop(harbour, now=now)

    def titles(section) -> list[str]:
        return [task.title for task in section.rows]

    assert titles(every.overdue_tasks) == ["Old task", "Shop 1 task", "Harbour task"]
    assert (titles(first.overdue_tasks), first.overdue_tasks.total) == (
        ["Old task", "Shop 1 task"], 2)  # fmt: skip
    assert titles(first.tasks_due_today) == ["Shop 1 later"]
    assert (titles(second.overdue_tasks), titles(second.tasks_due_today)) == (
        ["Harbour task"], ["Harbour later"])  # fmt: skip
    # Everything else is the business's, whichever shop asks.
    for shop_queue in (first, second):
        assert replace(shop_queue, overdue_tasks=every.overdue_tasks,
                       tasks_due_today=every.tasks_due_today) == every  # fmt: skip
    assert every.open_cases.total == first.open_cases.total == 1
