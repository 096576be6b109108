"""Gift cards (schema 18): the cards, their ledger entries, and what is owed on them.

Values go in and come out as stored or parsed; the rules (what a code looks like, when a card
may be used, who may reverse what) are relapp.domain.giftcards'. The ledger's own invariants
(append-only entries, a balance that is the sum of its entries and never negative) are
triggers in the schema (migration 18). Every function runs in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database


@dataclass(frozen=True)
class CardRow:
    id: int
    code: str
    contact_id: int | None
    sold_at: datetime
    expires_at: datetime | None
    balance_cents: int
    sold_cents: int  # the amount its sale entry brought


@dataclass(frozen=True)
class EntryRow:
    id: int
    card_id: int
    kind: str
    amount_cents: int
    occurred_at: datetime
    key: str | None
    reverses_id: int | None
    note: str


_CARD_COLUMNS = (
    "g.id, g.code, g.contact_id, g.sold_at, g.expires_at, g.balance_cents,"
    " (SELECT s.amount_cents FROM gift_card_entry s WHERE s.card_id = g.id AND s.kind = 'sale')"
)
_ENTRY_COLUMNS = "id, card_id, kind, amount_cents, occurred_at, key, reverses_id, note"


def _card(row: tuple[int, str, int | None, str, str | None, int, int | None]) -> CardRow:
    card_id, code, contact_id, sold_at, expires_at, balance, sold = row
    return CardRow(
        card_id,
        code,
        contact_id,
        parse_timestamp(sold_at),
        None if expires_at is None else parse_timestamp(expires_at),
        balance,
        sold or 0,
    )


def _entry(row: tuple[int, int, str, int, str, str | None, int | None, str]) -> EntryRow:
    entry_id, card_id, kind, amount, occurred_at, key, reverses_id, note = row
    return EntryRow(
        entry_id, card_id, kind, amount, parse_timestamp(occurred_at), key, reverses_id, note
    )


# -- writing -------------------------------------------------------------------------------------


def insert_card(
    code: str,
    contact_id: int | None,
    sold_at: datetime,
    expires_at: datetime | None,
    staff_id: int | None,
) -> int:
    """A card with nothing on it yet (its sale entry brings the amount); its id."""
    return database.execute_sql(
        "INSERT INTO gift_card (code, contact_id, sold_at, expires_at, staff_id)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (
            code,
            contact_id,
            format_timestamp(sold_at),
            None if expires_at is None else format_timestamp(expires_at),
            staff_id,
        ),
    ).fetchone()[0]


def insert_entry(
    card_id: int,
    kind: str,
    amount_cents: int,
    occurred_at: datetime,
    *,
    key: str | None = None,
    reverses_id: int | None = None,
    staff_id: int | None = None,
    note: str = "",
) -> int:
    """Append one ledger entry; its id. The triggers move the balance and refuse an overdraw;
    a key already stored raises the unique index's IntegrityError."""
    return database.execute_sql(
        "INSERT INTO gift_card_entry (card_id, kind, amount_cents, occurred_at, key,"
        " reverses_id, staff_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            card_id,
            kind,
            amount_cents,
            format_timestamp(occurred_at),
            key,
            reverses_id,
            staff_id,
            note,
        ),
    ).fetchone()[0]


def attach_to(card_id: int, contact_id: int) -> int:
    """Give a bearer card to the customer; how many rows changed (0 if it has a holder)."""
    return database.execute_sql(
        "UPDATE gift_card SET contact_id = ? WHERE id = ? AND contact_id IS NULL",
        (contact_id, card_id),
    ).rowcount


# -- reading -------------------------------------------------------------------------------------


def card_by_code(code: str) -> CardRow | None:
    row = database.execute_sql(
        f"SELECT {_CARD_COLUMNS} FROM gift_card g WHERE g.code = ?", (code,)
    ).fetchone()
    return None if row is None else _card(row)


def card_by_id(card_id: int) -> CardRow | None:
    row = database.execute_sql(
        f"SELECT {_CARD_COLUMNS} FROM gift_card g WHERE g.id = ?", (card_id,)
    ).fetchone()
    return None if row is None else _card(row)


def code_taken(code: str) -> bool:
    row = database.execute_sql("SELECT 1 FROM gift_card WHERE code = ?", (code,)).fetchone()
    return row is not None


def cards_of_contact(contact_id: int) -> list[CardRow]:
    """The customer's cards, newest first."""
    rows = database.execute_sql(
        f"SELECT {_CARD_COLUMNS} FROM gift_card g WHERE g.contact_id = ?"
        " ORDER BY g.sold_at DESC, g.id DESC",
        (contact_id,),
    ).fetchall()
    return [_card(row) for row in rows]


def entry(entry_id: int) -> EntryRow | None:
    row = database.execute_sql(
        f"SELECT {_ENTRY_COLUMNS} FROM gift_card_entry WHERE id = ?", (entry_id,)
    ).fetchone()
    return None if row is None else _entry(row)


def entry_with_key(key: str) -> EntryRow | None:
    row = database.execute_sql(
        f"SELECT {_ENTRY_COLUMNS} FROM gift_card_entry WHERE key = ?", (key,)
    ).fetchone()
    return None if row is None else _entry(row)


def reversal_of(entry_id: int) -> int | None:
    """The entry that reversed this one, if any (at most one: reverses_id is unique)."""
    row = database.execute_sql(
        "SELECT id FROM gift_card_entry WHERE reverses_id = ?", (entry_id,)
    ).fetchone()
    return None if row is None else row[0]


def entries_of(card_id: int) -> list[EntryRow]:
    """The card's entries in ledger order (oldest first)."""
    rows = database.execute_sql(
        f"SELECT {_ENTRY_COLUMNS} FROM gift_card_entry WHERE card_id = ? ORDER BY occurred_at, id",
        (card_id,),
    ).fetchall()
    return [_entry(row) for row in rows]


def cards_due_to_expire(now: datetime) -> list[int]:
    """Cards with something left whose expiry has come, by id."""
    return [
        row[0]
        for row in database.execute_sql(
            "SELECT id FROM gift_card WHERE expires_at <= ? AND balance_cents > 0 ORDER BY id",
            (format_timestamp(now),),
        )
    ]


def outstanding_cards() -> list[tuple[datetime, int]]:
    """(sold_at, balance) of every card with something left, oldest sale first."""
    rows = database.execute_sql(
        "SELECT sold_at, balance_cents FROM gift_card WHERE balance_cents > 0 ORDER BY sold_at, id"
    ).fetchall()
    return [(parse_timestamp(sold_at), balance) for sold_at, balance in rows]
