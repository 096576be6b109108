"""The engine's own operations that the domain asks for by name: secure delete, the WAL
checkpoint, lifting the ledger's append-only trigger for an erasure, reading a backup file in
place. On a shop server (PostgreSQL) the trigger is disabled inside the transaction instead of
dropped; there is no secure_delete nor a WAL file of ours to truncate: an erased row's old
version stays in the table's dead space until (auto)vacuum reclaims it, and in the server's
own WAL until recycled, which the server's administrator controls.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from relapp.db.models import database
from relapp.db.server.placeholders import to_psycopg
from relapp.db.store.dialect import on_server

# The ledgers that are append-only by trigger (schema 2, schema 18): table -> its update
# trigger, which an erasure lifts for one statement.
_LEDGER_UPDATE_TRIGGERS = {
    "points_entry": "points_entry_is_append_only_update",
    "gift_card_entry": "gift_card_entry_is_append_only_update",
}


@contextmanager
def ledger_update_trigger_lifted(ledger: str = "points_entry") -> Iterator[None]:
    """the ledger (points_entry, or gift_card_entry) is append-only by trigger; inside this
    block its update trigger is dropped, and re-created from its stored SQL (sqlite_schema)
    after, in the caller's transaction (an error rolls the drop back with everything else). A
    PostgreSQL engine disables the trigger instead."""
    trigger = _LEDGER_UPDATE_TRIGGERS[ledger]
    if on_server():
        database.execute_sql(f"ALTER TABLE {ledger} DISABLE TRIGGER {trigger}")
        yield
        database.execute_sql(f"ALTER TABLE {ledger} ENABLE TRIGGER {trigger}")
        return
    row = database.execute_sql(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?", (trigger,)
    ).fetchone()
    if row is not None:
        database.execute_sql(f"DROP TRIGGER {trigger}")
    yield
    if row is not None:
        database.execute_sql(row[0])


def execute_many(sql: str, rows: Iterable[Sequence[object]]) -> None:
    """Run one statement (SQLite's `?` parameters) for each row, in the caller's transaction."""
    if on_server():
        with database.connection().cursor() as cursor:
            cursor.executemany(to_psycopg(sql), list(rows))
        return
    database.cursor().executemany(sql, rows)


def identities_follow_ids() -> None:
    """After rows were written with ids of their own choosing (the demo, a shop's move): on a
    shop server, move each table's id sequence past its highest id, so the next row the app
    adds gets a new one. SQLite picks max(id) + 1 itself: nothing to do."""
    if not on_server():
        return
    tables = database.execute_sql(
        "SELECT table_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND column_name = 'id' AND is_identity = 'YES'"
    ).fetchall()
    for (table,) in tables:
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


def secure_delete_on() -> None:
    """freed cells and pages are zeroed from now on, so erased text does not
    stay in the file's free space (PRAGMA secure_delete; the connection's setting, set
    whatever opened it). Nothing on a shop server (see the module's docstring)."""
    if on_server():
        return
    database.execute_sql("PRAGMA secure_delete = 1")


def checkpoint_wal() -> bool:
    """copy the WAL into the database and truncate it (PRAGMA
    wal_checkpoint(TRUNCATE)), so no old page of an erased row stays in the -wal file.
    Whether it completed: False when another connection kept WAL frames alive. A shop
    server has no such file: True."""
    if on_server():
        return True
    busy = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    return busy == 0


def backup_identities(
    path: Path, contact_ids: Sequence[int]
) -> dict[int, tuple[str, str, str | None, str | None]] | None:
    """(given_name, family_name, email, phone) of those of these contacts that a
    backup file holds, not erased; None if the file cannot be read as a database. The file is
    opened read-only and immutable (a URI with mode=ro&immutable=1), so nothing is written to
    it or beside it (no -wal, no -shm)."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    found = {}
    try:
        with closing(sqlite3.connect(uri, uri=True)) as backup:
            for contact_id in contact_ids:
                row = backup.execute(
                    "SELECT given_name, family_name, email, phone FROM contact"
                    " WHERE id = ? AND erased_at IS NULL",
                    (contact_id,),
                ).fetchone()
                if row is not None:
                    found[contact_id] = row
    except sqlite3.Error:
        return None
    return found
