"""Money as typed by people and shown to them; stored as integer minor units (cents)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

MAX_AMOUNT_CENTS = 100_000_000  # 1,000,000.00: a counter sale above this is a typing slip
EXAMPLE = "Type the amount like 12.50 or 12,50."

# Thousands separators are read only where nothing else could be meant: groups of three
# after one to three digits, then a decimal part with the other separator (1,250.00,
# 1.250,00), or two or more of the same separator (1,000,000). "1,250" alone could be
# 1,250.00 or 1.25, so it is refused rather than guessed.
_GROUPED = re.compile(
    r"(?P<head>[0-9]{1,3})(?P<groups>(?P<sep>[.,])[0-9]{3}(?:(?P=sep)[0-9]{3})*)"
    r"(?:(?!(?P=sep))[.,](?P<decimals>[0-9]*))?"
)


def parse_amount(text: str) -> int:
    """Cents from what a person typed: "12.50", "12,50", "$12.50", "1,234.50" or "12".

    What could be read two ways is refused, never guessed: a space inside the number
    ("12 50"), separators that do not group thousands ("1,2,3"), and one separator followed
    by three digits ("1,250": 1,250.00 or 1.25?).

    Raises:
        ValueError: with a sentence for the user.
    """
    shown = repr(text.strip())
    number = text.strip()
    negative = number.startswith("-")
    number = number.removeprefix("-").strip()
    # One currency sign, before or after the number: $12.50, 12,50 €, € 7,5.
    if number and _is_currency(number[0]):
        number = number[1:].strip()
    elif number and _is_currency(number[-1]):
        number = number[:-1].strip()
    if not number or any(ch not in "0123456789.," and not ch.isspace() for ch in number):
        raise ValueError(f"{shown} is not an amount of money.")
    if not any(ch.isdigit() for ch in number):
        raise ValueError(f"{shown} is not an amount of money.")
    if any(ch.isspace() for ch in number):
        raise ValueError(f"{shown} has a space inside, so it could be read two ways. {EXAMPLE}")
    amount = _decimal(number, shown)
    if negative or amount <= 0:
        raise ValueError("An amount must be more than zero.")
    if amount > Decimal(MAX_AMOUNT_CENTS) / 100:
        raise ValueError(f"{shown} is more than {format_amount(MAX_AMOUNT_CENTS)}.")
    return int(amount * 100)


def _decimal(number: str, shown: str) -> Decimal:
    """The value of digits with at most one decimal separator, or thousands grouped as
    _GROUPED reads them."""
    separators = sum(1 for ch in number if ch in ".,")
    if separators <= 1:
        whole, _, decimals = number.replace(",", ".").partition(".")
        if len(decimals) == 3 and whole:
            raise ValueError(
                f"{shown} could be read two ways: {whole},{decimals}.00 or {whole}.{decimals}. "
                f"{EXAMPLE}"
            )
    else:
        grouped = _GROUPED.fullmatch(number)
        if grouped is None:
            raise ValueError(f"{shown} could be read several ways. {EXAMPLE}")
        whole = grouped["head"] + grouped["groups"].replace(grouped["sep"], "")
        decimals = grouped["decimals"] or ""
    if len(decimals) > 2:
        raise ValueError(f"{shown} has more than two decimals.")
    return Decimal(f"{whole or 0}.{decimals or 0}")


def format_amount(cents: int) -> str:
    """Cents as plain text with two decimals (views use the shop's locale instead)."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{fraction:02d}"


def _is_currency(ch: str) -> bool:
    return unicodedata.category(ch) == "Sc"
