"""Restoring a backup into the live file, after checking it and keeping a safety copy."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relapp.db.backups.check import integrity_problems
from relapp.db.backups.copy import copy_to, run_backup
from relapp.db.backups.files import (
    BUSY_TIMEOUT_S,
    MMAP_BYTES,
    PART_SUFFIX,
    STAMP,
    STEP_PAGES,
    BackupFailed,
    Progress,
    connect_read_only,
    copy_files_in_child,
    free_name,
    require_relapp,
    same_file,
    unchanged_since,
    unlink_part,
)
from relapp.db.identity import APPLICATION_ID
from relapp.db.migrations import LATEST_VERSION
from relapp.errors import (
    DatabaseBusy,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
)


@dataclass(frozen=True)
class BackupInfo:
    """What a file offered for restore is: checked, ours, and at which schema."""

    path: Path
    schema_version: int
    bytes: int
    modified_ns: int = 0  # the file's modification time when it was checked

    def still_as_checked(self) -> bool:
        """The file has the size and time it had when checked (restore need not check again:
        integrity_check takes minutes on a big shop)."""
        return unchanged_since(self.path, self.bytes, self.modified_ns)


@dataclass(frozen=True)
class RestoreResult:
    safety_copy: Path | None  # None when there was no database to keep
    schema_version: int
    seconds: float


def inspect_backup(backup_file: Path | str) -> BackupInfo:
    """Refuse what must not be restored: not SQLite, another program's file, a newer schema,
    a file failing integrity_check. Reads only."""
    path = Path(backup_file).expanduser()
    if not path.is_file():
        raise DatabaseUnavailable(f"{path} does not exist or is not a file.")
    # Read through SQLite, never open(): the file offered may be the live database itself.
    try:
        with closing(connect_read_only(path)) as backup:
            try:
                application_id = backup.execute("PRAGMA application_id").fetchone()[0]
            except sqlite3.DatabaseError as error:
                raise NotARelappDatabase(
                    f"{path} is not a database file; nothing was restored."
                ) from error
            if application_id != APPLICATION_ID:
                raise NotARelappDatabase(
                    f"{path} is not a Relapp database (another program's file or an empty "
                    "one); nothing was restored."
                )
            version = backup.execute("PRAGMA user_version").fetchone()[0]
            if version > LATEST_VERSION:
                raise DatabaseTooNew(
                    f"{path} was written by a newer Relapp (schema {version}; this version "
                    f"knows up to {LATEST_VERSION}); nothing was restored."
                )
            problems = integrity_problems(backup, limit=5)
    except sqlite3.Error as error:
        raise NotARelappDatabase(
            f"{path} is damaged or unreadable ({error}); nothing was restored."
        ) from error
    if problems:
        raise NotARelappDatabase(
            f"{path} is damaged ({'; '.join(problems)}); nothing was restored."
        )
    stat = path.stat()
    return BackupInfo(path, version, stat.st_size, stat.st_mtime_ns)


def safety_copy_name(database_path: Path | str, moment: datetime | None = None) -> Path:
    database_path = Path(database_path)
    stamp = (moment or datetime.now(UTC)).astimezone(UTC).strftime(STAMP)
    return free_name(
        database_path.parent,
        f"{database_path.stem}.before-restore-{stamp}{database_path.suffix or '.db'}",
    )


def restore_backup(
    database_path: Path | str,
    backup_file: Path | str,
    progress: Progress | None = None,
    *,
    step_pages: int = STEP_PAGES,
    inspected: BackupInfo | None = None,
) -> RestoreResult:
    """Replace the database's content with the backup's, after a safety copy of the current one.

    The content is written with the backup API into the live file, in one write transaction:
    a kill leaves the database as it was; other connections see the restored content at their
    next transaction. DatabaseBusy if another program keeps writing to it.
    inspected: what inspect_backup said of backup_file (before asking the user); it is
    checked again only if the file changed since.
    """
    started = time.perf_counter()
    database_path = Path(database_path)
    backup_file = Path(backup_file).expanduser()
    info = inspected
    if info is None or info.path != backup_file or not info.still_as_checked():
        info = inspect_backup(backup_file)
    if same_file(info.path, database_path):
        raise DatabaseUnavailable(f"{info.path} is the database itself; nothing to restore.")
    safety: Path | None = None
    if database_path.exists():
        with closing(connect_read_only(database_path)) as live:
            require_relapp(live, database_path, allow_empty=True)
        _probe_not_in_use(database_path)
        safety = safety_copy_name(database_path)
        try:
            copy_to(database_path, safety, None, verify=False, step_pages=STEP_PAGES)
        except (BackupFailed, sqlite3.Error):
            # A damaged database (the usual reason to restore) may defeat the backup API:
            # keep its files as they are, copied by another process (see copy_files).
            unlink_part(safety.with_name(safety.name + PART_SUFFIX))
            copy_files_in_child(database_path, safety)
    elif not database_path.parent.is_dir():
        raise DatabaseUnavailable(f"Cannot restore into {database_path}: no such folder.")

    try:
        with (
            closing(connect_read_only(info.path)) as source,
            closing(
                sqlite3.connect(database_path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            ) as live,
        ):
            live.execute("PRAGMA journal_mode = WAL")
            source.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            run_backup(source, live, progress, step_pages, database_path)
            live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            version = live.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseBusy(
                f"{database_path} is in use; close Relapp everywhere else and try again."
            ) from error
        raise BackupFailed(f"Restoring into {database_path} failed: {error}.") from error
    return RestoreResult(safety, version, time.perf_counter() - started)


def _probe_not_in_use(database_path: Path) -> None:
    """Take the write lock for a moment: 'in use' now rather than a restore waiting for ever."""
    try:
        with closing(sqlite3.connect(database_path, isolation_level=None, timeout=1.0)) as live:
            live.execute("BEGIN EXCLUSIVE")
            live.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseBusy(
                f"{database_path} is in use: another program is writing to it. "
                "Close Relapp everywhere else and try again."
            ) from error
        raise DatabaseUnavailable(f"Cannot use {database_path}: {error}.") from error
