"""Backups, restore and the database check. No Qt: the app, the command line and tests share it.

A backup is taken with SQLite's online backup API from a read-only connection that holds one
read transaction for the whole copy: in WAL mode the app keeps reading and writing meanwhile,
and the copy is one consistent snapshot (a write by another connection does not restart it).
Pages go into NAME.part beside the target; the copy is switched to a single self-contained
file (rollback journal, no -wal), checked (PRAGMA integrity_check, Relapp's application_id),
flushed to disk and only then renamed to its final name. A kill at any moment leaves the live
database untouched (it is only read) and at worst a NAME.part file, which never looks like a
backup and is deleted by the next backup.

Automatic backups are named STEM-YYYYMMDD-HHMMSS.db (STEM: the database file's name without
.db, so `relapp-20261122-074500.db` for the default relapp.db; the time is UTC), kept in a
`backups` folder beside the database unless another folder is chosen; only files with that
pattern are ever pruned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from relapp.db.connection import APPLICATION_ID
from relapp.db.live_files import refuse_database_files
from relapp.db.migrations import LATEST_VERSION
from relapp.errors import (
    DatabaseBusy,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
    RelappError,
)

try:  # POSIX: a .part being written is locked, so another backup never deletes it.
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it just as well.
    fcntl = None

BACKUP_FOLDER_NAME = "backups"
DEFAULT_KEEP = 10
PART_SUFFIX = ".part"
# 32768 pages (128 MiB at 4 KiB pages) per step: few enough steps to be fast, enough for progress.
STEP_PAGES = 32768
# Read the source through memory-mapped I/O: about twice as fast as read() on a big file.
# SQLite caps this at its compile-time maximum.
MMAP_BYTES = 1 << 40
BUSY_TIMEOUT_S = 5.0
MAX_PROBLEMS = 20
_STAMP = "%Y%m%d-%H%M%S"
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6

# progress(done_pages, total_pages); returning False cancels (BackupCancelled is raised).
Progress = Callable[[int, int], object]


class BackupFailed(RelappError):
    """The copy could not be written or did not pass its check; nothing was kept."""


class BackupCancelled(RelappError):
    """The progress callback asked to stop; the partial copy was deleted."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    copy_seconds: float = 0.0  # into NAME.part, not yet flushed to disk
    verify_seconds: float = 0.0
    flush_seconds: float = 0.0  # what was still to write to disk after the check
    pruned: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime  # UTC, from the name
    bytes: int


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
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (self.bytes, self.modified_ns)


@dataclass(frozen=True)
class RestoreResult:
    safety_copy: Path | None  # None when there was no database to keep
    schema_version: int
    seconds: float


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    contacts: int = 0
    ledger_entries: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


# --- names and folders --------------------------------------------------------------------


def default_backup_folder(database_path: Path | str) -> Path:
    """`backups/` beside the database: it follows --db and RELAPP_DB, and several databases in
    one folder still keep apart (each one's backups carry its own name)."""
    return Path(database_path).parent / BACKUP_FOLDER_NAME


def backup_name(database_path: Path | str, moment: datetime) -> str:
    return f"{Path(database_path).stem}-{moment.astimezone(UTC).strftime(_STAMP)}.db"


def _pattern(stem: str | None) -> re.Pattern[str]:
    name = re.escape(stem) if stem else r".+"
    return re.compile(rf"^(?P<stem>{name})-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?\.db$")


def list_backups(folder: Path | str, stem: str | None = None) -> list[BackupFile]:
    """The automatic backups in folder (of the database named stem, or of any), newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = _pattern(stem)
    found = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if not match or not entry.is_file():
            continue
        try:
            taken_at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        # Two backups in one second: NAME.db, then NAME-2.db (see _free_name).
        found.append((taken_at, int(match["n"] or 1), BackupFile(entry, taken_at, size)))
    found.sort(key=lambda item: item[:2], reverse=True)
    return [backup for _taken_at, _n, backup in found]


def needs_daily_backup(
    folder: Path | str,
    now: datetime | None = None,
    *,
    stem: str | None = None,
    within: timedelta = timedelta(hours=24),
) -> bool:
    """True when folder holds no automatic backup taken in the `within` before now."""
    now = now or datetime.now(UTC)
    backups = list_backups(folder, stem)
    return not backups or backups[0].taken_at <= now - within


def prune_backups(folder: Path | str, keep: int, stem: str | None = None) -> list[Path]:
    """Delete all but the newest `keep` automatic backups; other files are never touched."""
    keep = max(1, keep)
    removed = []
    for backup in list_backups(folder, stem)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            backup.path.unlink()
            removed.append(backup.path)
    return removed


def backup_preferences(database_path: Path | str) -> tuple[Path, int]:
    """The backup folder and how many backups to keep, from the shop's settings
    (backup_folder, backup_keep) when present, else the defaults. Reads without migrating."""
    database_path = Path(database_path)
    stored: dict[str, str] = {}
    with (
        contextlib.suppress(sqlite3.Error, RelappError),
        closing(_connect_read_only(database_path)) as source,
    ):
        stored = dict(
            source.execute(
                "SELECT key, value FROM setting WHERE key IN ('backup_folder', 'backup_keep')"
            ).fetchall()
        )
    folder = Path(stored["backup_folder"]).expanduser() if stored.get("backup_folder") else None
    try:
        keep = int(stored.get("backup_keep", DEFAULT_KEEP))
    except ValueError:
        keep = DEFAULT_KEEP
    return folder or default_backup_folder(database_path), max(1, keep)


# --- taking a backup ----------------------------------------------------------------------


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
    with closing(_connect_read_only(database_path)) as source:
        _require_relapp(source, database_path)
    if out is not None:
        target = refuse_database_files(out, database_path)
        if not target.parent.is_dir():
            raise DatabaseUnavailable(f"Cannot write {target}: its folder does not exist.")
        if target.is_dir():
            raise DatabaseUnavailable(f"{target} is a folder; name the backup file.")
        if _same_file(target, database_path):
            raise DatabaseUnavailable(f"{target} is the database itself; choose another file.")
        _remove_leftover_part(target.with_name(target.name + PART_SUFFIX))
    else:
        folder = Path(folder) if folder is not None else default_backup_folder(database_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"Cannot create the backup folder {folder}: {error}."
            ) from error
        remove_leftover_parts(folder, database_path.stem)
        target = _free_name(folder, backup_name(database_path, now or datetime.now(UTC)))

    copy_seconds, verify_seconds, flush_seconds = _copy_to(
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


def _copy_to(
    database_path: Path, target: Path, progress: Progress | None, verify: bool, step_pages: int
) -> tuple[float, float, float]:
    """Backup API into target.part, check, fsync, rename. Returns (copy, verify, flush) seconds."""
    part = target.with_name(target.name + PART_SUFFIX)
    lock = _create_locked(part)
    try:
        started = time.perf_counter()
        with closing(_connect_read_only(database_path)) as source:
            _require_relapp(source, database_path)
            source.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            # One read transaction for the whole copy: one snapshot, never restarted by writes.
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            with closing(sqlite3.connect(part, isolation_level=None)) as copy:
                # Nothing to roll back in a file that is not valid until renamed.
                copy.execute("PRAGMA journal_mode = OFF")
                copy.execute("PRAGMA synchronous = OFF")
                _run_backup(source, copy, progress, step_pages, database_path)
            source.execute("COMMIT")
        with closing(sqlite3.connect(part, isolation_level=None)) as copy:
            # The copied header says WAL; a backup is one self-contained file. Not flushed
            # yet: the system writes the pages out while the check below reads them.
            copy.execute("PRAGMA synchronous = OFF")
            copy.execute("PRAGMA journal_mode = DELETE").fetchone()
        copied = time.perf_counter()
        if verify:
            with closing(sqlite3.connect(part, isolation_level=None)) as copy:
                problems = _integrity_problems(copy, limit=5)
                if copy.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                    problems.append("the copy lacks Relapp's application id")
            if problems:
                raise BackupFailed(
                    f"The backup of {database_path} failed its check and was not kept: "
                    + "; ".join(problems)
                )
        verified = time.perf_counter()
        _fsync_file(part)
        os.replace(part, target)
        _fsync_folder(target.parent)
        return copied - started, verified - copied, time.perf_counter() - verified
    except BaseException:
        _unlink_part(part)
        raise
    finally:
        lock.close()


def _run_backup(
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
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED):
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


# --- restore ------------------------------------------------------------------------------


def inspect_backup(backup_file: Path | str) -> BackupInfo:
    """Refuse what must not be restored: not SQLite, another program's file, a newer schema,
    a file failing integrity_check. Reads only."""
    path = Path(backup_file).expanduser()
    if not path.is_file():
        raise DatabaseUnavailable(f"{path} does not exist or is not a file.")
    # Read through SQLite, never open(): the file offered may be the live database itself.
    try:
        with closing(_connect_read_only(path)) as backup:
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
            problems = _integrity_problems(backup, limit=5)
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
    stamp = (moment or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
    return _free_name(
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
    if _same_file(info.path, database_path):
        raise DatabaseUnavailable(f"{info.path} is the database itself; nothing to restore.")
    safety: Path | None = None
    if database_path.exists():
        with closing(_connect_read_only(database_path)) as live:
            _require_relapp(live, database_path, allow_empty=True)
        _probe_not_in_use(database_path)
        safety = safety_copy_name(database_path)
        try:
            _copy_to(database_path, safety, None, verify=False, step_pages=STEP_PAGES)
        except (BackupFailed, sqlite3.Error):
            # A damaged database (the usual reason to restore) may defeat the backup API:
            # keep its files as they are, copied by another process (see _copy_files).
            _unlink_part(safety.with_name(safety.name + PART_SUFFIX))
            _copy_files_in_child(database_path, safety)
    elif not database_path.parent.is_dir():
        raise DatabaseUnavailable(f"Cannot restore into {database_path}: no such folder.")

    try:
        with (
            closing(_connect_read_only(info.path)) as source,
            closing(
                sqlite3.connect(database_path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            ) as live,
        ):
            live.execute("PRAGMA journal_mode = WAL")
            source.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            _run_backup(source, live, progress, step_pages, database_path)
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


# --- check --------------------------------------------------------------------------------


def check_database(database_path: Path | str, *, running_balances: bool = True) -> CheckReport:
    """integrity_check, foreign_key_check and the loyalty ledger: each contact's cached
    points_balance equals the sum of its entries, no balance is negative and (running_balances)
    no contact's running balance ever dipped below zero. At most MAX_PROBLEMS lines."""
    started = time.perf_counter()
    database_path = Path(database_path)
    if not database_path.is_file():
        raise DatabaseUnavailable(f"There is no database at {database_path}.")
    report = CheckReport()
    problems = report.problems
    try:
        with closing(_connect_read_only(database_path)) as db:
            try:
                _require_relapp(db, database_path)
            except NotARelappDatabase as error:
                if not isinstance(error.__cause__, sqlite3.DatabaseError):
                    raise  # another program's file: refused, as everywhere else
                problems.append(f"the file cannot be read: {error.__cause__}")
                return _finish(report, started)
            db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            problems += [f"integrity: {line}" for line in _integrity_problems(db, MAX_PROBLEMS)]
            if not problems:
                problems += _foreign_key_problems(db)
                problems += _ledger_problems(db, running_balances)
                report.contacts = db.execute("SELECT count(*) FROM contact").fetchone()[0]
                report.ledger_entries = db.execute("SELECT count(*) FROM points_entry").fetchone()[
                    0
                ]
    except sqlite3.DatabaseError as error:
        problems.append(f"the file cannot be read: {error}")
    return _finish(report, started)


def _finish(report: CheckReport, started: float) -> CheckReport:
    del report.problems[MAX_PROBLEMS:]
    report.seconds = time.perf_counter() - started
    return report


def _integrity_problems(db: sqlite3.Connection, limit: int) -> list[str]:
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


def _ledger_problems(db: sqlite3.Connection, running_balances: bool) -> list[str]:
    problems = []
    mismatches = db.execute(
        """SELECT c.id, c.points_balance, coalesce(l.total, 0)
           FROM contact AS c
           LEFT JOIN (SELECT contact_id, sum(points) AS total FROM points_entry
                      GROUP BY contact_id) AS l ON l.contact_id = c.id
           WHERE c.points_balance IS NOT coalesce(l.total, 0)
           ORDER BY c.id"""
    ).fetchall()
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
    negative = db.execute(
        "SELECT id, points_balance FROM contact WHERE points_balance < 0 ORDER BY id"
    ).fetchall()
    if negative:
        shown = ", ".join(f"contact {cid} at {balance:,}" for cid, balance in negative[:5])
        problems.append(f"ledger: {len(negative):,} negative points balances: {shown}")
    if running_balances:
        dipped = db.execute(
            """SELECT contact_id, min(running) FROM (
                   SELECT contact_id,
                          sum(points) OVER (PARTITION BY contact_id ORDER BY id) AS running
                   FROM points_entry)
               WHERE running < 0 GROUP BY contact_id ORDER BY contact_id"""
        ).fetchall()
        if dipped:
            shown = ", ".join(f"contact {cid} down to {low:,}" for cid, low in dipped[:5])
            problems.append(
                f"ledger: {len(dipped):,} contacts' running balances went below zero: {shown}"
            )
    return problems


# --- files and connections ----------------------------------------------------------------


def _connect_read_only(path: Path) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise DatabaseUnavailable(f"There is no database at {path}.")
    try:
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_S,
        )
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"Cannot read {path}: {error}.") from error


def _require_relapp(db: sqlite3.Connection, path: Path, allow_empty: bool = False) -> None:
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise NotARelappDatabase(f"{path} is damaged or is not a database file.") from error
    if application_id == APPLICATION_ID or (allow_empty and application_id == 0 and not tables):
        return
    raise NotARelappDatabase(
        f"{path} is not a Relapp database (another program's SQLite file); it was left untouched."
    )


def remove_leftover_parts(folder: Path, stem: str | None = None) -> list[Path]:
    """Delete the .part files (and their -journal, -wal, -shm) of killed backups in folder;
    a .part another backup is still writing is locked and left alone."""
    pattern = re.compile(_pattern(stem).pattern.rstrip("$") + re.escape(PART_SUFFIX) + "$")
    removed = []
    for entry in list(Path(folder).iterdir()):
        if pattern.match(entry.name) and _remove_leftover_part(entry):
            removed.append(entry)
    return removed


def _remove_leftover_part(part: Path) -> bool:
    if part.exists():
        try:
            handle = open(part, "rb")  # noqa: SIM115 - held while deciding
        except OSError:
            return False
        with handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return False  # being written right now
            try:
                part.unlink()
            except OSError:
                return False  # Windows: still open in another process
    for companion in ("-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            part.with_name(part.name + companion).unlink()
    return True


def _create_locked(part: Path):
    try:
        handle = open(part, "xb")  # noqa: SIM115 - kept open (and locked) until the rename
    except FileExistsError:
        if not _remove_leftover_part(part):
            raise BackupFailed(f"Another backup is writing {part}; try again later.") from None
        handle = open(part, "xb")  # noqa: SIM115
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot write {part}: {error}.") from error
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    return handle


def _unlink_part(part: Path) -> None:
    for name in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            part.with_name(part.name + name).unlink()


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    number = 2
    while candidate.exists() or candidate.with_name(candidate.name + PART_SUFFIX).exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def _copy_files_in_child(database_path: Path, target: Path) -> None:
    """Copy the database's files byte for byte in a child process.

    Never in this one: the window keeps the database open, and closing the descriptor a copy
    reads through would drop its SQLite locks (relapp/db/live_files.py). A child holds no
    SQLite lock to lose. Spawned, not forked: works the same in the frozen app (main.py calls
    freeze_support) and on Windows.
    """
    child = multiprocessing.get_context("spawn").Process(
        target=_copy_files, args=(str(database_path), str(target)), name="relapp-safety-copy"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise BackupFailed(
            f"Could not keep a copy of {database_path} before restoring; nothing was restored."
        )


def _copy_files(database_path: str, target: str) -> None:
    """In the child process of _copy_files_in_child only."""
    for suffix in ("", "-wal"):
        source = Path(database_path + suffix)
        if source.exists():
            shutil.copyfile(source, target + suffix)
            _fsync_file(Path(target + suffix))


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
