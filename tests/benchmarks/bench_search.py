"""Benchmark: counter search latency on demo databases of several sizes.

Run: python tests/benchmarks/bench_search.py DB [DB ...]
Queries are drawn from the database itself (seeded): 1-4 letter prefixes of real given and
family names, 3-6 digit fragments from anywhere in real national phone numbers, and exact
card numbers. Each query runs once, warm (the shop has been searched before); prints
p50 / p95 / max per kind as a Markdown table.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

from relapp.db.connection import open_database
from relapp.domain.contacts.search import find_by_card, search_contacts

SAMPLES = 300


def sample_queries(db, rng: random.Random) -> dict[str, list[str]]:
    highest = db.execute_sql("SELECT max(id) FROM contact").fetchone()[0]
    ids = [rng.randint(1, highest) for _ in range(SAMPLES * 3)]
    rows = db.execute_sql(
        f"SELECT given_name, family_name, phone_national, card_number FROM contact"
        f" WHERE id IN ({','.join(map(str, ids))})"
    ).fetchall()
    rng.shuffle(rows)
    names, phones, cards = [], [], []
    for given, family, national, card in rows:
        name = rng.choice([given, family]) or given or family
        names.append(name[: rng.randint(1, 4)])
        if national:
            length = rng.randint(3, 6)
            start = rng.randint(0, len(national) - length)
            phones.append(national[start : start + length])
        if card:
            cards.append(card)
    return {
        "name prefix (1-4 letters)": names[:SAMPLES],
        "phone fragment (3-6 digits)": phones[:SAMPLES],
        "card lookup": cards[:SAMPLES],
    }


def timings(queries: list[str], run) -> list[float]:
    for query in queries[:20]:
        run(query)  # warm the page cache, as a counter that has been open a while
    result = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        result.append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    print("| database | query | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    for name in sys.argv[1:]:
        db = open_database(Path(name))
        contacts = db.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
        for kind, queries in sample_queries(db, random.Random(0)).items():
            run = find_by_card if kind == "card lookup" else search_contacts
            spent = sorted(timings(queries, run))
            p95 = spent[int(len(spent) * 0.95) - 1]
            print(
                f"| {contacts:,} contacts | {kind} | {statistics.median(spent):.1f} ms"
                f" | {p95:.1f} ms | {spent[-1]:.1f} ms |",
                flush=True,
            )
        db.close()


if __name__ == "__main__":
    main()
