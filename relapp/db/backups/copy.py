"""Taking a backup while the app keeps working (see the package's docstring)."""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relapp.db.backups.check import integrity_problems
from relapp.db.backups.files import (
    BUSY_TIMEOUT_S,
    DEFAULT_KEEP,
    MMAP_BYTES,
    PART_SUFFIX,
    SQLITE_BUSY,
    SQLITE_LOCKED,
    STEP_PAGES,
    BackupCancelled,
    BackupFailed,
    Progress,
    connect_read_only,
    create_locked,
    free_name,
    fsync_file,
    fsync_folder,
    remove_leftover_part,
    require_relapp,
    same_file,
    unlink_part,
)
from relapp.db.backups.folder import (
    backup_name,
    default_backup_folder,
    prune_backups,
    remove_leftover_parts,
)
from relapp.db.identity import APPLICATION_ID
from relapp.db.live_files import refuse_database_files
from relapp.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    copy_seconds: float = 0.0  # into NAME.part, not yet flushed to disk
    verify_seconds: float = 0.0
    flush_seconds: float = 0.0  # what was still to write to disk after the check
    pruned: tuple[Path, ...] = ()


def take_backup(
    database_path: Path | str,
    out: Path | str | None = None,
    folder: Path | str | None = None,
    keep: int = DEFAULT_KEEP,
    progress: Progress | None = None,
    *,
    verify: bool = True,
    step_pages: int = STEP_PAGES,
    now: datetime | None = None,
) -> BackupResult:
    """Copy the database while it stays in use; see the module's docstring.

    out: write exactly this file (replaced only once the new copy is checked); nothing is
    pruned. Otherwise an automatic backup goes into folder (default: default_backup_folder)
    and the folder keeps the newest `keep` of them.
    """
    started = time.perf_counter()
    database_path = Path(database_path)
    # Before any folder or file is made: another program's file or no database is refused
    # without leaving an empty backups folder behind.
    with closing(connect_read_only(database_path)) as source:
        require_relapp(source, database_path)
    if out is not None:
        target = refuse_database_files(out, database_path)
        if not target.parent.is_dir():
            raise DatabaseUnavailable(f"Cannot write {target}: its folder does not exist.")
        if target.is_dir():
            raise DatabaseUnavailable(f"{target} is a folder; name the backup file.")
        if same_file(target, database_path):
            raise DatabaseUnavailable(f"{target} is the database itself; choose another file.")
        remove_leftover_part(target.with_name(target.name + PART_SUFFIX))
    else:
        folder = Path(folder) if folder is not None else default_backup_folder(database_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"Cannot create the backup folder {folder}: {error}."
            ) from error
        remove_leftover_parts(folder, database_path.stem)
        target = free_name(folder, backup_name(database_path, now or datetime.now(UTC)))

    copy_seconds, verify_seconds, flush_seconds = copy_to(
        database_path, target, progress, verify, step_pages
    )
    pruned: list[Path] = []
    if out is None:
        pruned = prune_backups(target.parent, keep, database_path.stem)
    return BackupResult(
        path=target,
        bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        copy_seconds=copy_seconds,
        verify_seconds=verify_seconds,
        flush_seconds=flush_seconds,
        pruned=tuple(pruned),
    )


def copy_to(
    database_path: Path, target: Path, progress: Progress | None, verify: bool, step_pages: int
) -> tuple[float, float, float]:
    """Backup API into target.part, check, fsync, rename. Returns (copy, verify, flush) seconds."""
    part = target.with_name(target.name + PART_SUFFIX)
    lock = create_locked(part)
    try:
        started = time.perf_counter()
        with closing(connect_read_only(database_path)) as source:
            require_relapp(source, database_path)
            source.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            # One read transaction for the whole copy: one snapshot, never restarted by writes.
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            with closing(sqlite3.connect(part, isolation_level=None)) as copy:
                # Nothing to roll back in a file that is not valid until renamed.
                copy.execute("PRAGMA journal_mode = OFF")
                copy.execute("PRAGMA synchronous = OFF")
                run_backup(source, copy, progress, step_pages, database_path)
            source.execute("COMMIT")
        with closing(sqlite3.connect(part, isolation_level=None)) as copy:
            # The copied header says WAL; a backup is one self-contained file. Not flushed
            # yet: the system writes the pages out while the check below reads them.
            copy.execute("PRAGMA synchronous = OFF")
            copy.execute("PRAGMA journal_mode = DELETE").fetchone()
        copied = time.perf_counter()
        if verify:
            with closing(sqlite3.connect(part, isolation_level=None)) as copy:
                problems = integrity_problems(copy, limit=5)
                if copy.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                    problems.append("the copy lacks Relapp's application id")
            if problems:
                raise BackupFailed(
                    f"The backup of {database_path} failed its check and was not kept: "
                    + "; ".join(problems)
                )
        verified = time.perf_counter()
        fsync_file(part)
        os.replace(part, target)
        fsync_folder(target.parent)
        return copied - started, verified - copied, time.perf_counter() - verified
    except BaseException:
        unlink_part(part)
        raise
    finally:
        lock.close()


def run_backup(
    source: sqlite3.Connection,
    target: sqlite3.Connection,
    progress: Progress | None,
    step_pages: int,
    target_name: Path,
) -> None:
    # The live file is read by SQLite only, never by open(): closing any other descriptor of
    # it would drop this process's SQLite locks (see relapp/db/live_files.py). A thread that
    # read ahead with open() made a cold 4.6 GB copy 17 s -> 12 s and corrupted a shop.
    busy_since: list[float] = []

    def report(status: int, remaining: int, total: int) -> None:
        if status in (SQLITE_BUSY, SQLITE_LOCKED):
            # Python retries a busy step for ever; give up after the busy timeout.
            busy_since.append(time.monotonic())
            if busy_since[-1] - busy_since[0] > BUSY_TIMEOUT_S:
                raise DatabaseBusy(
                    f"{target_name} is in use: another program is writing to it. "
                    "Close Relapp everywhere else and try again."
                )
            return
        busy_since.clear()
        if progress is not None and progress(total - remaining, total) is False:
            raise BackupCancelled("The backup was cancelled.")

    try:
        source.backup(target, pages=max(1, step_pages), progress=report, sleep=0.05)
    except sqlite3.Error as error:
        raise BackupFailed(f"Copying {target_name} failed: {error}.") from error
