"""`relapp check`: integrity_check, foreign keys, and every balance against its ledger: each
contact's points, and (schema 18 on) each gift card's; the links of partner businesses and
their codes (schema 20 on) and of survey answers (schema 21 on).

The ledgers' checks (ledger_problems, gift_card_problems) and the links' (partner_problems,
listening_problems) are one SQL text for both engines: the shop server's check
(relapp.db.server.maintenance.check_server) runs them too. A link's rule is one query over
the rows that break it, so the check stays one pass per rule on a big shop.
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
    and its ledger, where the file has gift cards (schema 18); partners' links and codes
    (schema 20, partner_problems) and survey answers (schema 21, listening_problems). At most
    MAX_PROBLEMS lines."""
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
                tables = {
                    row[0]
                    for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
                }
                if "gift_card" in tables:
                    problems += gift_card_problems(
                        lambda sql: db.execute(sql).fetchall(), running_balances
                    )
                    report.gift_cards = db.execute("SELECT count(*) FROM gift_card").fetchone()[0]
                if "partner" in tables:  # schema 20 on
                    problems += partner_problems(lambda sql: db.execute(sql).fetchall())
                if "survey" in tables:  # schema 21 on
                    problems += listening_problems(lambda sql: db.execute(sql).fetchall())
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


@dataclass(frozen=True)
class _Ledger:
    """A balance kept beside an append-only ledger of its entries, and how its problems are
    worded."""

    topic: str  # "ledger": the line's start
    holders: str  # "contact" table with the balance column
    balance: str
    entries: str  # the ledger table, its holder column and its amount column
    holder: str
    amount: str
    named: str  # "contact": how a holder is named ("contact 12")
    disagree: str  # "contacts' points balances disagree with the ledger"
    kept: str  # "cached": what the balance is called against the ledger's sum
    negative: str  # "negative points balances"
    dipped: str  # "contacts' running balances went below zero"
    shown: Callable[[int], str]  # a number as the line shows it


def _count(number: int) -> str:
    return f"{number:,}"


POINTS_LEDGER = _Ledger(
    "ledger", "contact", "points_balance", "points_entry", "contact_id", "points", "contact",
    "contacts' points balances disagree with the ledger", "cached",
    "negative points balances", "contacts' running balances went below zero", _count,
)  # fmt: skip


def ledger_problems(query: Query, running_balances: bool = True) -> list[str]:
    """Each contact's cached points_balance against the sum of its entries, negative balances
    and (running_balances) running balances that dipped below zero, as problem lines.

    query runs a statement on either engine: the SQL is valid on SQLite and PostgreSQL
    (subqueries in FROM aliased; both balance columns are NOT NULL, so `<>` compares them).
    PostgreSQL's sum of integers is a bigint or numeric: every number is read through int().
    """
    return _balance_problems(query, POINTS_LEDGER, running_balances)


def gift_card_problems(query: Query, running_balances: bool = True) -> list[str]:
    """Each gift card's balance_cents against the sum of its ledger entries, negative
    balances and (running_balances) running balances that dipped below zero, as problem
    lines, as ledger_problems does for points. A card is named by its number, never its
    code: a code is money to whoever reads it."""
    return _balance_problems(query, GIFT_CARD_LEDGER, running_balances)


def _balance_problems(query: Query, ledger: _Ledger, running_balances: bool) -> list[str]:
    problems = []
    shown = ledger.shown
    mismatches = [
        (int(holder), int(kept), int(total))
        for holder, kept, total in query(
            f"""SELECT h.id, h.{ledger.balance}, coalesce(e.total, 0)
               FROM {ledger.holders} AS h
               LEFT JOIN (SELECT {ledger.holder}, sum({ledger.amount}) AS total
                          FROM {ledger.entries} GROUP BY {ledger.holder}) AS e
                   ON e.{ledger.holder} = h.id
               WHERE h.{ledger.balance} <> coalesce(e.total, 0)
               ORDER BY h.id"""
        )
    ]
    if mismatches:
        listed = ", ".join(
            f"{ledger.named} {holder} has {shown(kept)} {ledger.kept}, {shown(total)} in the ledger"
            for holder, kept, total in mismatches[:5]
        )
        more = f" (and {len(mismatches) - 5:,} more)" if len(mismatches) > 5 else ""
        problems.append(f"{ledger.topic}: {len(mismatches):,} {ledger.disagree}: {listed}{more}")
    negative = [
        (int(holder), int(balance))
        for holder, balance in query(
            f"SELECT id, {ledger.balance} FROM {ledger.holders} WHERE {ledger.balance} < 0"
            " ORDER BY id"
        )
    ]
    if negative:
        listed = ", ".join(
            f"{ledger.named} {holder} at {shown(low)}" for holder, low in negative[:5]
        )
        problems.append(f"{ledger.topic}: {len(negative):,} {ledger.negative}: {listed}")
    if running_balances:
        dipped = [
            (int(holder), int(low))
            for holder, low in query(
                f"""SELECT r.{ledger.holder}, min(r.running) FROM (
                       SELECT {ledger.holder}, sum({ledger.amount})
                              OVER (PARTITION BY {ledger.holder} ORDER BY id) AS running
                       FROM {ledger.entries}) AS r
                   WHERE r.running < 0 GROUP BY r.{ledger.holder} ORDER BY r.{ledger.holder}"""
            )
        ]
        if dipped:
            listed = ", ".join(
                f"{ledger.named} {holder} down to {shown(low)}" for holder, low in dipped[:5]
            )
            problems.append(f"{ledger.topic}: {len(dipped):,} {ledger.dipped}: {listed}")
    return problems


def _cents(cents: int) -> str:
    """An amount in the shop's currency without its symbol (this layer knows no shop
    format): 1,234.50, -5.00."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


GIFT_CARD_LEDGER = _Ledger(
    "gift cards", "gift_card", "balance_cents", "gift_card_entry", "card_id", "amount_cents",
    "card", "cards' balances disagree with their ledger", "on it", "negative balances",
    "cards' running balances went below zero", _cents,
)  # fmt: skip


# ------------------------------------------------------------------------------ the links


@dataclass(frozen=True)
class _Rule:
    """A rule the rows of a table keep, one query selecting those that break it: their id
    first, then what the line shows of each (shown)."""

    topic: str  # "partners": the line's start
    wrong: str  # "partners linked to ...": what the rows breaking it are
    sql: str  # the rows breaking it, ordered by id
    shown: Callable[[Sequence[Any]], str]  # one such row as the line names it


def _rule_problems(query: Query, rules: Sequence[_Rule]) -> list[str]:
    """One line per rule broken: what is wrong, how many, and the first five."""
    problems = []
    for rule in rules:
        rows = query(rule.sql)
        if rows:
            listed = ", ".join(rule.shown(row) for row in rows[:5])
            more = f" (and {len(rows) - 5:,} more)" if len(rows) > 5 else ""
            problems.append(f"{rule.topic}: {len(rows):,} {rule.wrong}: {listed}{more}")
    return problems


def _business_record(row: Sequence[Any]) -> str:
    partner, contact, state, merged_into = row
    if state == "merged":
        state = f"merged into contact {int(merged_into)}"
    return f"partner {int(partner)} (contact {int(contact)}, {state})"


# Each rule's SQL is valid on SQLite and PostgreSQL; the schema's CHECKs and foreign keys
# hold the same rules on every write, so these find what a tool bypassing them left (a file
# edited with foreign keys off, a server whose triggers were disabled).
PARTNER_RULES = (
    _Rule(
        "partners",
        "partners linked to a customer record that is missing, erased or merged into another",
        "SELECT p.id, p.contact_id, CASE WHEN c.id IS NULL THEN 'missing'"
        " WHEN c.erased_at IS NOT NULL THEN 'erased' ELSE 'merged' END, c.merged_into_id"
        " FROM partner p LEFT JOIN contact c ON c.id = p.contact_id"
        " WHERE p.contact_id IS NOT NULL"
        " AND (c.id IS NULL OR c.merged_into_id IS NOT NULL OR c.erased_at IS NOT NULL)"
        " ORDER BY p.id",
        _business_record,
    ),
    _Rule(
        "partners",
        "customers came through a partner that does not exist",
        "SELECT c.id, c.referred_by_partner_id FROM contact c"
        " WHERE c.referred_by_partner_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM partner p WHERE p.id = c.referred_by_partner_id)"
        " ORDER BY c.id",
        lambda row: f"contact {int(row[0])} (partner {int(row[1])})",
    ),
    _Rule(
        "partners",
        "partner code batches without a direction or with a campaign",
        "SELECT id FROM voucher_offer WHERE partner_id IS NOT NULL"
        " AND (direction IS NULL OR campaign_id IS NOT NULL) ORDER BY id",
        lambda row: f"offer {int(row[0])}",
    ),
    _Rule(
        "vouchers",
        "redeemed vouchers name no customer",
        "SELECT id FROM voucher WHERE contact_id IS NULL AND redeemed_at IS NOT NULL ORDER BY id",
        lambda row: f"voucher {int(row[0])}",
    ),
)

LISTENING_RULES = (
    _Rule(
        "surveys",
        "answers to a question of another version than their response's",
        "SELECT a.id, a.response_id FROM survey_answer a"
        " JOIN survey_response r ON r.id = a.response_id"
        " JOIN survey_question q ON q.id = a.question_id"
        " WHERE q.version_id <> r.version_id ORDER BY a.id",
        lambda row: f"answer {int(row[0])} (response {int(row[1])})",
    ),
    _Rule(
        "surveys",
        "anonymous responses keep something personal (a customer, when, who typed it or a"
        " history entry)",
        # Anonymous: no customer, or a response to an anonymous survey.
        "SELECT r.id FROM survey_response r JOIN survey s ON s.id = r.survey_id"
        " WHERE (r.contact_id IS NULL OR s.anonymous <> 0)"
        " AND (r.contact_id IS NOT NULL OR r.answered_at IS NOT NULL"
        " OR r.staff_id IS NOT NULL OR r.interaction_id IS NOT NULL) ORDER BY r.id",
        lambda row: f"response {int(row[0])}",
    ),
)


def partner_problems(query: Query) -> list[str]:
    """Partners' links and codes (schema 20), as problem lines: each partner's business record
    exists and is neither erased nor merged into another; each customer's referral partner
    exists; each partner code batch has a direction and no campaign; each redeemed voucher
    names its customer."""
    return _rule_problems(query, PARTNER_RULES)


def listening_problems(query: Query) -> list[str]:
    """Survey answers (schema 21), as problem lines: each answers a question of its
    response's version, and an anonymous response keeps no customer, moment, staff member
    or history entry."""
    return _rule_problems(query, LISTENING_RULES)
