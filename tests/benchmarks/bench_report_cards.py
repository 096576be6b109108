"""Benchmark: printing loyalty cards and a segment list, in-process, on a fresh demo shop.

Run: python -m tests.benchmarks.bench_report_cards [--cards 1000] [--contacts 2000]
     [--runs 3] [--work DIR]
A demo shop of --contacts customers (seed 3) is made in a temporary folder under --work;
then loyalty_cards for its first --cards carded customers (in name order) and segment_report
for a saved segment that matches every customer, archived ones included, --runs times each.
Prints Markdown tables: p50 and max seconds, pages, file size, and the process's peak memory.
Not part of the test run: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.demo.generator import generate_demo_shop
from relapp.domain.contacts.listing import ContactFilter, count_contacts, save_segment
from relapp.reports.cards import card_ids_for_segment, loyalty_cards
from relapp.reports.segment_list import segment_report

EVERYONE = "Everyone (benchmark)"


def timed(runs: int, call: Callable[[], object]) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def row(what: str, count: int, seconds: list[float], path: Path) -> str:
    pages = len(PdfReader(path).pages)
    size = path.stat().st_size / 1e6
    return (
        f"| {what} | {count:,} | {statistics.median(seconds):.2f} s | {max(seconds):.2f} s"
        f" | {pages:,} | {size:.2f} MB |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        work = Path(folder)
        open_database(work / "shop.db")
        started = time.perf_counter()
        generate_demo_shop(args.contacts, seed=3)
        made = time.perf_counter() - started
        save_segment(EVERYONE, ContactFilter(archived="all"))
        with_card = {
            contact_id
            for (contact_id,) in database.execute_sql(
                "SELECT id FROM contact WHERE card_number IS NOT NULL"
            )
        }
        in_order = card_ids_for_segment(EVERYONE)
        chosen = [contact_id for contact_id in in_order if contact_id in with_card][: args.cards]
        cards_out, list_out = work / "cards.pdf", work / "segment.pdf"
        card_seconds = timed(args.runs, lambda: loyalty_cards(chosen, cards_out))
        members = count_contacts(ContactFilter(archived="all"))
        list_seconds = timed(args.runs, lambda: segment_report(EVERYONE, list_out))

        print(
            f"Demo shop of {args.contacts:,} customers made in {made:.1f} s;"
            f" Python {platform.python_version()} on {platform.machine()}.\n"
        )
        print("| report | rows | p50 | max | pages | file |")
        print("|---|---:|---:|---:|---:|---:|")
        print(row("loyalty cards", len(chosen), card_seconds, cards_out))
        print(row("segment list (default columns)", members, list_seconds, list_out))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nPeak memory of the whole run: {peak:,.0f} MB.")


if __name__ == "__main__":
    main()
