"""Benchmark: the Today view's work list (today_queue), in-process, on a copy of a demo database.

Run: python tests/benchmarks/bench_today.py DB [--work DIR] [--runs N] [--now ISO] [--no-copy]
DB is copied (with its WAL file, if any) into a temporary folder under --work (default: the
system's temporary folder) and never opened itself; --no-copy opens DB in place instead (a
database you may change). If the copy is at an older schema, each migration is timed on its
own (migrate_database, without the safety copy open_database writes first). The database is
then closed, the file dropped from the operating system's cache (posix_fadvise DONTNEED,
where available) and opened again, so the first today_queue reads from disk ("cold"); N warm
runs (default 5) follow, then each section on its own, the frequency cap the day after the
latest campaign (its month of outbound contacts at the fullest) and would_exceed_cap for one
customer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from relapp.db.connection import migrate_database, open_database, schema_version
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.migrations import MIGRATIONS
from relapp.domain.contacts import rhythm as contact_rhythm
from relapp.domain.shop.settings import load_settings
from relapp.domain.timeline import today


def copy_database(source: Path, folder: Path) -> Path:
    """Copy the file and its WAL, if any, without opening the source (SQLite would add files
    beside it even to read it), and flush the copy. Run it while nothing writes to the source."""
    target = folder / f"{source.stem}-today-bench.db"
    for original, copy in ((source, target), (_wal(source), _wal(target))):
        if original.exists():
            shutil.copyfile(original, copy)
            with open(copy, "rb+") as written:
                os.fsync(written.fileno())
    return target


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def drop_from_os_cache(path: Path) -> bool:
    """Ask the kernel to forget the file's cached pages (clean ones; the file is fsynced)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for name in (path, _wal(path)):
        if name.exists():
            with open(name, "rb") as handle:
                os.fsync(handle.fileno())
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return True


def milliseconds(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def sections(now) -> dict[str, object]:
    """Each section on its own, as today_queue computes it."""
    settings = load_settings()
    day = now.astimezone().date()
    day_end = today.local_midnight(day + timedelta(days=1))
    return {
        "overdue tasks": lambda: today.follow_ups(None, now),
        "tasks due today": lambda: today.follow_ups(now, day_end),
        "open cases": lambda: today.open_cases(now, settings.response_target_hours),
        "birthdays": lambda: today.birthdays_soon(day),
        "drifting": lambda: contact_rhythm.drifting_customers(now),
        "at cap": lambda: contact_rhythm.at_cap_customers(now=now),
    }


def migrate_timed(db) -> None:
    """Bring the copy to the latest schema one migration at a time, timing each."""
    for migration in MIGRATIONS:
        if migration.version <= schema_version(db):
            continue
        started = time.perf_counter()
        migrate_database(db, None, target=migration.version)
        print(
            f"migration {migration.version} ({migration.description}):"
            f" {time.perf_counter() - started:.1f} s (without the safety copy)"
        )


def latest_campaign(db) -> datetime | None:
    row = db.execute_sql(
        "SELECT max(occurred_at) FROM interaction WHERE kind = 'campaign'"
    ).fetchone()
    return parse_timestamp(row[0]) if row and row[0] else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--work", type=Path, default=None, help="folder for the copy")
    parser.add_argument("--runs", type=int, default=5, help="warm runs (default 5)")
    parser.add_argument("--no-copy", action="store_true", help="open DB itself")
    parser.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="the moment (default: now)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        if args.no_copy:
            path = args.database
        else:
            started = time.perf_counter()
            path = copy_database(args.database, Path(folder))
            print(f"copied {args.database} in {time.perf_counter() - started:.1f} s")
        db = open_database(path, migrate=False)
        migrate_timed(db)
        db.close()
        cold_cache = drop_from_os_cache(path)
        db = open_database(path)
        contacts = db.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
        interactions = db.execute_sql("SELECT max(id) FROM interaction").fetchone()[0]
        print(f"{args.database}: {contacts:,} contacts, ~{interactions:,} interactions\n")

        now = contact_rhythm.moment_to_the_second(args.now)
        cold, queue = milliseconds(lambda: today.today_queue(now))
        warm = [milliseconds(lambda: today.today_queue(now))[0] for _ in range(args.runs)]
        where = "from disk" if cold_cache else "OS cache not dropped"
        print(f"now = {now:%Y-%m-%d %H:%M:%S} UTC\n")
        print("| today_queue | ms |")
        print("|---|---|")
        print(f"| first run, cold ({where}) | {cold:.0f} |")
        print(f"| p50 of {args.runs} warm runs | {statistics.median(warm):.0f} |")
        print(f"| max of {args.runs} warm runs | {max(warm):.0f} |\n")

        print("| section | total | p50 ms |")
        print("|---|---|---|")
        totals = {
            "overdue tasks": queue.overdue_tasks.total,
            "tasks due today": queue.tasks_due_today.total,
            "open cases": queue.open_cases.total,
            "birthdays": queue.birthdays.total,
            "drifting": queue.drifting.total,
            "at cap": queue.at_cap.total,
        }
        for name, call in sections(now).items():
            spent = [milliseconds(call)[0] for _ in range(args.runs)]
            print(f"| {name} | {totals[name]:,} | {statistics.median(spent):.1f} |")

        campaign = latest_campaign(db)
        if campaign is not None:
            after = campaign + timedelta(days=1)
            spent, result = milliseconds(lambda: contact_rhythm.at_cap_customers(now=after))
            window = db.execute_sql(
                "SELECT count(*) FROM interaction WHERE occurred_at > ? AND occurred_at <= ?"
                f" AND {contact_rhythm.OUTBOUND_SQL}",
                (format_timestamp(after - contact_rhythm.CAP_WINDOW), format_timestamp(after)),
            ).fetchone()[0]
            print(
                f"| at cap, the day after the latest campaign ({after:%Y-%m-%d};"
                f" {window:,} outbound in the window) | {result.total:,} | {spent:.1f} |"
            )
        ids = [row[0] for row in db.execute_sql(
            "SELECT id FROM contact ORDER BY id LIMIT 200 OFFSET ?", (contacts // 2,)
        )]  # fmt: skip
        spent = [milliseconds(lambda i=i: contact_rhythm.would_exceed_cap(i, now))[0]
                 for i in ids]  # fmt: skip
        print(f"| would_exceed_cap, one customer (p50 of {len(ids)}) | - |"
              f" {statistics.median(spent):.2f} |")  # fmt: skip
        db.close()


if __name__ == "__main__":
    main()
