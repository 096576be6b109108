"""Benchmark: the retention summary and its report (and the loyalty liability) on a demo shop.

Run: python -m tests.benchmarks.bench_report_retention DB [--runs N] [--as-of YYYY-MM-DD]

DB is only read, never written, so it must be at the latest schema already (any relapp
command migrates a copy). It is opened read-only through SQLite's URI: immutable when no WAL
file with content is beside it, so that SQLite creates no -shm or -wal file either; else
read-only, reading the WAL (which may touch the -shm index). The file is dropped from the
operating system's cache first (posix_fadvise DONTNEED, where available), so the first
retention_summary reads from disk ("cold"); N more runs follow (default 3), then the reports,
written to a temporary folder. Prints Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from peewee import SqliteDatabase

from relapp.db.connection import schema_version
from relapp.db.migrations import LATEST_VERSION
from relapp.db.models import database
from relapp.domain.timeline.retention import retention_summary
from relapp.reports.liability import liability_report
from relapp.reports.retention import retention_report
from tests.benchmarks.bench_today import drop_from_os_cache, milliseconds


def open_read_only(path: Path) -> SqliteDatabase:
    """The database at path, bound to the models, for reading only."""
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    db = SqliteDatabase(f"file:{quote(str(path.resolve()))}?{mode}", uri=True)
    db.connect()
    database.initialize(db)
    return db


def row(what: str, times: list[float]) -> str:
    """A table row: the first run, then the median and worst of the others."""
    after = times[1:] or times
    figures = (times[0], statistics.median(after), max(after))
    return f"| {what} | {len(times)} | " + " | ".join(f"{ms:,.0f}" for ms in figures) + " |"


def timed(call, runs: int) -> tuple[list[float], object]:
    results = [milliseconds(call) for _run in range(runs)]
    return [spent for spent, _result in results], results[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="warm runs (default 3)")
    parser.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="the last day (default: today)"
    )
    args = parser.parse_args()
    if not args.database.is_file():
        sys.exit(f"{args.database} is not a file.")
    cold_cache = drop_from_os_cache(args.database)
    db = open_read_only(args.database)
    if schema_version(db) != LATEST_VERSION:
        sys.exit(f"{args.database} is not at schema {LATEST_VERSION}: migrate a copy first.")
    summary_times, summary = timed(lambda: retention_summary(args.as_of), args.runs + 1)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        report_times, _ = timed(
            lambda: retention_report(out / "r.pdf", as_of=args.as_of), args.runs
        )
        liability_times, _ = timed(lambda: liability_report(out / "l.pdf"), args.runs)
    contacts = db.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
    interactions = db.execute_sql("SELECT max(id) FROM interaction").fetchone()[0] or 0
    print(f"{args.database}: {contacts:,} contacts, ~{interactions:,} interactions\n")
    cold = "cold: from disk" if cold_cache else "OS cache not dropped"
    print("| what | runs | first run, ms | p50 of the others, ms | max of the others, ms |")
    print("|---|---|---|---|---|")
    print(row(f"retention_summary (first run {cold})", summary_times))
    print(row("retention_report (summary and PDF)", report_times))
    print(row("liability_report", liability_times))
    repeat = summary.repeat
    print(
        f"\nAs of {summary.as_of}: {summary.customers:,} customers, {summary.visited:,} visited,"
        f" {summary.active:,} active, {summary.lapsed:,} lapsed, {summary.drifting:,} drifting,"
        f" {repeat.repeat_buyers:,} of {repeat.buyers:,} buyers bought again"
    )
    db.close()


if __name__ == "__main__":
    main()
