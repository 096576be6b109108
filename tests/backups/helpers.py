"""Shared by the backup tests: raw connections, content fingerprints, the CLI parser."""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from relapp import cli, cli_backup


def fingerprint(path: Path) -> str:
    """A hash of every row of every table, read through a read-only connection."""
    digest = hashlib.sha256()
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as raw:
        tables = [
            name
            for (name,) in raw.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
            )
        ]
        for table in tables:
            digest.update(table.encode())
            for row in sorted(map(repr, raw.execute(f'SELECT * FROM "{table}"'))):
                digest.update(row.encode())
    return digest.hexdigest()


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute("PRAGMA integrity_check").fetchone()[0]


def scalar(path: Path, sql: str):
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute(sql).fetchone()[0]


def parser_with_backup_commands(build_parser):
    def build() -> argparse.ArgumentParser:
        parser = build_parser()
        commands = next(
            action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
        )
        if "backup" not in commands.choices:
            database_option = argparse.ArgumentParser(add_help=False)
            database_option.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)
            cli_backup.add_commands(commands, database_option)
        return parser

    return build


__all__ = ["cli", "fingerprint", "integrity", "parser_with_backup_commands", "scalar"]
