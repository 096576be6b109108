"""What a history entry says on its line: a title, a second line, the time and a badge.

Kept apart from the painting so that tests can read exactly what the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QLocale

from relapp import labels
from relapp.domain import clock
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.terms import DIRECTION_NAMES, LEDGER_KIND_NAMES
from relapp.domain.timeline.history import TimelineEntry
from relapp.ui.timeline.kind_style import kind_name


@dataclass(frozen=True)
class EntryText:
    title: str  # "Call · Out — Asked about the linen shirts"
    subtitle: str  # the details' first line, or who logged it
    time: str  # "2:05 PM"
    badge: str  # "$45.00 · +45 pts", "Open · overdue", "8/10"
    alert: bool  # the badge needs attention (an overdue case)


def tr(text: str) -> str:
    return QCoreApplication.translate("timeline", text)


def entry_text(entry: TimelineEntry, shop: ShopFormat | None = None) -> EntryText:
    """shop: how the shop writes money and times; read from the settings if not given (a
    list painting many rows passes the one its model read)."""
    shop = shop or shop_format()
    return EntryText(
        title=_title(entry),
        subtitle=_subtitle(entry),
        time=shop.time(entry.occurred_at),
        badge=" · ".join(part for part in _badges(entry, shop) if part),
        alert=entry.overdue,
    )


def day_heading(day: date, today: date | None = None) -> str:
    """ "Today", "Yesterday", or the day in full in the shop's language."""
    today = today or date.today()
    if day == today:
        return tr("Today")
    if day == today - timedelta(days=1):
        return tr("Yesterday")
    locale = QLocale()
    form = "dddd d MMMM" if day.year == today.year else "dddd d MMMM yyyy"
    return locale.toString(day, form)


def duration_text(span: timedelta) -> str:
    return labels.duration_text(span, tr)


def _title(entry: TimelineEntry) -> str:
    if entry.kind == "points":
        name = tr(LEDGER_KIND_NAMES.get(entry.ledger_kind or "", "Points"))
    else:
        name = kind_name(entry.kind)
    labels = [name]
    if entry.direction:
        labels.append(tr(DIRECTION_NAMES[entry.direction]))
    if entry.network:
        labels.append(entry.network)
    head = " · ".join(labels)
    return f"{head} — {entry.summary}" if entry.summary else head


def _subtitle(entry: TimelineEntry) -> str:
    first_line = next((line.strip() for line in entry.details.splitlines() if line.strip()), "")
    by = tr("by {name}").format(name=entry.staff_name) if entry.staff_name else ""
    return " · ".join(part for part in (first_line, by) if part)


def _badges(entry: TimelineEntry, shop: ShopFormat) -> list[str]:
    locale = QLocale()
    badges = []
    if entry.amount_cents is not None:
        badges.append(shop.money(entry.amount_cents))
    if entry.points:
        badges.append(tr("{sign}{points} pts").format(
            sign="+" if entry.points > 0 else "−", points=locale.toString(abs(entry.points))
        ))  # fmt: skip
    if entry.feedback_score is not None:
        badges.append(f"{entry.feedback_score}/10")
    if entry.refunded_at is not None:
        badges.append(tr("Refunded"))
    badges.append(_case_state(entry, clock.utc_now()))
    if entry.open_tasks:
        badges.append(tr("{n} follow-up").format(n=entry.open_tasks) if entry.open_tasks == 1
                      else tr("{n} follow-ups").format(n=entry.open_tasks))  # fmt: skip
    return badges


def _case_state(entry: TimelineEntry, now: datetime) -> str:
    if entry.status == "open":
        age = duration_text(now - entry.occurred_at)
        if entry.overdue:
            return tr("Open {age} · overdue").format(age=age)
        if entry.first_response_at is not None:
            return tr("Open {age} · answered in {time}").format(
                age=age, time=duration_text(entry.response_time)
            )
        return tr("Open {age}").format(age=age)
    if entry.status == "resolved" and entry.resolution_time is not None:
        return tr("Resolved in {time}").format(time=duration_text(entry.resolution_time))
    return ""
