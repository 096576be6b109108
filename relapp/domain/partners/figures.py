"""The partner report's figures: for one partner and a period, the customers who came through
them, what those customers spent, who came back within 3, 6 and 12 months, and the codes
issued and redeemed both ways.

Rules chosen here:

* The period is shop calendar days, from its first to its last day, both included.
* Acquired: customers (erased ones and merged duplicates aside) whose referral source is the
  partner and who joined (their record was made) in the period.
* Spend: their purchases, refunds left out, from joining to today (the report's day).
* Came back within N months: a visit or a purchase on a later day than the one they joined
  on, up to N months after it (the day before the same day N months on). Only customers
  whose N months are over by today count (eligible); the rate is of those.
* Codes: per direction, the codes of the partner's batches made in the period, and the
  partner's codes redeemed in the period (whenever their batch was made).
* Partner offers: the campaigns carrying the partner's offer produced in the period, the
  messages they sent, their vouchers and those redeemed; and how many customers agree to
  partner offers now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import partners as store
from relapp.domain.memberships.status import ONE_DAY, months_later, shop_today
from relapp.domain.partners.partners import Partner, PartnerRefused
from relapp.domain.terms import PARTNER_DIRECTIONS

RETENTION_MONTHS = (3, 6, 12)


@dataclass(frozen=True)
class Retention:
    months: int
    eligible: int  # joined at least this many months before the report's day
    came_back: int  # of those, visited or bought again within the months

    @property
    def rate(self) -> float | None:
        return self.came_back / self.eligible if self.eligible else None


@dataclass(frozen=True)
class Codes:
    direction: str  # theirs_here or ours_there
    issued: int  # codes made in the period
    redeemed: int  # codes redeemed in the period


@dataclass(frozen=True)
class PartnerFigures:
    partner: Partner
    since: date
    until: date  # the period's last day, included
    today: date
    acquired: int
    buyers: int  # of those acquired, how many bought anything
    spend_cents: int
    retention: tuple[Retention, ...]
    codes: tuple[Codes, ...]  # each direction, in PARTNER_DIRECTIONS order
    campaigns: int  # partner-offer campaigns produced in the period
    offers_sent: int
    campaign_vouchers: int
    campaign_redeemed: int
    consenting: int  # customers who agree to partner offers now

    @property
    def average_spend_cents(self) -> int | None:
        return self.spend_cents // self.acquired if self.acquired else None


def _moment(day: date) -> str:
    """The stored timestamp of the shop's midnight starting day."""
    return format_timestamp(datetime.combine(day, time()).astimezone(UTC))


def partner_figures(
    partner: Partner, since: date, until: date, today: date | None = None
) -> PartnerFigures:
    """The figures for the partner over [since, until]; PartnerRefused for a period that ends
    before it begins."""
    if until < since:
        raise PartnerRefused("The period cannot end before it begins.")
    assert partner.id is not None
    day = today or shop_today()
    start, end = _moment(since), _moment(until + ONE_DAY)
    with database.atomic():  # one read: the figures agree
        joined = store.acquired(partner.id, start, end)
        activity = store.activity_of(partner.id, start, end)
        by_direction = store.codes_by_direction(partner.id, start, end)
        campaigns = store.partner_campaigns(partner.id, start, end)
        consenting = store.partner_offer_consents()
    joined_on = {contact_id: shop_today(parse_timestamp(at)) for contact_id, at in joined}
    spend, buyers = 0, set()
    later_days: dict[int, list[date]] = {contact_id: [] for contact_id in joined_on}
    for contact_id, kind, occurred_at, amount, refunded_at in activity:
        when = shop_today(parse_timestamp(occurred_at))
        if kind == "purchase" and refunded_at is None:
            spend += amount or 0
            buyers.add(contact_id)
        if when > joined_on[contact_id]:
            later_days[contact_id].append(when)
    retention = []
    for months in RETENTION_MONTHS:
        eligible = came_back = 0
        for contact_id, first in joined_on.items():
            last = months_later(first, months)
            if last >= day:
                continue  # their months are not over yet
            eligible += 1
            came_back += any(when <= last for when in later_days[contact_id])
        retention.append(Retention(months, eligible, came_back))
    codes = tuple(Codes(d, *by_direction.get(d, (0, 0))) for d in PARTNER_DIRECTIONS)
    return PartnerFigures(
        partner, since, until, day, len(joined_on), len(buyers), spend, tuple(retention),
        codes, *campaigns, consenting,
    )  # fmt: skip


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last days of the calendar quarter day is in."""
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    index = first.year * 12 + first.month - 1 + 3
    return first, date(index // 12, index % 12 + 1, 1) - ONE_DAY


def last_quarter(today: date | None = None) -> tuple[date, date]:
    """The last full calendar quarter before today's: the quarterly review's period."""
    first, _last = quarter_of(today or shop_today())
    return quarter_of(first - ONE_DAY)


def this_quarter(today: date | None = None) -> tuple[date, date]:
    """Today's quarter so far."""
    day = today or shop_today()
    return quarter_of(day)[0], day


def since_agreement(partner: Partner, today: date | None = None) -> tuple[date, date]:
    """From the agreement's first day (a year back if it has none) to today."""
    day = today or shop_today()
    start = partner.agreement_from or day.replace(year=day.year - 1, day=min(day.day, 28))
    return min(start, day), day
