"""The database a command works on (--db, else $RELAPP_DB, else the user data folder), and
opening it with a word first when it must be upgraded (a safety copy makes that slow)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relapp.db.location import resolve_database_path


def database_path(args: argparse.Namespace) -> Path:
    path = resolve_database_path(getattr(args, "db", None))
    if getattr(args, "db", None) is None and not path.parent.exists():
        # The default folder is ours to create; a folder the user named is not.
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def open_shop(path: Path) -> None:
    """Open the database for a command, saying so first if it needs upgrading (slow)."""
    from relapp.db.connection import needs_upgrade, open_database

    if needs_upgrade(path):
        print(
            f"relapp: updating {path} for this version (a safety copy is made first)…",
            file=sys.stderr,
        )
    open_database(path)
