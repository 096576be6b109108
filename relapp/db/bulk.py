"""Helpers for loading many rows at once (the demo shop, large imports)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from peewee import Database, DatabaseProxy, PostgresqlDatabase

# 256 MB of page cache while loading: secondary indexes no longer thrash the default 8 MB.
BULK_CACHE_KIB = 262_144


@contextmanager
def bulk_load(
    db: Database,
    tables: Sequence[str],
    keep: Sequence[str] = (),
    full_text: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[None]:
    """Load rows into tables with their secondary indexes rebuilt once at the end.

    Must run inside a transaction: if loading fails, the rollback restores the indexes too.
    Building an index from sorted data at the end is several times faster than updating it
    row by row. Unique and primary-key indexes (sql IS NULL) stay, so constraints still hold,
    and so do the indexes named in keep (those that triggers rely on while rows arrive).
    full_text maps an external-content FTS5 table to the triggers that feed it row by row;
    those are paused and the index is rebuilt from its content in one pass instead.
    """
    if _on_server(db):
        # A shop server keeps its indexes and its search table (kept by triggers) as rows
        # arrive; see relapp.db.server.copy for the one big load it does, a shop's move.
        yield
        return
    placeholders = ", ".join("?" for _ in tables)
    indexes = db.execute_sql(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({placeholders}) ORDER BY name",
        list(tables),
    ).fetchall()
    indexes = [(name, sql) for name, sql in indexes if name not in keep]
    full_text = full_text or {}
    paused = _trigger_definitions(db, [name for names in full_text.values() for name in names])
    previous_cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    db.execute_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        for name, _ in indexes:
            db.execute_sql(f'DROP INDEX "{name}"')
        for name, _ in paused:
            db.execute_sql(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in indexes:
            db.execute_sql(sql)
        for table in full_text:
            db.execute_sql(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        for _, sql in paused:
            db.execute_sql(sql)
    finally:
        db.execute_sql(f"PRAGMA cache_size = {previous_cache:d}")


class DeferredFullText:
    """New rows of a table reach its external-content FTS5 index in batches, not row by row.

    An FTS5 insert made by a trigger costs ~65 us a contact; one INSERT ... SELECT over the
    source view for thousands of rows costs ~18 us a row. Use it as a context manager inside
    a transaction: it pauses the insert trigger and remembers the highest rowid indexed;
    flush() indexes the rows added since. A row added meanwhile must be flushed before it is
    updated (the update trigger deletes the old text from the index, which must be there):
    ask covers(rowid). On a clean exit the last rows are indexed and the trigger comes back;
    after an error nothing is restored here, because the rollback restores the trigger.
    On a shop server the search table is kept by its triggers row by row: nothing to defer.
    """

    def __init__(
        self, db: Database | DatabaseProxy, fts_table: str, source: str, insert_trigger: str
    ) -> None:
        self._db, self._fts_table, self._source = db, fts_table, source
        self._trigger = insert_trigger
        self._trigger_sql: str | None = None
        self._indexed_up_to = 0
        self._deferred = not _on_server(db)

    def __enter__(self) -> DeferredFullText:
        if not self._db.in_transaction():
            raise RuntimeError("DeferredFullText needs a transaction to fall back on")
        if not self._deferred:
            return self
        definitions = _trigger_definitions(self._db, [self._trigger])
        self._trigger_sql = definitions[0][1] if definitions else None
        self._indexed_up_to = self._db.execute_sql(
            f"SELECT coalesce(max(id), 0) FROM {self._source}"
        ).fetchone()[0]
        if self._trigger_sql is not None:
            self._db.execute_sql(f'DROP TRIGGER "{self._trigger}"')
        return self

    def covers(self, rowid: int) -> bool:
        return not self._deferred or rowid <= self._indexed_up_to

    def flush(self) -> None:
        if not self._deferred:
            return
        newest = self._db.execute_sql(
            f"SELECT coalesce(max(id), 0) FROM {self._source}"
        ).fetchone()[0]
        if newest > self._indexed_up_to:
            self._db.execute_sql(
                f"INSERT INTO {self._fts_table} (rowid, document)"
                f" SELECT id, document FROM {self._source} WHERE id > ? AND id <= ?",
                (self._indexed_up_to, newest),
            )
            self._indexed_up_to = newest

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is not None or not self._deferred:
            return
        self.flush()
        if self._trigger_sql is not None:
            self._db.execute_sql(self._trigger_sql)


def _trigger_definitions(
    db: Database | DatabaseProxy, names: Sequence[str]
) -> list[tuple[str, str]]:
    if not names:
        return []
    placeholders = ", ".join("?" for _ in names)
    return db.execute_sql(
        f"SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name IN ({placeholders})",
        list(names),
    ).fetchall()


def insert_rows(
    db: Database | DatabaseProxy,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Insert many rows with a single statement and a single parameter.

    The rows travel as one JSON array that SQLite unpacks itself. Binding one parameter per
    value costs ~0.5 us each in Python's sqlite3 and needs the GIL; this way SQLite works with
    the GIL released for the whole batch, so a thread preparing the next batch runs alongside.
    Triggers still fire row by row, in order.
    """
    if not rows:
        return
    if _on_server(db):
        # jsonb_populate_recordset types each value by its column, as SQLite's json_extract
        # leaves it to the column's affinity.
        db.execute_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)}"
            f" FROM jsonb_populate_recordset(NULL::{table}, ?::jsonb)",
            (json.dumps([dict(zip(columns, row, strict=True)) for row in rows]),),
        )
        return
    values = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(len(columns)))
    db.execute_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM json_each(?)",
        (json.dumps(rows, ensure_ascii=False),),
    )


def _on_server(db: Database | DatabaseProxy) -> bool:
    target = db.obj if isinstance(db, DatabaseProxy) else db
    return isinstance(target, PostgresqlDatabase)


class _Cancelled(Exception):
    pass


class BatchWriter(threading.Thread):
    """Writes batches on its own connection while the caller prepares the next ones.

    Python's sqlite3 releases the GIL while SQLite works, so preparing rows and writing them
    overlap on two cores. Everything happens in one transaction on the writer's thread:
    begin() runs first, then write(batch) for each batch, then end(); cancel() or any error
    rolls it all back. Errors reach the caller from put() or finish().
    """

    _DONE = object()
    _CANCEL = object()

    def __init__(
        self,
        db: Database,
        tables: Sequence[str],
        begin: Callable[[], None],
        write: Callable[[Any], None],
        end: Callable[[], None],
        keep_indexes: Sequence[str] = (),
        full_text: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(name="relapp-batch-writer", daemon=True)
        self._db, self._tables, self._keep_indexes = db, tables, keep_indexes
        self._full_text = full_text
        self._begin, self._write, self._end = begin, write, end
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            with (
                self._db.atomic(),
                bulk_load(self._db, self._tables, self._keep_indexes, self._full_text),
            ):
                self._begin()
                while (batch := self._queue.get()) is not self._DONE:
                    if batch is self._CANCEL:
                        raise _Cancelled
                    self._write(batch)
                self._end()
        except _Cancelled:
            pass  # the transaction, and the dropped indexes with it, rolled back
        except BaseException as error:  # handed to the caller's thread
            self._error = error
            self._drain()
        finally:
            self._db.close()  # this thread's connection

    def put(self, batch: Any) -> None:
        while self.is_alive():
            try:
                self._queue.put(batch, timeout=0.2)
                return
            except queue.Full:
                continue
        self._raise_error()

    def finish(self) -> None:
        self.put(self._DONE)
        self.join()
        self._raise_error()

    def cancel(self) -> None:
        if self.is_alive():
            self._drain()
            self._queue.put(self._CANCEL)
        self.join()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error
