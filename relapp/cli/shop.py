"""The database a command works on (--db, else $RELAPP_DB, else this till's setting, else the
user data folder): a file, or a shop server's postgresql:// URL; and opening it, with a word
first when a file must be upgraded (a safety copy makes that slow)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relapp.db.location import choose_database
from relapp.db.server.urls import redact
from relapp.errors import RelappError


def database_path(args: argparse.Namespace) -> Path:
    """The shop file the command works on; a shop server's URL is refused with a sentence
    (for the commands that work on a file: backup, restore, check, the window)."""
    target = database_target(args)
    if isinstance(target, str):
        raise RelappError(
            f"This command works on a shop file, not yet on a shop server ({redact(target)})."
        )
    return target


def database_target(args: argparse.Namespace) -> Path | str:
    """The shop file, or the shop server's URL, the command works on: --db, else $RELAPP_DB,
    else this till's setting (till.ini in the user config folder, written by Settings ->
    Shop server), else the file in the user data folder."""
    chosen = choose_database(getattr(args, "db", None))
    if isinstance(chosen.target, str):
        return chosen.target
    path = chosen.target
    if chosen.origin == "default" and not path.parent.exists():
        # The default folder is ours to create; a folder the user named is not.
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def open_shop(path: Path | str) -> None:
    """Open the database for a command, saying so first if it needs upgrading (slow)."""
    from relapp.db.connection import needs_upgrade, open_database

    if isinstance(path, str):
        from relapp.db.server.connection import open_server_database

        open_server_database(path)
        send_kept_sales(path)
        return

    if needs_upgrade(path):
        print(
            f"relapp: updating {path} for this version (a safety copy is made first)…",
            file=sys.stderr,
        )
    open_database(path)


def send_kept_sales(url: str) -> None:
    """Send the sales this till kept while the shop server was away (it answers now)."""
    from relapp.domain.loyalty.offline import existing_till_outbox, send_waiting

    # Every command on a server passes here: a till that never kept anything has no file,
    # and none is made for it.
    outbox = existing_till_outbox(redact(url))
    if outbox is None:
        return
    try:
        if not outbox.count_waiting():
            return
        sending = send_waiting(outbox)
    finally:
        outbox.close()
    if sending.sent:
        print(
            f"relapp: sent {sending.sent:,} sale(s) kept while the shop server was away.",
            file=sys.stderr,
        )
    for sale_key, reason in sending.refused:
        print(f"relapp: the shop server refused kept sale {sale_key}: {reason}", file=sys.stderr)
    if sending.waiting:
        print(f"relapp: {sending.waiting:,} kept sale(s) still waiting to send.", file=sys.stderr)
