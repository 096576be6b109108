"""Backups, restore and the database check, in the store layer. No Qt: the app, the command
line and tests share it. files (shared parts), folder (names, due, pruning), copy (taking a
backup), restore, check.

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

from relapp.db.backups.check import CheckReport, check_database
from relapp.db.backups.copy import BackupResult, take_backup
from relapp.db.backups.files import (
    BACKUP_FOLDER_NAME,
    DEFAULT_KEEP,
    PART_SUFFIX,
    STEP_PAGES,
    BackupCancelled,
    BackupFailed,
    Progress,
)
from relapp.db.backups.folder import (
    BackupFile,
    backup_name,
    backup_preferences,
    default_backup_folder,
    list_backups,
    needs_daily_backup,
    prune_backups,
    remove_leftover_parts,
)
from relapp.db.backups.restore import (
    BackupInfo,
    RestoreResult,
    inspect_backup,
    restore_backup,
    safety_copy_name,
)

__all__ = [
    "BACKUP_FOLDER_NAME",
    "DEFAULT_KEEP",
    "PART_SUFFIX",
    "STEP_PAGES",
    "BackupCancelled",
    "BackupFailed",
    "BackupFile",
    "BackupInfo",
    "BackupResult",
    "CheckReport",
    "Progress",
    "RestoreResult",
    "backup_name",
    "backup_preferences",
    "check_database",
    "default_backup_folder",
    "inspect_backup",
    "list_backups",
    "needs_daily_backup",
    "prune_backups",
    "remove_leftover_parts",
    "restore_backup",
    "safety_copy_name",
    "take_backup",
]
