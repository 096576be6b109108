"""How often each customer comes in, and how often the shop reaches out to them.

Two relationship rules for the Today view: notice regulars who are drifting away, and do not
bombard anyone.

Rules chosen here:

* A visit is an interaction of kind visit or purchase (a refunded purchase still was a
  visit; two entries at one visit count twice). The usual interval between a customer's
  visits is the MEAN gap between them, (last visit - first visit) / (visits - 1): triggers
  keep it exactly from three numbers (schema 7, contact_rhythm), where a median would need
  the whole history each time, and one long absence in the past cannot hide in a median. It
  needs at least 3 visits (two gaps); with fewer, a customer never counts as drifting.
* Drifting away: the last visit was MORE than twice the usual interval ago AND MORE than
  30 days ago; exactly twice, or exactly 30 days, is not yet. The twice and the 30 days are
  part of the schema (migration 7 computes drifts_at in its triggers), not constants here:
  changing them is a migration. Compared in whole seconds, as
  times are stored. Most overdue first: the earliest moment of becoming a drifter (drifts_at)
  first; overdue_days counts the whole days since.
* Frequency cap: the outbound contacts that count are calls, emails, messages and campaigns
  with direction outbound (visits, purchases, notes, social comments and anything inbound do
  not). The window is the 30 days before now: an outbound contact counts while
  now - 30 days < occurred_at <= now, so one made exactly 30 days ago has just stopped
  counting, and one dated later than now does not count yet. A customer is at the cap once
  the count reaches the shop's contact_cap_per_30_days (default 4): one more would exceed it.
  The next contact is allowed when enough have left the window to bring the count below the
  cap: at the (count - cap + 1)-th oldest one's time plus 30 days.
* Archived and erased customers are in no list. Counts leave them out with "contact_id NOT IN
  (the inactive contacts)" read from the index contact_inactive, so a count reads its own
  index only (see schema 7; the queries are relapp.db.store.contacts').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Generic, TypeVar, cast

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import contacts
from relapp.domain.clock import utc_now
from relapp.domain.contacts.naming import display_name
from relapp.domain.shop.settings import load_settings
from relapp.i18n import _

VISIT_KINDS = ("visit", "purchase")
OUTBOUND_KINDS = ("call", "email", "message", "campaign")
MIN_VISITS_FOR_RHYTHM = 3
CAP_WINDOW = timedelta(days=30)
DEFAULT_LIMIT = 200

# The store's condition for an outbound contact: the test and benchmark of the Today view
# check it against the index of schema 7.
OUTBOUND_SQL = contacts.OUTBOUND_SQL

Row = TypeVar("Row")


@dataclass(frozen=True)
class Section(Generic[Row]):
    """The first rows of a list that may be long, and how many there are in all."""

    total: int
    rows: tuple[Row, ...]

    @property
    def more(self) -> int:
        """How many rows were left out."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Rhythm:
    """A customer's visits in brief, as the triggers keep them."""

    contact_id: int
    visits: int
    first_visit_at: datetime
    last_visit_at: datetime
    usual_interval: timedelta | None  # None below MIN_VISITS_FOR_RHYTHM visits
    drifts_at: datetime | None  # when they count as drifting away if they stay away


@dataclass(frozen=True)
class DriftingCustomer:
    contact_id: int
    name: str
    visits: int
    last_visit_at: datetime
    days_since_visit: int  # whole days
    usual_interval_days: float  # the mean gap between visits, to a tenth of a day
    drifts_at: datetime
    overdue_days: int  # whole days since drifts_at


@dataclass(frozen=True)
class ContactPressure:
    """A customer's outbound contacts in the last 30 days against the shop's cap."""

    count: int
    cap: int
    at_cap: bool
    reason: str  # one sentence for whoever is about to make contact
    next_allowed_at: datetime | None  # when the count drops below the cap; None if it is


@dataclass(frozen=True)
class AtCapCustomer:
    contact_id: int
    name: str
    pressure: ContactPressure


def contact_rhythm(contact_id: int) -> Rhythm | None:
    """The customer's visits in brief; None if they have never visited."""
    row = contacts.rhythm_of(contact_id)
    if row is None:
        return None
    visits, first, last, drifts_at = row
    first_at, last_at = parse_timestamp(first), parse_timestamp(last)
    interval = (last_at - first_at) / (visits - 1) if visits >= MIN_VISITS_FOR_RHYTHM else None
    drifts = parse_timestamp(drifts_at) if drifts_at else None
    return Rhythm(contact_id, visits, first_at, last_at, interval, drifts)


def drifting_customers(
    now: datetime | None = None, limit: int = DEFAULT_LIMIT
) -> Section[DriftingCustomer]:
    """Active customers drifting away (see the module docstring), most overdue first."""
    now = moment_to_the_second(now)
    stamp = format_timestamp(now)
    total = contacts.count_drifting(stamp)
    rows = []
    for contact_id, visits, first, last, drifts_at, *name in contacts.drifting(stamp, limit):
        first_at, last_at, drifts = map(parse_timestamp, (first, last, drifts_at))
        rows.append(
            DriftingCustomer(
                contact_id=contact_id,
                name=display_name(*name),
                visits=visits,
                last_visit_at=last_at,
                days_since_visit=(now - last_at).days,
                usual_interval_days=round((last_at - first_at) / timedelta(days=visits - 1), 1),
                drifts_at=drifts,
                overdue_days=(now - drifts).days,
            )
        )
    return Section(total, tuple(rows))


def contact_pressure(contact_id: int, now: datetime | None = None) -> ContactPressure:
    """The customer's outbound contacts in the last 30 days against the shop's cap."""
    now = moment_to_the_second(now)
    cap = load_settings().contact_cap_per_30_days
    return _pressure(_outbound_moments(contact_id, now), cap, now)


def would_exceed_cap(contact_id: int, now: datetime | None = None) -> ContactPressure | None:
    """Before logging another outbound contact: the customer's pressure if one more would go
    over the cap, else None."""
    pressure = contact_pressure(contact_id, now)
    return pressure if pressure.count + 1 > pressure.cap else None


def at_cap_customers(
    limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> Section[AtCapCustomer]:
    """Active customers who must not be contacted yet, the most contacted first."""
    now = moment_to_the_second(now)
    cap = load_settings().contact_cap_per_30_days
    counted = contacts.outbound_counts_from(*_window(now), at_least=cap)
    rows = []
    for contact_id, _count in counted[:limit]:
        # A counted contact exists: its interactions are deleted with it.
        name = cast("tuple[str, str, str, str]", contacts.name_parts(contact_id))
        pressure = _pressure(_outbound_moments(contact_id, now), cap, now)
        rows.append(AtCapCustomer(contact_id, display_name(*name), pressure))
    return Section(len(counted), tuple(rows))


def format_day(moment: datetime, today: date | None = None) -> str:
    """A day as said at the counter, in local time: '12 Dec', with the year if not today's."""
    local = moment.astimezone().date()
    text = f"{local.day} {local:%b}"
    return text if local.year == (today or date.today()).year else f"{text} {local.year}"


def moment_to_the_second(now: datetime | None = None) -> datetime:
    """The given moment (default: now) in UTC, to the second; a naive moment is UTC already."""
    if now is None:
        return utc_now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).replace(microsecond=0)


def _outbound_moments(contact_id: int, now: datetime) -> list[datetime]:
    """The customer's outbound contacts in the window, oldest first."""
    return [
        parse_timestamp(moment) for moment in contacts.outbound_moments(contact_id, *_window(now))
    ]


def _pressure(moments: list[datetime], cap: int, now: datetime) -> ContactPressure:
    count = len(moments)
    counted = (
        _("1 outbound contact in the last 30 days (cap {cap})")
        if count == 1
        else _("{count} outbound contacts in the last 30 days (cap {cap})")
    ).format(count=count, cap=cap)
    if count < cap:
        return ContactPressure(count, cap, False, counted, None)
    next_allowed = moments[count - cap] + CAP_WINDOW
    reason = _("{counted}; next allowed on {day}").format(
        counted=counted, day=format_day(next_allowed, now.astimezone().date())
    )
    return ContactPressure(count, cap, True, reason, next_allowed)


def _window(now: datetime) -> tuple[str, str]:
    return format_timestamp(now - CAP_WINDOW), format_timestamp(now)
