"""Benchmark: a customer's timeline, the activity feed and the open cases, in-process.

Run: python tests/benchmarks/bench_timeline.py [DB] [--entries N ...] [--work DIR] [--scratch]
DB is copied (with its WAL file, if any) into a temporary folder under --work and the copy is
used; with --scratch, DB itself is written to (a copy you made for this). Without DB, a fresh
database with a 2,000-customer demo shop is made under --work. Opening migrates the copy to
the latest schema. Then one customer per --entries value (default 10000) is added with that
many timeline lines: purchases with their earn entries, visits, calls, queries and complaints
(some open, some with tasks), feedback, notes, and one line in ten a ledger entry of its own
(bonus, redeem, adjust), with many lines sharing a second. Prints, as Markdown tables,
p50 / p95 / max of each read, and checks that walking every page gives every line once.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from relapp.db.connection import open_database
from relapp.db.fields import format_timestamp
from relapp.domain.shop.settings import load_settings
from relapp.domain.timeline.history import activity_feed, timeline_page
from relapp.domain.timeline.today import open_cases

RUNS = 200
WARM_UP = 5
START = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
_KINDS = (
    ("purchase", 0.62), ("visit", 0.08), ("call", 0.04), ("email", 0.03), ("message", 0.03),
    ("query", 0.03), ("complaint", 0.01), ("feedback", 0.03), ("note", 0.02), ("campaign", 0.01),
    ("points", 0.10),
)  # fmt: skip


def copy_database(source: Path, folder: Path) -> Path:
    """Copy the file and its WAL without opening the source; fsync the copy."""
    target = folder / f"{source.stem}-timeline-bench.db"
    copies = [(source, target)]
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        copies.append((wal, target.with_name(target.name + "-wal")))
    for original, copy in copies:
        shutil.copyfile(original, copy)
        with open(copy, "rb+") as written:
            os.fsync(written.fileno())
    return target


def add_busy_customer(db, entries: int, rng: random.Random) -> int:
    """A customer with `entries` timeline lines over five years; returns their id."""
    stamp = format_timestamp(START)
    with db.atomic():
        contact_id = db.execute_sql(
            "INSERT INTO contact (given_name, family_name, created_at, updated_at)"
            " VALUES ('Busy', ?, ?, ?)",
            (f"Customer {entries}", stamp, stamp),
        ).lastrowid
        reward_id = db.execute_sql("SELECT min(id) FROM reward").fetchone()[0]
        kinds, weights = zip(*_KINDS, strict=True)
        moment, balance = START, 0
        step = timedelta(days=5 * 365) / entries
        for number in range(entries):
            # One line in five shares the second of the line before: ties must page right.
            if rng.random() > 0.2:
                moment += step * (2 * rng.random())
            kind = rng.choices(kinds, weights)[0]
            when = format_timestamp(moment)
            if kind == "points":
                balance += _ledger_line(db, contact_id, when, balance, reward_id, rng)
                continue
            amount = rng.randint(400, 20_000) if kind == "purchase" else None
            status = None
            if kind in ("query", "complaint"):
                status = "open" if rng.random() < 0.3 else "resolved"
            interaction_id = db.execute_sql(
                "INSERT INTO interaction (contact_id, kind, direction, occurred_at, summary,"
                " amount_cents, feedback_score, status, resolved_at, network, staff_id,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?)",
                (contact_id, kind, "outbound" if kind in ("call", "email", "message",
                 "campaign") else None, when, f"{kind} number {number}", amount,
                 rng.randint(0, 10) if kind == "feedback" else None, status,
                 when if status == "resolved" else None, when, when),
            ).lastrowid  # fmt: skip
            if amount is not None:
                db.execute_sql(
                    "INSERT INTO points_entry (contact_id, kind, points, occurred_at,"
                    " interaction_id, reason) VALUES (?, 'earn', ?, ?, ?, 'Purchase')",
                    (contact_id, amount // 100, when, interaction_id),
                )
                balance += amount // 100
            if status == "open" and rng.random() < 0.5:
                db.execute_sql(
                    "INSERT INTO task (contact_id, interaction_id, title, due_at, created_at)"
                    " VALUES (?, ?, 'Reply', ?, ?)",
                    (contact_id, interaction_id, when, when),
                )
    return contact_id


def _ledger_line(db, contact_id: int, when: str, balance: int, reward_id, rng) -> int:
    if balance >= 500 and reward_id is not None and rng.random() < 0.5:
        kind, points, reason = "redeem", -500, "Redeemed: voucher"
    elif rng.random() < 0.5:
        kind, points, reason = "bonus", 50, "Birthday bonus"
    else:
        kind, points, reason = "adjust", rng.randint(1, 30), "Goodwill"
    db.execute_sql(
        "INSERT INTO points_entry (contact_id, kind, points, occurred_at, reward_id, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (contact_id, kind, points, when, reward_id if kind == "redeem" else None, reason),
    )
    return points


def timed(call, runs: int = RUNS) -> list[float]:
    for _ in range(WARM_UP):
        call()
    spent = []
    for _ in range(runs):
        before = time.perf_counter()
        call()
        spent.append((time.perf_counter() - before) * 1000)
    return spent


def row(label: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"| {label} | {len(ordered)} | {statistics.median(ordered):.2f} ms | {p95:.2f} ms"
        f" | {ordered[-1]:.2f} ms |"
    )


def walk(fetch) -> tuple[list, int]:
    """Every page of fetch(before) in turn; all the entries and how many pages."""
    entries, before, pages = [], None, 0
    while True:
        page = fetch(before)
        if not page:
            return entries, pages
        entries += page
        pages += 1
        before = page[-1].key


def bench_customer(db, entries: int, rng: random.Random) -> None:
    started = time.perf_counter()
    contact_id = add_busy_customer(db, entries, rng)
    made = time.perf_counter() - started
    lines, pages = walk(lambda before: timeline_page(contact_id, before=before, limit=100))
    expected = db.execute_sql(
        "SELECT (SELECT count(*) FROM interaction WHERE contact_id = ?1)"
        " + (SELECT count(*) FROM points_entry WHERE contact_id = ?1 AND interaction_id IS NULL)",
        (contact_id,),
    ).fetchone()[0]
    keys = [line.key for line in lines]
    assert len(keys) == expected == len(set(keys)), (len(keys), expected)
    assert keys == sorted(keys, reverse=True)
    balance = db.execute_sql(
        "SELECT points_balance FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()[0]
    assert sum(line.points or 0 for line in lines) == balance
    deep = lines[int(len(lines) * 0.9)].key
    print(f"\nCustomer #{contact_id}: {expected:,} timeline lines (made in {made:.1f} s);"
          f" {pages} pages of 100 checked: every line once, newest first, points add up to"
          " the balance\n")  # fmt: skip
    print("| read | n | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(row("first page (100)", timed(lambda: timeline_page(contact_id))), flush=True)
    print(row("page at 90 % depth", timed(lambda: timeline_page(contact_id, before=deep))))
    for kind in ("complaint", "points"):
        only = frozenset({kind})
        spent = timed(lambda only=only: timeline_page(contact_id, kinds=only))
        print(row(f"first page, {kind} lines only", spent))
    spent = timed(lambda: walk(lambda b: timeline_page(contact_id, before=b)), runs=5)
    print(row(f"all {pages} pages, one after another", spent), flush=True)


def bench_shop(db) -> None:
    contacts, interactions = db.execute_sql(
        "SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM interaction)"
    ).fetchone()
    deep_key = None
    middle = db.execute_sql(
        "SELECT occurred_at, id FROM interaction ORDER BY occurred_at LIMIT 1 OFFSET ?",
        (interactions // 2,),
    ).fetchone()
    if middle is not None:
        deep_key = (middle[0], 1, middle[1])
    staff_id = db.execute_sql("SELECT min(id) FROM staff").fetchone()[0]
    nobody = db.execute_sql(
        "INSERT INTO staff (name, role, pin_hash, created_at) VALUES (?, 'counter', 'x', ?)",
        (f"New hire {time.time_ns()}", format_timestamp(START)),
    ).lastrowid
    print(f"\nShop: {contacts:,} contacts, {interactions:,} interactions\n")
    print("| read | n | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(row("activity feed, first page (100)", timed(activity_feed)), flush=True)
    print(row("activity feed, page half way back",
              timed(lambda: activity_feed(before=deep_key))))  # fmt: skip
    print(row("activity feed, complaints only",
              timed(lambda: activity_feed(kinds=frozenset({"complaint"})))))  # fmt: skip
    print(row(f"activity feed, staff #{staff_id} only",
              timed(lambda: activity_feed(staff_id=staff_id))))  # fmt: skip
    print(row("activity feed, a staff member with no entries",
              timed(lambda: activity_feed(staff_id=nobody))))  # fmt: skip
    complaints = frozenset({"complaint"})
    print(row("activity feed, complaints by a staff member with none",
              timed(lambda: activity_feed(kinds=complaints, staff_id=nobody))))  # fmt: skip
    target = load_settings().response_target_hours
    cases = open_cases(datetime.now(UTC), target)[0].total
    spent = timed(lambda: open_cases(datetime.now(UTC), target), runs=20)
    print(row(f"open cases, first 200 of {cases:,}", spent))
    oldest = timed(lambda: open_cases(datetime.now(UTC), target, limit=50))
    print(row("open cases, oldest 50", oldest), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, nargs="?")
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000])
    parser.add_argument("--work", type=Path, default=None, help="folder for the copy")
    parser.add_argument("--scratch", action="store_true", help="write to DB itself")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        if args.database is None:
            from relapp.demo.generator import generate_demo_shop

            db = open_database(Path(folder) / "fresh.db")
            generate_demo_shop(2_000, seed=1, as_of=date(2026, 11, 22))
        else:
            path = args.database if args.scratch else copy_database(args.database, Path(folder))
            started = time.perf_counter()
            db = open_database(path)
            print(f"{args.database} opened in {time.perf_counter() - started:.1f} s")
        rng = random.Random(0)
        for entries in args.entries:
            if entries > 0:  # --entries 0: the shop-wide reads only
                bench_customer(db, entries, rng)
        bench_shop(db)
        db.close()


if __name__ == "__main__":
    main()
