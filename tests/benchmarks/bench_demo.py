"""Benchmark: how long `relapp demo` takes and how big the database gets, by size.

Run: python tests/benchmarks/bench_demo.py 10000 100000 [1000000] [--keep DIR]
Prints one Markdown table row per size (seconds, MB including WAL, rows per table), ready for
docs/performance.md. Not part of the test run: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from relapp.db.connection import open_database
from relapp.demo.generator import generate_demo_shop

AS_OF = date(2026, 11, 22)


def measure(contacts: int, folder: Path) -> str:
    path = folder / f"demo-{contacts}.db"
    for leftover in folder.glob(f"demo-{contacts}.db*"):
        leftover.unlink()
    db = open_database(path)
    started = time.perf_counter()
    result = generate_demo_shop(contacts, seed=1, as_of=AS_OF)
    seconds = time.perf_counter() - started
    db.close()
    size_mb = sum(p.stat().st_size for p in folder.glob(f"demo-{contacts}.db*")) / 1e6
    with sqlite3.connect(path) as check:
        integrity = check.execute("PRAGMA quick_check").fetchone()[0]
    return (
        f"| {contacts:,} | {seconds:,.1f} s | {size_mb:,.0f} MB | {result.interactions:,} | "
        f"{result.points_entries:,} | {integrity} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--keep", type=Path, help="folder to keep the databases in")
    args = parser.parse_args()
    print(f"<!-- {platform.python_version()} on {platform.machine()}, {platform.node()} -->")
    print("| customers | time | database | interactions | ledger entries | quick_check |")
    print("|---|---|---|---|---|---|")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(measure(size, args.keep), flush=True)
    else:
        with tempfile.TemporaryDirectory() as folder:
            for size in args.sizes:
                print(measure(size, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
