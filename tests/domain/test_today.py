"""The Today view's rules, each against what the database holds, on a fixed clock.

Follow-ups, open cases and birthdays (relapp.domain.timeline.today); drifting customers, the
frequency cap and the triggers that keep each customer's visit rhythm (contact_rhythm).
"""

from __future__ import annotations

import os
import random
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.connection import migrate_database
from relapp.db.fields import format_timestamp
from relapp.db.migrations import m0007_today
from relapp.db.models import Contact, Interaction, Staff, Task, database
from relapp.domain.contacts import rhythm as contact_rhythm
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.contacts.profiles import days_until
from relapp.domain.contacts.rhythm import (
    OUTBOUND_SQL,
    at_cap_customers,
    contact_pressure,
    drifting_customers,
    would_exceed_cap,
)
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.today import birthdays_soon, today_queue
from tests.factories import add_contact

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def clock_zone(time_zone):
    """Local time is UTC unless a test says otherwise, so "today" and "12 Dec" are fixed."""
    time_zone("UTC")


def set_zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


def log(contact: Contact, kind: str, when: datetime, direction: str | None = None,
        **extra) -> Interaction:  # fmt: skip
    if kind in ("query", "complaint"):
        extra.setdefault("status", "open")
    return Interaction.create(contact=contact, kind=kind, direction=direction, occurred_at=when,
                              created_at=when, updated_at=when, **extra)  # fmt: skip


def task(contact: Contact, due: datetime, **extra) -> Task:
    return Task.create(contact=contact, title=extra.pop("title", "Call back"), due_at=due,
                       created_at=due - DAY, **extra)  # fmt: skip


def visits(contact: Contact, *moments: datetime, kind: str = "visit") -> None:
    for moment in moments:
        log(contact, kind, moment)


def rhythm_table() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in database.execute_sql(
            "SELECT contact_id, visits, first_visit_at, last_visit_at FROM contact_rhythm"
        )
    }


def rhythm_from_history() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in database.execute_sql(
            "SELECT contact_id, count(*), min(occurred_at), max(occurred_at) FROM interaction"
            " WHERE kind IN ('visit', 'purchase') GROUP BY contact_id"
        )
    }


def drifting_ids(now: datetime = NOW) -> list[int]:
    return [row.contact_id for row in drifting_customers(now).rows]


# -- follow-ups ---------------------------------------------------------------------------


def test_tasks_overdue_and_due_today_of_active_customers_only(db):
    sam = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=NOW)
    ann = add_contact("Ann", "Lee")
    gone = add_contact("Old", "Gone", archived_at=NOW - DAY)
    erased = add_contact("", "", erased_at=NOW - DAY)
    late = task(ann, NOW - 3 * DAY, title="Ring about the repair", staff=sam)
    later = task(ann, NOW - SECOND)
    due_now = task(ann, NOW)  # due this very second: due today, not overdue yet
    tonight = task(ann, datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC))
    task(ann, datetime(2026, 11, 24, tzinfo=UTC))  # tomorrow
    task(ann, NOW - DAY, done_at=NOW - DAY)  # done
    task(gone, NOW - DAY)
    task(erased, NOW - DAY)

    queue = today_queue(NOW, TODAY)

    assert [row.task_id for row in queue.overdue_tasks.rows] == [late.id, later.id]
    assert queue.overdue_tasks.total == 2
    first = queue.overdue_tasks.rows[0]
    assert (first.contact_id, first.contact_name, first.title, first.staff_name) == (
        ann.id, "Ann Lee", "Ring about the repair", "Sam")  # fmt: skip
    assert first.due_at == NOW - 3 * DAY
    assert [row.task_id for row in queue.tasks_due_today.rows] == [due_now.id, tonight.id]


def test_the_shops_day_ends_at_local_midnight(db):
    set_zone("Australia/Melbourne")  # UTC+11 in November
    ann = add_contact("Ann", "Lee")
    before_midnight = task(ann, datetime(2026, 11, 23, 12, 59, 59, tzinfo=UTC))  # 23:59:59
    task(ann, datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # midnight: tomorrow in Melbourne
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # noon in Melbourne
    queue = today_queue(now)
    assert queue.today == TODAY
    assert [row.task_id for row in queue.tasks_due_today.rows] == [before_midnight.id]


def test_sections_keep_their_first_rows_and_count_them_all(db):
    ann = add_contact("Ann", "Lee")
    tasks = [task(ann, NOW - (10 - n) * DAY) for n in range(10)]
    queue = today_queue(NOW, TODAY, limit=3)
    assert queue.overdue_tasks.total == 10 and queue.overdue_tasks.more == 7
    assert [row.task_id for row in queue.overdue_tasks.rows] == [t.id for t in tasks[:3]]


# -- open queries and complaints ------------------------------------------------------------


def test_open_cases_oldest_first_overdue_after_the_response_target(db):
    ann = add_contact("Ann", "Lee")
    old = log(ann, "complaint", NOW - 24 * timedelta(hours=1) - SECOND, "inbound",
              first_response_at=NOW - 20 * timedelta(hours=1))  # fmt: skip
    exactly = log(ann, "query", NOW - timedelta(hours=24), "inbound")
    fresh = log(ann, "query", NOW - timedelta(minutes=5), "inbound")
    log(ann, "query", NOW - 5 * DAY, "inbound", status="resolved", resolved_at=NOW - 4 * DAY)
    log(add_contact("Old", "Gone", archived_at=NOW), "complaint", NOW - 9 * DAY, "inbound")

    queue = today_queue(NOW, TODAY)

    rows = queue.open_cases.rows
    assert [row.interaction_id for row in rows] == [old.id, exactly.id, fresh.id]
    assert [row.overdue for row in rows] == [True, False, False]
    assert [row.age_hours for row in rows] == [24, 24, 0]
    assert rows[0].answered_at == NOW - 20 * timedelta(hours=1) and rows[1].answered_at is None
    assert rows[0].kind == "complaint" and rows[0].contact_name == "Ann Lee"
    assert (queue.open_cases.total, queue.overdue_cases, queue.response_target_hours) == (3, 1, 24)

    save_settings(response_target_hours=1)
    queue = today_queue(NOW, TODAY)
    assert queue.overdue_cases == 2 and queue.response_target_hours == 1


# -- birthdays ------------------------------------------------------------------------------


def test_birthdays_from_today_to_a_week_ahead(db):
    today = add_contact("Ann", "Lee", birth_month=11, birth_day=23, birth_year=1986)
    week = add_contact("Bob", "Ng", birth_month=11, birth_day=30)
    add_contact("Cat", "Day", birth_month=12, birth_day=1)  # 8 days: not yet
    add_contact("Dan", "Yesterday", birth_month=11, birth_day=22)
    add_contact("Old", "Gone", birth_month=11, birth_day=24, archived_at=NOW)
    add_contact("", "", birth_month=11, birth_day=24, erased_at=NOW)

    section = birthdays_soon(TODAY)

    assert [(row.contact_id, row.days_until) for row in section.rows] == [(today.id, 0),
                                                                          (week.id, 7)]  # fmt: skip
    assert section.rows[0].turning == 40 and section.rows[1].turning is None
    assert section.rows[0].on == TODAY and section.total == 2


def test_birthdays_across_the_new_year(db):
    ann = add_contact("Ann", "Lee", birth_month=1, birth_day=2, birth_year=2000)
    [row] = birthdays_soon(date(2026, 12, 28)).rows
    assert (row.contact_id, row.on, row.days_until, row.turning) == (
        ann.id, date(2027, 1, 2), 5, 27)  # fmt: skip


@pytest.mark.parametrize(
    ("today", "kept_on"),
    [
        (date(2027, 2, 25), date(2027, 2, 28)),  # no 29 February in 2027
        (date(2028, 2, 25), date(2028, 2, 29)),  # a leap year keeps the day itself
        (date(2027, 2, 28), date(2027, 2, 28)),
        (date(2027, 3, 1), None),  # kept yesterday, gone for this year
    ],
)
def test_a_leap_day_birthday_is_kept_on_the_28th_in_common_years(db, today, kept_on):
    leap = add_contact("Lea", "Leap", birth_month=2, birth_day=29)
    rows = birthdays_soon(today).rows
    if kept_on is None:
        assert rows == ()
        return
    assert [(row.contact_id, row.on) for row in rows] == [(leap.id, kept_on)]
    # The counter says the same.
    assert rows[0].days_until == days_until(2, 29, today) == (kept_on - today).days


def test_the_28th_and_the_29th_of_february_both_come_in_a_leap_year(db):
    ann = add_contact("Ann", "Feb28", birth_month=2, birth_day=28)
    lea = add_contact("Lea", "Feb29", birth_month=2, birth_day=29)
    rows = birthdays_soon(date(2028, 2, 27)).rows
    assert [(row.contact_id, row.days_until) for row in rows] == [(ann.id, 1), (lea.id, 2)]
    rows = birthdays_soon(date(2027, 2, 27)).rows
    assert [(row.contact_id, row.days_until) for row in rows] == [(ann.id, 1), (lea.id, 1)]


# -- drifting away --------------------------------------------------------------------------


def test_a_regular_who_stopped_coming_is_drifting(db):
    ann = add_contact("Ann", "Lee")
    last = NOW - 60 * DAY
    visits(ann, last - 20 * DAY, last - 10 * DAY)
    log(ann, "purchase", last, amount_cents=1200)  # a purchase is a visit too
    log(ann, "call", NOW - DAY, "outbound")  # a call from the shop is not a visit

    [row] = drifting_customers(NOW).rows

    assert (row.contact_id, row.name, row.visits, row.last_visit_at) == (ann.id, "Ann Lee", 3,
                                                                         last)  # fmt: skip
    assert (row.usual_interval_days, row.days_since_visit) == (10.0, 60)
    assert row.drifts_at == last + 30 * DAY and row.overdue_days == 30


def test_drifting_starts_just_after_twice_the_usual_interval(db):
    ann = add_contact("Ann", "Lee")
    last = NOW - 80 * DAY
    visits(ann, last - 80 * DAY, last - 40 * DAY, last)  # every 40 days: twice is 80 days
    assert drifting_ids(NOW) == []  # exactly twice
    assert drifting_ids(NOW + SECOND) == [ann.id]


def test_drifting_needs_more_than_30_days_away(db):
    ann = add_contact("Ann", "Lee")
    last = NOW - 30 * DAY
    visits(ann, last - 4 * DAY, last - 2 * DAY, last)  # every 2 days; 30 days is the floor
    assert drifting_ids(NOW) == []  # exactly 30 days
    assert drifting_ids(NOW + SECOND) == [ann.id]


def test_an_uneven_interval_is_compared_to_the_second(db):
    ann = add_contact("Ann", "Lee")
    first = NOW - 400 * DAY
    visits(ann, first, first + 100 * DAY + SECOND, first + 200 * DAY + SECOND)
    # Mean gap 100 days and half a second: twice that is 200 days and 1 second.
    last = first + 200 * DAY + SECOND
    assert drifting_ids(last + 200 * DAY + SECOND) == []
    assert drifting_ids(last + 200 * DAY + 2 * SECOND) == [ann.id]


def test_fewer_than_three_visits_have_no_usual_interval(db):
    ann = add_contact("Ann", "Lee")
    visits(ann, NOW - 400 * DAY, NOW - 300 * DAY)
    assert drifting_ids() == []
    rhythm = contact_rhythm.contact_rhythm(ann.id)
    assert rhythm is not None and rhythm.usual_interval is None and rhythm.drifts_at is None
    assert contact_rhythm.contact_rhythm(add_contact("Bo", "New").id) is None


def test_drifting_comes_most_overdue_first_and_leaves_out_archived_and_erased(db):
    def regular(name: str, last: datetime) -> Contact:
        contact = add_contact(name, "Regular")
        visits(contact, last - 20 * DAY, last - 10 * DAY, last)
        return contact

    recent = regular("Recent", NOW - 40 * DAY)
    longest = regular("Longest", NOW - 300 * DAY)
    middle = regular("Middle", NOW - 100 * DAY)
    archived = regular("Archived", NOW - 200 * DAY)
    erased = regular("Erased", NOW - 200 * DAY)
    Contact.update(archived_at=NOW).where(Contact.id == archived.id).execute()
    Contact.update(erased_at=NOW).where(Contact.id == erased.id).execute()

    section = drifting_customers(NOW, limit=2)

    assert [row.contact_id for row in section.rows] == [longest.id, middle.id]
    assert section.total == 3 and section.more == 1
    assert drifting_ids() == [longest.id, middle.id, recent.id]
    Contact.update(archived_at=None).where(Contact.id == archived.id).execute()
    assert archived.id in drifting_ids()


# -- the rhythm triggers --------------------------------------------------------------------


def test_the_rhythm_follows_inserts_updates_and_deletes(db):
    ann, bob = add_contact("Ann", "Lee"), add_contact("Bob", "Ng")
    a, b, c = (log(ann, "visit", NOW - days * DAY) for days in (10, 30, 20))  # out of order
    assert rhythm_table() == rhythm_from_history()
    assert rhythm_table()[ann.id][0] == 3

    Interaction.update(occurred_at=NOW - 50 * DAY).where(Interaction.id == a.id).execute()
    assert rhythm_table()[ann.id] == (3, format_timestamp(NOW - 50 * DAY),
                                      format_timestamp(NOW - 20 * DAY))  # fmt: skip
    Interaction.update(kind="note").where(Interaction.id == b.id).execute()
    assert rhythm_table() == rhythm_from_history()
    Interaction.update(kind="visit").where(Interaction.id == b.id).execute()
    Interaction.update(contact=bob).where(Interaction.id == c.id).execute()
    assert rhythm_table() == rhythm_from_history()
    assert rhythm_table()[bob.id][0] == 1
    Interaction.delete().where(Interaction.id == c.id).execute()
    assert bob.id not in rhythm_table()
    log(ann, "call", NOW, "outbound")
    Interaction.update(summary="edited").where(Interaction.contact == ann).execute()
    assert rhythm_table() == rhythm_from_history()


def test_a_merge_moves_the_visits_and_the_rhythm_with_them(db):
    survivor, other = add_contact("Ann", "Lee"), add_contact("Ann", "Lee")
    visits(survivor, NOW - 200 * DAY, NOW - 190 * DAY)
    visits(other, NOW - 180 * DAY, NOW - 170 * DAY)
    assert drifting_ids() == []  # two visits each: no usual interval yet

    merge_contacts(survivor.id, other.id)

    assert rhythm_table() == rhythm_from_history()
    assert other.id not in rhythm_table() and rhythm_table()[survivor.id][0] == 4
    assert drifting_ids() == [survivor.id]


def test_deleting_a_contact_deletes_its_rhythm(db):
    ann = add_contact("Ann", "Lee")
    visits(ann, NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY)
    Contact.delete_by_id(ann.id)
    assert rhythm_table() == {}


def test_random_edits_keep_the_rhythm_equal_to_the_history(db):
    rng = random.Random(4)
    people = [add_contact(f"P{n}", "Test") for n in range(5)]
    logged: list[int] = []
    kinds = ("visit", "purchase", "call", "note")
    for _ in range(300):
        action = rng.random()
        if action < 0.5 or not logged:
            when = NOW - rng.randrange(0, 400) * DAY
            direction = "outbound" if rng.random() < 0.5 else None
            kind = rng.choice(kinds)
            logged.append(log(rng.choice(people), kind, when,
                              direction if kind == "call" else None).id)  # fmt: skip
        elif action < 0.7:
            Interaction.update(occurred_at=NOW - rng.randrange(0, 400) * DAY).where(
                Interaction.id == rng.choice(logged)).execute()  # fmt: skip
        elif action < 0.85:
            Interaction.update(contact=rng.choice(people)).where(
                Interaction.id == rng.choice(logged)).execute()  # fmt: skip
        else:
            gone = logged.pop(rng.randrange(len(logged)))
            Interaction.delete().where(Interaction.id == gone).execute()
        assert rhythm_table() == rhythm_from_history()


def test_the_migration_fills_the_rhythm_from_the_history_it_finds(db_path):
    from peewee import SqliteDatabase

    from relapp.db import connection

    raw = SqliteDatabase(str(db_path), pragmas=connection.connection_pragmas())
    raw.connect()
    migrate_database(raw, db_path, target=6)
    raw.execute_sql(
        "INSERT INTO contact (id, given_name, created_at, updated_at, archived_at) VALUES"
        " (1, 'Ann', '2025-01-01 00:00:00', '2025-01-01 00:00:00', NULL),"
        " (2, 'Gone', '2025-01-01 00:00:00', '2025-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    for contact_id in (1, 2):
        for day in ("2026-01-01", "2026-01-11", "2026-01-21"):
            raw.execute_sql(
                "INSERT INTO interaction (contact_id, kind, occurred_at, created_at, updated_at)"
                " VALUES (?, 'purchase', ?, ?, ?)",
                (contact_id, f"{day} 10:00:00", f"{day} 10:00:00", f"{day} 10:00:00"),
            )
    raw.close()

    from relapp.db.connection import open_database

    migrated = open_database(db_path)
    try:
        assert (
            rhythm_table()
            == rhythm_from_history()
            == {
                1: (3, "2026-01-01 10:00:00", "2026-01-21 10:00:00"),
                2: (3, "2026-01-01 10:00:00", "2026-01-21 10:00:00"),
            }
        )
        assert drifting_ids(datetime(2026, 3, 1, tzinfo=UTC)) == [1]  # archived 2 is left out
    finally:
        migrated.close()


def test_the_demo_shop_has_its_rhythm_and_drifters(demo_db):
    assert rhythm_table() == rhythm_from_history()
    queue = today_queue(datetime(2026, 11, 22, 8, 0, tzinfo=UTC), date(2026, 11, 22))
    assert queue.drifting.total > 0


# -- the frequency cap ----------------------------------------------------------------------


def test_only_outbound_calls_emails_messages_and_campaigns_count(db):
    ann = add_contact("Ann", "Lee")
    for kind in ("call", "email", "message", "campaign"):
        log(ann, kind, NOW - DAY, "outbound")
    log(ann, "call", NOW - DAY, "inbound")
    log(ann, "social", NOW - DAY, "outbound", network="Instagram")
    log(ann, "visit", NOW - DAY)
    log(ann, "note", NOW - DAY)
    assert contact_pressure(ann.id, NOW).count == 4


def test_the_window_is_the_30_days_before_now(db):
    ann = add_contact("Ann", "Lee")
    log(ann, "call", NOW - 30 * DAY, "outbound")  # exactly 30 days ago: left the window
    log(ann, "call", NOW - 30 * DAY + SECOND, "outbound")
    log(ann, "email", NOW, "outbound")
    log(ann, "email", NOW + SECOND, "outbound")  # not made yet
    assert contact_pressure(ann.id, NOW).count == 2


def test_at_the_cap_exactly_says_when_the_next_contact_is_allowed(db):
    ann = add_contact("Ann", "Lee")
    first = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    for days in (0, 3, 5):
        log(ann, "email", first + days * DAY, "outbound")

    below = contact_pressure(ann.id, NOW)
    assert (below.count, below.cap, below.at_cap, below.next_allowed_at) == (3, 4, False, None)
    assert below.reason == "3 outbound contacts in the last 30 days (cap 4)"
    assert would_exceed_cap(ann.id, NOW) is None

    log(ann, "call", NOW - SECOND, "outbound")
    at_cap = contact_pressure(ann.id, NOW)
    assert (at_cap.count, at_cap.at_cap) == (4, True)
    assert at_cap.next_allowed_at == first + 30 * DAY
    assert at_cap.reason == (
        "4 outbound contacts in the last 30 days (cap 4); next allowed on 12 Dec"
    )
    assert would_exceed_cap(ann.id, NOW) == at_cap
    # Once the oldest has left the window, one more is allowed again.
    assert contact_pressure(ann.id, first + 30 * DAY).at_cap is False


def test_over_the_cap_waits_for_enough_contacts_to_leave_the_window(db):
    save_settings(contact_cap_per_30_days=2)
    ann = add_contact("Ann", "Lee")
    moments = [datetime(2026, 11, day, 9, 0, tzinfo=UTC) for day in (1, 5, 9, 20)]
    for moment in moments:
        log(ann, "message", moment, "outbound")
    pressure = contact_pressure(ann.id, NOW)
    assert (pressure.count, pressure.cap) == (4, 2)
    assert pressure.next_allowed_at == moments[2] + 30 * DAY  # the 3rd oldest must go too
    assert pressure.reason.endswith("next allowed on 9 Dec")
    assert contact_pressure(ann.id, moments[2] + 30 * DAY).count == 1


def test_a_wait_into_next_year_names_the_year(db):
    save_settings(contact_cap_per_30_days=1)
    ann = add_contact("Ann", "Lee")
    log(ann, "call", datetime(2026, 12, 20, tzinfo=UTC), "outbound")
    pressure = contact_pressure(ann.id, datetime(2026, 12, 21, tzinfo=UTC))
    assert pressure.reason == (
        "1 outbound contact in the last 30 days (cap 1); next allowed on 19 Jan 2027"
    )


def test_the_do_not_contact_list_holds_active_customers_at_the_cap(db):
    save_settings(contact_cap_per_30_days=2)
    busy, full, quiet = add_contact("Busy", "B"), add_contact("Full", "F"), add_contact("Q", "Q")
    archived = add_contact("Old", "Gone", archived_at=NOW)
    for contact, count in ((busy, 3), (full, 2), (quiet, 1), (archived, 5)):
        for n in range(count):
            log(contact, "email", NOW - (n + 1) * DAY, "outbound")

    section = at_cap_customers(now=NOW)

    counts = [(row.contact_id, row.pressure.count) for row in section.rows]
    assert counts == [(busy.id, 3), (full.id, 2)]
    assert section.rows[1].name == "Full F" and section.rows[1].pressure.at_cap
    assert at_cap_customers(limit=1, now=NOW).total == 2
    assert today_queue(NOW, TODAY).at_cap == section


# -- the whole queue ------------------------------------------------------------------------


def test_an_empty_shop_has_nothing_to_do(db):
    queue = today_queue()
    sections = (queue.overdue_tasks, queue.tasks_due_today, queue.open_cases, queue.birthdays,
                queue.drifting, queue.at_cap)  # fmt: skip
    assert all(section.total == 0 and section.rows == () for section in sections)
    assert queue.contact_cap == 4 and queue.now.tzinfo is not None


@pytest.mark.sqlite_only(reason="SQLite's EXPLAIN QUERY PLAN")
def test_every_query_reads_an_index_not_a_table(demo_db, monkeypatch):
    """At a million customers a scan of contacts or interactions alone costs seconds."""
    plans: list[str] = []
    execute = demo_db.execute_sql

    from relapp.db.models import Staff
    from relapp.domain.memberships.lists import members_in_grace, renewals_due
    from relapp.domain.memberships.members import join
    from relapp.domain.memberships.plans import Plan, list_plans, save_plan

    save_plan(Plan("Gold", length_months=1, reminder_days=30, grace_days=30),
              Staff.get(Staff.role == "manager").id)  # fmt: skip
    gold = next(line.plan.id for line in list_plans() if line.plan.name == "Gold")
    # The demo shop's own members due and in grace that day, then these three.
    day = date(2026, 11, 22)
    due, in_grace = renewals_due(day).total, members_in_grace(day).total
    joined_on = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    for contact_id in (1, 2, 3):
        join(contact_id, gold, date(2026, 10, 10 * contact_id), now=joined_on)

    def explained(sql, params=None, *args, **kwargs):
        # The settings and the membership plans are a handful of rows (read with or without
        # quotes around the table).
        small = re.search(r'FROM "?(setting|membership_plan)\b', sql)
        if sql.lstrip().startswith("SELECT") and not small:
            plans.extend(row[3] for row in execute("EXPLAIN QUERY PLAN " + sql, params))
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(demo_db, "execute_sql", explained)
    queue = today_queue(datetime(2026, 11, 22, 8, 0, tzinfo=UTC), date(2026, 11, 22))
    assert (queue.renewals_due.total, queue.members_in_grace.total) == (due + 1, in_grace + 2)
    scans = sorted({plan for plan in plans if plan.startswith("SCAN")})
    assert scans == [
        "SCAN contact USING COVERING INDEX contact_inactive",
        "SCAN i USING INDEX interaction_open_contact",
        "SCAN interaction USING INDEX interaction_open_contact",
        "SCAN w",  # the prize winners (a few rows ever: at most 100 a competition)
    ]
    assert not any("interaction_time" in plan or "kind_staff" in plan for plan in plans)


def test_the_outbound_rule_is_the_one_the_index_holds():
    index = next(sql for sql in m0007_today.STATEMENTS if "interaction_outbound" in sql)
    assert OUTBOUND_SQL in " ".join(index.split())
    assert contact_rhythm.OUTBOUND_KINDS == ("call", "email", "message", "campaign")


# -- the cap and the clocks: customers with few visits, time zones, daylight saving -------------


def test_the_cap_does_not_depend_on_visits_none_or_one(db):
    never = add_contact("Nev", "Er")
    once = add_contact("Wun", "Ce")
    visits(once, NOW - 90 * DAY)
    for contact in (never, once):
        assert contact_pressure(contact.id, NOW).count == 0
        for days in (1, 2, 3, 4):
            log(contact, "call", NOW - days * DAY, "outbound")
        pressure = contact_pressure(contact.id, NOW)
        assert (pressure.count, pressure.at_cap) == (4, True)
        assert would_exceed_cap(contact.id, NOW) == pressure
    assert {row.contact_id for row in at_cap_customers(now=NOW).rows} == {never.id, once.id}
    # Neither has a usual interval, so neither can be drifting, however long they stay away.
    assert drifting_ids(NOW + 400 * DAY) == []


def test_the_30_days_are_elapsed_time_across_a_daylight_saving_change(db):
    # London leaves summer time on 25 October 2026: local days then have 25 hours between
    # the same wall-clock times. The window is 30 × 24 hours of real time regardless.
    set_zone("Europe/London")
    ann = add_contact("Ann", "Lee")
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 12:00 GMT
    log(ann, "call", now - 30 * DAY, "outbound")  # 11 Oct 13:00 BST: exactly 720 h, out
    inside = log(ann, "call", now - 30 * DAY + SECOND, "outbound")
    assert contact_pressure(ann.id, now).count == 1
    save_settings(contact_cap_per_30_days=1)
    pressure = contact_pressure(ann.id, now)
    assert pressure.next_allowed_at == inside.occurred_at + 30 * DAY
    # Said as the local day: 10 Nov 12:00:01 GMT.
    assert pressure.reason.endswith("next allowed on 10 Nov")


def test_the_next_allowed_day_is_the_local_day_after_the_clocks_change(db):
    set_zone("Europe/London")
    save_settings(contact_cap_per_30_days=1)
    ann = add_contact("Ann", "Lee")
    # 23:30 UTC on 20 October is 00:30 on 21 October in London (summer time) ...
    log(ann, "email", datetime(2026, 10, 20, 23, 30, tzinfo=UTC), "outbound")
    pressure = contact_pressure(ann.id, datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    # ... and 30 × 24 h later it is 23:30 on 19 November in London (winter time), not the 20th.
    assert pressure.next_allowed_at == datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    assert pressure.reason.endswith("next allowed on 19 Nov")
    set_zone("Australia/Sydney")  # UTC+11 then: the same moment is the 20th there
    assert contact_pressure(ann.id, datetime(2026, 11, 1, 9, 0, tzinfo=UTC)).reason.endswith(
        "next allowed on 20 Nov"
    )


def test_a_case_is_overdue_after_the_target_in_real_hours_across_a_clock_change(db):
    set_zone("Europe/London")
    ann = add_contact("Ann", "Lee")
    opened = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # 13:00 BST, the day before the change
    case = log(ann, "complaint", opened)
    # 24 h later it is 12:00 GMT on the wall clock, an hour "early", and it is due now.
    just_in_time = today_queue(opened + timedelta(hours=24))
    assert [(row.interaction_id, row.overdue) for row in just_in_time.open_cases.rows] == [
        (case.id, False)
    ]
    late = today_queue(opened + timedelta(hours=24, seconds=1))
    assert (late.open_cases.rows[0].overdue, late.overdue_cases) == (True, 1)
    assert late.open_cases.rows[0].age_hours == 24


def test_drifting_is_measured_in_real_time_across_a_clock_change(db):
    set_zone("America/New_York")  # summer time ends 1 November 2026
    ann = add_contact("Ann", "Lee")
    last = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
    visits(ann, last - 20 * DAY, last - 10 * DAY, last)  # every 10 days: drifts after 30 days
    threshold = last + 30 * DAY
    assert ann.id not in drifting_ids(threshold)
    assert ann.id in drifting_ids(threshold + SECOND)
    [row] = drifting_customers(threshold + 40 * DAY).rows  # well past the change
    assert (row.days_since_visit, row.usual_interval_days, row.overdue_days) == (70, 10.0, 40)
