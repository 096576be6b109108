"""Benchmark: the customer dossier PDF of a customer with a long history.

Run: python -m tests.benchmarks.bench_report_dossier [--entries N ...] [--runs R] [--work DIR]
A fresh 2,000-customer demo shop is made in a temporary folder (under --work), then for each
--entries value (default 5000) a customer with that many timeline lines is added (the
timeline benchmark's busy customer: purchases with their points, visits, calls, cases, one
line in ten a ledger entry of its own) and their dossier is written --runs times (default 5).
Prints p50 and max of the time to write it, and its pages and size, as a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from relapp.db.connection import open_database
from relapp.demo.generator import generate_demo_shop
from relapp.reports.dossier import customer_dossier
from tests.benchmarks.bench_timeline import add_busy_customer


def bench(db, entries: int, runs: int, folder: Path) -> str:
    contact_id = add_busy_customer(db, entries, random.Random(entries))
    out = folder / f"dossier-{entries}.pdf"
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        customer_dossier(contact_id, out)
        spent.append(time.perf_counter() - started)
    ledger = db.execute_sql(
        "SELECT count(*) FROM points_entry WHERE contact_id = ?", (contact_id,)
    ).fetchone()[0]
    pages = len(PdfReader(out).pages)
    return (
        f"| {entries:,} | {ledger:,} | {runs} | {statistics.median(spent):.2f} s"
        f" | {max(spent):.2f} s | {pages} | {out.stat().st_size / 1e6:.1f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[5_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="folder for the database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as name:
        folder = Path(name)
        db = open_database(folder / "shop.db")
        generate_demo_shop(2_000, seed=3, as_of=date(2026, 11, 22))
        print("| timeline lines | ledger lines | runs | p50 | max | pages | size |")
        print("|---|---|---|---|---|---|---|")
        for entries in args.entries:
            print(bench(db, entries, args.runs, folder), flush=True)
        db.close()


if __name__ == "__main__":
    main()
