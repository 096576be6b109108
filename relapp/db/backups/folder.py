"""The backup folder's policy: where automatic backups go, their names
(STEM-YYYYMMDD-HHMMSS.db, UTC), which are due, and pruning to the newest few; only files with
that pattern are ever pruned, and a NAME.part left by a killed backup is removed."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from relapp.db.backups.files import (
    BACKUP_FOLDER_NAME,
    DEFAULT_KEEP,
    PART_SUFFIX,
    STAMP,
    connect_read_only,
    remove_leftover_part,
)
from relapp.errors import (
    RelappError,
)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime  # UTC, from the name
    bytes: int


def default_backup_folder(database_path: Path | str) -> Path:
    """`backups/` beside the database: it follows --db and RELAPP_DB, and several databases in
    one folder still keep apart (each one's backups carry its own name)."""
    return Path(database_path).parent / BACKUP_FOLDER_NAME


def backup_name(database_path: Path | str, moment: datetime) -> str:
    return f"{Path(database_path).stem}-{moment.astimezone(UTC).strftime(STAMP)}.db"


def _pattern(stem: str | None) -> re.Pattern[str]:
    name = re.escape(stem) if stem else r".+"
    return re.compile(rf"^(?P<stem>{name})-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?\.db$")


def list_backups(folder: Path | str, stem: str | None = None) -> list[BackupFile]:
    """The automatic backups in folder (of the database named stem, or of any), newest first."""
    return backups_matching(folder, _pattern(stem))


def backups_matching(folder: Path | str, pattern: re.Pattern[str]) -> list[BackupFile]:
    """The files in folder whose names pattern matches (its groups: stamp, in STAMP's format,
    and n, the number of a second backup in the same second), newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if not match or not entry.is_file():
            continue
        try:
            taken_at = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC)
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        # Two backups in one second: NAME.db, then NAME-2.db (see free_name).
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
    return prune_matching(folder, keep, _pattern(stem))


def prune_matching(folder: Path | str, keep: int, pattern: re.Pattern[str]) -> list[Path]:
    """Delete all but the newest `keep` of backups_matching(folder, pattern)."""
    keep = max(1, keep)
    removed = []
    for backup in backups_matching(folder, pattern)[keep:]:
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
        closing(connect_read_only(database_path)) as source,
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


def remove_leftover_parts(folder: Path, stem: str | None = None) -> list[Path]:
    """Delete the .part files (and their -journal, -wal, -shm) of killed backups in folder;
    a .part another backup is still writing is locked and left alone."""
    pattern = re.compile(_pattern(stem).pattern.rstrip("$") + re.escape(PART_SUFFIX) + "$")
    removed = []
    for entry in list(Path(folder).iterdir()):
        if pattern.match(entry.name) and remove_leftover_part(entry):
            removed.append(entry)
    return removed
