"""Benchmark: take_backup and check_database on a big demo database.

Run: python tests/benchmarks/bench_backup.py DB [--work DIR] [--no-check]
The backup of DB is written into a temporary folder under --work (default /tmp/bench/work)
and deleted afterwards; DB is only read. The first backup runs after DB was dropped from the
operating system's cache (posix_fadvise DONTNEED: "cold"), the second right after ("warm").
Each line gives the copy (backup API, journal switch), the verification (integrity_check,
while the system writes the copy out) and the final flush separately, then check_database's
time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from relapp.db.backups import check_database, take_backup


def drop_from_os_cache(path: Path) -> None:
    if hasattr(os, "posix_fadvise"):
        for name in (path, path.with_name(path.name + "-wal")):
            if name.exists():
                with open(name, "rb") as handle:
                    os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench/work"))
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-", dir=args.work))
    size = args.database.stat().st_size
    print(f"{args.database}: {size / 1e9:.2f} GB")
    try:
        for label in ("cold", "warm"):
            if label == "cold":
                drop_from_os_cache(args.database)
            steps = []
            result = take_backup(
                args.database,
                folder=folder,
                keep=1,
                progress=lambda d, t, steps=steps: steps.append(d),
            )
            print(
                f"take_backup {label}: {result.seconds:.1f} s total = copy"
                f" {result.copy_seconds:.1f} s + integrity_check {result.verify_seconds:.1f} s"
                f" + flush {result.flush_seconds:.1f} s;"
                f" {len(steps)} steps,"
                f" {result.bytes / 1e9:.2f} GB"
            )
            drop_from_os_cache(result.path)
            started = time.perf_counter()
            take_backup(args.database, folder=folder, keep=1, verify=False)
            print(
                f"take_backup {label} without verification: {time.perf_counter() - started:.1f} s"
            )
        if not args.no_check:
            report = check_database(args.database)
            print(
                f"check_database: {report.seconds:.1f} s, {report.contacts:,} contacts,"
                f" {report.ledger_entries:,} entries, problems: {report.problems or 'none'}"
            )
            started = time.perf_counter()
            check_database(args.database, running_balances=False)
            print(f"check_database without running balances: {time.perf_counter() - started:.1f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
