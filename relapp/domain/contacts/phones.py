"""Phone numbers: parsed with Google's libphonenumber, stored as E.164."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from relapp.errors import excerpt


@dataclass(frozen=True)
class Phone:
    e164: str  # +61412345678: what is stored and dialled from abroad
    national_digits: str  # 0412345678: what people type at the counter


def parse_phone(text: str, default_region: str) -> Phone:
    """Parse what a person typed, in the shop's region unless it starts with +country.

    Raises:
        ValueError: with a sentence for the user, if it is not a valid phone number.
    """
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{excerpt(text)} is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{excerpt(text)} is not a valid phone number for its country.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, _national_digits(number))  # parsed once: imports parse thousands


def national_digits(e164: str) -> str:
    """The digits of a stored number as written at home, trunk prefix included."""
    return _national_digits(phonenumbers.parse(e164, None))


def _national_digits(number: phonenumbers.PhoneNumber) -> str:
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def display_phone(e164: str) -> str:
    """A stored number in international format for showing: +61 412 345 678."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
