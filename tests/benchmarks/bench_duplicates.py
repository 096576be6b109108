"""Benchmark: finding duplicate contacts, and merging a pair, on demo databases.

Run: python tests/benchmarks/bench_duplicates.py DB [DB ...]
Opening a database brings it to the latest schema, as the app does, so point this at copies.
Every merge here runs inside a transaction that is rolled back, so the file keeps its contacts
(the commit itself, one fsync, is not measured). Steps, each timed once after a warm-up:
find_duplicate_pairs() at its default limit; every pair (a limit no shop reaches, so every
pass runs and the time is mostly building the answer); every phone or email pair plus the
best 500 name-only ones; then merge_preview() and merge_contacts() of the strongest pair, and
of the two contacts with the longest ledgers (the worst case for moving points).
Prints a Markdown table.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from relapp.db.connection import open_database
from relapp.domain.contacts.duplicates import find_duplicate_pairs
from relapp.domain.contacts.merge import merge_contacts, merge_preview

EVERY_PAIR = 10**9
NAME_ONLY_WANTED = 500


def timed(step: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = step()
    return (time.perf_counter() - started) * 1000, result


def longest_ledgers(db) -> tuple[int, int]:
    rows = db.execute_sql(
        "SELECT contact_id FROM points_entry GROUP BY contact_id ORDER BY count(*) DESC LIMIT 2"
    ).fetchall()
    return rows[0][0], rows[1][0]


def rolled_back_merge(db, survivor: int, other: int) -> tuple[float, float, str]:
    """Preview and merge times for one pair, with what moved; the file is left as it was."""
    preview_ms, preview = timed(lambda: merge_preview(survivor, other))
    with db.atomic() as transaction:
        merge_ms, _ = timed(lambda: merge_contacts(survivor, other))
        transaction.rollback()
    moves = preview.moves
    moved = (
        f"{moves.interactions} interactions, {moves.points} points,"
        f" {moves.consent_events} consent events"
    )
    return preview_ms, merge_ms, moved


def bench(path: Path) -> None:
    db = open_database(path)
    contacts = db.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
    label = f"{contacts:,} contacts"
    find_duplicate_pairs()  # warm the page cache, as a shop that has been open a while
    spent, pairs = timed(find_duplicate_pairs)
    print(f"| {label} | find duplicates (default limit) | {spent:.0f} ms | {len(pairs)} pairs |")
    ticks: list[int] = []
    spent, every = timed(
        lambda: find_duplicate_pairs(EVERY_PAIR, progress=lambda done, _: ticks.append(done))
    )
    name_only = sum(pair.reasons == ("same name",) for pair in every)
    print(
        f"| {label} | find duplicates (every pair, name pass) | {spent:.0f} ms |"
        f" {len(every)} pairs, {name_only} by name only, {len(ticks)} progress reports |",
        flush=True,
    )
    limit = len(every) - name_only + NAME_ONLY_WANTED
    spent, some = timed(lambda: find_duplicate_pairs(limit))
    print(
        f"| {label} | find duplicates (phone/email pairs + {NAME_ONLY_WANTED} by name) |"
        f" {spent:.0f} ms | {len(some)} pairs |",
        flush=True,
    )
    cases = {"strongest pair": pairs[0].ids, "longest ledgers": longest_ledgers(db)}
    for case, (survivor, other) in cases.items():
        preview_ms, merge_ms, moved = rolled_back_merge(db, survivor, other)
        print(f"| {label} | merge preview ({case}) | {preview_ms:.0f} ms | |")
        print(f"| {label} | merge ({case}) | {merge_ms:.0f} ms | {moved} |", flush=True)
    db.close()


def main() -> None:
    print("| database | step | time | result |")
    print("|---|---|---|---|")
    for name in sys.argv[1:]:
        bench(Path(name))


if __name__ == "__main__":
    main()
