"""The command line: `relapp` opens the app; subcommands serve scripts and tills.

Qt is imported only when the window opens, so a script gets its answer quickly. User mistakes
print one line and exit 1; usage errors exit 2 (argparse); nobody sees a traceback: unexpected
errors are written in full to the log folder and summarised in one line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
import traceback
from datetime import date

from relapp import __version__
from relapp.cli.args import bounded_int
from relapp.cli.shop import database_path, database_target, open_shop
from relapp.crash_log import write_crash_log
from relapp.db.location import ENVIRONMENT_VARIABLE
from relapp.errors import RelappError

DEFAULT_DEMO_CONTACTS = 3_000
MAX_DEMO_CONTACTS = 5_000_000


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "smoke_test", False):
        from relapp.smoke_test import run_smoke_test

        return run_smoke_test()
    try:
        return args.handler(args)
    except RelappError as error:
        print(f"relapp: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("relapp: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped early (`relapp find a | head`): not a fault of the command. Point
        # stdout at nothing so Python's own flush at exit does not fail again, and end as a
        # program killed by SIGPIPE would (128 + 13).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception:
        log_file = write_crash_log(traceback.format_exc())
        where = f"details are in {log_file}" if log_file else "the error log could not be written"
        print(f"relapp: an unexpected error stopped the command; {where}.", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before or after the command; SUPPRESS keeps a subcommand's unset --db
    # from hiding the one given before it.
    database_option = argparse.ArgumentParser(add_help=False)
    database_option.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="database file, or a shop server's postgresql:// URL (default:"
        f" ${ENVIRONMENT_VARIABLE}, else this till's setting, else the file in the user data"
        " folder)",
    )
    parser = argparse.ArgumentParser(
        prog="relapp",
        description="Relapp: know, reward and keep your shop's customers. "
        "With no command, opens the app.",
        parents=[database_option],
    )
    parser.add_argument("--version", action="version", version=f"relapp {__version__}")
    # Hidden: checks a build (bundle, .deb, installer) end to end; see relapp/smoke_test.py.
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        parents=[database_option],
        help="fill an empty database with a realistic demo shop",
        description="Fill an empty database with a realistic, deterministic demo shop: "
        "customers, two years of history and a loyalty program.",
    )
    demo.add_argument(
        "--contacts",
        type=bounded_int(1, MAX_DEMO_CONTACTS),
        default=DEFAULT_DEMO_CONTACTS,
        metavar="N",
        help=f"number of customers (default {DEFAULT_DEMO_CONTACTS:,})",
    )
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    demo.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day of the demo history (default today)",
    )
    demo.set_defaults(handler=run_demo)

    find = commands.add_parser(
        "find",
        parents=[database_option],
        help="search contacts as the counter does",
        description="Search contacts by part of a name, phone number, email or card number, "
        "best match first (an exact card number comes first of all).",
    )
    find.add_argument("text", metavar="TEXT", help="what to look for")
    find.add_argument(
        "--limit",
        type=bounded_int(1, 1000),
        default=20,
        metavar="N",
        help="at most N results (default 20)",
    )
    find.add_argument("--json", action="store_true", help="print JSON for other programs")
    find.set_defaults(handler=run_find)

    # The till's (sale, redeem, points), the history's (timeline, today), reports, import and
    # export, privacy, backups, the shop server, campaigns, gift cards, partners,
    # competitions, surveys.
    from relapp.cli import (
        backup,
        campaign,
        competition,
        exchange,
        giftcard,
        partner,
        points,
        privacy,
        report,
        server,
        survey,
        timeline,
        today,
        voucher,
    )

    modules = (
        points,
        timeline,
        today,
        report,
        exchange,
        privacy,
        backup,
        server,
        campaign,
        voucher,
        giftcard,
        partner,
        competition,
        survey,
    )
    for module in modules:
        module.add_commands(commands, database_option)
    return parser


def run_gui(args: argparse.Namespace) -> int:
    from relapp.ui.environment import display_problem

    problem = display_problem()
    if problem:
        print(f"relapp: {problem}", file=sys.stderr)
        return 1
    from relapp.ui.app import run_app

    return run_app(database_target(args))


def run_demo(args: argparse.Namespace) -> int:
    from relapp.demo.generator import generate_demo_shop

    path = database_path(args)
    open_shop(path)
    started = time.perf_counter()
    show_progress = sys.stderr.isatty()

    def report(done: int, total: int) -> bool:
        if show_progress:
            print(f"\r{done:,} of {total:,} customers", end="", file=sys.stderr, flush=True)
        return True

    result = generate_demo_shop(args.contacts, seed=args.seed, as_of=args.as_of, progress=report)
    if show_progress:
        print(file=sys.stderr)
    seconds = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(
        f"Demo shop written to {path}: {result.contacts:,} customers, "
        f"{result.interactions:,} interactions, {result.points_entries:,} ledger entries "
        f"in {seconds:.1f} s ({size_mb:,.1f} MB)."
    )
    return 0


def run_find(args: argparse.Namespace) -> int:
    from relapp.domain.contacts.phones import display_phone
    from relapp.domain.contacts.search import search_contacts

    open_shop(database_target(args))
    hits = search_contacts(args.text, limit=args.limit)
    if args.json:
        print(json.dumps([dataclasses.asdict(hit) for hit in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(f"No contact matches {args.text!r}.")
        return 0
    for hit in hits:
        phone = display_phone(hit.phone) if hit.phone else "-"
        card = hit.card_number or "-"
        flags = " (archived)" if hit.archived else ""
        print(
            f"{hit.id:>8}  {hit.name}{flags}  ·  {phone}  ·  {hit.email or '-'}  ·  card {card}"
            f"  ·  {hit.points_balance:,} points"
        )
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None
