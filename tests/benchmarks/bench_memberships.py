"""Benchmark: the Counter's read of a customer with and without a membership, and Today's
membership lists, on a copy of a demo shop given 100,000 members.

Run: python tests/benchmarks/bench_memberships.py DB [--members N] [--work DIR] [--runs N]

DB (a demo shop, say the 1,000,000 one) is copied through SQLite's backup API into a
temporary folder under --work and never written; the copy is migrated (timed) and given a
plan and N memberships (default 100,000: a year's plan started on a day of the last year,
every third renewed once), in one transaction. Then, for --runs customers of each kind
(default 200), the Counter panel's reads as CounterView.show_customer makes them
(customer_profile, points_summary, customer_progress, and the membership's standing plus
has_plans) are timed for members and for customers who never joined, and the membership part
alone; then today_queue with and without the membership lists, and renewals due / members
in grace on their own. Medians and 95th percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from relapp.db.connection import open_database
from relapp.db.models import Staff, database
from relapp.domain.contacts.profiles import customer_profile
from relapp.domain.loyalty.points import points_summary
from relapp.domain.loyalty.progress import customer_progress
from relapp.domain.memberships.lists import has_plans, members_in_grace, renewals_due
from relapp.domain.memberships.members import standing
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import end_of, grace_end, shop_today
from relapp.domain.shop.settings import load_settings
from relapp.domain.timeline.today import today_queue

GOLD = Plan("Gold", fee_cents=5000, length_months=12, grace_days=30,
            points_multiplier_percent=150, discount_percent=10, reminder_days=30)  # fmt: skip


def copy_database(source: Path, folder: Path) -> Path:
    target = folder / f"{source.stem}-members-bench.db"
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
    return target


def milliseconds(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):7.2f} ms · p95 {p95:7.2f} ms (n={len(ordered)})"


def add_members(count: int, today: date, seed: int = 19) -> list[int]:
    """count live customers made members of Gold (a year's plan started in the last year),
    every third renewed once; their ids."""
    manager = Staff.get(Staff.role == "manager").id
    save_plan(GOLD, manager)
    plan = next(line.plan for line in list_plans(today) if line.plan.name == GOLD.name)
    assert plan.id is not None
    ids = [row[0] for row in database.execute_sql(
        "SELECT id FROM contact WHERE archived_at IS NULL AND erased_at IS NULL"
        " ORDER BY id LIMIT ?", (count,)).fetchall()]  # fmt: skip
    rng = random.Random(seed)
    stamp = f"{today.isoformat()} 09:00:00"
    rows, renewals = [], []
    for n, contact_id in enumerate(ids):
        start = today - timedelta(days=rng.randint(0, 364))
        ends = end_of(start, plan.length_months, plan.year_end)
        rows.append((contact_id, plan.id, start.isoformat(), ends.isoformat(),
                     grace_end(ends, plan.grace_days).isoformat(), stamp))  # fmt: skip
        if n % 3 == 0:
            renewals.append(n)
    with database.atomic():
        cursor = database.cursor()
        cursor.executemany(
            "INSERT INTO membership (contact_id, plan_id, starts_on, ends_on, grace_until,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        renewed = []
        for n in renewals:
            contact_id, plan_id, _start, ends_on, _grace, _ = rows[n]
            start = date.fromisoformat(ends_on) + timedelta(days=1)
            ends = end_of(start, plan.length_months, plan.year_end)
            grace = grace_end(ends, plan.grace_days).isoformat()
            renewed.append((contact_id, plan_id, start.isoformat(), ends.isoformat(), grace,
                            stamp, contact_id))  # fmt: skip
        cursor.executemany(
            "INSERT INTO membership (contact_id, plan_id, starts_on, ends_on, grace_until,"
            " created_at, renewed_from_id) VALUES (?, ?, ?, ?, ?, ?,"
            " (SELECT id FROM membership WHERE contact_id = ? ORDER BY id LIMIT 1))",
            renewed,
        )
        database.execute_sql("ANALYZE membership")
    return ids


def counter_read(contact_id: int, window: int) -> None:
    """What CounterView.show_customer reads (the gift cards' read aside)."""
    customer_profile(contact_id)
    points_summary(contact_id, recent=0)
    customer_progress(contact_id, window)
    found = standing(contact_id)
    _ = found is not None or has_plans()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        copy = copy_database(args.db, Path(folder))
        opened = milliseconds(lambda: open_database(copy))
        print(f"copy opened and migrated in {opened / 1000:.2f} s")
        today = shop_today()
        took = milliseconds(lambda: add_members(args.members, today))
        members = [row[0] for row in database.execute_sql(
            "SELECT DISTINCT contact_id FROM membership").fetchall()]  # fmt: skip
        print(f"{len(members):,} members added in {took / 1000:.2f} s")
        member_set = set(members)
        others = [row[0] for row in database.execute_sql(
            "SELECT id FROM contact WHERE archived_at IS NULL AND erased_at IS NULL"
            " ORDER BY id DESC LIMIT ?", (args.runs * 3,)).fetchall()
            if row[0] not in member_set][: args.runs]  # fmt: skip
        rng = random.Random(7)
        picked = rng.sample(members, min(args.runs, len(members)))
        window = load_settings().tier_window_months
        for contact_id in picked[:20] + others[:20]:  # warm the caches alike
            counter_read(contact_id, window)
        print("Counter panel, member:     ", summary(
            [milliseconds(lambda c=c: counter_read(c, window)) for c in picked]))  # fmt: skip
        print("Counter panel, not member: ", summary(
            [milliseconds(lambda c=c: counter_read(c, window)) for c in others]))  # fmt: skip
        print("  membership part, member: ", summary(
            [milliseconds(lambda c=c: (standing(c), has_plans())) for c in picked]))  # fmt: skip
        print("  membership part, other:  ", summary(
            [milliseconds(lambda c=c: (standing(c), has_plans())) for c in others]))  # fmt: skip
        print("today_queue:               ", summary(
            [milliseconds(today_queue) for _ in range(5)]))  # fmt: skip
        print("  renewals due:            ", summary(
            [milliseconds(lambda: renewals_due(today)) for _ in range(5)]))  # fmt: skip
        print("  members in grace:        ", summary(
            [milliseconds(lambda: members_in_grace(today)) for _ in range(5)]))  # fmt: skip
        database.close()


if __name__ == "__main__":
    main()
