"""What the printed reports read that no domain function gives them: the card details of
customers to print cards for and listed customers' phones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import in_json_list

# SQLite takes a bounded number of ?s in one statement: ids are asked about this many at once.
_IDS_PER_QUERY = 1_000


@dataclass(frozen=True)
class CardDetails:
    """What a loyalty card shows of its holder."""

    kind: str
    given_name: str
    family_name: str
    organisation: str
    card_number: str | None
    erased: bool


def card_details(contact_ids: Sequence[int]) -> dict[int, CardDetails]:
    """The card details of each of these contacts that exists, erased ones included."""
    found: dict[int, CardDetails] = {}
    for start in range(0, len(contact_ids), _IDS_PER_QUERY):
        chunk = contact_ids[start : start + _IDS_PER_QUERY]
        found.update(
            _card_details(row)
            for row in database.execute_sql(
                "SELECT id, kind, given_name, family_name, organisation, card_number,"
                " erased_at IS NOT NULL FROM contact"
                f" WHERE id IN ({', '.join('?' for _ in chunk)})",
                list(chunk),
            )
        )
    return found


def _card_details(
    row: tuple[int, str, str, str, str, str | None, int],
) -> tuple[int, CardDetails]:
    """(id, its CardDetails) of a row (id, kind, names, card_number, erased 0 or 1)."""
    return row[0], CardDetails(*row[1:6], erased=bool(row[6]))


def phones_of(contact_ids: Sequence[int]) -> dict[int, str]:
    """The stored phone (E.164) of each of these contacts that has one."""
    return dict(
        database.execute_sql(
            f"SELECT id, phone FROM contact WHERE id {in_json_list()} AND phone IS NOT NULL",
            (json.dumps(list(contact_ids)),),
        ).fetchall()
    )
