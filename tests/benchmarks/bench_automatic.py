"""Benchmark: the automatic campaigns' lists on a big shop (issue 17), as Today reads them.

Run: python tests/benchmarks/bench_automatic.py FILE.db|URL ...
Turns every rule on with its default numbers (this writes the rules into the shop), then
prints a Markdown table: for each rule, how many customers it lists and the time to count
them (what Today does) and to read their ids (what approving does), medians of three, warm;
then waiting_lists() (all four counts, Today's cost) and approve() + discard() of the
biggest list (which leave the shop as it was).
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_campaigns import open_target  # noqa: E402


def timed(work, runs: int = 3):
    spent, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        spent.append(time.perf_counter() - started)
    return result, statistics.median(spent)


def main() -> None:
    from relapp.domain.campaigns.automatic import (
        DEFAULT_RULES,
        approve,
        discard,
        listed,
        listed_count,
        rules,
        save_rule,
        waiting_lists,
    )  # fmt: skip

    print("| engine | rule | listed | count | ids |")
    print("|---|---|---|---|---|")
    for target in sys.argv[1:]:
        engine = "server" if "://" in target else "file"
        db = open_target(target)
        for rule in DEFAULT_RULES.values():
            save_rule(replace(rule, enabled=True))
        biggest = None
        for rule in rules():
            count, counting = timed(lambda rule=rule: listed_count(rule))
            ids, reading = timed(lambda rule=rule: listed(rule))
            assert len(ids) == count
            biggest = max(biggest or (count, rule.rule), (count, rule.rule))
            print(f"| {engine} | {rule.rule} | {count:,} | {counting * 1000:.0f} ms |"
                  f" {reading * 1000:.0f} ms |", flush=True)  # fmt: skip
        _, today = timed(waiting_lists)
        print(f"| {engine} | waiting_lists() (Today) | | {today * 1000:.0f} ms | |")
        started = time.perf_counter()
        made = approve(biggest[1])
        approving = time.perf_counter() - started
        discard(made)
        print(f"| {engine} | approve({biggest[1]}), {biggest[0]:,} members | | |"
              f" {approving * 1000:.0f} ms |")  # fmt: skip
        db.close()


if __name__ == "__main__":
    main()
