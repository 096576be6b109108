"""Shared by the backup tests: raw connections, content fingerprints, the CLI parser."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from relapp import cli


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


__all__ = ["cli", "fingerprint", "integrity", "scalar"]
