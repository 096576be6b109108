"""A membership's end, grace and status from dates alone (relapp.domain.memberships.status),
over many dates: month ends, 29 February, a fixed year end, the grace edges, and a change of
time zone that moves nothing for a given local day."""

from __future__ import annotations

import calendar
import os
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapp.db.models import Staff
from relapp.domain.memberships.members import join, memberships_of, standing
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import (
    CURRENT,
    EXPIRED,
    GRACE,
    PENDING,
    STATUSES,
    end_of,
    grace_end,
    months_later,
    renewal_start,
    shop_today,
    status_of_dates,
    year_end_after,
)
from tests.factories import add_contact

days = st.dates(min_value=date(1996, 1, 1), max_value=date(2096, 12, 31))
months = st.integers(min_value=1, max_value=120)
ZONES = ("Pacific/Kiritimati", "Australia/Sydney", "Asia/Kolkata", "UTC", "Europe/London",
         "America/New_York", "Pacific/Honolulu", "Pacific/Pago_Pago")  # fmt: skip


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_after(day: date, count: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + count
    return index // 12, index % 12 + 1


@given(days, months)
def test_n_months_end_the_day_before_the_same_day_or_on_a_month_end(start, count):
    end = months_later(start, count)
    year, month = month_after(start, count)
    if start.day == last_day(start.year, start.month):
        # Anchored to month ends: 31 January ends on the last day of the month N months on.
        assert end == date(year, month, last_day(year, month))
    elif start.day == 1:
        year, month = month_after(start, count - 1)
        assert end == date(year, month, last_day(year, month))
    else:
        assert (end.year, end.month) == (year, month)
        assert end.day == min(start.day - 1, last_day(year, month))
    assert 28 * count - 1 <= (end - start).days <= 31 * count + 1
    assert end_of(start, count, None) == end


@given(st.integers(min_value=1996, max_value=2096), months)
def test_31_january_ends_on_the_last_day_of_the_month_n_months_on(year, count):
    end = months_later(date(year, 1, 31), count)
    end_year, end_month = month_after(date(year, 1, 31), count)
    assert end == date(end_year, end_month, last_day(end_year, end_month))
    if end_month == 2:
        assert end.day == (29 if calendar.isleap(end_year) else 28)


def test_the_named_cases():
    assert months_later(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_later(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert months_later(date(2026, 1, 30), 1) == date(2026, 2, 28)
    assert months_later(date(2026, 3, 15), 12) == date(2027, 3, 14)
    assert months_later(date(2026, 3, 1), 12) == date(2027, 2, 28)
    assert months_later(date(2027, 3, 1), 12) == date(2028, 2, 29)
    assert months_later(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert months_later(date(2026, 12, 31), 1) == date(2027, 1, 31)
    assert year_end_after(date(2026, 12, 31), 12, 31) == date(2027, 12, 31)
    assert year_end_after(date(2027, 3, 1), 2, 29) == date(2028, 2, 29)
    assert year_end_after(date(2028, 3, 1), 2, 29) == date(2029, 2, 28)


@given(days, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31))
def test_a_fixed_year_end_is_the_first_such_day_after_the_start(start, month, day):
    if day > (29 if month == 2 else last_day(2001, month)):
        return  # not a day any year has: plans refuse it
    end = year_end_after(start, month, day)
    assert start < end <= start + timedelta(days=366)
    assert end.month == month
    assert end.day == min(day, last_day(end.year, month))  # 29 February: 28th in common years
    assert end_of(start, None, (month, day)) == end
    # No such day between the start and the end: the first after.
    previous = date(end.year - 1, month, min(day, last_day(end.year - 1, month)))
    assert previous <= start


@given(days, months, st.integers(min_value=0, max_value=365), days)
def test_status_moves_forward_only_with_exact_edges(start, count, grace_days, today):
    end = months_later(start, count)
    grace = grace_end(end, grace_days)
    state = status_of_dates(start, end, grace, today)
    assert state in STATUSES
    assert state == (
        PENDING if today < start else CURRENT if today <= end else
        GRACE if today <= grace else EXPIRED
    )  # fmt: skip
    assert status_of_dates(start, end, grace, start) == CURRENT
    assert status_of_dates(start, end, grace, end) == CURRENT
    after_end = status_of_dates(start, end, grace, end + timedelta(days=1))
    assert after_end == (GRACE if grace_days else EXPIRED)
    assert status_of_dates(start, end, grace, grace + timedelta(days=1)) == EXPIRED
    order = [PENDING, CURRENT, GRACE, EXPIRED]
    tomorrow = status_of_dates(start, end, grace, today + timedelta(days=1))
    assert order.index(tomorrow) >= order.index(state)


@given(days, months, days)
def test_a_renewal_in_time_leaves_no_gap_and_a_late_one_starts_that_day(start, count, today):
    end = months_later(start, count)
    begins = renewal_start(end, today)
    assert begins == (end + timedelta(days=1) if today <= end else max(end + timedelta(days=1),
                                                                       today))  # fmt: skip
    assert begins > end


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1),
                 timezones=st.just(UTC)),
    st.sampled_from(ZONES),
)  # fmt: skip
def test_the_shops_day_is_the_local_date_of_the_moment_in_any_zone(moment, zone):
    before = os.environ.get("TZ")
    try:
        os.environ["TZ"] = zone
        time.tzset()
        assert shop_today(moment) == moment.astimezone(ZoneInfo(zone)).date()
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.parametrize(
    ("joined_in", "read_in"),
    [("Australia/Sydney", "Pacific/Honolulu"), ("Pacific/Honolulu", "Asia/Kolkata")],
)
def test_a_change_of_time_zone_moves_no_stored_date_nor_a_days_status(
    db, time_zone, joined_in, read_in
):
    time_zone(joined_in)
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=datetime.now(UTC))
    save_plan(Plan("Gold", length_months=1, grace_days=3), manager.id)
    plan_id = list_plans()[0].plan.id
    ann = add_contact("Ann", "Lee")
    # 23:30 on 31 January in Sydney is 12:30 UTC; still 31 January in Honolulu too (01:30).
    moment = datetime(2028, 1, 31, 12, 30, tzinfo=UTC)
    joined = join(ann.id, plan_id, now=moment).membership
    local_day = shop_today(moment)
    expected = {day: standing(ann.id, day).status for day in _days_around(joined.ends_on)}

    time_zone(read_in)
    assert memberships_of(ann.id) == [joined]
    assert {day: standing(ann.id, day).status for day in _days_around(joined.ends_on)} == expected
    assert expected[joined.ends_on] == CURRENT
    assert expected[joined.grace_until] == GRACE
    assert expected[joined.grace_until + timedelta(days=1)] == EXPIRED
    assert joined.starts_on == local_day  # the day it was there, whatever the zone is now


def _days_around(day: date) -> list[date]:
    return [day + timedelta(days=offset) for offset in range(-40, 10)]
