"""Checking what a person typed into a contact's fields, before anything is stored.

Each cleaner returns the value as it will be stored, or raises ValueError with a sentence for
the user. InvalidContact gathers the sentences of every field at once, so a form can mark them
all instead of one per attempt.
"""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Callable
from typing import Any

from email_validator import EmailNotValidError, validate_email

from relapp.db.store.contacts import card_holder
from relapp.domain.contacts.phones import Phone, parse_phone
from relapp.errors import RelappError, excerpt

MAX_NAME_LENGTH = 100
MAX_TEXT_LENGTH = 10_000
CARD_LENGTHS = range(4, 33)
# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROLS_AS_SPACES = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")


class InvalidContact(RelappError):
    """Some fields are wrong; problems maps each field name to a sentence."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def clean_name(text: str) -> str:
    """A name with runs of spaces folded, in composed Unicode form (so é is one character)."""
    # Control characters (NUL, escape, bell) separate like spaces: a NUL cuts text short in C.
    name = " ".join(unicodedata.normalize("NFC", text.translate(_CONTROLS_AS_SPACES)).split())
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"A name can have at most {MAX_NAME_LENGTH} characters.")
    return name


def clean_text(text: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """Free text (notes, preferences) kept as typed, but without NULs and within a limit."""
    text = unicodedata.normalize("NFC", text.replace("\x00", "")).strip()
    if len(text) > limit:
        raise ValueError(f"This text is too long: at most {limit:,} characters.")
    return text


def clean_phone(text: str, region: str) -> Phone | None:
    """The number in E.164 (typed without +country it is read in the shop's region)."""
    return parse_phone(text, region) if text.strip() else None


def clean_email(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"{excerpt(text)} is not an email address: {error}") from None


def clean_card(text: str, contact_id: int | None = None) -> str | None:
    """A card number: digits only, not held by another contact."""
    card = "".join(text.split())
    if not card:
        return None
    # isascii: str.isdigit() also accepts ٣ and ², which the schema's check refuses.
    if not (card.isascii() and card.isdigit() and len(card) in CARD_LENGTHS):
        raise ValueError("A card number is 4 to 32 digits.")
    holder = card_holder(card)
    if holder is not None and holder != contact_id:
        raise ValueError(f"Card {card} already belongs to another customer.")
    return card


def clean_birthday(
    year: int | None, month: int | None, day: int | None
) -> tuple[int | None, int | None, int | None]:
    """A birthday with or without a year; no month and day means none at all."""
    if not month and not day:
        if year:
            raise ValueError("A birthday needs a day and a month.")
        return None, None, None
    if not (month and day and 1 <= month <= 12):
        raise ValueError("A birthday needs a day and a month.")
    # Without a year, 29 February is allowed: it exists in leap years.
    days_in_month = calendar.monthrange(year or 2000, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueError(f"{calendar.month_name[month]} has no day {day}.")
    if year is not None and not 1900 <= year <= 2100:
        raise ValueError("A birth year must be between 1900 and 2100.")
    return year, month, day


class ProblemCollector:
    """Runs cleaners and gathers their sentences by field; raise_if_any() ends the check."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def check(self, field: str, cleaner: Callable[..., Any], *args: Any) -> Any:
        """cleaner(*args), or None after noting its ValueError as field's problem."""
        try:
            return cleaner(*args)
        except ValueError as error:
            self.problems[field] = str(error)
            return None

    def add(self, field: str, sentence: str) -> None:
        self.problems.setdefault(field, sentence)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidContact(self.problems)
