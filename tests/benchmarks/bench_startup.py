"""Benchmark: time from launch to the main window painted, on an existing database.

Run: QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_startup.py DB [DB ...]
Each database is opened in a fresh process (as a user would start the app), five times; the
median is printed. Create the databases first with `relapp demo --db DB --contacts N`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = """
import time
started = time.perf_counter()
from pathlib import Path
from relapp.db.connection import open_database
from relapp.ui.app import apply_shop_locale, create_application
from relapp.ui.change_bus import ChangeBus
from relapp.ui.main_window import MainWindow
app = create_application()
open_database(Path({path!r}))
apply_shop_locale()
window = MainWindow(Path({path!r}), ChangeBus())
window.show()
app.processEvents()
window.repaint()
print(time.perf_counter() - started)
"""


def median_startup(path: Path, runs: int = 5) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    times = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", PROBE.format(path=str(path))],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    print("| database | window up (median of 5, imports included) |")
    print("|---|---|")
    for name in sys.argv[1:]:
        path = Path(name)
        print(f"| {path.name} | {median_startup(path) * 1000:,.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
