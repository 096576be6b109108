"""Sharing the write lock: the counter gets it within moments, long work takes turns.

SQLite lets one connection write at a time. A sale at the counter must not wait behind
background work (an import, the daily round, a bulk action), so:

* Long work writes in short transactions (a fifth of a second at most) and calls give_way()
  after each commit: a counter waiting for the lock takes it in that pause.
* The counter asks for the lock with write_transaction(): BEGIN IMMEDIATE, tried again every
  few milliseconds. SQLite's own busy handler sleeps longer and longer between tries (up to
  100 ms), so it would keep missing the pauses between another connection's transactions
  and could wait its whole timeout behind work that never holds the lock for long.
* What cannot be shortened (a restore replaces the whole file) makes the counter wait as long
  as the connection's busy timeout, then say in one sentence that the shop is busy
  (DatabaseBusy), instead of sqlite's "database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import cast

from peewee import Database, OperationalError, PostgresqlDatabase

from relapp.db.models import database
from relapp.errors import DatabaseBusy

# How often the counter asks for the write lock while someone else holds it.
POLL_SECONDS = 0.002
# How long long work pauses after each commit: several of the counter's polls.
GIVE_WAY_SECONDS = 0.01
# Work made of many small transactions pauses after this much of it (TakingTurns).
TURN_SECONDS = 0.1
BUSY_MESSAGE = (
    "The shop's database is busy with other work (an import or a restore, perhaps), so "
    "nothing was recorded; try again in a moment."
)


def is_lock_error(error: BaseException) -> bool:
    """sqlite's SQLITE_BUSY or SQLITE_LOCKED, as peewee or sqlite3 raise them."""
    if not isinstance(error, OperationalError | sqlite3.OperationalError):
        return False
    text = str(error).lower()
    return "locked" in text or "busy" in text


def busy_error() -> DatabaseBusy:
    return DatabaseBusy(BUSY_MESSAGE)


@contextmanager
def write_transaction(patience: float | None = None, db: Database | None = None) -> Iterator[None]:
    """A write transaction that holds the write lock from its first statement (BEGIN
    IMMEDIATE), asked for every POLL_SECONDS: for a sale (a customer is waiting) and for
    each step of long work.

    patience: seconds to wait for the lock; default: the connection's busy timeout.
    Nested in another transaction it is a savepoint of that one.

    Raises:
        DatabaseBusy: the lock stayed out of reach all that time, or sqlite reported the
            database locked later in the transaction; nothing was written.
    """
    db = cast(Database, database) if db is None else db  # the proxy stands for the database
    if db.in_transaction() or _on_server(db):
        with lock_first(db):
            yield
        return
    with ExitStack() as stack:
        _take_write_lock(db, stack, patience)
        try:
            yield
        except (OperationalError, sqlite3.OperationalError) as error:
            if is_lock_error(error):
                raise busy_error() from error
            raise


# The shop server's stand-in for SQLite's one write lock (any number, the same on every till).
SERVER_WRITE_LOCK = 0x52454C41


@contextmanager
def lock_first(db: Database | None = None) -> Iterator[None]:
    """A write transaction that holds the shop's write lock from its first statement, so
    every read that decides a write (a balance, a stock level, "is this the first purchase")
    comes after it: two tills cannot both act on the same reading. Nested in another
    transaction it is a savepoint of that one.

    SQLite: BEGIN IMMEDIATE (waiting up to the busy timeout). A shop server: a transaction-
    scoped advisory lock that every till's writers take, which gives the domain the same
    one-writer-at-a-time order it has on a file (the database's own triggers and unique
    keys guard the ledger and sale keys besides, for any other writer).
    """
    db = cast(Database, database) if db is None else db
    if _on_server(db):
        with db.atomic():
            db.execute_sql("SELECT pg_advisory_xact_lock(?)", (SERVER_WRITE_LOCK,))
            yield
        return
    with db.atomic("IMMEDIATE"):
        yield


def _on_server(db: Database) -> bool:
    # The models' DatabaseProxy stands for the database it was initialised with.
    return isinstance(getattr(db, "obj", db), PostgresqlDatabase)


def _take_write_lock(db: Database, stack: ExitStack, patience: float | None) -> None:
    busy_timeout_ms = db.execute_sql("PRAGMA busy_timeout").fetchone()[0]
    deadline = time.monotonic() + (busy_timeout_ms / 1000 if patience is None else patience)
    db.execute_sql("PRAGMA busy_timeout = 0")  # this loop does the waiting, more often
    try:
        while True:
            try:
                stack.enter_context(db.atomic("IMMEDIATE"))
                return
            except OperationalError as error:
                if not is_lock_error(error):
                    raise
                if time.monotonic() >= deadline:
                    raise busy_error() from error
            time.sleep(POLL_SECONDS)
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {int(busy_timeout_ms):d}")


def give_way() -> None:
    """Pause between two transactions of long work, so a waiting counter gets the lock."""
    time.sleep(GIVE_WAY_SECONDS)


class TakingTurns:
    """For work made of many small transactions back to back (one per customer, say): the
    gap between two of them is too short for the counter to notice, so after TURN_SECONDS of
    such work, turn() gives way."""

    def __init__(self) -> None:
        self._since = time.monotonic()

    def turn(self) -> None:
        """Call between two transactions."""
        if time.monotonic() - self._since >= TURN_SECONDS:
            give_way()
            self._since = time.monotonic()
