"""`relapp server init URL` and `relapp server migrate --from FILE --to URL`: putting a shop on
a shared PostgreSQL shop server.

URL is a libpq address, postgresql://USER@HOST[:PORT]/DATABASE; the password belongs in
~/.pgpass (or a service file), and is never printed: every message shows the address as
relapp.db.server.connection.redact() writes it. The work is relapp.db.server.copy's; this
module reads the arguments and shows the progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from relapp.errors import RelappError

# A table this big gets a percentage while it is copied.
BIG_TABLE_ROWS = 50_000
# At most this many progress updates a second on a terminal.
UPDATES_PER_SECOND = 5


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    server = commands.add_parser(
        "server",
        help="put the shop on a shared PostgreSQL shop server",
        description="A shop server is a PostgreSQL database that several tills and shops use "
        "at once. Prepare an empty one with `init`, or move a shop file onto one with "
        "`migrate`. Name the server as postgresql://USER@HOST/DATABASE; keep the password in "
        "~/.pgpass, not on the command line.",
    )
    actions = server.add_subparsers(title="actions", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init",
        help="set up an empty PostgreSQL database as a new shop",
        description="Create Relapp's tables on an empty PostgreSQL database. A database that "
        "already holds a shop or another program's tables is left untouched.",
    )
    init.add_argument("url", metavar="URL", help="the database, postgresql://USER@HOST/DATABASE")
    init.set_defaults(handler=run_init)

    migrate = actions.add_parser(
        "migrate",
        help="copy a shop file onto an empty PostgreSQL database",
        description="Copy everything in a shop file (customers, history, the points ledger, "
        "settings, staff, the audit log) onto an empty PostgreSQL database, keeping every "
        "number, in one transaction: if anything fails the database stays empty. The copy is "
        "then checked (rows per table, each customer's balance against the ledger) before it "
        "is kept. The file is only read (a file from an older Relapp is first brought up to "
        "date, after a safety copy, as opening it would); Relapp may stay open meanwhile, but "
        "what is saved in it after the copy began stays in the file.",
    )
    migrate.add_argument(
        "--from", dest="source", required=True, metavar="FILE",
        help="the shop file to copy (e.g. relapp.db)",
    )  # fmt: skip
    migrate.add_argument(
        "--to", dest="url", required=True, metavar="URL",
        help="the empty database, postgresql://USER@HOST/DATABASE",
    )  # fmt: skip
    migrate.set_defaults(handler=run_migrate)

    shops = actions.add_parser(
        "shops", parents=[database_option],
        help="list the shops (branches) on the server",
        description="The shops (branches) that share this server's customers and points.",
    )  # fmt: skip
    shops.set_defaults(handler=run_shops)
    add_shop = actions.add_parser(
        "add-shop", parents=[database_option],
        help="add a shop (branch); its tills then say RELAPP_SHOP=NAME",
        description="Add a shop (branch). A till says which shop it belongs to with "
        "RELAPP_SHOP=NAME; its sales, visits and follow-ups then carry that shop.",
    )  # fmt: skip
    add_shop.add_argument("name", metavar="NAME", help="the shop's name, unique")
    add_shop.add_argument("--address", default="", help="its address, for reports")
    add_shop.set_defaults(handler=run_add_shop)
    staff_shop = actions.add_parser(
        "staff-shop", parents=[database_option],
        help="limit a staff member to one shop's tills (or --any)",
        description="A staff member limited to a shop signs in only at that shop's tills.",
    )  # fmt: skip
    staff_shop.add_argument("staff", metavar="STAFF", help="the staff member's name")
    where = staff_shop.add_mutually_exclusive_group(required=True)
    where.add_argument("--shop", metavar="NAME", help="the shop they work at")
    where.add_argument("--any", action="store_true", help="any shop's tills")
    staff_shop.set_defaults(handler=run_staff_shop)


def run_init(args: argparse.Namespace) -> int:
    from relapp.db.server.connection import redact
    from relapp.db.server.copy import init_server

    url = _server_url(args.url)
    version = init_server(url)
    print(f"Shop server ready: {redact(url)} holds an empty Relapp shop (schema {version}).")
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    from relapp.db.connection import needs_upgrade, open_database
    from relapp.db.server.connection import is_server_url, redact
    from relapp.db.server.copy import connect_server, migrate_shop

    url = _server_url(args.url)
    if is_server_url(args.source):
        raise RelappError("--from names the shop file to copy (e.g. relapp.db), not a server.")
    source = Path(args.source).expanduser()
    if needs_upgrade(source):
        # Brought up to date as any Relapp opening it would (a safety copy first, then the
        # migrations), once the server is known to answer; the copy then reads it as it is.
        connect_server(url).close()
        print(
            f"relapp: updating {source} for this version first (a safety copy is made)…",
            file=sys.stderr,
        )
        open_database(source).close()
    progress = TableProgress(sys.stderr)
    try:
        report = migrate_shop(source, url, progress)
    finally:
        progress.close()  # ends a line left open on a terminal, before any error
    width = max(len(table.name) for table in report.tables)
    print(f"{'table':<{width}}  {'in the file':>12}  {'on the server':>13}")
    for table in report.tables:
        print(f"{table.name:<{width}}  {table.file_rows:>12,}  {table.server_rows:>13,}")
    print(
        f"Checked: every table holds as many rows on the server as in the file;"
        f" {report.customers:,} customers' balances equal their ledger entries"
        f" ({report.ledger_points:,} points in all); new ids go on after the highest copied"
        f" ({report.sequences} tables); the search index holds one entry per customer"
        f" ({report.search_rows:,})."
    )
    rate = report.rows / report.seconds if report.seconds > 0 else 0.0
    print(
        f"Moved {source} to {redact(url)}: {len(report.tables)} tables, {report.rows:,} rows"
        f" in {report.seconds:.1f} s ({rate:,.0f} rows/s)."
    )
    return 0


def run_shops(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.shop.shops import list_shops

    open_shop(database_target(args))
    for shop in list_shops():
        print(f"{shop.id}\t{shop.name}" + (f"\t{shop.address}" if shop.address else ""))
    return 0


def run_add_shop(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.shop.shops import add_shop

    open_shop(database_target(args))
    shop = add_shop(args.name, args.address)
    print(f"Shop {shop.name!r} added (number {shop.id}); its tills: RELAPP_SHOP={shop.name!r}.")
    return 0


def run_staff_shop(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.shop.shops import limit_staff_to_shop

    open_shop(database_target(args))
    print(limit_staff_to_shop(args.staff, None if args.any else args.shop))
    return 0


def _server_url(url: str) -> str:
    from relapp.db.server.connection import is_server_url

    if not is_server_url(url):
        # Not echoed: whatever was typed may hold a password.
        raise RelappError(
            "A shop server is named by an address starting with postgresql://, for example"
            " postgresql://shop@server.local/relapp (keep its password in ~/.pgpass)."
        )
    return url


class TableProgress:
    """The copy's progress on stderr: on a terminal, one line per step (a table, the search
    index, the indexes, the references, the checks) rewritten in place while it runs (rows
    copied and a percentage, on a big table); elsewhere (a log), one line per step once done."""

    def __init__(self, stream: TextIO) -> None:
        from relapp.db.server.copy import STEPS_AFTER_THE_TABLES

        self.steps = STEPS_AFTER_THE_TABLES
        self.stream = stream
        self.terminal = stream.isatty()
        self.shown_at = 0.0
        self.open_line = False

    def __call__(self, step: str, done: int, total: int) -> bool:
        finished = done >= total
        small_table = step not in self.steps and total < BIG_TABLE_ROWS
        if not finished and (not self.terminal or small_table):
            return True  # a log gets finished steps only; a small table is done in a moment
        now = time.monotonic()
        if not finished and now - self.shown_at < 1 / UPDATES_PER_SECOND and done:
            return True
        self.shown_at = now
        text = self._text(step, done, total)
        if self.terminal:
            ending = "\n" if finished else ""
            print(f"\r\033[K{text}", end=ending, file=self.stream, flush=True)
            self.open_line = not finished
        else:
            print(text, file=self.stream, flush=True)
        return True

    def close(self) -> None:
        if self.open_line:
            print(file=self.stream, flush=True)
            self.open_line = False

    @staticmethod
    def _text(step: str, done: int, total: int) -> str:
        from relapp.db.server.copy import CHECK_STEP, INDEX_STEP, KEY_STEP, SEARCH_STEP

        finished = done >= total
        if step == CHECK_STEP:
            return "checked" if finished else "checking the copy…"
        if step == SEARCH_STEP:
            entries = "entry" if total == 1 else "entries"
            return f"search index: {total:,} {entries}" if finished else "search index: filling…"
        if step == INDEX_STEP:
            return f"indexes: {total} built" if finished else f"indexes: {done} of {total} built"
        if step == KEY_STEP:
            return (
                f"references: {total} checked"
                if finished
                else f"references: {done} of {total} checked"
            )
        rows = "row" if total == 1 else "rows"
        if finished:
            return f"{step}: {total:,} {rows}"
        return f"{step}: {done:,} of {total:,} {rows} ({done * 100 // total}%)"
