"""Pieces every command-line module shares: bounded numbers, JSON for other programs, and
asking the person at the terminal to confirm."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

from relapp.errors import RelappError


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
