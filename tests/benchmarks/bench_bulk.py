"""Benchmark: bulk actions on every contact of a demo database.

Run: python tests/benchmarks/bench_bulk.py DB [DB ...]
Each database is copied first (the actions change it), into a temporary folder beside it.
Every action runs on all contact ids (as "select all" in the contacts table would pass them),
then again on the same ids, when nothing is left to change; prints a Markdown table.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from relapp.db.connection import open_database
from relapp.domain.contacts.bulk_actions import (
    archive_contacts,
    set_ladder_stage,
    tag_contacts,
    unarchive_contacts,
    untag_contacts,
)

ACTIONS = (
    ("tag (new tag)", lambda ids: tag_contacts(ids, "bench tag")),
    ("untag", lambda ids: untag_contacts(ids, "bench tag")),
    ("set ladder stage", lambda ids: set_ladder_stage(ids, "supporter")),
    ("archive", archive_contacts),
    ("unarchive", unarchive_contacts),
)


def measure(ids: list[int], action) -> tuple[int, float]:
    started = time.perf_counter()
    result = action(ids)
    return result.changed, (time.perf_counter() - started) * 1000


def main() -> None:
    print("| database | action | changed | first run | repeated (no change) |")
    print("|---|---|---|---|---|")
    for name in sys.argv[1:]:
        source = Path(name)
        with tempfile.TemporaryDirectory(dir=source.parent) as folder:
            copy = Path(folder) / source.name
            shutil.copyfile(source, copy)
            db = open_database(copy)
            ids = [row[0] for row in db.execute_sql("SELECT id FROM contact")]
            for label, action in ACTIONS:
                changed, first = measure(ids, action)
                _, repeated = measure(ids, action)
                print(
                    f"| {len(ids):,} contacts | {label} | {changed:,} | {first:.0f} ms"
                    f" | {repeated:.0f} ms |",
                    flush=True,
                )
            db.close()


if __name__ == "__main__":
    main()
