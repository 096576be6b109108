"""Opening the database: pragmas, identity checks, backup-then-migrate.

open_database() is the one way in. It returns a peewee database bound to the models, already
at the latest schema, or raises a relapp.errors.DatabaseError whose message a user can act on.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import OperationalError, PeeweeException, SqliteDatabase

from relapp.db import models
from relapp.db.backups import take_backup
from relapp.db.identity import APPLICATION_ID
from relapp.db.live_files import database_files
from relapp.db.migrations import LATEST_VERSION, MIGRATIONS
from relapp.errors import (
    DatabaseBusy,
    DatabaseReadOnly,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
)

BUSY_TIMEOUT_MS = 5000


def connection_pragmas(busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[tuple[str, object], ...]:
    return (
        ("journal_mode", "wal"),
        # FULL: a committed sale survives a power cut, not only an application crash.
        ("synchronous", "full"),
        ("foreign_keys", 1),
        # Erased personal data must not linger in free pages.
        ("secure_delete", 1),
        # Two windows or a till script on one file wait for each other instead of failing.
        ("busy_timeout", busy_timeout_ms),
    )


def open_database(
    path: Path | str, *, migrate: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> SqliteDatabase:
    """Open (creating if needed) the database at path and bring it to the latest schema.

    Before an existing database is migrated, a copy is written beside it
    (relapp.before-v2-20261122T0745.db), so a failed or unwanted upgrade loses nothing.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DatabaseUnavailable(f"Cannot create the database {path}: folder does not exist.")
    if path.is_dir():
        raise DatabaseUnavailable(f"{path} is a folder, not a database file.")
    _refuse_another_programs_file(path)
    db = ShopDatabase(
        str(path), pragmas=connection_pragmas(busy_timeout_ms), timeout=busy_timeout_ms / 1000
    )
    try:
        db.connect()
        _check_identity(db, path)
        if migrate:
            migrate_database(db, path)
    except PeeweeDatabaseError as error:
        db.close()
        raise translate_error(error, path) from error
    except Exception:
        db.close()
        raise
    models.database.initialize(db)
    return db


class ShopDatabase(SqliteDatabase):
    """The app's connection. A write refused because the file may only be read (its
    permissions, a read-only disk or share) raises DatabaseReadOnly, one sentence, wherever
    it happens (a sale, a redemption, an edit), instead of sqlite's "attempt to write a
    readonly database" as an unexpected error. Reading such a file works as before."""

    def execute_sql(
        self, sql: str, params: Sequence[object] | Mapping[str, object] | None = None
    ) -> sqlite3.Cursor:
        with _read_only_explained(self.database):
            return super().execute_sql(sql, params)  # type: ignore[no-untyped-call]

    def begin(self, *args: object, **kwargs: object) -> None:
        with _read_only_explained(self.database):
            super().begin(*args, **kwargs)

    def commit(self) -> None:
        with _read_only_explained(self.database):
            return super().commit()


def read_only_error(path: Path | str) -> DatabaseReadOnly:
    """The sentence for a refused write. It names SQLite's own files beside the database
    (NAME-wal, NAME-shm) when they too may not be written: a reading command on a read-only
    file creates NAME-shm with the file's permissions, and once the file is writable again
    that -shm alone still refuses every write."""
    files = database_files(path)
    # access(2) opens nothing, so it cannot drop SQLite's locks (see live_files).
    unwritable = [file for file in files if file.exists() and not os.access(file, os.W_OK)]
    if not set(unwritable) - {files[0]}:
        return DatabaseReadOnly(
            f"Nothing was saved: the shop's database {path} can be read but not written by"
            " this user (the file or its folder is read-only). Ask whoever looks after this"
            " computer to let this user change that file and its folder."
        )
    names = _listed([str(file) for file in unwritable])
    return DatabaseReadOnly(
        f"Nothing was saved: the shop's database {path} can be read but not written by this"
        f" user ({names} {'are' if len(unwritable) > 1 else 'is'} read-only). Ask whoever"
        f" looks after this computer to let this user change {names}."
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@contextmanager
def _read_only_explained(path: str) -> Iterator[None]:
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as error:
        if "readonly" in str(error).lower():
            raise read_only_error(path) from error
        raise


def needs_upgrade(path: Path | str) -> bool:
    """Whether opening this existing file will migrate it (and first copy it, which takes a
    while on a big shop); False for a new file or one already at the latest schema."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as raw:
            version = raw.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error:
        return False  # open_database will explain what is wrong with it
    return 0 < version < LATEST_VERSION


def schema_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def outside_commits_stamp() -> int | None:
    """A number that changes when another connection commits to the database (the command
    line, another user's Relapp, a thread with its own connection); this thread's own
    commits leave it as it is (SQLite's PRAGMA data_version). None when the file cannot be
    read just now (busy, gone): ask again later."""
    if not isinstance(models.database.obj, SqliteDatabase):
        return None  # a shop server tells its tills itself (relapp.db.server.notifications)
    try:
        return models.database.execute_sql("PRAGMA data_version").fetchone()[0]
    except (PeeweeException, sqlite3.Error):
        return None


def migrate_database(
    db: SqliteDatabase, path: Path | None = None, target: int | None = None
) -> int:
    """Apply the pending migrations up to target (default: latest) in one transaction.

    Returns the number applied. A database with data is first copied beside itself.
    """
    target = LATEST_VERSION if target is None else target
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise DatabaseTooNew(
            f"{path or 'This database'} was written by a newer Relapp (schema {current}; this "
            f"version knows up to {LATEST_VERSION}). Install the newer Relapp to open it."
        )
    pending = [m for m in MIGRATIONS if current < m.version <= target]
    if not pending:
        return 0
    if current > 0 and path is not None:
        backup_before_migration(db, path, pending[-1].version)
    with db.atomic():
        db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        for migration in pending:
            migration.upgrade(db)
            # user_version lives in the file header and commits or rolls back with the rest.
            db.execute_sql(f"PRAGMA user_version = {migration.version:d}")
    return len(pending)


def backup_before_migration(db: SqliteDatabase, path: Path, new_version: int) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    copy_path = path.with_name(f"{path.stem}.before-v{new_version}-{stamp}{path.suffix}")
    # Same as any backup (online API, NAME.part renamed once flushed, so a kill mid-copy
    # leaves nothing that looks like a copy); the check is skipped: the app is waiting.
    take_backup(path, out=copy_path, verify=False)
    return copy_path


def _refuse_another_programs_file(path: Path) -> None:
    """Look at an existing file through a read-only connection before the pragmas, which
    write (journal_mode=WAL changes bytes 18-19 of the header): another program's file or a
    file that is not a database is refused without being touched."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as raw:
            application_id = raw.execute("PRAGMA application_id").fetchone()[0]
            tables = raw.execute(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            ).fetchone()[0]
    except sqlite3.Error as error:
        raise translate_error(error, path) from error
    if application_id != APPLICATION_ID and (application_id != 0 or tables):
        raise NotARelappDatabase(
            f"{path} is another program's SQLite database, not a Relapp database; "
            "it was left untouched."
        )


def _check_identity(db: SqliteDatabase, path: Path) -> None:
    application_id = db.execute_sql("PRAGMA application_id").fetchone()[0]
    if application_id == APPLICATION_ID:
        return
    has_tables = db.execute_sql(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
    ).fetchone()[0]
    if application_id != 0 or has_tables:
        raise NotARelappDatabase(
            f"{path} is another program's SQLite database, not a Relapp database; "
            "it was left untouched."
        )


def translate_error(error: Exception, path: Path) -> Exception:
    """Turn sqlite's terse messages into sentences a shop owner can act on."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusy(
            f"{path} is busy: another program is writing to it. Try again in a moment."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return NotARelappDatabase(
            f"{path} is damaged or is not a database file. Restore it from a backup."
        )
    if isinstance(error, OperationalError) and (
        "unable to open" in text or "readonly" in text or "read-only" in text or "disk" in text
    ):
        return DatabaseUnavailable(f"Cannot open {path} for writing: {error}.")
    return DatabaseUnavailable(f"Cannot use the database {path}: {error}.")
