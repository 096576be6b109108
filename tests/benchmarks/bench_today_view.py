"""Benchmark: the Today view and the activity feed on screen, on a demo database.

Run: QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.bench_today_view DB [--runs N]

DB is opened in place and only read (copy it first if anything else uses it). The file is
dropped from the operating system's cache (posix_fadvise DONTNEED, where available) before the
first showing, so that one reads from disk ("cold"). Timed, each until the rows are drawn:

* the Today view's first showing (today_queue and filling the work list), then N refreshes (F5);
* the activity feed's first page, one kind only (complaints), one staff member only, and
  paging down through 2,000 entries.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from relapp.db.connection import open_database
from relapp.ui.change_bus import ChangeBus
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.today import TodayView
from tests.benchmarks.bench_timeline import row


def drop_from_cache(path: Path) -> None:
    if not hasattr(os, "posix_fadvise"):
        return
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            with open(name, "rb") as file:
                os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def timed_ms(call) -> float:
    before = time.perf_counter()
    call()
    QApplication.processEvents()
    return (time.perf_counter() - before) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication([])  # kept alive while the views run
    drop_from_cache(args.database)
    db = open_database(args.database)
    contacts = db.execute_sql("SELECT max(id) FROM contact").fetchone()[0]
    actions = CustomerActions(ChangeBus(), CurrentStaff())
    view = TodayView(actions.change_bus, actions)
    view.resize(1010, 700)

    print(f"\n{args.database.name}: about {contacts:,} customers\n")
    print("| what | n | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(row("Today view, first showing (cold file)", [timed_ms(view.show)]))
    refreshes = [timed_ms(view.refresh_all) for _ in range(args.runs)]
    print(row("Today view, refresh (F5)", refreshes), flush=True)
    sections = view.queue
    print(
        f"\n(rows: {sections.overdue_tasks.total} overdue follow-ups,"
        f" {sections.open_cases.total} open cases, {sections.birthdays.total} birthdays,"
        f" {sections.drifting.total} drifting, {sections.at_cap.total} at the cap)\n"
    )

    feed = view.activity_view
    view.tabs.setCurrentWidget(feed)
    QApplication.processEvents()
    print("| activity feed | n | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(row("first page", [timed_ms(feed.reload) for _ in range(args.runs)]))
    complaint = feed.kind_filter.findData("complaint")
    print(row("complaints only", [timed_ms(lambda: _choose(feed.kind_filter, complaint))]))
    feed.kind_filter.setCurrentIndex(0)
    staff_index = 1 if feed.staff_filter.count() > 1 else 0
    print(row("one staff member", [timed_ms(lambda: _choose(feed.staff_filter, staff_index))]))
    feed.staff_filter.setCurrentIndex(0)
    QApplication.processEvents()
    bar = feed.table.verticalScrollBar()
    steps = []
    while feed.model.rowCount() < 2000 and feed.model.canFetchMore():
        steps.append(timed_ms(lambda: bar.setValue(bar.value() + bar.pageStep())))
    print(row(f"page down to {feed.model.rowCount():,} entries", steps), flush=True)
    view.close()
    db.close()


def _choose(combo, index: int) -> None:
    combo.setCurrentIndex(index)


if __name__ == "__main__":
    main()
