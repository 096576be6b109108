"""Enrolling a new customer at the counter: a few fields, checked, with a duplicate warning."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import cast

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store import contacts
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.fields import (
    InvalidContact,
    ProblemCollector,
    clean_card,
    clean_email,
    clean_name,
    clean_phone,
)
from relapp.domain.contacts.naming import person_name
from relapp.domain.contacts.profiles import CustomerClues, customer_clues
from relapp.domain.contacts.search import search_contacts
from relapp.domain.loyalty.cards import CARD_BODY_DIGITS, SHOP_CARD_PREFIX, card_number_for
from relapp.domain.loyalty.points import grant_welcome_bonus
from relapp.errors import RelappError

SIMILAR_NAME_RATIO = 0.88
NAME_CANDIDATES = 40  # per name part; a common given name alone matches thousands


@dataclass(frozen=True)
class NewContact:
    given_name: str = ""
    family_name: str = ""
    phone: str = ""
    email: str = ""
    card_number: str = ""  # empty: the shop issues the next number


@dataclass(frozen=True)
class CleanContact:
    given_name: str
    family_name: str
    phone: str | None  # E.164
    phone_national: str | None
    email: str | None
    card_number: str | None


@dataclass(frozen=True)
class Duplicate:
    id: int
    name: str
    reason: str  # "same phone", "same email", "same name", "similar name"
    clues: CustomerClues | None = None  # what tells them apart: phone, email, card, last visit


@dataclass(frozen=True)
class Enrolment:
    contact_id: int
    card_number: str
    change: Change = field(repr=False)


def clean_new_contact(new: NewContact, phone_region: str) -> CleanContact:
    """The fields as they will be stored, or InvalidContact naming every problem."""
    checks = ProblemCollector()
    given = checks.check("given_name", clean_name, new.given_name) or ""
    family = checks.check("family_name", clean_name, new.family_name) or ""
    if not given and not family and not checks.problems:
        checks.add("given_name", "Enter a name.")
    phone = checks.check("phone", clean_phone, new.phone, phone_region)
    email = checks.check("email", clean_email, new.email)
    card = checks.check("card_number", clean_card, new.card_number)
    checks.raise_if_any()
    return CleanContact(
        given,
        family,
        phone.e164 if phone else None,
        phone.national_digits if phone else None,
        email,
        card,
    )


def likely_duplicates(contact: CleanContact, limit: int = 5) -> list[Duplicate]:
    """Existing customers who may be this one: same phone, same email or a very similar name."""
    found: dict[int, Duplicate] = {}

    def add(rows: Iterable[tuple[int, str, str]], reason: str) -> None:
        for contact_id, given, family in rows:
            found.setdefault(contact_id, Duplicate(contact_id, person_name(given, family), reason))

    if contact.phone:
        add(contacts.unerased_with_phone(contact.phone), "same phone")
    if contact.email:
        add(contacts.unerased_with_email(contact.email), "same email")
    typed = person_name(contact.given_name, contact.family_name).casefold()
    wanted = _fold(f"{contact.given_name} {contact.family_name}")
    for candidate_id in _name_candidates(contact):
        # A search hit is a contact that exists.
        given, family = cast("tuple[str, str]", contacts.given_and_family_name(candidate_id))
        if person_name(given, family).casefold() == typed:  # spelt the same: say so
            add([(candidate_id, given, family)], "same name")
        elif difflib.SequenceMatcher(None, wanted, _fold(f"{given} {family}")).ratio() >= (
            SIMILAR_NAME_RATIO
        ):
            add([(candidate_id, given, family)], "similar name")
    shown = list(found.values())[:limit]
    clues = customer_clues(duplicate.id for duplicate in shown)
    return [replace(duplicate, clues=clues.get(duplicate.id)) for duplicate in shown]


def enrol(contact: CleanContact, staff_id: int | None = None) -> Enrolment:
    """Create the customer, issuing the next shop card if none was scanned."""
    now = utc_now()
    for _attempt in range(3):
        card = contact.card_number or next_card_number()
        try:
            with database.atomic():
                contact_id = contacts.insert_contact({
                    "given_name": contact.given_name,
                    "family_name": contact.family_name,
                    "phone": contact.phone,
                    "phone_national": contact.phone_national,
                    "email": contact.email,
                    "card_number": card,
                    "source": "counter",
                    "created_at": format_timestamp(now),
                    "updated_at": format_timestamp(now),
                })  # fmt: skip
                write_audit(
                    "contact enrolled",
                    "contact",
                    contact_id,
                    {"card_number": card},
                    now,
                    staff_id,
                )
        except IntegrityError:
            if contact.card_number:
                raise InvalidContact(
                    {"card_number": f"Card {card} already belongs to another customer."}
                ) from None
            continue  # another counter issued the same number a moment ago: take the next
        change = Change.of(Entity.CONTACTS, contact_ids=frozenset({contact_id}))
        # The program's welcome bonus, if it gives one: the new customer's first points.
        welcome = grant_welcome_bonus(contact_id)
        return Enrolment(contact_id, card, Change.union(change, welcome) if welcome else change)
    raise RelappError("Could not issue a new card number; please try again.")


def next_card_number() -> str:
    """The shop's next card number: one past the highest it has issued."""
    length = len(SHOP_CARD_PREFIX) + CARD_BODY_DIGITS + 1
    highest = contacts.highest_card_number(SHOP_CARD_PREFIX, length)
    sequence = int(highest[len(SHOP_CARD_PREFIX) : -1]) if highest else 0
    return card_number_for(sequence + 1)


def _name_candidates(contact: CleanContact) -> list[int]:
    """Contacts sharing a name part: search is by prefix, so "OBrien" misses "O'Brien" and
    "Zoe O'Brian" misses "Zoë O'Brien" unless each part is also looked up on its own."""
    queries = [f"{contact.given_name} {contact.family_name}", contact.family_name]
    queries.append(contact.given_name)
    seen: dict[int, None] = {}
    for query in queries:
        if query.strip():
            for hit in search_contacts(query, limit=NAME_CANDIDATES, include_archived=True):
                seen.setdefault(hit.id)
    return list(seen)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() or ch == " ")
