"""Benchmark: recording sales at the counter, in-process, on a copy of a demo database.

Run: python tests/benchmarks/bench_sales.py DB [--sales N] [--work DIR]
DB is never opened nor written: it is copied (with its WAL file, if any) into a temporary
folder under --work (default: the system's temporary folder), and the copy is opened
as the app opens it (relapp.db.connection.open_database: WAL, synchronous=FULL, so every sale
waits for its fsync). Customers and amounts are drawn from the database (seeded). Prints, as a
Markdown table: record_sale latency p50 / p95 / max and sales per second over N sequential
sales, the same for a repeated sale key (a double scan), refunds, and one shop-wide expiry run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from relapp.db.connection import open_database
from relapp.domain.loyalty.points import expire_due_points, record_sale, refund_sale

WARM_UP = 20


def copy_database(source: Path, folder: Path) -> Path:
    """Copy the file and its WAL, if any, without opening the source (SQLite would add files
    beside it even to read it). Run it while nothing else writes to the source."""
    target = folder / f"{source.stem}-sales-bench.db"
    copies = [(source, target)]
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        copies.append((wal, target.with_name(target.name + "-wal")))
    for original, copy in copies:
        shutil.copyfile(original, copy)
        # Flushed now, or the first checkpoint's fsync would pay for the whole copy (~0.2 s).
        with open(copy, "rb+") as written:
            os.fsync(written.fileno())
    return target


def sample_sales(db, count: int, rng: random.Random) -> list[tuple[int, int, str]]:
    """(customer, amount in cents, sale key): live customers, amounts like the demo's."""
    ids = [
        row[0]
        for row in db.execute_sql(
            "SELECT id FROM contact WHERE archived_at IS NULL AND erased_at IS NULL"
        )
    ]
    amounts = [
        row[0]
        for row in db.execute_sql(
            "SELECT amount_cents FROM interaction WHERE kind = 'purchase' LIMIT 20000"
        )
    ]
    return [(rng.choice(ids), rng.choice(amounts), str(uuid.UUID(int=rng.getrandbits(128))))
            for _ in range(count)]  # fmt: skip


def timed(calls) -> tuple[list[float], float]:
    """Milliseconds per call, and the seconds all of them took."""
    spent = []
    started = time.perf_counter()
    for call in calls:
        before = time.perf_counter()
        call()
        spent.append((time.perf_counter() - before) * 1000)
    return spent, time.perf_counter() - started


def row(label: str, spent: list[float], seconds: float) -> str:
    ordered = sorted(spent)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"| {label} | {len(ordered)} | {statistics.median(ordered):.1f} ms | {p95:.1f} ms"
        f" | {ordered[-1]:.1f} ms | {len(ordered) / seconds:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--sales", type=int, default=500)
    parser.add_argument("--work", type=Path, default=None, help="folder for the copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        path = copy_database(args.database, Path(folder))
        db = open_database(path)
        contacts = db.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
        entries = db.execute_sql("SELECT count(*) FROM points_entry").fetchone()[0]
        pragmas = [db.execute_sql(f"PRAGMA {name}").fetchone()[0]
                   for name in ("journal_mode", "synchronous")]  # fmt: skip
        print(f"{args.database}: {contacts:,} contacts, {entries:,} ledger entries;"
              f" journal_mode={pragmas[0]}, synchronous={pragmas[1]} (2 = FULL)\n")  # fmt: skip
        rng = random.Random(0)
        sales = sample_sales(db, WARM_UP + args.sales, rng)
        for contact_id, amount, key in sales[:WARM_UP]:
            record_sale(contact_id, amount, sale_key=key)
        measured = sales[WARM_UP:]
        results = []

        def sale(contact_id: int, amount: int, key: str):
            return lambda: results.append(record_sale(contact_id, amount, sale_key=key))

        print("| operation | n | p50 | p95 | max | per second |")
        print("|---|---|---|---|---|---|")
        print(row("record_sale", *timed(sale(*s) for s in measured)), flush=True)
        assert not any(result.duplicate for result in results)
        repeats = rng.sample(measured, min(200, len(measured)))
        print(row("record_sale, key seen before", *timed(sale(*s) for s in repeats)), flush=True)
        refunds = rng.sample(results[: len(measured)], min(100, len(measured)))
        print(
            row(
                "refund_sale",
                *timed(
                    (lambda number: lambda: refund_sale(number, "Benchmark"))(r.interaction_id)
                    for r in refunds
                ),
            ),
            flush=True,
        )
        started = time.perf_counter()
        expired = expire_due_points()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = expire_due_points()
        second = time.perf_counter() - started
        print(
            f"\nexpire_due_points over the whole shop: {expired:,} points in {first:.2f} s;"
            f" again at once: {again:,} points in {second:.2f} s"
        )
        db.close()


if __name__ == "__main__":
    main()
