"""The demo shop: two years of Lantern Lane, a boutique with a coffee bar in Melbourne.

Deterministic: the same seed, size and as-of date give the same database, row for row. The
history ends on the as-of date (today by default), so the Today view always has work in it.
Its members and partners are relapp.demo.memberships' and relapp.demo.partners'; its
surveys, their answers and its prize draws relapp.demo.listening's.

It writes through raw executemany in one transaction, which DESIGN.md measured at ~7x
peewee's insert_many; the ledger still goes through its triggers, so the demo obeys the same
rules as the counter. Every random choice comes from one random.Random, and nothing iterates
over a set or dict of strings, whose order varies between runs.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import json
import math
import random
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

import phonenumbers

from relapp.db.audit import write_audit
from relapp.db.bulk import BatchWriter, insert_rows
from relapp.db.migrations.m0003_search import SEARCH_TRIGGERS
from relapp.db.models import database
from relapp.db.store.contacts import count_contacts, insert_contacts
from relapp.db.store.demo_shop import (
    insert_entries_and_draws,
    insert_partner_codes,
    insert_plans_and_partners,
    insert_shop_rows,
    insert_survey_answers,
    insert_surveys_and_competitions,
    link_partner_records,
    promote_referrers_to_advocates,
)
from relapp.db.store.engine import identities_follow_ids
from relapp.demo import vocabulary as words
from relapp.demo.listening import Listened, ListeningDesk
from relapp.demo.memberships import MEMBER_REWARDS, PLANS, MemberDesk, would_join
from relapp.demo.partners import PARTNERS, PartnerCodes, partner_rows
from relapp.domain.contacts.phones import national_digits
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.loyalty.rules import TierRule, points_for_purchase, tier_for_spend
from relapp.domain.shop.formats import ShopFormat
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.staff import hash_pin
from relapp.errors import RelappError

DAY = 86_400
HOUR = 3_600
HISTORY_DAYS = 730
# Melbourne is UTC+10 (+11 in summer); a fixed offset keeps opening hours plausible without
# a time-zone database, which the demo does not need to be exact about.
SHOP_UTC_OFFSET = 10 * HOUR
OPENS, CLOSES = 9 * HOUR, 17 * HOUR + 30 * 60
BATCH_CONTACTS = 2_000

SHOP_SETTINGS = {
    "shop_name": "Lantern Lane",
    "phone_region": "AU",
    "currency": "AUD",
    "locale": "en_AU",
    "paper_size": "A4",
    "points_per_unit": 1,
    "points_expiry_months": 24,
    "tier_window_months": 12,
    "welcome_bonus_points": 50,
    "birthday_bonus_points": 100,
    "referral_bonus_points": 100,
}
TIERS = (
    TierRule(1, "Bronze", 0, 100),
    TierRule(2, "Silver", 50_000, 125),
    TierRule(3, "Gold", 150_000, 150),
)
# (name, role, PIN); the PINs are documented in the user guide for trying the demo.
STAFF = (
    ("Maya (owner)", "manager", "1234"),
    ("Sam", "counter", "0000"),
    ("Lee", "counter", "0000"),
)
SEGMENTS = (
    ("VIP customers", {"tags": ["VIP"]}),
    ("Gold tier", {"tiers": ["Gold"]}),
    ("Email newsletter", {"consent": "email"}),
)
# (profile, share, mean days between visits)
PROFILES = (
    ("regular", 12, (7.0, 24.0)),
    ("occasional", 45, (40.0, 120.0)),
    ("lapsed", 20, (30.0, 90.0)),
    ("one_off", 10, (0.0, 0.0)),
    ("prospect", 13, (0.0, 0.0)),
)
CONSENT_METHODS = ("in-store form", "website sign-up", "verbal, at the counter", "QR code sign-up")
SOCIAL_NETWORKS = ("Instagram", "Facebook", "TikTok", "X")

ProgressCallback = Callable[[int, int], bool]
_BULK_TABLES = (
    "contact", "interaction", "points_entry", "preference", "consent", "task", "membership",
    "membership_payment", "survey_response", "survey_answer", "survey_asked",
)  # fmt: skip
# The triggers that sum a balance or find the latest consent seek through these as rows arrive.
_KEEP_INDEXES = ("points_entry_contact", "consent_contact")


class DemoCancelled(RelappError):
    """The user cancelled; the transaction was rolled back and nothing was written."""


@dataclass(frozen=True)
class DemoResult:
    contacts: int
    interactions: int
    points_entries: int


@dataclass
class _Rows:
    """Rows waiting to be written, one list per table, in the column order of _COLUMNS."""

    contact: list[tuple] = field(default_factory=list)
    interaction: list[tuple] = field(default_factory=list)
    points_entry: list[tuple] = field(default_factory=list)
    contact_tag: list[tuple] = field(default_factory=list)
    preference: list[tuple] = field(default_factory=list)
    consent: list[tuple] = field(default_factory=list)
    social_handle: list[tuple] = field(default_factory=list)
    task: list[tuple] = field(default_factory=list)
    # Ledger entries that reverse or name an occasion (a membership's welcome reward).
    welcome_points: list[tuple] = field(default_factory=list)
    membership: list[tuple] = field(default_factory=list)
    membership_payment: list[tuple] = field(default_factory=list)
    # Survey responses, their answers and askings (written after the interactions they name).
    listened: Listened = field(default_factory=Listened)


_COLUMNS = {
    "contact": (
        "id", "kind", "given_name", "family_name", "organisation", "email", "phone",
        "phone_national", "street",
        "locality", "region", "postcode", "country", "birth_year", "birth_month", "birth_day",
        "card_number", "ladder_stage", "referred_by_id", "source", "notes", "created_at",
        "updated_at", "tier_id", "referred_by_partner_id",
    ),
    "interaction": (
        "id", "contact_id", "kind", "direction", "occurred_at", "summary", "details", "network",
        "amount_cents", "feedback_score", "status", "first_response_at", "resolved_at",
        "staff_id", "created_at", "updated_at",
    ),
    "points_entry": (
        "id", "contact_id", "kind", "points", "occurred_at", "expires_at", "interaction_id",
        "reward_id", "staff_id", "reason",
    ),
    "contact_tag": ("contact_id", "tag_id"),
    "preference": ("contact_id", "kind", "value", "created_at"),
    "consent": ("contact_id", "channel", "granted", "occurred_at", "method", "staff_id"),
    "social_handle": ("contact_id", "network", "handle"),
    "task": (
        "id", "contact_id", "interaction_id", "title", "due_at", "staff_id", "done_at",
        "created_at",
    ),
    "welcome_points": (
        "id", "contact_id", "kind", "points", "occurred_at", "expires_at", "interaction_id",
        "reward_id", "staff_id", "reason", "reverses_id", "occasion",
    ),
    "membership": (
        "id", "contact_id", "plan_id", "starts_on", "ends_on", "grace_until", "renewed_from_id",
        "cancelled_at", "created_at", "staff_id",
    ),
    "membership_payment": ("membership_id", "amount_cents", "paid_at", "staff_id"),
}  # fmt: skip
# The lists of _Rows that are not named after their table.
_TABLES = {"welcome_points": "points_entry"}


def generate_demo_shop(
    contacts: int,
    seed: int = 1,
    as_of: date | None = None,
    progress: ProgressCallback | None = None,
) -> DemoResult:
    """Fill an empty database with a demo shop of the given number of contacts.

    Args:
        contacts: how many customers to create (at least 1).
        seed: the random seed; the same seed, size and as_of give the same shop.
        as_of: the last day of the history (default: today, UTC).
        progress: called with (contacts done, total); returning False cancels.

    Raises:
        RelappError: the database already holds contacts.
        DemoCancelled: progress returned False; nothing was written.
    """
    if contacts < 1:
        raise ValueError("a demo shop needs at least one contact")
    existing = count_contacts()
    if existing:
        raise RelappError(
            f"This database already holds {existing:,} contacts; the demo shop fills only an "
            "empty database. Choose a new file with --db."
        )
    now = datetime.now(UTC)
    # Without an explicit date, the history ends now (or at today's closing time if earlier),
    # so nothing is dated in the future; an explicit date makes the shop fully reproducible.
    builder = _DemoBuilder(
        random.Random(seed),
        as_of or now.date(),
        not_after=None if as_of else int(now.timestamp()),
        customers=contacts,
        # Members and partners draw on numbers of their own, so the customers and their
        # visits are those the seed gave before the shop had either; so do the surveys and
        # competitions.
        extra_rng=random.Random(f"members and partners {seed}"),
        listening_rng=random.Random(f"listening {seed}"),
    )
    writer = BatchWriter(
        database,
        _BULK_TABLES,
        begin=builder.write_shop,
        write=_write_rows,
        end=builder.write_finishing_touches,
        keep_indexes=_KEEP_INDEXES,
        full_text={"contact_search": SEARCH_TRIGGERS},
    )
    writer.start()
    done = 0
    try:
        while done < contacts:
            batch = min(BATCH_CONTACTS, contacts - done)
            writer.put(builder.generate_contacts(done + 1, batch))
            done += batch
            if progress is not None and not progress(done, contacts):
                raise DemoCancelled("The demo shop was cancelled; nothing was written.")
        writer.finish()
    except BaseException:
        writer.cancel()
        raise
    return DemoResult(contacts, builder.interaction_id, builder.points_id)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@cache  # a few hundred amounts, each written thousands of times
def _money(cents: int) -> str:
    return ShopFormat(SHOP_SETTINGS["locale"], SHOP_SETTINGS["currency"]).money(cents)


def _stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _add_months(seconds: int, months: int) -> int:
    moment = datetime.fromtimestamp(seconds, UTC)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def _staff_on(moment: int) -> int:
    """Who was at the counter that day: the staff take turns by the day."""
    return 1 + (moment // DAY) % len(STAFF)


class _DemoBuilder:
    def __init__(
        self, rng: random.Random, as_of: date, not_after: int | None = None, *,
        customers: int = 1, extra_rng: random.Random | None = None,
        listening_rng: random.Random | None = None,
    ) -> None:  # fmt: skip
        self.rng = rng
        midnight = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC).timestamp()
        self.today_local_midnight = int(midnight) - SHOP_UTC_OFFSET
        self.end = self.today_local_midnight + CLOSES
        if not_after is not None:
            self.end = min(self.end, not_after)
        self.start = self.today_local_midnight - HISTORY_DAYS * DAY
        self.as_of = as_of
        self.interaction_id = 0
        self.points_id = 0
        self.task_id = 0
        self.partners_used = 0
        self.culture_weights = _cumulative(c.weight for c in words.CULTURES)
        self.profile_weights = _cumulative(p[1] for p in PROFILES)
        self.foreign_templates = _foreign_phone_templates()
        # Redemptions draw only on rewards without stock, so stock levels stay untouched.
        self.unlimited_rewards = sorted(
            ((number, name, cost) for number, (name, _, cost, stock) in enumerate(words.REWARDS, 1)
             if stock is None),
            key=lambda reward: reward[2],
        )  # fmt: skip
        self.expiry_offsets: dict[int, int] = {}
        self.recent_people: deque[tuple[int, str, str, str | None, str | None]] = deque(maxlen=500)
        self.referrers: list[int] = []
        self.campaigns = self._campaign_dates()
        self.extra_rng = extra_rng or random.Random(0)
        self.membership_ids = itertools.count(1)  # handed out as members join and renew
        self.partner_codes = PartnerCodes(
            self.extra_rng, self.start, self.end, customers, self.local_morning
        )
        self.business_ids: dict[str, int] = {}  # the partner businesses among the customers
        self.listening = ListeningDesk(
            listening_rng or random.Random(0), self.end, customers, SHOP_UTC_OFFSET, _stamp,
            _staff_on,
        )  # fmt: skip

    # -- shop-wide rows ---------------------------------------------------------------------

    def write_shop(self) -> None:
        created = _stamp(self.start - 30 * DAY)
        save_settings(**SHOP_SETTINGS, set_up_at=created)
        insert_shop_rows(
            staff=[
                (number, name, role, hash_pin(pin), created)
                for number, (name, role, pin) in enumerate(STAFF, 1)
            ],
            tiers=[(t.id, t.name, t.min_spend_cents, t.multiplier_percent) for t in TIERS],
            rewards=[
                (number, name, description, cost, stock, created)
                for number, (name, description, cost, stock) in enumerate(words.REWARDS, 1)
            ],
            tags=list(enumerate(words.TAGS, 1)),
            segments=[(name, json.dumps(rule), created, created) for name, rule in SEGMENTS],
        )
        insert_plans_and_partners(
            plans=[
                (plan.id, plan.name, plan.fee_cents, plan.length_months, plan.grace_days,
                 plan.points_multiplier_percent, plan.discount_percent, plan.welcome_reward_id,
                 plan.reminder_days, created)
                for plan in PLANS
            ],
            plan_rewards=MEMBER_REWARDS,
            partners=partner_rows(self.end, self.local_morning, self.local_date, _stamp),
            offers=self.partner_codes.offer_rows(_stamp),
        )  # fmt: skip
        listening = self.listening.shop_rows()
        insert_surveys_and_competitions(
            listening.surveys, listening.versions, listening.questions, listening.competitions
        )

    def write_finishing_touches(self) -> None:
        insert_partner_codes(self.partner_codes.voucher_rows(_stamp))
        # A partner that is a customer of the shop too: its record is the partner's own.
        link_partner_records([
            (self.business_ids[partner.name], partner.id)
            for partner in PARTNERS if partner.name in self.business_ids
        ])  # fmt: skip
        self._write_listening()
        identities_follow_ids()  # the ids were the generator's own
        promote_referrers_to_advocates()
        write_audit(
            "demo shop created", "shop", None, {"as_of": self.as_of.isoformat()},
            datetime.fromtimestamp(self.end, UTC), staff_id=1,
        )  # fmt: skip

    def _write_listening(self) -> None:
        """The poll's anonymous answers, the competitions' entries and the draw, once every
        customer and sale is in; the winners' notes numbered after the other history."""
        insert_survey_answers(*self.listening.poll_rows())
        drawn = self.listening.draw_rows()
        insert_entries_and_draws(drawn.entries, drawn.draws, drawn.winners)
        notes = []
        for contact_id, moment, summary, staff in drawn.notes:
            self.interaction_id += 1
            stamp = _stamp(moment)
            notes.append((self.interaction_id, contact_id, "note", None, stamp, summary, "", "",
                          None, None, None, None, None, staff, stamp, stamp))  # fmt: skip
        insert_rows(database, "interaction", _COLUMNS["interaction"], notes)

    # -- contacts and their history ---------------------------------------------------------

    def generate_contacts(self, first_id: int, count: int) -> _Rows:
        rows = _Rows()
        for contact_id in range(first_id, first_id + count):
            self._contact(contact_id, rows)
        return rows

    def _contact(self, contact_id: int, rows: _Rows) -> None:
        rng = self.rng
        culture = words.CULTURES[bisect.bisect(self.culture_weights, rng.random())]
        given, given_latin = rng.choice(culture.given_names)
        family, family_latin = rng.choice(culture.family_names)
        profile, _, (low, high) = PROFILES[bisect.bisect(self.profile_weights, rng.random())]
        organisation, kind = "", "person"
        if contact_id % 500 == 250 and self.partners_used < len(words.PARTNER_BUSINESSES):
            organisation, kind = words.PARTNER_BUSINESSES[self.partners_used], "business"
            self.partners_used += 1
            self.business_ids[organisation] = contact_id

        created = self._created_at(profile)
        email = (
            self._email(given_latin, family_latin, organisation) if rng.random() < 0.78 else None
        )
        phone = self._phone(culture.phone_region) if rng.random() < 0.86 else None
        duplicate = rng.random() < 0.004 and self.recent_people
        if duplicate:
            # The same person enrolled twice, as happens at a busy counter.
            _, given, family, email, phone = rng.choice(self.recent_people)
            if rng.random() < 0.5:
                email = None
        else:
            self.recent_people.append((contact_id, given, family, email, phone))

        referred_by = None
        source = rng.choice(words.SOURCES)
        if self.referrers and rng.random() < 0.08:
            referred_by = rng.choice(self.referrers)
            source = "referral"

        history = _History(self, contact_id, created)
        joining = would_join(profile, self.extra_rng)
        if joining is not None:
            # Members tend to join early on: many have been members for a year or two.
            join_after = created + int(self.extra_rng.random() ** 2 * (self.end - created))
            history.desk = MemberDesk(
                joining, join_after, self.extra_rng, self.membership_ids, SHOP_UTC_OFFSET
            )
        if profile != "prospect":
            history.visits(profile, low, high, coffee_lover=rng.random() < 0.3)
        partner_id = None
        if referred_by is None and history.purchases:
            first = history.purchases[0]
            partner_id = self.partner_codes.came_with_a_code(contact_id, first, _staff_on(first[0]))
            if partner_id is not None:
                source = "partner business"
        history.queries_and_complaints()
        history.outreach(profile, email is not None)
        self.listening.customer(contact_id, created, history.visits_made, history, rows.listened)
        if referred_by is not None:
            self._referral_interaction(referred_by, contact_id, given, family, created, rows)
        if profile in ("regular", "occasional") and len(self.referrers) < 5_000:
            self.referrers.append(contact_id)

        stage = _ladder_stage(kind, history)
        card = card_number_for(contact_id) if (history.purchases or rng.random() < 0.3) else None
        if card is not None:
            history.welcome_bonus()
        birth = self._birthday()
        address = self._address() if rng.random() < 0.6 else ("", "", "", "", "")
        tier = tier_for_spend(history.spend_since(self.end - 365 * DAY), TIERS)
        rows.contact.append(
            (
                contact_id,
                kind,
                given,
                family,
                organisation,
                email,
                phone,
                None if phone is None else national_digits(phone),
                *address,
                *birth,
                card,
                stage,
                referred_by,
                source,
                rng.choice(words.PREFERENCE_NOTES) if rng.random() < 0.04 else "",
                _stamp(created),
                _stamp(max(created, history.last_seen)),
                tier.id,  # Bronze starts at nothing: everyone is in a tier
                partner_id,
            )
        )
        history.flush_into(rows)
        if history.desk is not None:
            memberships, payments = history.desk.rows(contact_id, _stamp, _staff_on)
            rows.membership.extend(memberships)
            rows.membership_payment.extend(payments)
        self._consents(contact_id, created, email, phone, address[0], rows)
        self._tags(contact_id, profile, history, rows)
        self._preferences(contact_id, created, rows)
        if rng.random() < 0.15:
            handle = "@" + (_ascii(given_latin) + "." + _ascii(family_latin))[:24]
            rows.social_handle.append((contact_id, rng.choice(SOCIAL_NETWORKS[:2]), handle))

    def _created_at(self, profile: str) -> int:
        # Regulars have been around longer; prospects are mostly recent.
        span = {"regular": 0.6, "prospect": 1.0}.get(profile, 0.9)
        if profile == "prospect":
            day = HISTORY_DAYS - int(self.rng.triangular(0, HISTORY_DAYS, 0))
        else:
            day = int(self.rng.random() * span * HISTORY_DAYS)
        return self.open_hours(self.start + day * DAY)

    def expiry(self, moment: int) -> int:
        """When points earned at moment expire (the program's months later, same time)."""
        day = moment // DAY
        if day not in self.expiry_offsets:
            months = SHOP_SETTINGS["points_expiry_months"]
            self.expiry_offsets[day] = _add_months(day * DAY, months) - day * DAY
        return moment + self.expiry_offsets[day]

    def moment_since(self, start: int) -> int:
        """A random moment in opening hours between start and the end of the history."""
        moment = self.open_hours(start + int(self.rng.random() * (self.end - start)))
        return min(moment, self.end)

    def local_morning(self, moment: int) -> int:
        """10 in the morning, shop time, on the moment's (local) day."""
        return (moment + SHOP_UTC_OFFSET) // DAY * DAY - SHOP_UTC_OFFSET + 10 * HOUR

    def local_date(self, moment: int) -> str:
        """The moment's day on the shop's calendar, as ISO text."""
        return time.strftime("%Y-%m-%d", time.gmtime(moment + SHOP_UTC_OFFSET))

    def open_hours(self, moment: int) -> int:
        """The moment moved into opening hours on its (local) day."""
        local_day = (moment + SHOP_UTC_OFFSET) // DAY * DAY - SHOP_UTC_OFFSET
        return local_day + OPENS + int(self.rng.random() * (CLOSES - OPENS))

    def _email(self, given: str, family: str, organisation: str) -> str:
        rng = self.rng
        domain = rng.choice(words.EMAIL_DOMAINS)
        if organisation:
            return f"hello@{_ascii(organisation)[:20]}.{domain}"
        given, family = _ascii(given) or "customer", _ascii(family) or "shop"
        style = rng.random()
        if style < 0.5:
            local = f"{given}.{family}"
        elif style < 0.75:
            local = f"{given[0]}{family}"
        else:
            local = f"{given}{rng.randint(1, 99)}"
        return f"{local}@{domain}"

    def _phone(self, region: str) -> str:
        rng = self.rng
        if region != "AU" and rng.random() < 0.15 and region in self.foreign_templates:
            prefix, free_digits = self.foreign_templates[region]
            return prefix + "".join(rng.choice("0123456789") for _ in range(free_digits))
        # Australian mobiles: 04 followed by one of the ranges phonenumbers accepts.
        return "+614" + rng.choice("01236") + f"{rng.randrange(10_000_000):07d}"

    def _birthday(self) -> tuple[int | None, int | None, int | None]:
        rng = self.rng
        if rng.random() >= 0.6:
            return (None, None, None)
        month = rng.randint(1, 12)
        day = rng.randint(1, calendar.monthrange(2001, month)[1])
        year = self.as_of.year - rng.randint(18, 82) if rng.random() < 0.7 else None
        return (year, month, day)

    def _address(self) -> tuple[str, str, str, str, str]:
        rng = self.rng
        suburb, postcode = rng.choice(words.SUBURBS)
        street = f"{rng.randint(1, 240)} {rng.choice(words.STREETS)}"
        if rng.random() < 0.25:
            street = f"{rng.randint(1, 30)}/{street}"
        return (street, suburb, "VIC", postcode, "AU")

    def _consents(
        self, contact_id: int, created: int, email: str | None, phone: str | None, street: str, rows
    ) -> None:
        rng = self.rng
        offered = (
            ("email", email is not None, 0.6),
            ("sms", phone is not None, 0.35),
            ("phone", phone is not None, 0.2),
            ("post", bool(street), 0.1),
        )
        for channel, reachable, share in offered:
            if not reachable or rng.random() >= share:
                continue
            method = rng.choice(CONSENT_METHODS)
            rows.consent.append((contact_id, channel, 1, _stamp(created), method, 2))
            if rng.random() < 0.08:
                withdrawn = created + int(rng.random() * (self.end - created))
                reason = "unsubscribe link" if channel == "email" else "asked at the counter"
                rows.consent.append((contact_id, channel, 0, _stamp(withdrawn), reason, None))

    def _tags(self, contact_id: int, profile: str, history: _History, rows: _Rows) -> None:
        rng = self.rng
        tag_ids: list[int] = []
        if profile == "regular" and history.total_spend > 150_000:
            tag_ids.append(words.TAGS.index("VIP") + 1)
        if history.coffee_visits >= 10:
            tag_ids.append(words.TAGS.index("coffee regular") + 1)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            tag_id = rng.randrange(len(words.TAGS)) + 1
            if tag_id not in tag_ids:
                tag_ids.append(tag_id)
        rows.contact_tag.extend((contact_id, tag_id) for tag_id in tag_ids)

    def _preferences(self, contact_id: int, created: int, rows: _Rows) -> None:
        rng = self.rng
        stamp = _stamp(created)
        if rng.random() < 0.5:
            for like in rng.sample(words.LIKES, rng.randint(1, 3)):
                rows.preference.append((contact_id, "like", like, stamp))
        if rng.random() < 0.2:
            rows.preference.append((contact_id, "dislike", rng.choice(words.DISLIKES), stamp))
        if rng.random() < 0.3:
            for size in rng.sample(words.SIZES, rng.randint(1, 2)):
                rows.preference.append((contact_id, "size", size, stamp))
        if rng.random() < 0.05:
            rows.preference.append((contact_id, "note", rng.choice(words.PREFERENCE_NOTES), stamp))

    def _referral_interaction(
        self, referrer: int, contact_id: int, given: str, family: str, created: int, rows: _Rows
    ) -> None:
        self.interaction_id += 1
        stamp = _stamp(created)
        rows.interaction.append(
            (self.interaction_id, referrer, "referral", None, stamp, f"Referred {given} {family}",
             f"contact #{contact_id}", "", None, None, None, None, None, 2, stamp, stamp)
        )  # fmt: skip

    def _campaign_dates(self) -> list[tuple[int, str]]:
        count = len(words.CAMPAIGN_NAMES)
        step = HISTORY_DAYS // (count + 1)
        return [
            (self.start + (number + 1) * step * DAY + 10 * HOUR - SHOP_UTC_OFFSET, name)
            for number, name in enumerate(words.CAMPAIGN_NAMES)
        ]


class _History:
    """One contact's interactions and ledger, generated in time order."""

    def __init__(self, builder: _DemoBuilder, contact_id: int, created: int) -> None:
        self.builder = builder
        self.rng = builder.rng
        self.contact_id = contact_id
        self.created = created
        self.last_seen = created
        self.interactions: list[tuple] = []
        self.points: list[tuple] = []
        self.tasks: list[tuple] = []
        self.purchases: list[tuple[int, int]] = []  # (moment, amount_cents)
        self.total_spend = 0
        self.coffee_visits = 0
        self.feedback_scores: list[int] = []
        self.balance = 0
        # Purchases in the last 365 days before the one being recorded, for its tier.
        self.tier_window: deque[tuple[int, int]] = deque()
        self.window_spend = 0
        self.desk: MemberDesk | None = None  # a customer who will join a plan
        self.welcome_points: list[tuple] = []
        # Every visit in time order: (moment, the purchase's interaction id or None).
        self.visits_made: list[tuple[int, int | None]] = []

    def visits(self, profile: str, low: float, high: float, coffee_lover: bool) -> None:
        rng, builder = self.rng, self.builder
        end = builder.end
        if profile == "one_off":
            self._visit(self.created, coffee_lover)
            return
        mean_gap = (low + rng.random() * (high - low)) * DAY
        stop = end
        if profile == "lapsed":
            stop = self.created + int(rng.random() * max(30 * DAY, end - 150 * DAY - self.created))
        elif profile == "regular" and rng.random() < 0.12:
            # A regular who is drifting away: the Today view should notice.
            stop = end - int((45 + rng.random() * 90) * DAY)
        moment = self.created
        while moment <= stop:
            self._visit(moment, coffee_lover)
            moment = builder.open_hours(moment + int(mean_gap * (0.4 + 1.2 * rng.random())))

    def _visit(self, moment: int, coffee_lover: bool) -> None:
        rng = self.rng
        self.last_seen = max(self.last_seen, moment)
        if rng.random() < 0.15:
            self._add("visit", None, moment, "Browsed, no purchase")
            self.visits_made.append((moment, None))
            if self.desk is not None:
                self.desk.visit(moment, False, self)
            return
        if rng.random() < (0.7 if coffee_lover else 0.2):
            summary = rng.choice(_COFFEE_SUMMARIES)
            amount = rng.choice((450, 520, 950, 1280, 1550, 1890))
            self.coffee_visits += 1
        else:
            summary = rng.choice(_RETAIL_SUMMARIES)
            dollars = min(900, max(12, int(math.exp(rng.gauss(4.2, 0.6)))))
            amount = dollars * 100 + rng.choice((0, 0, 50, 95))
        if self.desk is not None:  # joining or renewing first, then the sale at their rate
            self.desk.visit(moment, True, self)
        interaction_id = self._add("purchase", None, moment, summary, amount=amount)
        self.visits_made.append((moment, interaction_id))
        self._earn(interaction_id, moment, amount)
        if rng.random() < 0.06:
            self._feedback(moment + DAY // 2)

    def _earn(self, interaction_id: int, moment: int, amount: int) -> None:
        rng, builder = self.rng, self.builder
        window = self.tier_window
        while window and window[0][0] < moment - 365 * DAY:
            self.window_spend -= window.popleft()[1]
        tier = tier_for_spend(self.window_spend, TIERS)
        window.append((moment, amount))
        self.window_spend += amount
        self.purchases.append((moment, amount))
        self.total_spend += amount
        member = None if self.desk is None else self.desk.member_rate(moment)
        points = points_for_purchase(
            amount, 1, tier.multiplier_percent, 100 if member is None else member[1]
        )
        if points > 0:
            reason = f"Purchase of {_money(amount)}"  # as the counter writes it
            if member is not None:
                reason += f" ({member[0]} member: points ×{member[1] / 100:g})"
            self._ledger(
                "earn", points, moment, builder.expiry(moment), interaction_id, None, reason
            )
        rewards = builder.unlimited_rewards
        if rewards[0][2] <= self.balance and rng.random() < 0.12:
            affordable = [reward for reward in rewards if reward[2] <= self.balance]
            reward_id, name, cost = rng.choice(affordable)
            self._ledger("redeem", -cost, moment + 60, None, None, reward_id, f"Redeemed: {name}")

    def note(self, moment: int, summary: str) -> None:
        """A note in the history (a membership joined, renewed or cancelled)."""
        self._add("note", None, moment, summary)

    def welcome(self, moment: int, membership_id: int, plan: str, reward_id: int) -> None:
        """A plan's welcome reward, as relapp.domain.memberships.members gives it: a bonus of
        its cost and its redemption at once, reversing that bonus (the balance unchanged)."""
        builder = self.builder
        name, _description, cost, _stock = words.REWARDS[reward_id - 1]
        stamp, staff = _stamp(moment), _staff_on(moment)
        builder.points_id += 1
        bonus = builder.points_id
        builder.points_id += 1
        self.welcome_points += [
            (bonus, self.contact_id, "bonus", cost, stamp, None, None, None, staff,
             f"Membership welcome: {name} ({plan})", None, f"membership welcome #{membership_id}"),
            (builder.points_id, self.contact_id, "redeem", -cost, stamp, None, None, reward_id,
             staff, f"Redeemed: {name} (membership welcome)", bonus, None),
        ]  # fmt: skip

    def welcome_bonus(self) -> None:
        # Written last but dated at enrolment; a positive entry never overdraws the ledger.
        self._ledger(
            "bonus", SHOP_SETTINGS["welcome_bonus_points"], self.created,
            self.builder.expiry(self.created), None, None,
            "Welcome bonus",
        )  # fmt: skip

    def inbound(
        self, kind: str, moment: int, summary: str, *, details: str = "",
        score: int | None = None, status: str | None = None,
        first_response: int | None = None, resolved: int | None = None,
    ) -> int:  # fmt: skip
        """An inbound entry relapp.demo.listening writes (a survey's feedback, a complaint)."""
        return self._add(
            kind, "inbound", moment, summary, details=details, score=score, status=status,
            first_response=first_response, resolved=resolved,
        )  # fmt: skip

    def _feedback(self, moment: int) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.7:
            score, comment = rng.randint(8, 10), rng.choice(words.FEEDBACK_PRAISE)
        elif roll < 0.9:
            score, comment = rng.randint(5, 7), rng.choice(words.FEEDBACK_NEUTRAL)
        else:
            score, comment = rng.randint(0, 4), rng.choice(words.FEEDBACK_CRITICAL)
        if moment < self.builder.end:
            self.feedback_scores.append(score)
            self._add("feedback", "inbound", moment, comment, score=score)

    def queries_and_complaints(self) -> None:
        rng, end = self.rng, self.builder.end
        asks = (
            ("query", 0.08, words.QUERY_SUBJECTS),
            ("complaint", 0.03 if self.purchases else 0.0, words.COMPLAINT_SUBJECTS),
        )
        for kind, chance, subjects in asks:
            if rng.random() >= chance:
                continue
            moment = self.builder.moment_since(self.created)
            age = end - moment
            still_open = rng.random() < (0.7 if age < 3 * DAY else 0.03)
            first_response = None
            if not still_open or rng.random() < 0.4:
                first_response = moment + int((0.2 + rng.random() * 30) * HOUR)
            resolved = None
            if not still_open:
                resolved = (first_response or moment) + int(rng.random() * 72 * HOUR)
            if first_response is not None and first_response > end:
                first_response = None
            if resolved is not None and resolved > end:
                still_open, resolved = True, None
            details = rng.choice(words.RESPONSES) if first_response else ""
            interaction_id = self._add(
                kind,
                "inbound",
                moment,
                rng.choice(subjects),
                details=details,
                status="open" if still_open else "resolved",
                first_response=first_response,
                resolved=resolved,
            )
            if still_open and rng.random() < 0.5:
                self._task(interaction_id, moment, "Reply to: " + rng.choice(subjects)[:60])

    def outreach(self, profile: str, has_email: bool) -> None:
        rng, builder = self.rng, self.builder
        if has_email:
            for moment, name in builder.campaigns:
                if moment > self.created and rng.random() < 0.3:
                    self._add("campaign", "outbound", moment, name, details="Email campaign")
        if profile == "regular":
            for _ in range(rng.randint(0, 3)):
                moment = builder.moment_since(self.created)
                kind = rng.choice(("call", "message", "email"))
                summary = rng.choice(
                    {"call": words.CALL_SUMMARIES, "message": words.MESSAGE_SUMMARIES,
                     "email": words.EMAIL_SUBJECTS}[kind]
                )  # fmt: skip
                self._add(kind, "outbound", moment, summary)
        if rng.random() < 0.1:
            moment = builder.moment_since(self.created)
            network = rng.choice(SOCIAL_NETWORKS)
            self._add("social", "inbound", moment, "Commented on our post", network=network)
        if rng.random() < 0.05:
            self._add("note", None, self.last_seen, rng.choice(words.PREFERENCE_NOTES))
        if self.purchases and rng.random() < 0.04:
            due = builder.end + int((rng.random() * 20 - 10) * DAY)
            self._task(None, self.last_seen, rng.choice(words.TASK_TITLES), due=due)

    def spend_since(self, moment: int) -> int:
        return sum(amount for when, amount in self.purchases if when >= moment)

    def _add(
        self,
        kind: str,
        direction: str | None,
        moment: int,
        summary: str,
        *,
        details: str = "",
        network: str = "",
        amount: int | None = None,
        score: int | None = None,
        status: str | None = None,
        first_response: int | None = None,
        resolved: int | None = None,
    ) -> int:
        builder = self.builder
        builder.interaction_id += 1
        stamp = _stamp(moment)
        staff = 1 + (moment // DAY) % len(STAFF)
        self.interactions.append(
            (
                builder.interaction_id,
                self.contact_id,
                kind,
                direction,
                stamp,
                summary,
                details,
                network,
                amount,
                score,
                status,
                None if first_response is None else _stamp(first_response),
                None if resolved is None else _stamp(resolved),
                staff,
                stamp,
                stamp,
            )
        )
        if direction != "outbound":
            self.last_seen = max(self.last_seen, moment)
        return builder.interaction_id

    def _ledger(
        self,
        kind: str,
        points: int,
        moment: int,
        expires: int | None,
        interaction_id: int | None,
        reward_id: int | None,
        reason: str,
    ) -> None:
        builder = self.builder
        builder.points_id += 1
        self.balance += points
        self.points.append(
            (
                builder.points_id,
                self.contact_id,
                kind,
                points,
                _stamp(moment),
                None if expires is None else _stamp(expires),
                interaction_id,
                reward_id,
                1 + (moment // DAY) % len(STAFF),
                reason,
            )
        )

    def _task(self, interaction_id: int | None, created: int, title: str, due: int | None = None):
        builder, rng = self.builder, self.rng
        builder.task_id += 1
        due = due if due is not None else created + DAY
        done = None
        if due < builder.end and rng.random() < 0.4:
            done = _stamp(min(builder.end, due + int(rng.random() * DAY)))
        self.tasks.append(
            (builder.task_id, self.contact_id, interaction_id, title, _stamp(due),
             1 + builder.task_id % len(STAFF), done, _stamp(created))
        )  # fmt: skip

    def flush_into(self, rows: _Rows) -> None:
        rows.interaction.extend(self.interactions)
        rows.points_entry.extend(self.points)
        rows.task.extend(self.tasks)
        rows.welcome_points.extend(self.welcome_points)


def _write_rows(rows: _Rows) -> None:
    for name, columns in _COLUMNS.items():
        if name == "contact":  # every contact goes in through the store's one way
            insert_contacts(columns, rows.contact)
        else:
            insert_rows(database, _TABLES.get(name, name), columns, getattr(rows, name))
    listened = rows.listened
    insert_survey_answers(listened.responses, listened.answers, listened.asked)


def _ladder_stage(kind: str, history: _History) -> str:
    if kind == "business":
        return "partner"
    purchases = len(history.purchases)
    if purchases == 0:
        return "prospect"
    if purchases < 3:
        return "customer"
    scores = history.feedback_scores
    if purchases >= 20 or (scores and sum(scores) / len(scores) >= 8):
        return "supporter"
    return "client"


def _cumulative(weights) -> list[float]:
    weights = list(weights)
    total = sum(weights)
    running, cumulative = 0.0, []
    for weight in weights:
        running += weight
        cumulative.append(running / total)
    cumulative[-1] = 1.0 + 1e-9  # bisect never runs off the end
    return cumulative


def _foreign_phone_templates() -> dict[str, tuple[str, int]]:
    """For each culture's home country: an E.164 prefix from a valid example mobile, and how
    many trailing digits may vary while keeping it valid."""
    templates = {}
    for culture in words.CULTURES:
        region = culture.phone_region
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        templates[region] = (e164[:-4], 4)
    return templates


_COFFEE_SUMMARIES = tuple(text for text, kind in words.PURCHASE_SUMMARIES if kind == "coffee")
_RETAIL_SUMMARIES = tuple(text for text, kind in words.PURCHASE_SUMMARIES if kind == "retail")
