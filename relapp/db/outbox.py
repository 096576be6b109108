"""A till's own small SQLite file for when the shop server does not answer.

It holds the sales made meanwhile (earn only, each with the till's own sale key) until they
are sent, and a read-only copy of the card index (card number -> customer id, name, balance
as last seen) so that a scanned card still finds its customer. The file is this till's: one
per server, in the user's data folder, never the shop's database, so opening it with sqlite3
here is safe (see live_files: only the shop's own database is SQLite's alone).

Every write is committed (synchronous=FULL) before the function returns: a sale the counter
confirmed survives a kill -9 or a power cut.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pending_sale (
        sale_key TEXT PRIMARY KEY,
        contact_id INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        staff_id INTEGER,
        summary TEXT NOT NULL DEFAULT '',
        occurred_at TEXT NOT NULL,
        refused TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS card (
        card_number TEXT PRIMARY KEY,
        contact_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        balance INTEGER NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS card_by_contact ON card (contact_id)",
    """CREATE TABLE IF NOT EXISTS note (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
)


@dataclass(frozen=True)
class PendingSale:
    sale_key: str
    contact_id: int
    amount_cents: int
    staff_id: int | None
    summary: str
    occurred_at: str  # 'YYYY-MM-DD HH:MM:SS' UTC, when the customer paid
    refused: str | None  # why the server refused it when sent; None: waiting to be sent


@dataclass(frozen=True)
class CardEntry:
    card_number: str
    contact_id: int
    name: str
    balance: int


def outbox_path(folder: Path, server: str) -> Path:
    """This till's outbox for the server (named by its redacted URL) in folder."""
    digest = hashlib.sha256(server.encode()).hexdigest()[:16]
    return folder / f"till-outbox-{digest}.db"


class TillOutbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode = wal")
        self._db.execute("PRAGMA synchronous = full")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    # -- sales waiting to be sent ---------------------------------------------------------

    def add_sale(self, sale: PendingSale) -> None:
        """Keep a sale until it is sent; committed when this returns. The same key twice
        keeps the first (the counter retried)."""
        self._db.execute(
            "INSERT INTO pending_sale (sale_key, contact_id, amount_cents, staff_id, summary,"
            " occurred_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sale_key) DO NOTHING",
            (
                sale.sale_key,
                sale.contact_id,
                sale.amount_cents,
                sale.staff_id,
                sale.summary,
                sale.occurred_at,
            ),
        )

    def waiting(self) -> list[PendingSale]:
        """The sales not yet sent nor refused, oldest first."""
        return [
            PendingSale(*row)
            for row in self._db.execute(
                "SELECT sale_key, contact_id, amount_cents, staff_id, summary, occurred_at,"
                " refused FROM pending_sale WHERE refused IS NULL ORDER BY occurred_at, rowid"
            )
        ]

    def refused(self) -> list[PendingSale]:
        """Sales the server refused when they were sent (a customer erased meanwhile, say):
        kept for a person to look at, never sent again by themselves."""
        return [
            PendingSale(*row)
            for row in self._db.execute(
                "SELECT sale_key, contact_id, amount_cents, staff_id, summary, occurred_at,"
                " refused FROM pending_sale WHERE refused IS NOT NULL ORDER BY occurred_at"
            )
        ]

    def count_waiting(self) -> int:
        return int(
            self._db.execute("SELECT count(*) FROM pending_sale WHERE refused IS NULL").fetchone()[
                0
            ]
        )

    def sent(self, sale_key: str) -> None:
        self._db.execute("DELETE FROM pending_sale WHERE sale_key = ?", (sale_key,))

    def mark_refused(self, sale_key: str, reason: str) -> None:
        self._db.execute(
            "UPDATE pending_sale SET refused = ? WHERE sale_key = ?", (reason, sale_key)
        )

    # -- the card index as last seen ------------------------------------------------------

    def replace_cards(self, cards: Iterable[CardEntry], seen_at: str) -> int:
        """The whole card index, as read from the server at seen_at; how many cards."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM card")
            self._db.executemany(
                "INSERT INTO card (card_number, contact_id, name, balance) VALUES (?, ?, ?, ?)",
                ((c.card_number, c.contact_id, c.name, c.balance) for c in cards),
            )
            self._set_note("cards_seen_at", seen_at)
            count = self._db.execute("SELECT count(*) FROM card").fetchone()[0]
        return int(count)

    def update_card(self, contact_id: int, balance: int) -> None:
        """One customer's balance as the server just gave it."""
        self._db.execute("UPDATE card SET balance = ? WHERE contact_id = ?", (balance, contact_id))

    def card(self, card_number: str) -> CardEntry | None:
        row = self._db.execute(
            "SELECT card_number, contact_id, name, balance FROM card WHERE card_number = ?",
            (card_number,),
        ).fetchone()
        return None if row is None else CardEntry(*row)

    def card_of(self, contact_id: int) -> CardEntry | None:
        row = self._db.execute(
            "SELECT card_number, contact_id, name, balance FROM card WHERE contact_id = ?",
            (contact_id,),
        ).fetchone()
        return None if row is None else CardEntry(*row)

    def cards_seen_at(self) -> str | None:
        """When the card index was last read from the server ('YYYY-MM-DD HH:MM:SS' UTC)."""
        row = self._db.execute("SELECT value FROM note WHERE key = 'cards_seen_at'").fetchone()
        return None if row is None else str(row[0])

    def _set_note(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO note (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
