"""Benchmark: sales at the counter while background work writes to the same database.

Run: python tests/benchmarks/bench_counter_while_busy.py DB [--work import] [--rows 200000]
         [--interval 0.2] [--folder DIR]

DB (a demo shop, e.g. `relapp --db big.db demo --contacts 200000`) is copied into a temporary
folder (tests/benchmarks/bench_sales.copy_database) and only the copy is used. Three processes
share the copy, as a shop's would:

- the counter: opens the database as the app does, then every --interval seconds finds a
  customer by card and records a sale (find_customer + record_sale, a new sale key each time),
  timing each sale from the moment it is asked for to its answer;
- a probe: asks for the write lock (BEGIN IMMEDIATE, no waiting) every 5 ms and keeps the
  longest stretch it could not get it: the longest lock hold of the background work;
- the background work (--work), started once the counter is ready:
  import   `relapp import` of --rows CSV rows (tests/benchmarks/bench_exchange.write_csv),
  erase    erase_person of one customer with history,
  daily    the daily round (expiry, birthdays, tier sweep),
  tag      tag_contacts of every customer (one bulk action on the whole shop),
  merge    merge_contacts of the two customers with the longest histories,
  restore  `relapp restore --yes` of a backup of the copy taken before the timing starts
           (the backup is checked first; the copy into the live file holds the lock).

Prints one Markdown table row: the work and its duration, the sales counted while it ran,
those that failed (with their messages), the p50 / p99 / max wait of the sales, and the
longest lock hold the probe saw.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[2]
WORKS = ("import", "erase", "daily", "tag", "merge", "restore")


# ------------------------------------------------------------------------------ children


def run_counter(db_path: Path, stop_file: Path, interval: float) -> None:
    """Sales every interval seconds until stop_file exists; one JSON line per sale."""
    from relapp.db.connection import open_database
    from relapp.domain.loyalty.points import find_customer, record_sale

    db = open_database(db_path)
    cards = [
        row[0]
        for row in db.execute_sql(
            "SELECT card_number FROM contact WHERE card_number IS NOT NULL"
            " AND archived_at IS NULL AND erased_at IS NULL ORDER BY id LIMIT 2000"
        )
    ]
    print("ready", flush=True)
    number = 0
    while not stop_file.exists():
        card = cards[number % len(cards)]
        number += 1
        started = time.perf_counter()
        error = None
        try:
            record_sale(find_customer(card), 500 + number % 2000, sale_key=uuid.uuid4().hex)
        except Exception as failure:  # every failure is counted and shown
            error = f"{type(failure).__name__}: {failure}"
        spent = time.perf_counter() - started
        print(json.dumps({"seconds": spent, "error": error}), flush=True)
        time.sleep(max(0.0, interval - spent))
    db.close()


def run_probe(db_path: Path, stop_file: Path) -> None:
    """The longest time the write lock stayed out of reach, polled every 5 ms."""
    import sqlite3

    connection = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    longest, locked_since = 0.0, None
    print("ready", flush=True)
    while not stop_file.exists():
        now = time.perf_counter()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            if locked_since is not None:
                longest = max(longest, now - locked_since)
                locked_since = None
        except sqlite3.OperationalError:
            locked_since = now if locked_since is None else locked_since
        time.sleep(0.005)
    if locked_since is not None:
        longest = max(longest, time.perf_counter() - locked_since)
    print(json.dumps({"longest_lock": longest}), flush=True)
    connection.close()


def run_work(work: str, db_path: Path) -> None:
    """One piece of background work, in this process (not for import: that is the CLI)."""
    from relapp.db.connection import open_database
    from relapp.domain.contacts.bulk_actions import tag_contacts
    from relapp.domain.contacts.merge import merge_contacts
    from relapp.domain.contacts.privacy import erase_person
    from relapp.domain.loyalty.daily import run_daily_jobs

    db = open_database(db_path)
    busiest = [
        row[0]
        for row in db.execute_sql(
            "SELECT contact_id FROM interaction WHERE contact_id IN"
            " (SELECT id FROM contact WHERE archived_at IS NULL AND erased_at IS NULL"
            "  ORDER BY id LIMIT 5000) GROUP BY contact_id ORDER BY count(*) DESC LIMIT 2"
        )
    ]
    if work == "erase":
        erase_person(busiest[0], None, backup_folder=db_path.parent / "none", as_owner=True)
    elif work == "daily":
        run_daily_jobs()
    elif work == "tag":
        ids = [row[0] for row in db.execute_sql("SELECT id FROM contact")]
        tag_contacts(ids, "Benchmark")
    elif work == "merge":
        merge_contacts(busiest[0], busiest[1])
    db.close()


# ------------------------------------------------------------------------------ the run


def python(*args: str, **options) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, text=True, **options)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def bench(database: Path, work: str, rows: int, interval: float, folder: Path) -> str:
    from tests.benchmarks.bench_exchange import write_csv
    from tests.benchmarks.bench_sales import copy_database

    path = copy_database(database, folder)
    csv_file = folder / "rows.csv"
    if work == "import":
        write_csv(csv_file, rows)
    backup_file = folder / "backup.db"
    # Opened (and brought to the latest schema) once before anything is timed.
    subprocess.run([sys.executable, "-c", f"from relapp.db.connection import open_database; "
                    f"open_database({str(path)!r}).close()"], cwd=ROOT, check=True)  # fmt: skip
    if work == "restore":
        backup = [sys.executable, "-m", "relapp", "backup", "--db", str(path), "--out",
                  str(backup_file)]  # fmt: skip
        subprocess.run(backup, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    stop_file = folder / "stop"
    me = str(Path(__file__).resolve())
    counter = python(me, "--counter", str(path), str(stop_file), str(interval),
                     stdout=subprocess.PIPE)  # fmt: skip
    probe = python(me, "--probe", str(path), str(stop_file), stdout=subprocess.PIPE)
    for child in (counter, probe):
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    if work == "import":
        worker = python("-m", "relapp", "import", str(csv_file), "--db", str(path),
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    elif work == "restore":
        worker = python("-m", "relapp", "restore", str(backup_file), "--yes", "--db", str(path),
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    else:
        worker = python(me, "--work", work, str(path), stdout=subprocess.PIPE)
    output, _ = worker.communicate()
    seconds = time.perf_counter() - started
    stop_file.touch()
    sales = [json.loads(line) for line in counter.communicate()[0].splitlines()]
    longest = json.loads(probe.communicate()[0].splitlines()[-1])["longest_lock"]
    waits = sorted(sale["seconds"] for sale in sales)
    failures = Counter(sale["error"] for sale in sales if sale["error"])
    what = f"{work} {rows:,} rows" if work == "import" else work
    if worker.returncode != 0:
        what += f" (exit {worker.returncode})"
    result = output.strip().splitlines()[-1] if output.strip() else ""
    failed = "; ".join(f"{count} × {message}" for message, count in failures.items())
    return (
        f"| {what} | {seconds:.1f} s | {len(sales)} | {sum(failures.values())}"
        f"{' (' + failed + ')' if failed else ''} | {statistics.median(waits):.2f} s"
        f" | {percentile(waits, 0.99):.2f} s | {waits[-1]:.2f} s | {longest:.2f} s | {result} |"
    )


def main() -> None:
    sys.path.insert(0, str(ROOT))  # tests.benchmarks, when run as a script
    if len(sys.argv) > 1 and sys.argv[1] == "--counter":
        run_counter(Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        run_probe(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--work":
        run_work(sys.argv[2], Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--work", choices=WORKS, nargs="+", default=["import"])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between sales")
    parser.add_argument("--folder", type=Path, default=None, help="where the copy goes")
    args = parser.parse_args()
    print("| work | took | sales | failed | p50 wait | p99 wait | max wait | longest lock |"
          " work's result |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for work in args.work:
        with tempfile.TemporaryDirectory(dir=args.folder) as folder:
            print(bench(args.database, work, args.rows, args.interval, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
