"""Benchmark: a survey's results (relapp.domain.listening.results) with 500,000 responses on
the 1,000,000-customer demo, on a shop file and, given --server, on a shop server.

Run: python tests/benchmarks/bench_survey_results.py [DB] [--server URL] [--work DIR]
         [--responses N] [--runs N] [--in-place]

DB (default /tmp/demo1m.db, the 1,000,000 demo) is copied through SQLite's backup API into
a temporary folder under --work and never written (--in-place works on DB itself: for a copy
made beforehand); opening the copy migrates it (timed). Then a survey of four questions (NPS,
rating, one choice of four, a text) is made with N responses (default 500,000) from live
customers drawn at random, spread over the last 12 months; every response answers the NPS
and rating questions, 90 % the choice and 15 % the text. Bulk inserts in one transaction
(relapp.db.bulk.insert_rows, with the answer indexes in place as the app keeps them).

Timed, the median of --runs (default 3) after one warm-up run:
- the Results dialog's first view: every version, distributions, averages, NPS with its
  interval, the monthly trend, the 200 newest written answers (survey_results with
  segments=() and by_customer=False);
- what By customer reads when first shown: every respondent's tier and ladder stage
  (customer_split), and each saved segment when chosen (segment_split);
- everything at once, as `relapp survey results --json` and the PDF read it (every saved
  segment; with the 200 newest written answers, and with all of them).

--server URL: the same on a shop server holding the same demo (it is migrated when opened);
the survey is made there in one transaction and deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from relapp.db.bulk import insert_rows  # noqa: E402
from relapp.db.models import database  # noqa: E402
from relapp.db.store.dialect import on_server  # noqa: E402

QUESTIONS = (
    ("nps", "How likely are you to recommend us to a friend?", []),
    ("rating", "How was your visit today?", []),
    ("choice", "What brought you in?", ["A gift", "For myself", "Just looking", "A repair"]),
    ("text", "Anything we could do better?", []),
)
TEXTS = (
    "More parking please", "Lovely staff", "Open later on Thursdays", "Great coffee",
    "Too crowded on Saturdays", "Keep the old loyalty cards", "Friendly as always",
)  # fmt: skip
BATCH = 20_000


def copy_database(source: Path, folder: Path) -> Path:
    target = folder / f"{source.stem}-survey-bench.db"
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
    return target


def months_back(today: date, count: int) -> list[str]:
    """The count months up to today's, oldest first, as YYYY-MM."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def new_ids(table: str, count: int) -> list[int]:
    """count ids for new rows of table: from the server's sequence, or after the highest."""
    if on_server():
        return [row[0] for row in database.execute_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
            " FROM generate_series(1, ?)", (count,)).fetchall()]  # fmt: skip
    highest = database.execute_sql(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    return list(range(highest + 1, highest + 1 + count))


def add_survey(responses: int, seed: int = 18) -> int:
    """A survey of QUESTIONS with responses from live customers; its id."""
    rng = random.Random(seed)
    today = date.today()
    months = months_back(today, 12)
    stamp = f"{today.isoformat()} 09:00:00"
    with database.atomic():
        survey_id = database.execute_sql(
            "INSERT INTO survey (name, kind, created_at, updated_at)"
            " VALUES (?, 'survey', ?, ?) RETURNING id",
            (f"Benchmark survey {os.getpid()}", stamp, stamp),
        ).fetchone()[0]
        version_id = database.execute_sql(
            "INSERT INTO survey_version (survey_id, number, intro, created_at)"
            " VALUES (?, 1, 'Tell us how we did.', ?) RETURNING id",
            (survey_id, stamp),
        ).fetchone()[0]
        question_ids = [
            database.execute_sql(
                "INSERT INTO survey_question (version_id, position, kind, text, options)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (version_id, position, kind, text, _json(options)),
            ).fetchone()[0]
            for position, (kind, text, options) in enumerate(QUESTIONS, start=1)
        ]
        live = [row[0] for row in database.execute_sql(
            "SELECT id FROM contact WHERE erased_at IS NULL AND merged_into_id IS NULL"
        ).fetchall()]  # fmt: skip
        nps, rating, choice, text = question_ids
        response_ids = new_ids("survey_response", responses)
        answer_ids = iter(new_ids("survey_answer", responses * 4))
        for start in range(0, responses, BATCH):
            response_rows, answer_rows = [], []
            for response_id in response_ids[start : start + BATCH]:
                month = rng.choice(months)
                day = f"{month}-{rng.randint(1, 28):02d} {rng.randint(9, 17):02d}:00:00"
                response_rows.append((response_id, survey_id, version_id, "counter", month,
                                      rng.choice(live), day))  # fmt: skip
                score = min(10, max(0, round(rng.gauss(7.6, 2.2))))
                answer_rows.append((next(answer_ids), response_id, nps, score, None))
                answer_rows.append((next(answer_ids), response_id, rating,
                                    min(5, max(1, (score + 2) // 2)), None))  # fmt: skip
                if rng.random() < 0.9:
                    answer_rows.append((next(answer_ids), response_id, choice,
                                        rng.choices(range(4), (4, 6, 3, 1))[0], None))  # fmt: skip
                if rng.random() < 0.15:
                    answer_rows.append((next(answer_ids), response_id, text, None,
                                        rng.choice(TEXTS)))  # fmt: skip
            insert_rows(database, "survey_response",
                        ("id", "survey_id", "version_id", "source", "answered_month",
                         "contact_id", "answered_at"), response_rows)  # fmt: skip
            insert_rows(database, "survey_answer",
                        ("id", "response_id", "question_id", "value", "text"),
                        answer_rows)  # fmt: skip
    for table in ("survey_response", "survey_answer"):
        database.execute_sql(f"ANALYZE {table}")
    return survey_id


def _json(options: list[str]) -> str:
    return json.dumps(options)


def seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed(label: str, call: Callable[[], object], runs: int) -> float:
    call()  # warm
    times = [seconds(call) for _ in range(runs)]
    median = statistics.median(times)
    print(f"{label:<44} median {median:6.2f} s  ({', '.join(f'{t:.2f}' for t in times)})")
    return median


def measure(survey_id: int, runs: int) -> None:
    from relapp.domain.contacts.listing import filter_choices
    from relapp.domain.listening.results import customer_split, segment_split, survey_results

    answers = database.execute_sql(
        "SELECT count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id"
        " WHERE r.survey_id = ?", (survey_id,)).fetchone()[0]  # fmt: skip
    segments = filter_choices().segments
    print(f"survey {survey_id}: {answers:,} answers; saved segments: {', '.join(segments)}")

    def first_view():
        return survey_results(survey_id, segments=(), by_customer=False)

    timed("Results dialog's first view", first_view, runs)
    shown = first_view()
    timed("  By customer: tiers and stages", lambda: customer_split(shown), runs)
    for name in segments:
        timed(f"  By customer: segment {name}", lambda n=name: segment_split(shown, n), runs)
    timed("everything (every segment, 200 texts)", lambda: survey_results(survey_id), runs)
    timed("everything, every written answer",
          lambda: survey_results(survey_id, text_limit=None), runs)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, nargs="?", default=Path("/tmp/demo1m.db"))
    parser.add_argument("--server", metavar="URL")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--responses", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-place", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        if args.server:
            from relapp.db.server.connection import open_server_database

            took = seconds(lambda: open_server_database(args.server))
            print(f"server opened (and migrated) in {took:.1f} s")
        else:
            from relapp.db.connection import open_database

            copy = args.db if args.in_place else copy_database(args.db, Path(folder))
            took = seconds(lambda: open_database(copy))
            print(f"copy opened (and migrated) in {took:.1f} s")
        started = time.perf_counter()
        survey_id = add_survey(args.responses)
        took = time.perf_counter() - started
        print(f"{args.responses:,} responses added in {took:.1f} s")
        try:
            measure(survey_id, args.runs)
        finally:
            if args.server:  # the server is shared: leave it as it was
                with database.atomic():
                    database.execute_sql("DELETE FROM survey WHERE id = ?", (survey_id,))
            database.close()
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
