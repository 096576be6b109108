"""Money as typed by people and shown to them; stored as integer minor units (cents)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

MAX_AMOUNT_CENTS = 100_000_000  # 1,000,000.00: a counter sale above this is a typing slip


def parse_amount(text: str) -> int:
    """Cents from what a person typed: "12.50", "12,50", "$12.50", "1,234.50" or "12".

    Raises:
        ValueError: with a sentence for the user.
    """
    stray = [ch for ch in text if not (ch in "0123456789.,-" or ch.isspace() or _is_currency(ch))]
    if stray:
        raise ValueError(f"{text.strip()!r} is not an amount of money.")
    cleaned = "".join(ch for ch in text if ch in "0123456789.,-")
    if cleaned.count(",") == 1 and "." not in cleaned and len(cleaned.split(",")[1]) <= 2:
        cleaned = cleaned.replace(",", ".")  # a decimal comma: 12,50
    cleaned = cleaned.replace(",", "")  # thousands separators: 1,234.50
    try:
        amount = Decimal(cleaned)
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # not a number, or too many digits to hold in cents
        raise ValueError(f"{text.strip()!r} is not an amount of money.") from None
    if not exact:
        raise ValueError(f"{text.strip()!r} has more than two decimals.")
    cents = int(amount * 100)
    if cents <= 0:
        raise ValueError("An amount must be more than zero.")
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError(f"{text.strip()!r} is more than {format_amount(MAX_AMOUNT_CENTS)}.")
    return cents


def format_amount(cents: int) -> str:
    """Cents as plain text with two decimals (views use the shop's locale instead)."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{fraction:02d}"


def _is_currency(ch: str) -> bool:
    return unicodedata.category(ch) == "Sc"
