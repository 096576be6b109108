"""What the Today view and the activity feed say about times, ages and counts.

Kept apart from the widgets so that tests can read exactly what the user sees. Times arrive
in UTC and are shown on this machine's clock (datetime.astimezone, as the domain computes
the shop's day). Moments and times are written as everywhere else (relapp.domain.shop.formats);
counts and the day headings use the shop's QLocale.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.timeline.today import Birthday
from relapp.labels import duration_text

DAY_FORMAT = "ddd d MMM"
# The year of a long date format with the words that belong to it: a quoted word before it
# ("d 'de' MMMM 'de' yyyy") or markers after it ("yyyy 'г'.", "yyyy年", "yyyy. 'gada'").
_YEAR = re.compile(r"[\s,/-]*(?:'[^']*'\s*)?y+\.?(?:\s*\(?'[^']*'\)?\.?|年|년)*[\s,./-]*")


def tr(text: str) -> str:
    return QCoreApplication.translate("today", text)


def plural(count: int, one: str, many: str) -> str:
    """ "1 birthday", "4 birthdays": one and many hold {n}."""
    return tr(one if count == 1 else many).format(n=QLocale().toString(count))


def long_day(day: date) -> str:
    """The day as the header says it: the locale's long date without the year
    ("Monday, 23 November")."""
    pattern = QLocale().dateFormat(QLocale.FormatType.LongFormat)
    without_year = _YEAR.sub(" ", pattern).strip(" ,/-")
    if "d" not in without_year or "M" not in without_year:  # a form this did not foresee
        without_year = pattern
    return QLocale().toString(QDate(day), without_year)


def short_day(day: date, today: date) -> str:
    """ "Thu 26 Nov", with the year when it is not this year's."""
    form = DAY_FORMAT if day.year == today.year else DAY_FORMAT + " yyyy"
    return QLocale().toString(QDate(day), form)


def local(moment: datetime) -> datetime:
    return moment.astimezone()


def clock_time(moment: datetime, shop: ShopFormat | None = None) -> str:
    """ "2:05 PM": on this PC's clock, as the shop writes times."""
    return (shop or shop_format()).time(moment)


def when(moment: datetime, today: date, shop: ShopFormat | None = None) -> str:
    """An activity's time: "today 2:05 PM", "yesterday 9:30 AM", else the moment as written
    everywhere ("Nov 21, 2026, 9:30 AM")."""
    shop = shop or shop_format()
    day = local(moment).date()
    if day == today:
        return tr("today {time}").format(time=shop.time(moment))
    if day == today - timedelta(days=1):
        return tr("yesterday {time}").format(time=shop.time(moment))
    return shop.moment(moment)


def duration(span: timedelta) -> str:
    """A span as said at the counter: "40 min", "5 h", "3 days" (hours up to two days)."""
    return duration_text(span, tr)


def case_age(age_hours: int) -> str:
    """How long a case has been open, from the domain's whole hours."""
    return duration(timedelta(hours=age_hours)) if age_hours else tr("under 1 h")


def birthday_when(birthday: Birthday) -> str:
    """ "today", "tomorrow", "in 3 days (Thu 26 Nov)"."""
    if birthday.days_until == 0:
        return tr("today")
    if birthday.days_until == 1:
        return tr("tomorrow")
    today = birthday.on - timedelta(days=birthday.days_until)
    return tr("in {n} days ({day})").format(
        n=birthday.days_until, day=short_day(birthday.on, today)
    )


def birthday_what(birthday: Birthday) -> str:
    if birthday.turning is None:
        return tr("Birthday")
    return tr("Birthday · turns {age}").format(age=birthday.turning)


def interval_days(days: float) -> str:
    """The usual gap between visits: "every 10 days", "every 2.5 days"."""
    shown = QLocale().toString(days, "f", 0 if days >= 10 or days == int(days) else 1)
    return tr("every {days} days").format(days=shown) if days != 1 else tr("every day")


CHANNEL_NAMES = {"letter": "letter", "email": "email", "sms": "text message", "call": "phone call"}


def channel_name(channel: str) -> str:
    """How an automatic campaign goes out: "email", "text message"."""
    return tr(CHANNEL_NAMES.get(channel, channel))
