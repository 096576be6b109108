"""`relapp backup`, `relapp restore FILE` and `relapp check`: the shop's safety net from a shell.

None of them migrates the database: a backup copies it as it is, check only reads it, and a
restored older backup is brought up to date (after its own safety copy) the next time Relapp
opens it. The work is done by relapp.db.backups, which the app uses too; on a shop server
(--db postgresql://...) by relapp.db.server.maintenance (pg_dump and pg_restore), with the
same words, the server always named without its password (redact).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relapp.cli.args import answer_at_terminal
from relapp.errors import RelappError


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[database_option],
        help="copy the database safely, even while Relapp is in use",
        description="Copy the database with SQLite's online backup API (Relapp may keep "
        "working meanwhile), check the copy and keep it. Without --out the copy goes into the "
        "backup folder (by default `backups` beside the database), which keeps the newest ones. "
        "A shop server (--db postgresql://...) is backed up with pg_dump (package "
        "postgresql-client) into `server-backups` in the user data folder.",
    )
    backup.add_argument("--out", metavar="FILE", help="write the backup to this file instead")
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore",
        parents=[database_option],
        help="replace the database with a backup (a safety copy is kept)",
        description="Replace the database's content with a backup's, after checking the "
        "backup and copying the current database beside it (NAME.before-restore-STAMP.db). "
        "On a shop server the backup is one `relapp backup` wrote there, restored in one "
        "transaction after a safety backup into `server-backups`. "
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
        help="check the database file, the loyalty ledger and the gift cards' ledger",
        description="Check the file's integrity, its references and the loyalty ledger (each "
        "customer's balance equals the sum of their ledger entries and never went below zero), "
        "and the same of each gift card's balance and its entries. "
        "On a shop server: that its triggers and foreign keys are enforced, and the ledgers. "
        "Exits 1 and lists the problems if anything is wrong.",
    )
    check.set_defaults(handler=run_check)


def run_backup(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target
    from relapp.db.backups import backup_preferences, take_backup

    target = database_target(args)
    show_progress = sys.stderr.isatty()
    if isinstance(target, str):
        from relapp.db.server.maintenance import backup_server

        result = backup_server(
            target,
            out=Path(args.out) if args.out else None,
            progress=_written if show_progress else None,
        )
    else:
        path = target
        if not path.is_file():
            raise RelappError(f"There is no database at {path}; nothing to back up.")
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
    from relapp.cli.shop import database_target

    target = database_target(args)
    if isinstance(target, str):
        return _restore_server(args, target)
    from relapp.db.backups import inspect_backup, restore_backup

    path = target
    info = inspect_backup(args.file)  # refuses a bad file before asking anything
    if not _confirmed(args, str(path), info.path, info.bytes, "copied beside it"):
        print("Nothing was restored.")
        return 1
    result = restore_backup(path, info.path, inspected=info)
    kept = f"; the previous database is kept as {result.safety_copy}" if result.safety_copy else ""
    print(f"Restored {path} from {info.path} in {result.seconds:.1f} s{kept}.")
    return 0


def _restore_server(args: argparse.Namespace, url: str) -> int:
    from relapp.db.server.maintenance import inspect_server_backup, restore_server
    from relapp.db.server.urls import redact

    info = inspect_server_backup(args.file)  # refuses a bad file before asking anything
    if not _confirmed(args, redact(url), info.path, info.bytes, "backed up into server-backups"):
        print("Nothing was restored.")
        return 1
    result = restore_server(url, info.path, inspected=info)
    kept = (
        f"; the previous database is kept as {result.safety_backup}" if result.safety_backup else ""
    )
    print(f"Restored {redact(url)} from {info.path} in {result.seconds:.1f} s{kept}.")
    return 0


def _confirmed(args: argparse.Namespace, where: str, backup: Path, size: int, safety: str) -> bool:
    if args.yes:
        return True
    refusal = "restore replaces the database; add --yes to confirm when not at a terminal."
    if sys.stdin.isatty():
        print(
            f"This replaces everything in {where} with the backup {backup} "
            f"({_size(size)}). The current database is {safety} first."
        )
    return answer_at_terminal("Type yes to restore: ", refusal).lower() == "yes"


def run_check(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target

    target = database_target(args)
    if isinstance(target, str):
        from relapp.db.server.maintenance import check_server
        from relapp.db.server.urls import redact

        report = check_server(target)
        where = redact(target)
        # PostgreSQL has no integrity_check: what stands for it is that its constraints and
        # triggers are enforced (see CheckReport).
        checked = "constraints enforced"
    else:
        from relapp.db.backups import check_database

        report = check_database(target)
        where = str(target)
        checked = "integrity"
    if report.ok:
        counted = [f"{report.ledger_entries:,} entries"]
        if report.gift_cards:
            cards = "gift card" if report.gift_cards == 1 else "gift cards"
            counted.append(f"{report.gift_cards:,} {cards}, each the sum of its entries")
        print(
            f"ok: {checked}, {report.contacts:,} contacts' balances match the ledger "
            f"({'; '.join(counted)}; {report.seconds:.1f} s)."
        )
        return 0
    print(f"{len(report.problems)} problem(s) found in {where}:")
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def _progress(done: int, total: int) -> bool:
    print(f"\r{done * 100 // max(total, 1)}% copied", end="", file=sys.stderr, flush=True)
    return True


def _written(count: int) -> bool:
    print(f"\r{_size(count)} written", end="", file=sys.stderr, flush=True)
    return True


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"
