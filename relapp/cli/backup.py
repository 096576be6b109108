"""`relapp backup`, `relapp restore FILE` and `relapp check`: the shop's safety net from a shell.

None of them migrates the database: a backup copies it as it is, check only reads it, and a
restored older backup is brought up to date (after its own safety copy) the next time Relapp
opens it. The work is done by relapp.db.backups, which the app uses too.
"""

from __future__ import annotations

import argparse
import sys

from relapp.cli.args import answer_at_terminal
from relapp.errors import RelappError


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[database_option],
        help="copy the database safely, even while Relapp is in use",
        description="Copy the database with SQLite's online backup API (Relapp may keep "
        "working meanwhile), check the copy and keep it. Without --out the copy goes into the "
        "backup folder (by default `backups` beside the database), which keeps the newest ones.",
    )
    backup.add_argument("--out", metavar="FILE", help="write the backup to this file instead")
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore",
        parents=[database_option],
        help="replace the database with a backup (a safety copy is kept)",
        description="Replace the database's content with a backup's, after checking the "
        "backup and copying the current database beside it (NAME.before-restore-STAMP.db). "
        "Close Relapp everywhere else first.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (for scripts)"
    )
    restore.set_defaults(handler=run_restore)

    check = commands.add_parser(
        "check",
        parents=[database_option],
        help="check the database file and the loyalty ledger",
        description="Check the file's integrity, its references and the loyalty ledger (each "
        "customer's balance equals the sum of their ledger entries and never went below zero). "
        "Exits 1 and lists the problems if anything is wrong.",
    )
    check.set_defaults(handler=run_check)


def run_backup(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_path
    from relapp.db.backups import backup_preferences, take_backup

    path = database_path(args)
    if not path.is_file():
        raise RelappError(f"There is no database at {path}; nothing to back up.")
    show_progress = sys.stderr.isatty()
    if args.out:
        result = take_backup(path, out=args.out, progress=_progress if show_progress else None)
    else:
        folder, keep = backup_preferences(path)
        result = take_backup(
            path, folder=folder, keep=keep, progress=_progress if show_progress else None
        )
    if show_progress:
        print(file=sys.stderr)
    print(f"Backup written to {result.path} ({_size(result.bytes)} in {result.seconds:.1f} s).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_path
    from relapp.db.backups import inspect_backup, restore_backup

    path = database_path(args)
    info = inspect_backup(args.file)  # refuses a bad file before asking anything
    if not args.yes:
        refusal = "restore replaces the database; add --yes to confirm when not at a terminal."
        if sys.stdin.isatty():
            print(
                f"This replaces everything in {path} with the backup {info.path} "
                f"({_size(info.bytes)}). The current database is copied beside it first."
            )
        if answer_at_terminal("Type yes to restore: ", refusal).lower() != "yes":
            print("Nothing was restored.")
            return 1
    result = restore_backup(path, info.path, inspected=info)
    kept = f"; the previous database is kept as {result.safety_copy}" if result.safety_copy else ""
    print(f"Restored {path} from {info.path} in {result.seconds:.1f} s{kept}.")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_path
    from relapp.db.backups import check_database

    report = check_database(database_path(args))
    if report.ok:
        print(
            f"ok: integrity, {report.contacts:,} contacts' balances match the ledger "
            f"({report.ledger_entries:,} entries; {report.seconds:.1f} s)."
        )
        return 0
    print(f"{len(report.problems)} problem(s) found in {database_path(args)}:")
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def _progress(done: int, total: int) -> bool:
    print(f"\r{done * 100 // max(total, 1)}% copied", end="", file=sys.stderr, flush=True)
    return True


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"
