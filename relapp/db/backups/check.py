"""`relapp check`: integrity_check, foreign keys, and every balance against its ledger: each
contact's points, and (schema 18 on) each gift card's.

The ledgers' checks (ledger_problems, gift_card_problems) are one SQL text for both engines:
the shop server's check (relapp.db.server.maintenance.check_server) runs them too.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relapp.db.backups.files import MAX_PROBLEMS, MMAP_BYTES, connect_read_only, require_relapp
from relapp.errors import (
    DatabaseUnavailable,
    NotARelappDatabase,
)

# Runs one SQL statement (no parameters) and returns its rows: how ledger_problems reads
# either engine.
Query = Callable[[str], Sequence[Sequence[Any]]]


@dataclass
class CheckReport:
    """What `relapp check` found: at most MAX_PROBLEMS lines, and what it counted.

    On a shop file, problems come from SQLite's integrity_check, its foreign_key_check and
    the ledger. A shop server (PostgreSQL) has no integrity_check to run: it enforces foreign
    keys on every write (unless someone disabled the triggers that do it, which the server's
    check reports), and detects damaged pages itself if the cluster was initialised with data
    checksums (`SHOW data_checksums`); its check reports disabled triggers and the ledger.
    """

    problems: list[str] = field(default_factory=list)
    contacts: int = 0
    ledger_entries: int = 0
    gift_cards: int = 0  # 0 too for a file from before schema 18, which has none
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(database_path: Path | str, *, running_balances: bool = True) -> CheckReport:
    """integrity_check, foreign_key_check and the loyalty ledger: each contact's cached
    points_balance equals the sum of its entries, no balance is negative and (running_balances)
    no contact's running balance ever dipped below zero; the same of each gift card's balance
    and its ledger, where the file has gift cards (schema 18). At most MAX_PROBLEMS lines."""
    started = time.perf_counter()
    database_path = Path(database_path)
    if not database_path.is_file():
        raise DatabaseUnavailable(f"There is no database at {database_path}.")
    report = CheckReport()
    problems = report.problems
    try:
        with closing(connect_read_only(database_path)) as db:
            try:
                require_relapp(db, database_path)
            except NotARelappDatabase as error:
                if not isinstance(error.__cause__, sqlite3.DatabaseError):
                    raise  # another program's file: refused, as everywhere else
                problems.append(f"the file cannot be read: {error.__cause__}")
                return _finish(report, started)
            db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            problems += [f"integrity: {line}" for line in integrity_problems(db, MAX_PROBLEMS)]
            if not problems:
                problems += _foreign_key_problems(db)
                problems += ledger_problems(
                    lambda sql: db.execute(sql).fetchall(), running_balances
                )
                report.contacts = db.execute("SELECT count(*) FROM contact").fetchone()[0]
                report.ledger_entries = db.execute("SELECT count(*) FROM points_entry").fetchone()[
                    0
                ]
                has_gift_cards = db.execute(
                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'gift_card'"
                ).fetchone()
                if has_gift_cards is not None:
                    problems += gift_card_problems(
                        lambda sql: db.execute(sql).fetchall(), running_balances
                    )
                    report.gift_cards = db.execute("SELECT count(*) FROM gift_card").fetchone()[0]
    except sqlite3.DatabaseError as error:
        problems.append(f"the file cannot be read: {error}")
    return _finish(report, started)


def _finish(report: CheckReport, started: float) -> CheckReport:
    del report.problems[MAX_PROBLEMS:]
    report.seconds = time.perf_counter() - started
    return report


def integrity_problems(db: sqlite3.Connection, limit: int) -> list[str]:
    # A bigger page cache does not help: on the 4.6 GB demo the check took 137 s with the
    # default 2 MB and 149 s with 2 GB (it is bound by the processor, one core).
    db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    rows = [row[0] for row in db.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def _foreign_key_problems(db: sqlite3.Connection) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fkid in db.execute("PRAGMA foreign_key_check"):
        counts[table, parent] = counts.get((table, parent), 0) + 1
    return [
        f"foreign keys: {count:,} {table} rows point to missing {parent} rows"
        for (table, parent), count in sorted(counts.items())
    ]


def ledger_problems(query: Query, running_balances: bool = True) -> list[str]:
    """Each contact's cached points_balance against the sum of its entries, negative balances
    and (running_balances) running balances that dipped below zero, as problem lines.

    query runs a statement on either engine: the SQL is valid on SQLite and PostgreSQL
    (subqueries in FROM aliased; both balance columns are NOT NULL, so `<>` compares them).
    PostgreSQL's sum of integers is a bigint or numeric: every number is read through int().
    """
    problems = []
    mismatches = [
        (int(cid), int(cached), int(total))
        for cid, cached, total in query(
            """SELECT c.id, c.points_balance, coalesce(l.total, 0)
               FROM contact AS c
               LEFT JOIN (SELECT contact_id, sum(points) AS total FROM points_entry
                          GROUP BY contact_id) AS l ON l.contact_id = c.id
               WHERE c.points_balance <> coalesce(l.total, 0)
               ORDER BY c.id"""
        )
    ]
    if mismatches:
        shown = ", ".join(
            f"contact {cid} has {cached:,} cached, {total:,} in the ledger"
            for cid, cached, total in mismatches[:5]
        )
        more = f" (and {len(mismatches) - 5:,} more)" if len(mismatches) > 5 else ""
        problems.append(
            f"ledger: {len(mismatches):,} contacts' points balances disagree with the ledger: "
            f"{shown}{more}"
        )
    negative = [
        (int(cid), int(balance))
        for cid, balance in query(
            "SELECT id, points_balance FROM contact WHERE points_balance < 0 ORDER BY id"
        )
    ]
    if negative:
        shown = ", ".join(f"contact {cid} at {balance:,}" for cid, balance in negative[:5])
        problems.append(f"ledger: {len(negative):,} negative points balances: {shown}")
    if running_balances:
        dipped = [
            (int(cid), int(low))
            for cid, low in query(
                """SELECT r.contact_id, min(r.running) FROM (
                       SELECT contact_id,
                              sum(points) OVER (PARTITION BY contact_id ORDER BY id) AS running
                       FROM points_entry) AS r
                   WHERE r.running < 0 GROUP BY r.contact_id ORDER BY r.contact_id"""
            )
        ]
        if dipped:
            shown = ", ".join(f"contact {cid} down to {low:,}" for cid, low in dipped[:5])
            problems.append(
                f"ledger: {len(dipped):,} contacts' running balances went below zero: {shown}"
            )
    return problems


def gift_card_problems(query: Query, running_balances: bool = True) -> list[str]:
    """Each gift card's balance_cents against the sum of its ledger entries, negative
    balances and (running_balances) running balances that dipped below zero, as problem
    lines, as ledger_problems does for points (the same SQL on both engines; numbers read
    through int()). A card is named by its number, never its code: a code is money to
    whoever reads it."""
    problems = []
    mismatches = [
        (int(card_id), int(cached), int(total))
        for card_id, cached, total in query(
            """SELECT g.id, g.balance_cents, coalesce(e.total, 0)
               FROM gift_card AS g
               LEFT JOIN (SELECT card_id, sum(amount_cents) AS total FROM gift_card_entry
                          GROUP BY card_id) AS e ON e.card_id = g.id
               WHERE g.balance_cents <> coalesce(e.total, 0)
               ORDER BY g.id"""
        )
    ]
    if mismatches:
        shown = ", ".join(
            f"card {card_id} has {_cents(cached)} on it, {_cents(total)} in the ledger"
            for card_id, cached, total in mismatches[:5]
        )
        more = f" (and {len(mismatches) - 5:,} more)" if len(mismatches) > 5 else ""
        problems.append(
            f"gift cards: {len(mismatches):,} cards' balances disagree with their ledger: "
            f"{shown}{more}"
        )
    negative = [
        (int(card_id), int(balance))
        for card_id, balance in query(
            "SELECT id, balance_cents FROM gift_card WHERE balance_cents < 0 ORDER BY id"
        )
    ]
    if negative:
        shown = ", ".join(f"card {card_id} at {_cents(cents)}" for card_id, cents in negative[:5])
        problems.append(f"gift cards: {len(negative):,} negative balances: {shown}")
    if running_balances:
        dipped = [
            (int(card_id), int(low))
            for card_id, low in query(
                """SELECT r.card_id, min(r.running) FROM (
                       SELECT card_id,
                              sum(amount_cents) OVER (PARTITION BY card_id ORDER BY id)
                                  AS running
                       FROM gift_card_entry) AS r
                   WHERE r.running < 0 GROUP BY r.card_id ORDER BY r.card_id"""
            )
        ]
        if dipped:
            shown = ", ".join(f"card {card} down to {_cents(low)}" for card, low in dipped[:5])
            problems.append(
                f"gift cards: {len(dipped):,} cards' running balances went below zero: {shown}"
            )
    return problems


def _cents(cents: int) -> str:
    """An amount in the shop's currency without its symbol (this layer knows no shop
    format): 1,234.50, -5.00."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
