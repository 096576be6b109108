"""Pieces every command-line module shares: bounded numbers, naming a customer, JSON for
other programs, and asking the person at the terminal to confirm."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

from relapp.errors import RelappError

MAX_ID = 2**63 - 1  # SQLite's largest integer: no customer number is above it
CUSTOMER_HELP = (
    "the customer's card number, or #42 for customer number 42 "
    "(in a shell quote it, '#42', or use --id 42)"
)


def bounded_int(low: int, high: int):
    """An argparse type: a whole number from low to high (1,000 and 1_000 are fine)."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}")
        return value

    return parse


def customer_number(text: str) -> int:
    """An argparse type: a customer number, as 42 or #42."""
    return bounded_int(1, MAX_ID)(text.strip().removeprefix("#"))


def add_customer_argument(parser: argparse.ArgumentParser) -> None:
    """CARD|#ID, or --id N: which customer a command is about.

    A bare number is only ever a card number: read as a customer number when no card
    matched, a till's typo would go to someone else. customer_reference(args) reads it.
    """
    parser.add_argument("customer", nargs="?", type=_card_or_number, metavar="CARD|#ID",
                        help=CUSTOMER_HELP)  # fmt: skip
    parser.add_argument("--id", type=bounded_int(1, MAX_ID), metavar="N",
                        help="customer number N, instead of CARD|#ID")  # fmt: skip
    parser.set_defaults(customer_parser=parser)


def customer_reference(args: argparse.Namespace) -> str:
    """'#42' or the card number, as relapp.domain.loyalty.points.find_customer(cards_only=True)
    reads it. Neither or both given: a usage error (exit 2)."""
    if args.customer is not None and args.id is not None:
        args.customer_parser.error("name the customer once: CARD|#ID or --id N, not both")
    if args.customer is None and args.id is None:
        args.customer_parser.error(
            "say which customer: a card number, '#42' for customer number 42 (quoted: a shell "
            "drops an unquoted # and all that follows), or --id 42"
        )
    return args.customer if args.id is None else f"#{args.id}"


def find_named_customer(reference: str, archived_too: bool = False) -> int:
    """The customer customer_reference(args) names, in the open shop.

    Raises:
        CustomerNotFound: with, for a card nobody has, how to type a customer number.
    """
    from relapp.domain.loyalty.points import CustomerNotFound, find_customer

    try:
        return find_customer(reference, archived_too, cards_only=True)
    except CustomerNotFound:
        if reference.startswith("#") or len(reference) > 19 or int(reference) > MAX_ID:
            raise
        raise CustomerNotFound(
            f"No customer has card {reference}; for customer number {reference} "
            f"type '#{reference}' or --id {reference}."
        ) from None


def card_or_number(text: str) -> str:
    """An argparse type for an option naming a customer (relapp giftcard sell --to): a card
    number, or #42 for customer number 42, as CARD|#ID reads it."""
    return _card_or_number(text)


def _card_or_number(text: str) -> str:
    stripped = text.strip()
    digits = stripped.removeprefix("#").strip()
    if not (digits.isdigit() and digits.isascii()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a card number (digits) nor #N for customer number N"
        )
    return f"#{digits}" if stripped.startswith("#") else digits


def print_json(data) -> None:
    """Data as indented JSON; times and dates in ISO 8601."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_value))


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def answer_at_terminal(prompt: str, refusal: str) -> str:
    """What the person at the terminal typed after prompt. Without a terminal nobody can
    answer: RelappError(refusal), which tells a script to say --yes."""
    if not sys.stdin.isatty():
        raise RelappError(refusal)
    return input(prompt).strip()
