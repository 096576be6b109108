"""Benchmark: the same counter work on a shop file and on a shop server, side by side.

Run: python tests/benchmarks/bench_server.py FILE.db URL [--sales N] [--tills 4]
FILE.db and the server at URL hold the same shop (`relapp server migrate --from FILE.db --to
URL`). Both are written to (sales), so use copies made for the benchmark. For each engine, in
one run on one machine:

- counter search (name prefixes and phone fragments drawn from the shop, seeded) and card
  lookup, p50 / p95, warm;
- the raw baseline: the statements the app ran for each search or lookup, replayed alone
  through a bare connection (sqlite3 or psycopg): what the engine costs without Relapp;
- a sale (record_sale with a new key, a customer drawn from the shop) p50 / p95, one till;
- several tills (--tills processes) each recording --sales sales at once on customers drawn
  from the whole shop: sales per second in total and p95 of a sale.

Prints Markdown tables; ratios are app / raw and server / file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_search import sample_queries  # noqa: E402


def open_target(target: str) -> Any:
    if target.startswith(("postgresql://", "postgres://")):
        from relapp.db.server.connection import open_server_database

        return open_server_database(target)
    from relapp.db.connection import open_database

    return open_database(Path(target))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


class Recorder:
    """Wraps the open database's execute_sql to keep the statements one call runs."""

    def __init__(self, db: Any) -> None:
        self.db, self.statements = db, []
        self._original = db.execute_sql

        def recording(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            self.statements.append((sql, params))
            return self._original(sql, params, *args, **kwargs)

        db.execute_sql = recording

    def take(self) -> list[tuple[str, Any]]:
        taken, self.statements = self.statements, []
        return taken


def raw_replayer(target: str) -> Callable[[list[tuple[str, Any]]], None]:
    """Runs statements on a bare connection of the same engine (fetching every row)."""
    if target.startswith(("postgresql://", "postgres://")):
        import psycopg

        from relapp.db.server.placeholders import to_psycopg

        connection = psycopg.connect(target, autocommit=True)

        def replay_server(statements: list[tuple[str, Any]]) -> None:
            for sql, params in statements:
                connection.execute(to_psycopg(sql), params or None, prepare=True).fetchall()

        return replay_server
    raw = sqlite3.connect(target)

    def replay_file(statements: list[tuple[str, Any]]) -> None:
        for sql, params in statements:
            raw.execute(sql, params or ()).fetchall()

    return replay_file


def search_figures(target: str, rng: random.Random) -> dict[str, tuple[float, float, float]]:
    """kind -> (app p50, app p95, raw p95) in ms."""
    from relapp.domain.contacts.search import find_by_card, search_contacts

    db = open_target(target)
    queries = sample_queries(db, rng)
    recorder = Recorder(db)
    replay = raw_replayer(target)
    figures = {}
    for kind, texts in queries.items():
        run = find_by_card if kind == "card lookup" else search_contacts
        for text in texts[:20]:
            run(text)  # warm, as a counter open for a while
        app, raw = [], []
        for text in texts:
            recorder.take()
            started = time.perf_counter()
            run(text)
            app.append((time.perf_counter() - started) * 1000)
            statements = recorder.take()
            started = time.perf_counter()
            replay(statements)
            raw.append((time.perf_counter() - started) * 1000)
        figures[kind] = (statistics.median(app), percentile(app, 0.95), percentile(raw, 0.95))
    db.close()
    return figures


def _customers(db: Any, count: int, seed: int) -> list[int]:
    highest = db.execute_sql("SELECT max(id) FROM contact").fetchone()[0]
    rng = random.Random(seed)
    wanted = [rng.randint(1, highest) for _ in range(count * 3)]
    rows = db.execute_sql(
        f"SELECT id FROM contact WHERE id IN ({','.join(map(str, wanted))})"
        " AND archived_at IS NULL AND erased_at IS NULL AND merged_into_id IS NULL"
    ).fetchall()
    ids = [row[0] for row in rows]
    rng.shuffle(ids)
    return ids[:count]


def sale_timings(target: str, count: int, seed: int) -> list[float]:
    from relapp.domain.loyalty.sales import record_sale

    db = open_target(target)
    customers = _customers(db, count + 10, seed)
    rng = random.Random(seed)
    for contact_id in customers[:10]:
        record_sale(contact_id, rng.randint(100, 20000), sale_key=f"bench-{uuid.uuid4()}")
    spent = []
    for contact_id in customers[10:]:
        started = time.perf_counter()
        record_sale(contact_id, rng.randint(100, 20000), sale_key=f"bench-{uuid.uuid4()}")
        spent.append((time.perf_counter() - started) * 1000)
    db.close()
    return spent


def _till(target: str, count: int, seed: int, start: Any, results: Any) -> None:
    from relapp.domain.loyalty.sales import record_sale

    db = open_target(target)
    customers = _customers(db, count, seed)
    rng = random.Random(seed)
    start.wait()
    began = time.perf_counter()
    spent = []
    for contact_id in customers:
        started = time.perf_counter()
        record_sale(contact_id, rng.randint(100, 20000), sale_key=f"bench-{uuid.uuid4()}")
        spent.append((time.perf_counter() - started) * 1000)
    results.put((began, time.perf_counter(), spent))
    db.close()


def tills_figures(target: str, tills: int, count: int) -> tuple[float, float]:
    """(sales per second in total, p95 ms) of tills processes selling at once."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(tills), context.Queue()
    processes = [
        context.Process(target=_till, args=(target, count, 100 + n, start, results))
        for n in range(tills)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    began = min(outcome[0] for outcome in outcomes)
    ended = max(outcome[1] for outcome in outcomes)
    spent = [ms for outcome in outcomes for ms in outcome[2]]
    return len(spent) / (ended - began), percentile(spent, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("url")
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--tills", type=int, default=4)
    args = parser.parse_args()
    engines = {"file (SQLite)": args.file, "server (PostgreSQL)": args.url}

    searches = {name: search_figures(target, random.Random(0)) for name, target in engines.items()}
    print("| query | engine | app p50 | app p95 | raw p95 | app/raw |")
    print("|---|---|---|---|---|---|")
    for kind in searches["file (SQLite)"]:
        for name in engines:
            p50, p95, raw = searches[name][kind]
            print(f"| {kind} | {name} | {p50:.1f} ms | {p95:.1f} ms | {raw:.1f} ms"
                  f" | {p95 / raw if raw else float('nan'):.1f} |", flush=True)  # fmt: skip

    print()
    print("| work | engine | p50 | p95 | sales/s |")
    print("|---|---|---|---|---|")
    for name, target in engines.items():
        spent = sale_timings(target, args.sales, seed=1)
        print(f"| one till, {len(spent)} sales | {name} | {statistics.median(spent):.1f} ms"
              f" | {percentile(spent, 0.95):.1f} ms | {1000 / statistics.mean(spent):.0f} |",
              flush=True)  # fmt: skip
    for name, target in engines.items():
        rate, p95 = tills_figures(target, args.tills, args.sales)
        print(f"| {args.tills} tills at once, {args.sales} sales each | {name} | |"
              f" {p95:.1f} ms | {rate:.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
