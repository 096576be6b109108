"""Benchmark: who a campaign reaches and who it leaves out, on a big shop (issue 17: under
3 s on the 1,000,000-customer demo), for each saved segment of the demo and each channel.

Run: python tests/benchmarks/bench_campaigns.py FILE.db [URL]
Prints a Markdown table: members, reached, left out, and the time of audience() (median of
three, warm) on the file and, given a shop server's URL holding the same shop, on the server.
Reads only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from relapp.db.migrations.m0013_campaigns import CHANNELS  # noqa: E402


def open_target(target: str):
    if target.startswith(("postgresql://", "postgres://")):
        from relapp.db.server.connection import open_server_database

        return open_server_database(target)
    from relapp.db.connection import open_database

    return open_database(Path(target))


def main() -> None:
    from relapp.db.store.segments import segment_names
    from relapp.domain.campaigns.campaigns import audience

    print("| engine | segment | channel | members | reached | left out | audience() median |")
    print("|---|---|---|---|---|---|---|")
    for target in sys.argv[1:]:
        engine = "server" if "://" in target else "file"
        db = open_target(target)
        for segment in segment_names():
            for channel in CHANNELS:
                spent = []
                for _ in range(3):
                    started = time.perf_counter()
                    reach = audience(segment, channel)
                    spent.append(time.perf_counter() - started)
                left = reach.members - len(reach.reached)
                print(f"| {engine} | {segment} | {channel} | {reach.members:,} |"
                      f" {len(reach.reached):,} | {left:,} | {statistics.median(spent):.2f} s |",
                      flush=True)  # fmt: skip
        db.close()


if __name__ == "__main__":
    main()
