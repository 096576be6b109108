"""Benchmark: the history panel of a customer with many entries, as the user sees it.

Run: QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.bench_timeline_view [DB]
     [--entries N ...] [--work DIR] [--scratch]   (from the checkout, so `tests` imports)

The database is prepared as in bench_timeline.py (a copy of DB, or a fresh 2,000-customer
demo shop; one busy customer per --entries value, default 10000). For each busy customer:

* open: a new TimelinePanel shows the customer and the window paints (show_contact, then
  the events are processed so the first rows are drawn), in a fresh panel each run;
* scroll: the list is dragged to the bottom one screen at a time, as a user paging down
  would, until every entry is loaded; each step's time (scroll, fetch when Qt asks, paint)
  is recorded, and the slowest step is the worst pause the user would feel.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from relapp.db.connection import open_database
from relapp.demo.generator import generate_demo_shop
from relapp.ui.change_bus import ChangeBus
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.timeline.panel import TimelinePanel
from tests.benchmarks.bench_timeline import add_busy_customer, copy_database, row

OPEN_RUNS = 30


def bench_open(actions: CustomerActions, contact_id: int) -> list[float]:
    spent = []
    for _ in range(OPEN_RUNS + 3):
        before = time.perf_counter()
        panel = TimelinePanel(actions)
        panel.resize(760, 640)
        panel.show_contact(contact_id)
        panel.show()
        QApplication.processEvents()
        spent.append((time.perf_counter() - before) * 1000)
        panel.close()
        panel.deleteLater()
        QApplication.processEvents()
    return spent[3:]  # the first runs warm the caches and Qt's font machinery


def bench_scroll(actions: CustomerActions, contact_id: int) -> tuple[list[float], int]:
    panel = TimelinePanel(actions)
    panel.resize(760, 640)
    panel.show_contact(contact_id)
    panel.show()
    QApplication.processEvents()
    bar = panel.list.verticalScrollBar()
    steps = []
    while True:
        before = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        QApplication.processEvents()
        steps.append((time.perf_counter() - before) * 1000)
        if bar.value() >= bar.maximum() and not panel.model.canFetchMore():
            break
    loaded = panel.model.entry_count()
    panel.close()
    return steps, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", type=Path)
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--scratch", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(dir=args.work))
    if args.database is None:
        path = folder / "bench.db"
        db = open_database(path)
        generate_demo_shop(2_000, seed=3)
    else:
        path = args.database if args.scratch else copy_database(args.database, folder)
        db = open_database(path)
    change_bus = ChangeBus()
    actions = CustomerActions(change_bus, CurrentStaff())
    rng = random.Random(11)
    for entries in args.entries:
        contact_id = add_busy_customer(db, entries, rng)
        print(f"\nCustomer #{contact_id} with {entries:,} timeline lines ({path.name})\n")
        print("| what | n | p50 | p95 | max |")
        print("|---|---|---|---|---|")
        print(row("open the history panel (first page drawn)", bench_open(actions, contact_id)))
        steps, loaded = bench_scroll(actions, contact_id)
        print(row(f"page down to the end ({loaded:,} entries loaded)", steps), flush=True)
    db.close()
    app.quit()


if __name__ == "__main__":
    main()
