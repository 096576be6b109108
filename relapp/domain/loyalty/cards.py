"""Loyalty card numbers: digits only, with a Luhn check digit so a mistyped number is caught."""

from __future__ import annotations

# Shop cards start with 27 so they never collide with a product barcode (EAN prefixes 20-29
# are reserved for in-store use).
SHOP_CARD_PREFIX = "27"
CARD_BODY_DIGITS = 9


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def card_number_for(sequence: int) -> str:
    """The shop card number for a sequence number (unique per shop): 27 + 9 digits + check."""
    if not 0 < sequence < 10**CARD_BODY_DIGITS:
        raise ValueError(f"card sequence out of range: {sequence}")
    body = f"{SHOP_CARD_PREFIX}{sequence:0{CARD_BODY_DIGITS}d}"
    return body + luhn_check_digit(body)


def is_valid_card_number(text: str) -> bool:
    """True for digits whose last digit is a correct Luhn check digit."""
    return len(text) >= 4 and text.isdigit() and luhn_check_digit(text[:-1]) == text[-1]
