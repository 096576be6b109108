"""What the counter shows about one customer, gathered in a few indexed queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from relapp.db.fields import parse_timestamp
from relapp.db.store import profiles as profile_store
from relapp.domain import clock
from relapp.domain.contacts.naming import display_name, initials
from relapp.domain.contacts.rhythm import ContactPressure, contact_pressure
from relapp.domain.shop.settings import load_settings
from relapp.domain.terms import CONSENT_CHANNELS
from relapp.domain.timeline.history import is_overdue

BIRTHDAY_SOON_DAYS = 7


@dataclass(frozen=True)
class OpenCase:
    id: int
    kind: str  # query or complaint
    summary: str
    opened_at: datetime
    overdue: bool  # open longer than the shop's response target


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    title: str
    due_at: datetime
    overdue: bool  # its due moment has passed


@dataclass(frozen=True)
class CustomerProfile:
    id: int
    name: str
    given_name: str
    family_name: str
    ladder_stage: str
    tier: str | None
    points_balance: int
    card_number: str | None
    phone: str | None
    email: str | None
    archived: bool
    visits: int  # visits and purchases
    last_visit: datetime | None
    open_cases: tuple[OpenCase, ...]
    follow_ups: tuple[OpenFollowUp, ...]  # tasks not done, soonest due first
    contact_pressure: ContactPressure  # outbound contacts in 30 days against the cap
    likes: tuple[str, ...]
    dislikes: tuple[str, ...]
    sizes: tuple[str, ...]
    # channel -> True (granted), False (withdrawn), None (never asked)
    consent: dict[str, bool | None]
    birthday: tuple[int | None, int, int] | None  # (year or None, month, day)
    days_to_birthday: int | None

    @property
    def initials(self) -> str:
        return initials(self.given_name, self.family_name) or self.name[:1].upper()


class ContactNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CustomerClues:
    """What tells two customers of the same name apart at a glance."""

    phone: str | None  # E.164
    email: str | None
    card_number: str | None
    last_visit: datetime | None  # the latest visit or purchase


def customer_clues(contact_ids: Iterable[int]) -> dict[int, CustomerClues]:
    """The clues of these contacts, in one query (the visit from contact_rhythm, schema 7)."""
    rows = profile_store.contact_clue_rows(contact_ids)
    return {
        contact_id: CustomerClues(
            phone, email, card, parse_timestamp(last_visit) if last_visit else None
        )
        for contact_id, phone, email, card, last_visit in rows
    }


def customer_profile(contact_id: int, today: date | None = None) -> CustomerProfile:
    today = today or date.today()
    row = profile_store.profile_contact_row(contact_id)
    if row is None:
        raise ContactNotFound(f"No customer with number {contact_id}.")
    (_, kind, given, family, organisation, stage, tier, points, card, phone, email, archived,
     birth_year, birth_month, birth_day) = row  # fmt: skip
    visits, last_visit = profile_store.visit_count_and_last(contact_id)
    now = clock.utc_now()
    target = load_settings().response_target_hours
    cases = tuple(
        OpenCase(
            case_id,
            case_kind,
            summary,
            parse_timestamp(opened),
            is_overdue("open", parse_timestamp(opened), now, target),
        )
        for case_id, case_kind, summary, opened in profile_store.open_case_rows(contact_id)
    )
    preferences: dict[str, list[str]] = {"like": [], "dislike": [], "size": []}
    for kind_, value in profile_store.preference_rows(contact_id):
        preferences.get(kind_, []).append(value)
    birthday = (birth_year, birth_month, birth_day) if birth_month and birth_day else None
    return CustomerProfile(
        id=contact_id,
        name=display_name(kind, given, family, organisation),
        given_name=given,
        family_name=family,
        ladder_stage=stage,
        tier=tier,
        points_balance=points,
        card_number=card,
        phone=phone,
        email=email,
        archived=archived is not None,
        visits=visits,
        last_visit=parse_timestamp(last_visit) if last_visit else None,
        open_cases=cases,
        follow_ups=tuple(
            OpenFollowUp(task_id, title, parse_timestamp(due), parse_timestamp(due) < now)
            for task_id, title, due in profile_store.open_task_rows(contact_id)
        ),
        contact_pressure=contact_pressure(contact_id, now),
        likes=tuple(preferences["like"]),
        dislikes=tuple(preferences["dislike"]),
        sizes=tuple(preferences["size"]),
        consent=current_consent(contact_id),
        birthday=birthday,
        days_to_birthday=(
            days_until(birth_month, birth_day, today) if birth_month and birth_day else None
        ),
    )


def current_consent(contact_id: int) -> dict[str, bool | None]:
    """Each channel's state: the latest event in the consent log decides."""
    state: dict[str, bool | None] = dict.fromkeys(CONSENT_CHANNELS)
    for event in profile_store.consent_events(contact_id):
        state[event.channel] = event.granted
    return state


def days_until(month: int, day: int, today: date) -> int:
    """Days from today to the next occurrence of a birthday (0 on the day itself).

    A 29 February birthday is kept on 28 February in years without one.
    """
    for year in (today.year, today.year + 1):
        try:
            next_birthday = date(year, month, day)
        except ValueError:
            next_birthday = date(year, 2, 28)
        if next_birthday >= today:
            return (next_birthday - today).days
    raise AssertionError("unreachable: a birthday comes within a year")
