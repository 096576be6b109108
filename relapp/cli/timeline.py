"""`relapp timeline CARD|#ID`: a customer's history, newest first, as text or JSON.

Text groups the entries by day in this machine's time zone, one line each; JSON is a list of
objects with the fields of relapp.domain.timeline.history.TimelineEntry and times in ISO 8601 (UTC).
"""

from __future__ import annotations

import argparse
import dataclasses
import unicodedata
from datetime import datetime
from itertools import groupby

from relapp.cli.args import (
    add_customer_argument,
    bounded_int,
    customer_reference,
    find_named_customer,
    print_json,
)
from relapp.domain.loyalty.ledger import customer
from relapp.domain.shop.money import format_amount
from relapp.domain.timeline.history import (
    MAX_PAGE,
    TIMELINE_KINDS,
    TimelineEntry,
    local_day,
    timeline_page,
)

DEFAULT_LIMIT = 50
# Bidirectional overrides and isolates would reorder the rest of a terminal line.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    timeline = commands.add_parser(
        "timeline",
        parents=[database_option],
        help="a customer's history, newest first",
        description="Show a customer's history (visits, purchases, calls, messages, queries "
        "and complaints, feedback, notes, points events), newest first, grouped by day.",
    )
    add_customer_argument(timeline)
    timeline.add_argument(
        "--limit",
        type=bounded_int(1, MAX_PAGE),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"the latest N entries (default {DEFAULT_LIMIT}, at most {MAX_PAGE:,})",
    )
    timeline.add_argument(
        "--kind",
        action="extend",
        nargs="+",
        choices=TIMELINE_KINDS,
        metavar="KIND",
        help=f"only entries of these kinds: {', '.join(TIMELINE_KINDS)}",
    )
    timeline.add_argument("--json", action="store_true", help="print JSON for other programs")
    timeline.set_defaults(handler=run_timeline)


def run_timeline(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    reference = customer_reference(args)
    open_shop(database_target(args))
    contact_id = find_named_customer(reference)
    kinds = frozenset(args.kind) if args.kind else None
    entries = timeline_page(contact_id, kinds=kinds, limit=args.limit)
    if args.json:
        print_json([entry_fields(entry) for entry in entries])
        return 0
    print(f"{one_line(customer(contact_id).name) or 'No name'} (customer {contact_id})")
    if not entries:
        print("  No history of these kinds." if kinds else "  No history yet.")
    for day, group in groupby(entries, key=local_day):
        print(f"{day:%a} {day.isoformat()}")
        for entry in group:
            print(f"  {entry_line(entry)}")
    if entries and timeline_page(contact_id, kinds=kinds, before=entries[-1].key, limit=1):
        print(f"(the latest {args.limit:,} entries; older ones with a larger --limit)")
    return 0


def entry_fields(entry: TimelineEntry) -> dict:
    """The entry as JSON-ready values: times in ISO 8601."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in dataclasses.asdict(entry).items()
    }


def entry_line(entry: TimelineEntry) -> str:
    """One line: local time, kind, what happened, then amounts, points and state."""
    kind = entry.ledger_kind if entry.kind == "points" else entry.kind
    parts = [one_line(entry.summary)]
    if entry.direction:
        parts.append("in" if entry.direction == "inbound" else "out")
    if entry.network:
        parts.append(one_line(entry.network))
    if entry.amount_cents is not None:
        parts.append(format_amount(entry.amount_cents))
    if entry.feedback_score is not None:
        parts.append(f"score {entry.feedback_score}/10")
    if entry.points:
        parts.append(f"{entry.points:+,} points")
    if entry.refunded_at is not None:
        parts.append(f"refunded {entry.refunded_at.astimezone():%Y-%m-%d}")
    if entry.status:
        parts.append("open, overdue" if entry.overdue else entry.status)
    if entry.open_tasks:
        noun = "follow-up" if entry.open_tasks == 1 else "follow-ups"
        parts.append(f"{entry.open_tasks} open {noun}")
    if entry.staff_name:
        parts.append(f"by {one_line(entry.staff_name)}")
    when = entry.occurred_at.astimezone()
    return f"{when:%H:%M}  {kind:<9} " + " · ".join(part for part in parts if part)


def one_line(text: str) -> str:
    """Text safe to print on one terminal line: no controls, escapes or bidi overrides."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.translate(_BIDI_CONTROLS).split())
