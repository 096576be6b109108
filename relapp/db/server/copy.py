"""Putting a shop on a shop server: `relapp server init` (the schema on an empty database) and
`relapp server migrate` (a SQLite shop file copied onto one). No argparse and no printing here:
the command line (relapp.cli.server) shows the progress this module reports through a callback.

The file is only ever read, through a read-only SQLite connection holding one read transaction
(in WAL mode the shop may keep working meanwhile; the copy is one consistent snapshot). The
server is written in one transaction: the schema if the database was empty, every table with
its ids (PostgreSQL's COPY), the search table, the identity sequences moved past the highest
id, then the checks; a failure anywhere rolls it all back and leaves the database as it was.

While the rows go in, the tables' own triggers are off (ALTER TABLE ... DISABLE TRIGGER USER,
inside the transaction, so nobody else ever sees them off): the ledger's would add every entry
to a balance that is copied already and take a row lock per entry, and the search, consent and
rhythm triggers would recompute what is copied as stored. What they maintain is then made or
checked here: the search table in one INSERT ... SELECT, and each customer's balance against
the sum of their ledger entries before the commit. As pg_restore does, the foreign keys and
the indexes other than primary and unique keys are dropped for the copy and made again from
their own definitions after it: an index built from all its rows is several times faster than
one grown row by row, and a foreign key added back checks every row in one query where the
copy would have looked up and locked the referenced row for each of tens of millions of rows.
The transaction fails, and nothing is kept, if one row does not hold.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from peewee import PeeweeException, SqliteDatabase
from psycopg import sql

from relapp.db.backups.files import require_relapp
from relapp.db.connection import schema_version
from relapp.db.migrations import LATEST_VERSION
from relapp.db.migrations import m0012_word_starts as word_starts
from relapp.db.models import ALL_MODELS
from relapp.db.server.connection import (
    ServerDatabase,
    create_schema,
    migrate_server,
    redact,
    server_schema_version,
    unavailable,
)
from relapp.errors import (
    DatabaseError,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
    RelappError,
)

# The server's search table, filled here in one statement; on a shop file the FTS5 index of
# the same name and its own tables (contact_search_data, ...), which are not copied.
SEARCH_TABLE = "contact_search"
# The server's own bookkeeping, made with the schema.
SCHEMA_TABLE = "relapp_schema"
# The rows a schema starts with, by table (migration 11 makes shop 1, the shop a file is; the
# file has it too): a database holding no more than these holds no shop's data. The file's
# rows take their place.
SCHEMA_SEED_ROWS = {"shop": 1}
# Rows read from the file and written to the server between two progress reports.
BATCH_ROWS = 20_000
BUSY_TIMEOUT_S = 5.0

# The steps after the tables, as progress names them.
SEARCH_STEP = "search index"
INDEX_STEP = "indexes"
KEY_STEP = "references"
CHECK_STEP = "checks"
STEPS_AFTER_THE_TABLES = (SEARCH_STEP, INDEX_STEP, KEY_STEP, CHECK_STEP)
# For building the indexes again once the rows are in (this transaction only).
INDEX_MEMORY = "256MB"

# progress(step, done, total): step is a table's name while its rows are copied, then
# SEARCH_STEP, INDEX_STEP, KEY_STEP and CHECK_STEP; done == total when the step is over.
Progress = Callable[[str, int, int], object]


class ServerNotEmpty(DatabaseError):
    """The target database holds a shop's data or another program's tables: nothing was
    written to it."""


class MigrationFailed(DatabaseError):
    """The copy could not be made or did not check out; the server was left as it was."""


class NeedsUpgrade(DatabaseError):
    """The shop file is at an older schema than this Relapp's: it must be opened (and so
    brought up to date) by this Relapp before it can be moved."""


@dataclass(frozen=True)
class TableCopied:
    name: str
    file_rows: int  # rows in the shop file
    server_rows: int  # rows on the server afterwards (the checks require the same)


@dataclass(frozen=True)
class MigrationReport:
    tables: tuple[TableCopied, ...]
    customers: int  # contacts whose balance was checked against their ledger entries
    ledger_points: int  # the sum of every ledger entry, the same on both sides
    search_rows: int  # one per contact
    sequences: int  # identity sequences moved past the highest copied id
    seconds: float

    @property
    def rows(self) -> int:
        return sum(table.server_rows for table in self.tables)


# ------------------------------------------------------------------------------ server init


def init_server(url: str) -> int:
    """Create the schema on the empty database at url; the schema version it is at.

    Raises ServerNotEmpty when it holds a Relapp shop already, NotARelappDatabase when it
    holds another program's tables, DatabaseUnavailable when it cannot be reached.
    """
    db = connect_server(url)
    try:
        with db.atomic():
            version = server_schema_version(db)
            if version is not None:
                raise ServerNotEmpty(
                    f"{redact(url)} already holds a Relapp shop (schema {version});"
                    " it was left untouched."
                )
            create_schema(db)
            created = server_schema_version(db)
    except (psycopg.Error, PeeweeException) as error:
        raise unavailable(url, error, written=False) from error
    finally:
        _close(db)
    assert created is not None
    return created


def connect_server(url: str) -> ServerDatabase:
    """A connection to the server at url, not yet bound to the models."""
    db = ServerDatabase(url)
    try:
        db.connect()
    except (psycopg.Error, PeeweeException, DatabaseUnavailable) as error:
        raise _unreachable(url, error) from error
    return db


def _unreachable(url: str, error: BaseException) -> DatabaseUnavailable:
    """The sentence for a server that could not be reached. peewee passes on the sentence
    ServerDatabase made as its own DatabaseError (it goes by the base class's name): the
    driver's error under it is what is explained."""
    cause: BaseException = error
    while isinstance(cause, PeeweeException | DatabaseUnavailable) and (
        cause.__cause__ or cause.__context__
    ):
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = str(cause).lower()
    if "no such file or directory" in text and "socket" in text:
        # libpq's words for a Unix socket nobody listens on (no server, or the wrong folder).
        return unavailable(url, ConnectionRefusedError("could not connect"))
    return unavailable(url, cause)


# --------------------------------------------------------------------------- server migrate


def migrate_shop(source: Path | str, url: str, progress: Progress | None = None) -> MigrationReport:
    """Copy the shop file source (at the latest schema) onto the empty database at url.

    Raises DatabaseUnavailable (no such file, server unreachable), NotARelappDatabase (the
    file or the server's tables are another program's), DatabaseTooNew, NeedsUpgrade (the
    file is at an older schema: open it with Relapp first), ServerNotEmpty, MigrationFailed.
    """
    started = time.perf_counter()
    path = Path(source).expanduser()
    report: Progress = progress or _ignore
    with _read_only_shop(path) as shop:
        db = connect_server(url)
        try:
            with db.atomic():
                result = _migrate(shop, db, report)
            # The planner's statistics for the tables just filled, so the first searches
            # and lists on the server plan well (autovacuum would get there later).
            report("statistics", 0, 1)
            db.execute_sql("ANALYZE")
        except RelappError:
            raise
        except (psycopg.Error, PeeweeException) as error:
            raise _failed(url, error) from error
        except sqlite3.Error as error:
            raise MigrationFailed(
                f"Cannot read {path} ({_first_line(error)}); nothing was written to {redact(url)}."
            ) from error
        finally:
            _close(db)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Shop:
    """The shop file, read: a read-only connection inside one read transaction, and the
    names of its tables."""

    path: Path
    connection: sqlite3.Connection
    tables: tuple[str, ...]


@contextlib.contextmanager
def _read_only_shop(path: Path) -> Iterator[_Shop]:
    """The shop file through a read-only SQLite connection inside one read transaction,
    after checking that it is a Relapp shop at the latest schema."""
    if not path.exists():
        raise DatabaseUnavailable(f"There is no shop file at {path}; nothing was moved.")
    if not path.is_file():
        raise DatabaseUnavailable(f"{path} is not a shop file (it is a folder); nothing was moved.")
    if path.stat().st_size == 0:
        raise NotARelappDatabase(f"{path} is empty, not a Relapp shop; nothing was moved.")
    # SQLite alone opens the file (relapp/db/live_files.py): the shop may be in use.
    shop = SqliteDatabase(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        try:
            shop.connect()
            raw: sqlite3.Connection = shop.connection()
            require_relapp(raw, path)
            version = schema_version(shop)
            raw.execute("BEGIN")  # one snapshot for every read below, counts included
            tables = tuple(shop.get_tables())
        except (sqlite3.Error, PeeweeException) as error:
            raise NotARelappDatabase(
                f"{path} is damaged or is not a database file; nothing was moved."
            ) from error
        if version > LATEST_VERSION:
            raise DatabaseTooNew(
                f"{path} was written by a newer Relapp (schema {version}; this version knows"
                f" up to {LATEST_VERSION}); install the newer Relapp to move it."
            )
        if version < LATEST_VERSION:
            raise NeedsUpgrade(
                f"{path} is at schema {version}, older than this Relapp's {LATEST_VERSION}:"
                " open it once with this Relapp (which brings it up to date), then move it."
            )
        yield _Shop(path, raw, tables)
    finally:
        with contextlib.suppress(sqlite3.Error, PeeweeException):
            shop.close()


def _migrate(shop: _Shop, db: ServerDatabase, report: Progress) -> MigrationReport:
    where = redact(db.url)
    _prepare_target(db, where)
    with _raw(db).cursor() as cursor:
        # A big shop's COPY may take minutes: no timeout of the server's configuration applies.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")
        columns = _server_columns(cursor)
        tables = _tables_to_copy(shop, columns)
        file_rows = {table: _count(shop.connection, table) for table in tables}
        loaded = [*tables, SEARCH_TABLE]
        for table in loaded:
            cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(_id(table)))
        keys = _set_aside_foreign_keys(cursor, loaded)
        indexes = _set_aside_indexes(cursor, loaded)
        for table in tables:  # what the schema started with (SCHEMA_SEED_ROWS) gives way
            cursor.execute(sql.SQL("DELETE FROM {}").format(_id(table)))
        for table in tables:
            _copy_table(shop, cursor, table, columns[table], file_rows[table], report)
        report(SEARCH_STEP, 0, file_rows["contact"])
        cursor.execute(
            sql.SQL(
                "INSERT INTO {} (contact_id, document)"
                " SELECT id, relapp_search_document(c) FROM contact c"
            ).format(_id(SEARCH_TABLE))
        )
        # Its word starts (schema 12), which its triggers would have added document by
        # document, all at once, and their key built once from them.
        cursor.execute(f"ALTER TABLE {word_starts.TABLE} DROP CONSTRAINT {word_starts.TABLE}_key")
        cursor.execute(word_starts.FILL)
        cursor.execute(word_starts.KEY)
        report(SEARCH_STEP, file_rows["contact"], file_rows["contact"])
        for number, definition in enumerate(indexes):
            report(INDEX_STEP, number, len(indexes))
            cursor.execute(definition)
        report(INDEX_STEP, len(indexes), len(indexes))
        for number, definition in enumerate(keys):
            report(KEY_STEP, number, len(keys))
            cursor.execute(definition)  # checks every row's reference, in one query
        report(KEY_STEP, len(keys), len(keys))
        for table in loaded:
            cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(_id(table)))
        sequences = _restart_identities(cursor)
        report(CHECK_STEP, 0, len(tables))
        result = _check(shop, cursor, tables, file_rows, sequences, where)
        report(CHECK_STEP, len(tables), len(tables))
    return result


def _set_aside_foreign_keys(cursor: psycopg.Cursor[Any], tables: list[str]) -> list[str]:
    """Drop the foreign keys of tables; the statements that add them back as they were.

    Checked row by row, a reference costs a lookup and a row lock on the row it points to
    (tens of millions on a big shop); added back after the copy, each foreign key checks
    every row in one query, and the transaction fails if one does not hold."""
    cursor.execute(
        "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " JOIN pg_class t ON t.oid = k.conrelid"
        " WHERE k.contype = 'f' AND t.relnamespace = to_regnamespace(current_schema())"
        " AND t.relname = ANY(%s) ORDER BY t.relname, k.conname",
        (tables,),
    )
    restore = []
    for table, name, definition in cursor.fetchall():
        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(_id(table), _id(name)))
        restore.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ")
            .format(_id(table), _id(name))
            .as_string(cursor)
            + definition
        )
    return restore


def _set_aside_indexes(cursor: psycopg.Cursor[Any], tables: list[str]) -> list[str]:
    """Drop the indexes of tables other than their primary and unique keys; the statements
    that create them again as they were. One index built from all the rows is several
    times faster than one grown row by row (the search's trigram index most of all)."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class t ON t.oid = i.indrelid"
        " WHERE t.relnamespace = to_regnamespace(current_schema()) AND t.relname = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        " AND k.contype IN ('p', 'u', 'x'))"
        " ORDER BY t.relname, 1",
        (tables,),
    )
    restore = []
    for name, definition in cursor.fetchall():
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
        restore.append(definition)
    return restore


def _prepare_target(db: ServerDatabase, where: str) -> None:
    """An empty database gets the schema; one holding a Relapp shop without any data (only
    the rows its schema starts with, as `relapp server init` leaves it) is brought to the
    latest schema; anything else is refused."""
    version = server_schema_version(db)  # refuses another program's tables
    if version is None:
        create_schema(db)
        return
    with _raw(db).cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall() if name != SCHEMA_TABLE]
        for table in tables:
            seeded = SCHEMA_SEED_ROWS.get(table, 0)
            cursor.execute(
                sql.SQL("SELECT count(*) FROM (SELECT FROM {} LIMIT %s) AS sample").format(
                    _id(table)
                ),
                (seeded + 1,),
            )
            if _scalar(cursor) > seeded:
                cursor.execute("SELECT count(*) FROM contact")
                contacts = _scalar(cursor)
                held = f"{contacts:,} customers" if contacts else f"data (in {table})"
                raise ServerNotEmpty(
                    f"{where} already holds a Relapp shop with {held}; server migrate only"
                    " fills an empty database, so nothing was copied."
                )
    migrate_server(db, version, where)  # refuses a newer schema


def _server_columns(cursor: psycopg.Cursor[Any]) -> dict[str, list[str]]:
    """Each of the server's tables and its columns, in their order."""
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    columns: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def _tables_to_copy(shop: _Shop, server_columns: dict[str, list[str]]) -> list[str]:
    """The tables of the models, in the models' order, then the file's tables without a model
    (consent_current, contact_rhythm, import_batch, import_row), by name; never the search
    index, which the server makes itself. Each must be on the server with the same columns
    (a shop file at the latest schema and this Relapp's server schema always are)."""
    path = shop.path
    file_tables = {
        name
        for name in shop.tables
        if not name.startswith("sqlite_")
        and name != SEARCH_TABLE
        and not name.startswith(SEARCH_TABLE + "_")
    }
    modelled = [model._meta.table_name for model in ALL_MODELS]
    missing = [name for name in modelled if name not in file_tables]
    if missing:
        raise NotARelappDatabase(
            f"{path} lacks the table {missing[0]}: it is damaged or not a Relapp shop;"
            " nothing was moved."
        )
    tables = modelled + sorted(file_tables - set(modelled))
    for table in tables:
        if table not in server_columns:
            raise MigrationFailed(
                f"{path} holds a table ({table}) that a shop server does not have; nothing"
                " was moved."
            )
        on_file = {
            description[0]
            for description in shop.connection.execute(
                f"SELECT * FROM {_quoted(table)} LIMIT 0"
            ).description
        }
        if on_file != set(server_columns[table]):
            different = sorted(on_file ^ set(server_columns[table]))
            raise MigrationFailed(
                f"The table {table} of {path} and the server's differ (column"
                f" {', '.join(different)}); nothing was moved."
            )
    return tables


def _copy_table(
    shop: _Shop,
    cursor: psycopg.Cursor[Any],
    table: str,
    columns: Sequence[str],
    total: int,
    report: Progress,
) -> int:
    """Every row of table from the file to the server, ids kept, by PostgreSQL's COPY."""
    order = " ORDER BY id" if "id" in columns else ""
    rows = shop.connection.execute(
        f"SELECT {', '.join(_quoted(column) for column in columns)} FROM {_quoted(table)}{order}"
    )
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        _id(table), sql.SQL(", ").join(_id(column) for column in columns)
    )
    done = 0
    row: Sequence[object] = ()
    if total:
        report(table, 0, total)
    try:
        with cursor.copy(statement) as copy:
            while batch := rows.fetchmany(BATCH_ROWS):
                for row in batch:
                    copy.write_row(row)
                done += len(batch)
                if done < total:
                    report(table, done, total)
    except psycopg.Error as error:
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            raise  # the connection: said by the caller
        # A value refused before it was sent (sqlstate None) is the row just written.
        which = "a row"
        if error.sqlstate is None and row and columns[0] == "id":
            which = f"the row with id {row[0]}"
        raise MigrationFailed(
            f"The shop server cannot take {which} of {table} in {shop.path}"
            f" ({_first_line(error)}); nothing was moved."
        ) from error
    report(table, total, total)
    return done


def _restart_identities(cursor: psycopg.Cursor[Any]) -> dict[tuple[str, str], int]:
    """Every identity sequence moved past its table's highest id: the next row the server
    makes gets a new id. Each (table, identity column) and the id it will give next."""
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name"
    )
    next_ids: dict[tuple[str, str], int] = {}
    for table, column in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({}), 0) + 1, false)"
                " FROM {}"
            ).format(_id(column), _id(table)),
            (_quoted(table), column),
        )
        next_ids[table, column] = _scalar(cursor)
    return next_ids


def _check(
    shop: _Shop,
    cursor: psycopg.Cursor[Any],
    tables: list[str],
    file_rows: dict[str, int],
    sequences: dict[tuple[str, str], int],
    where: str,
) -> MigrationReport:
    """What the commit waits for: the same rows, balances that are their ledger's sums, ids
    that go on after the copied ones, and one search entry per contact."""
    path = shop.path
    copied = []
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(_id(table)))
        server_rows = _scalar(cursor)
        if server_rows != file_rows[table]:
            raise MigrationFailed(
                f"The server holds {server_rows:,} rows of {table} where {path} holds"
                f" {file_rows[table]:,}; nothing was moved."
            )
        copied.append(TableCopied(table, file_rows[table], server_rows))

    cursor.execute(
        "SELECT c.id, c.points_balance, coalesce(e.points, 0) FROM contact c"
        " LEFT JOIN (SELECT contact_id, sum(points) AS points FROM points_entry"
        " GROUP BY contact_id) e ON e.contact_id = c.id"
        " WHERE c.points_balance <> coalesce(e.points, 0) ORDER BY c.id LIMIT 1"
    )
    differing = cursor.fetchone()
    if differing is not None:
        number, balance, ledger = differing
        raise MigrationFailed(
            f"Customer {number}'s balance ({balance:,} points) is not the sum of their ledger"
            f" entries ({ledger:,}) in {path}; run `relapp check` on it. Nothing was moved."
        )
    ledger_sql = "SELECT coalesce(sum(points), 0) FROM points_entry"
    balance_sql = "SELECT coalesce(sum(points_balance), 0) FROM contact"
    cursor.execute(ledger_sql)
    server_points = _scalar(cursor)
    cursor.execute(balance_sql)
    server_balances = _scalar(cursor)
    file_points = shop.connection.execute(ledger_sql).fetchone()[0]
    file_balances = shop.connection.execute(balance_sql).fetchone()[0]
    if (server_points, server_balances) != (file_points, file_balances):
        raise MigrationFailed(
            f"The points on the server ({server_points:,} in the ledger, {server_balances:,} in"
            f" balances) differ from {path}'s ({file_points:,}, {file_balances:,}); nothing"
            " was moved."
        )

    for (table, column), next_id in sequences.items():
        cursor.execute(
            sql.SQL("SELECT coalesce(max({}), 0) FROM {}").format(_id(column), _id(table))
        )
        highest = _scalar(cursor)
        if next_id <= highest:
            raise MigrationFailed(
                f"The server would give a new row of {table} the id {next_id}, which is"
                f" taken; nothing was moved to {where}."
            )

    cursor.execute(
        sql.SQL(
            "SELECT count(*), count(*) FILTER (WHERE c.id IS NULL) FROM {} s"
            " FULL JOIN contact c ON c.id = s.contact_id"
        ).format(_id(SEARCH_TABLE))
    )
    row = cursor.fetchone()
    assert row is not None
    entries, orphans = row
    if entries != file_rows["contact"] or orphans:
        raise MigrationFailed(
            f"The server's search index holds {entries:,} entries for {file_rows['contact']:,}"
            f" customers; nothing was moved to {where}."
        )
    return MigrationReport(
        tables=tuple(copied),
        customers=file_rows["contact"],
        ledger_points=int(server_points),
        search_rows=int(entries),
        sequences=len(sequences),
        seconds=0.0,
    )


# --------------------------------------------------------------------------------- helpers


def _raw(db: ServerDatabase) -> psycopg.Connection[Any]:
    connection: psycopg.Connection[Any] = db.connection()  # type: ignore[no-untyped-call]
    return connection


def _count(shop: sqlite3.Connection, table: str) -> int:
    return int(shop.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0])


def _scalar(cursor: psycopg.Cursor[Any]) -> int:
    row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _id(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _quoted(name: str) -> str:
    """An SQL identifier as both engines read it."""
    return '"' + name.replace('"', '""') + '"'


def _failed(url: str, error: BaseException) -> DatabaseError:
    """One sentence for a server error during the copy; the transaction was rolled back."""
    cause = error.__cause__ if isinstance(error, PeeweeException) and error.__cause__ else error
    if isinstance(cause, psycopg.OperationalError | psycopg.InterfaceError):
        return unavailable(url, cause, written=False)
    reason = _first_line(cause).replace(url, redact(url))
    return MigrationFailed(
        f"The shop server {redact(url)} refused the copy ({reason}); nothing was moved."
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _close(db: ServerDatabase) -> None:
    with contextlib.suppress(psycopg.Error, PeeweeException):
        db.close()


def _ignore(step: str, done: int, total: int) -> None:
    return None
