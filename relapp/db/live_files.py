"""The open database's files belong to SQLite alone.

On Linux and macOS, closing *any* descriptor of a file releases every POSIX lock that the
process holds on it, SQLite's included (SQLite's "How To Corrupt An SQLite Database File",
section 2.2). A backup that once read the live file with open() did exactly that: the next
`relapp sale` from a till found nobody else using the database, checkpointed and deleted the
WAL under the window, and later sales were lost or mixed up. Replacing or truncating the file
(a report or an export saved over it) is worse still.

So a file a person names (to import, to export or save a report into, a logo, a backup
target) passes through refuse_database_files() before anything opens it. The database itself
is only ever read and written through SQLite connections; whole-file copies go through the
backup API (relapp/backups.py). tests/test_architecture.py keeps raw file access to the
places listed there.
"""

from __future__ import annotations

import os
from pathlib import Path

from relapp.db import models
from relapp.errors import RelappError

# SQLite's own files beside a database NAME: NAME-wal, NAME-shm (WAL mode), NAME-journal.
COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


class DatabaseFileRefused(RelappError):
    """A file a person named is the shop's database or one of SQLite's files beside it."""


def open_database_path() -> Path | None:
    """The file of the database this process has open (bound to the models), if any; None for
    a shop server, which has no file here."""
    database = models.database.obj
    name = getattr(database, "database", None) if database is not None else None
    if not name or name == ":memory:" or str(name).startswith(("postgresql:", "postgres:")):
        return None
    return Path(name)


def database_files(database_path: Path | str) -> tuple[Path, ...]:
    database_path = Path(database_path)
    return tuple(database_path.with_name(database_path.name + s) for s in COMPANION_SUFFIXES)


def is_database_file(path: Path | str, database_path: Path | str | None = None) -> bool:
    """Whether path is the database (default: the open one) or one of its SQLite files.

    Compares the files themselves where they exist (a link, another spelling of the path)
    and the absolute paths otherwise (a -wal that SQLite has not created yet).
    """
    database_path = database_path if database_path is not None else open_database_path()
    if database_path is None:
        return False
    candidate = Path(path).expanduser()
    for own in database_files(database_path):
        try:
            if candidate.exists() and own.exists() and os.path.samefile(candidate, own):
                return True
        except OSError:
            pass
        if os.path.abspath(candidate) == os.path.abspath(own):
            return True
    return False


def refuse_database_files(path: Path | str, database_path: Path | str | None = None) -> Path:
    """path as a Path, unless it is the open database (or database_path) or its -wal, -shm or
    -journal: then DatabaseFileRefused, before anything has opened it."""
    if is_database_file(path, database_path):
        raise DatabaseFileRefused(
            f"{path} is the shop's database (or one of its working files); choose another file."
        )
    return Path(path).expanduser()
