"""Benchmark: import N CSV rows into a new database; export a demo database to CSV and vCard.

Run: python tests/benchmarks/bench_exchange.py [--rows 100000] [--workers 0 1 2] [--export DB ...]
Exported databases are opened read-only (SQLite URI, immutable=1): nothing is written to them,
not even a -wal or -shm file. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from peewee import SqliteDatabase

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.shop.settings import save_settings
from relapp.exchange.exporter import export_csv, export_vcard
from relapp.exchange.importer import csv_rows, import_rows


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("First name,Last name,Email,Mobile,Birthday,Card number,Points\r\n")
        for n in range(rows):
            points = str(n % 500) if n % 10 == 0 else ""
            out.write(
                f"Given{n},Family{n % 997},person{n}@example.com,04{n % 100_000_000:08d},"
                f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d},{90_000_000 + n},{points}\r\n"
            )


def bench_import(rows: int, workers: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "rows.csv"
        write_csv(source, rows)
        open_database(Path(folder) / "shop.db")
        save_settings(phone_region="AU")
        started = time.perf_counter()
        result = import_rows(csv_rows(source)[1], source_name=source.name, workers=workers)
        seconds = time.perf_counter() - started
        how = "default workers" if workers is None else f"{workers} workers"
        print(
            f"| import CSV ({how}) | {rows:,} rows | {seconds:.1f} s | {result.summary()} |",
            flush=True,
        )
        database.close()


def bench_export(path: Path) -> None:
    db = SqliteDatabase(f"file:{path}?mode=ro&immutable=1", uri=True)
    database.initialize(db)
    with tempfile.TemporaryDirectory() as folder:
        for label, run in (
            ("export CSV", lambda out: export_csv(out, bom=True)),
            ("export vCard 4.0", lambda out: export_vcard(out, version="4.0")),
        ):
            started = time.perf_counter()
            count = run(Path(folder) / "out")
            seconds = time.perf_counter() - started
            print(f"| {label} | {count:,} contacts ({path.name}) | {seconds:.1f} s | |", flush=True)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--export", nargs="*", default=[])
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[None],
        help="worker processes for cleaning rows (0: none); several values run several times",
    )  # fmt: skip
    args = parser.parse_args()
    print("| task | size | time | result |")
    print("|---|---|---|---|")
    if args.rows:
        for workers in args.workers:
            bench_import(args.rows, workers)
    for name in args.export:
        bench_export(Path(name))


if __name__ == "__main__":
    main()
