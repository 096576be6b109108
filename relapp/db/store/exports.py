"""What an export reads: the customers a filter selects, as CSV rows or as the columns of a
vCard, and one customer's card.

The rows of a whole segment come in batches from one query in id order (a million contacts
stream through in constant memory); the query runs when the function is called, the rows
are read as the batches are taken.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from relapp.db.models import database
from relapp.db.store.dialect import joined

# A contact's columns for a vCard, in the order relapp.exchange.vcard.card_from_row takes them.
CARD_COLUMNS = (
    "given_name, family_name, organisation, email, phone, street, locality, region, postcode,"
    " country, birth_year, birth_month, birth_day, notes, card_number, kind"
)

_COMMA_SPACE = "', '"


def _csv_sql(where: str) -> str:
    return (
        "SELECT c.given_name, c.family_name, c.organisation, c.email, c.phone, c.street,"
        " c.locality, c.region, c.postcode, c.country, c.birth_year, c.birth_month,"
        " c.birth_day, c.card_number, c.ladder_stage, t.name, c.points_balance,"
        f" (SELECT {joined('g.name', _COMMA_SPACE)} FROM contact_tag ct JOIN tag g"
        "  ON g.id = ct.tag_id WHERE ct.contact_id = c.id), c.notes,"
        " substr(c.created_at, 1, 10)"
        " FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        f" WHERE c.id IN (SELECT id FROM contact WHERE {where}) ORDER BY c.id"
    )


def csv_rows(
    where: str, params: Sequence[object], batch_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The contacts matching where (a condition on contact, with its params) for a CSV file,
    in id order, batch_size rows at a time: given name, family name, organisation, email,
    phone, street, locality, region, postcode, country, birth year, month, day, card number,
    ladder stage, tier, points, the tags joined with ", ", notes, the day created."""
    return _batches(database.execute_sql(_csv_sql(where), params), batch_size)


def card_rows(
    where: str, params: Sequence[object], batch_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The contacts matching where (a condition on contact, with its params), CARD_COLUMNS of
    each, in id order, batch_size rows at a time."""
    cursor = database.execute_sql(
        f"SELECT {CARD_COLUMNS} FROM contact WHERE {where} ORDER BY id", params
    )
    return _batches(cursor, batch_size)


def card_row(contact_id: int) -> tuple[Any, ...] | None:
    """CARD_COLUMNS of the contact, or None if there is none with that id or it was erased."""
    return database.execute_sql(
        f"SELECT {CARD_COLUMNS} FROM contact WHERE id = ? AND erased_at IS NULL",
        (contact_id,),
    ).fetchone()


class _Cursor(Protocol):
    def fetchmany(self, size: int) -> list[tuple[Any, ...]]: ...


def _batches(cursor: _Cursor, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cursor.fetchmany(batch_size):
        yield rows
