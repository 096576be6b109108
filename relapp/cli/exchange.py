"""`relapp import` and `relapp export contacts`: customers in and out as CSV or vCard.

Import prints one summary line (imported, merged, skipped, rejected); --errors FILE writes the
rejected rows as CSV (line, reason, the row). Progress goes to stderr every 10,000 rows.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from relapp.db.live_files import refuse_database_files
from relapp.domain.terms import CONSENT_CHANNELS
from relapp.errors import RelappError

PROGRESS_EVERY = 10_000


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    importing = commands.add_parser(
        "import",
        parents=[database_option],
        help="import customers from a CSV or vCard file",
        description="Import customers from CSV (Excel, Google Contacts, Outlook, a till) or "
        "vCard 2.1/3.0/4.0, all in one transaction. Rows with errors are listed, the others "
        "imported.",
    )
    importing.add_argument("file", metavar="FILE", help="the CSV or vCard file")
    importing.add_argument("--format", choices=("csv", "vcard"), help="default: from the file")
    importing.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    importing.add_argument(
        "--duplicates",
        choices=("skip", "merge", "create"),
        default="skip",
        help="a customer already known by card, email or phone: skip (default), merge "
        "(fill empty fields only) or create a new contact",
    )
    importing.add_argument("--errors", metavar="FILE", help="write rejected rows to this CSV")
    importing.set_defaults(handler=run_import)

    exporting = commands.add_parser(
        "export",
        parents=[database_option],
        help="export customers as CSV or vCard",
        description="Export customers (all, or a saved segment) as Excel-friendly CSV or vCard.",
    )
    exporting.add_argument("what", choices=("contacts",), help="what to export")
    exporting.add_argument("--format", choices=("csv", "vcard"), required=True)
    exporting.add_argument("--out", metavar="FILE", required=True, help="the file to write")
    exporting.add_argument("--segment", metavar="NAME", help="only this saved segment")
    exporting.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM")
    exporting.add_argument("--vcard-version", choices=("3.0", "4.0"), default="3.0")
    exporting.add_argument(
        "--consent",
        choices=CONSENT_CHANNELS,
        metavar="CHANNEL",
        help=f"only customers consenting to this channel ({', '.join(CONSENT_CHANNELS)})",
    )
    exporting.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.exchange.importer import import_file, write_error_report

    shop = database_target(args)
    if args.errors:
        check_report_path(
            args.errors, None if isinstance(shop, str) else shop
        )  # before the import: it cannot be undone after
    open_shop(shop)

    def progress(done: int, total: int) -> bool:
        if done and done % PROGRESS_EVERY == 0:
            print(f"relapp: {done:,} of {total:,} rows…", file=sys.stderr, flush=True)
        return True

    result = import_file(
        args.file,
        args.format,
        duplicates=args.duplicates,
        dry_run=args.dry_run,
        progress=progress,
    )
    print(result.summary())
    for error in result.errors[:10]:
        print(f"  line {error.line}: {error.reason}")
    if len(result.errors) > 10:
        print(f"  … and {len(result.errors) - 10:,} more")
    if args.errors:
        try:
            write_error_report(args.errors, result)
        except OSError as error:
            done = "" if args.dry_run else "imported, but "
            print(
                f"relapp: {done}the error report cannot be written to {args.errors}:"
                f" {error.strerror or error}.",
                file=sys.stderr,
            )
            return 1
    return 0


def check_report_path(path: str, shop: Path | None) -> None:
    """Raise RelappError if a report could not be written at path: its folder is missing or
    not writable, it is a folder, or it is the shop's database (or one of its files)."""
    target = refuse_database_files(path, shop)
    folder = target.parent
    if target.is_dir():
        raise RelappError(f"Cannot write the error report: {target} is a folder.")
    if not folder.is_dir():
        raise RelappError(f"Cannot write the error report: there is no folder {folder}.")
    denied = target if target.exists() else folder
    if not os.access(denied, os.W_OK):
        raise RelappError(f"Cannot write the error report: you may not write to {denied}.")


def run_export(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.exchange.exporter import export_csv, export_vcard

    open_shop(database_target(args))
    try:
        if args.format == "csv":
            count = export_csv(args.out, segment=args.segment, consent=args.consent, bom=args.bom)
        else:
            count = export_vcard(
                args.out, segment=args.segment, consent=args.consent, version=args.vcard_version
            )
    except OSError as error:
        print(f"relapp: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"Exported {count:,} contacts to {args.out}")
    return 0
