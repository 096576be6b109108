"""The Today view's work list: what needs doing today, gathered in a few indexed queries.

today_queue() returns every section at once. Each section holds its first rows (plain frozen
dataclasses with the ids a view needs to open the customer, log a contact or mark a task
done) and its full count.

Rules chosen here (drifting customers and the frequency cap: relapp.domain.contacts.rhythm):

* The shop's day. `today` is the shop's calendar day (default: the local date of `now`);
  times are stored in UTC, and the day ends at the next midnight on this machine's clock.
* Follow-ups: tasks not done. Overdue once the due time has passed (due_at < now), oldest
  first; due today from now until the end of the shop's day, soonest first.
* Open queries and complaints, oldest first. A case is overdue while it is open and was
  opened more than the shop's response_target_hours ago (default 24; exactly that long is
  not overdue yet). A first response does not stop that clock, resolving does (the timeline
  says the same); answered_at says whether someone has replied.
* Birthdays from today to 7 days ahead, both included (the counter's "birthday soon",
  profiles.BIRTHDAY_SOON_DAYS). A 29 February birthday is kept on 28 February in a year
  without one, as daily.birthdays_on and profiles.days_until keep it. Soonest first, then by
  customer number (the longest-standing customer first): a name order would read every
  name in the window, thousands of rows at a million customers, to show the first few.
* Archived and erased customers are in no section; counts leave them out without reading
  contact rows (see contact_rhythm and schema 7).
* Memberships (schema 19), for a shop that has set up a plan: renewals due and members in
  grace, as relapp.domain.memberships.lists says; both on the shop's day.
* Prize winners to contact (schema 21): winners of a draw not yet marked told, the oldest
  draw first (relapp.domain.listening.winners); shown only while there are some.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import today as today_lists
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.profiles import BIRTHDAY_SOON_DAYS
from relapp.domain.contacts.rhythm import (
    DEFAULT_LIMIT,
    AtCapCustomer,
    DriftingCustomer,
    Section,
    at_cap_customers,
    drifting_customers,
    moment_to_the_second,
)
from relapp.domain.listening.winners import WinnerToTell, winners_to_tell
from relapp.domain.memberships.lists import (
    MemberDue,
    has_plans,
    members_in_grace,
    renewals_due,
)
from relapp.domain.shop.settings import load_settings


@dataclass(frozen=True)
class FollowUp:
    """A task not done yet."""

    task_id: int
    contact_id: int
    contact_name: str
    title: str
    due_at: datetime
    interaction_id: int | None  # the query or complaint it follows up, if any
    staff_id: int | None
    staff_name: str | None


@dataclass(frozen=True)
class OpenCase:
    """A query or complaint still open."""

    interaction_id: int
    contact_id: int
    contact_name: str
    kind: str  # query or complaint
    summary: str
    opened_at: datetime
    age_hours: int  # whole hours since it was opened
    overdue: bool  # open longer than the response target
    answered_at: datetime | None  # the first response, if any
    staff_id: int | None
    staff_name: str | None


@dataclass(frozen=True)
class Birthday:
    contact_id: int
    name: str
    month: int
    day: int
    on: date  # the day it is kept this time (28 February for 29 February in a common year)
    days_until: int  # 0 on the day itself
    turning: int | None  # the age reached, when the year of birth is known


@dataclass(frozen=True)
class TodayQueue:
    now: datetime
    today: date
    overdue_tasks: Section[FollowUp]
    tasks_due_today: Section[FollowUp]
    open_cases: Section[OpenCase]
    overdue_cases: int  # how many of the open cases are past the response target
    response_target_hours: int
    birthdays: Section[Birthday]
    drifting: Section[DriftingCustomer]
    at_cap: Section[AtCapCustomer]
    contact_cap: int  # outbound contacts allowed per 30 days
    memberships: bool  # the shop has membership plans: their lists are shown
    renewals_due: Section[MemberDue]
    members_in_grace: Section[MemberDue]
    prize_winners: Section[WinnerToTell]


def today_queue(
    now: datetime | None = None, today: date | None = None, limit: int = DEFAULT_LIMIT
) -> TodayQueue:
    """Everything the Today view lists.

    Args:
        now: the current moment (default: the clock); used to the second.
        today: the shop's calendar day (default: the local date of now).
        limit: how many rows each section keeps; its total counts them all.
    """
    now = moment_to_the_second(now)
    today = today or now.astimezone().date()
    with database.atomic():  # one read snapshot: counts and rows agree
        settings = load_settings()
        cases, overdue_cases = open_cases(now, settings.response_target_hours, limit)
        members = has_plans()
        return TodayQueue(
            now=now,
            today=today,
            overdue_tasks=follow_ups(None, now, limit),
            tasks_due_today=follow_ups(now, local_midnight(today + timedelta(days=1)), limit),
            open_cases=cases,
            overdue_cases=overdue_cases,
            response_target_hours=settings.response_target_hours,
            birthdays=birthdays_soon(today, limit),
            drifting=drifting_customers(now, limit),
            at_cap=at_cap_customers(limit, now),
            contact_cap=settings.contact_cap_per_30_days,
            memberships=members,
            renewals_due=renewals_due(today, limit) if members else Section(0, ()),
            members_in_grace=members_in_grace(today, limit) if members else Section(0, ()),
            prize_winners=Section(*_prize_winners(limit)),
        )


def _prize_winners(limit: int) -> tuple[int, tuple[WinnerToTell, ...]]:
    total, rows = winners_to_tell(limit)
    return total, tuple(rows)


def follow_ups(
    due_from: datetime | None,
    due_before: datetime,
    limit: int = DEFAULT_LIMIT,
    shop_id: int | None = None,
) -> Section[FollowUp]:
    """Tasks not done of active customers, due from due_from (None: any time) until before
    due_before, soonest due first; of one shop if shop_id is given (shop 1's include those
    with no shop)."""
    before = format_timestamp(due_before)
    since = None if due_from is None else format_timestamp(due_from)
    total = today_lists.count_tasks_due(before, since, shop_id)
    stored = today_lists.tasks_due_rows(before, since, limit, shop_id)
    rows = []
    for task_id, contact_id, title, due, interaction_id, staff_id, staff_name, *name in stored:
        rows.append(
            FollowUp(task_id, contact_id, display_name(*name), title, parse_timestamp(due),
                     interaction_id, staff_id, staff_name)
        )  # fmt: skip
    return Section(total, tuple(rows))


def open_cases(
    now: datetime, target_hours: int, limit: int = DEFAULT_LIMIT
) -> tuple[Section[OpenCase], int]:
    """Open queries and complaints of active customers, oldest first, and how many of them
    are past the response target."""
    late_before = format_timestamp(now - timedelta(hours=target_hours))
    total, overdue = today_lists.count_open_cases(late_before)
    stored = today_lists.open_case_rows(limit)
    rows = []
    for case_id, contact_id, kind, summary, opened, answered, staff_id, staff_name, *name in stored:
        opened_at = parse_timestamp(opened)
        rows.append(
            OpenCase(
                interaction_id=case_id,
                contact_id=contact_id,
                contact_name=display_name(*name),
                kind=kind,
                summary=summary,
                opened_at=opened_at,
                age_hours=max(0, (now - opened_at) // timedelta(hours=1)),
                overdue=opened < late_before,
                answered_at=parse_timestamp(answered) if answered else None,
                staff_id=staff_id,
                staff_name=staff_name,
            )
        )
    return Section(total, tuple(rows)), overdue


def birthdays_soon(today: date, limit: int = DEFAULT_LIMIT) -> Section[Birthday]:
    """Active customers whose birthday is kept from today to BIRTHDAY_SOON_DAYS ahead,
    soonest first, then by customer number."""
    kept_on = birthday_window(today)
    days_by_month: dict[int, list[int]] = {}
    for month, day in kept_on:
        days_by_month.setdefault(month, []).append(day)
    found: list[tuple[date, int, int, int]] = []  # (kept on, contact, month, day)
    for month, days in sorted(days_by_month.items()):
        for contact_id, day in today_lists.active_birthdays_in_month(month, days):
            found.append((kept_on[(month, day)], contact_id, month, day))
    found.sort()
    rows = []
    for on, contact_id, month, day in found[:limit]:
        birth_year, *name = today_lists.birth_year_and_name(contact_id)
        turning = on.year - birth_year if birth_year else None
        rows.append(
            Birthday(contact_id, display_name(*name), month, day, on, (on - today).days, turning)
        )
    return Section(len(found), tuple(rows))


def birthday_window(today: date, days: int = BIRTHDAY_SOON_DAYS) -> dict[tuple[int, int], date]:
    """(month, day) of birth -> the day it is kept, for each birthday kept from today to
    days ahead."""
    kept_on: dict[tuple[int, int], date] = {}
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        kept_on[(day.month, day.day)] = day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            kept_on[(2, 29)] = day
    return kept_on


def local_midnight(day: date) -> datetime:
    """The start of the day on this machine's clock, in UTC."""
    return datetime.combine(day, time()).astimezone(UTC)


# ------------------------------------------------------------------------------- one shop


def today_queue_at_shop(
    shop_id: int,
    now: datetime | None = None,
    today: date | None = None,
    limit: int = DEFAULT_LIMIT,
) -> TodayQueue:
    """today_queue() with the follow-ups (tasks) of one shop only: each task carries the shop
    it was set at (schema 11), and shop 1's include those set before there were shops. Every
    other section is the business's, as customers are shared: open queries and complaints,
    birthdays, drifting customers and the frequency cap."""
    from dataclasses import replace

    now = moment_to_the_second(now)
    today = today or now.astimezone().date()
    with database.atomic():  # one read snapshot: the shop's tasks and the rest agree
        queue = today_queue(now, today, limit)
        return replace(
            queue,
            overdue_tasks=follow_ups(None, now, limit, shop_id),
            tasks_due_today=follow_ups(
                now, local_midnight(today + timedelta(days=1)), limit, shop_id
            ),
        )
