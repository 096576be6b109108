"""Benchmark: the Contacts view on a large shop: open, jump to any row, memory, filters.

Run: QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_contacts_view.py DB|URL ...
Each measurement runs in a fresh process on an existing demo database (create it with
`relapp --db DB demo --contacts N`). "open" is from creating the view to its first paint with
the row count known; "jump" scrolls to a random row and repaints (30 seeded rows); "memory"
is the resident memory the open view and its jumps added. Filters time the count plus the
middle page. Prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

PROBE = """
import json, os, random, sys, time
from pathlib import Path
from relapp.db.connection import open_database
from relapp.ui.app import create_application
from relapp.ui.change_bus import ChangeBus
from relapp.domain.contacts.listing import (
    ContactFilter, ContactQuery, contact_ids_page, contact_rows, count_contacts)

def resident_mb():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

app = create_application()
target = {path!r}
if target.startswith(("postgresql://", "postgres://")):
    from relapp.db.server.connection import open_server_database
    open_server_database(target)
else:
    open_database(Path(target))
from relapp.ui.contacts.view import ContactsView
before = resident_mb()
started = time.perf_counter()
view = ContactsView(ChangeBus())
view.resize(1100, 700)
view.show()
app.processEvents()
view.table.viewport().repaint()
opened = (time.perf_counter() - started) * 1000
rng = random.Random(1)
jumps = []
for _ in range(30):
    row = rng.randrange(view.model.rowCount())
    started = time.perf_counter()
    view.table.scrollTo(view.model.index(row, 0))
    view.table.viewport().repaint()
    app.processEvents()
    jumps.append((time.perf_counter() - started) * 1000)
added = resident_mb() - before
filters = {{}}
for name, contact_filter in (
    ("tag VIP", ContactFilter(tags=("VIP",))),
    ("stage client", ContactFilter(stages=("client",))),
    ("tier Gold", ContactFilter(tiers=("Gold",))),
    ("consent email", ContactFilter(consent="email")),
    ("text 'smi'", ContactFilter(text="smi")),
):
    started = time.perf_counter()
    count = count_contacts(contact_filter)
    contact_rows(contact_ids_page(ContactQuery(contact_filter), count // 2, 100, count))
    filters[name] = (time.perf_counter() - started) * 1000
print(json.dumps({{"rows": view.model.rowCount(), "open": opened, "jumps": jumps,
                  "memory": added, "filters": filters}}))
"""


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    print("| Contacts | open (median of 3) | jump p50 | jump max | memory added |")
    print("|---|---|---|---|---|")
    for path in sys.argv[1:]:
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", PROBE.format(path=path)],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(3)
        ]
        jumps = sorted(jump for run in runs for jump in run["jumps"])
        print(
            f"| {runs[0]['rows']:,} | {statistics.median(r['open'] for r in runs):.0f} ms"
            f" | {statistics.median(jumps):.0f} ms | {max(jumps):.0f} ms"
            f" | {statistics.median(r['memory'] for r in runs):.0f} MB |"
        )
        for name, took in runs[-1]["filters"].items():
            print(f"|   filter {name}: count + middle page | {took:.0f} ms | | | |")


if __name__ == "__main__":
    main()
