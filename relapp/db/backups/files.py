"""What the backup modules share: the errors, the constants, read-only connections to a
database file, and the NAME.part files a copy is written into (locked while written, flushed,
renamed). The live database is only ever read through SQLite (relapp/db/live_files.py)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from relapp.db.identity import APPLICATION_ID
from relapp.errors import (
    DatabaseUnavailable,
    NotARelappDatabase,
    RelappError,
)

try:  # POSIX: a .part being written is locked, so another backup never deletes it.
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it just as well.
    fcntl = None  # type: ignore[assignment]

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
STAMP = "%Y%m%d-%H%M%S"
SQLITE_BUSY = 5
SQLITE_LOCKED = 6

# progress(done_pages, total_pages); returning False cancels (BackupCancelled is raised).
Progress = Callable[[int, int], object]


class BackupFailed(RelappError):
    """The copy could not be written or did not pass its check; nothing was kept."""


class BackupCancelled(RelappError):
    """The progress callback asked to stop; the partial copy was deleted."""


def connect_read_only(path: Path) -> sqlite3.Connection:
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


def require_relapp(db: sqlite3.Connection, path: Path, allow_empty: bool = False) -> None:
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


def create_locked(part: Path) -> BinaryIO:
    try:
        handle = open(part, "xb")  # noqa: SIM115 - kept open (and locked) until the rename
    except FileExistsError:
        if not remove_leftover_part(part):
            raise BackupFailed(f"Another backup is writing {part}; try again later.") from None
        handle = open(part, "xb")  # noqa: SIM115
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot write {part}: {error}.") from error
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    return handle


def unlink_part(part: Path) -> None:
    for name in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            part.with_name(part.name + name).unlink()


def free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    number = 2
    while candidate.exists() or candidate.with_name(candidate.name + PART_SUFFIX).exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def same_file(one: Path, other: Path) -> bool:
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def copy_files_in_child(database_path: Path, target: Path) -> None:
    """Copy the database's files byte for byte in a child process.

    Never in this one: the window keeps the database open, and closing the descriptor a copy
    reads through would drop its SQLite locks (relapp/db/live_files.py). A child holds no
    SQLite lock to lose. Spawned, not forked: works the same in the frozen app (main.py calls
    freeze_support) and on Windows.
    """
    child = multiprocessing.get_context("spawn").Process(
        target=copy_files, args=(str(database_path), str(target)), name="relapp-safety-copy"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise BackupFailed(
            f"Could not keep a copy of {database_path} before restoring; nothing was restored."
        )


def copy_files(database_path: str, target: str) -> None:
    """In the child process of copy_files_in_child only."""
    for suffix in ("", "-wal"):
        source = Path(database_path + suffix)
        if source.exists():
            shutil.copyfile(source, target + suffix)
            fsync_file(Path(target + suffix))


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_leftover_part(part: Path) -> bool:
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


def unchanged_since(path: Path, size: int, modified_ns: int) -> bool:
    """Whether the file at path still has the size and modification time it had when it was
    checked (a restore need not check a big file again)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (size, modified_ns)
