"""kill -9 during a backup, with a real subprocess: the live database is untouched and no file
that looks like a backup is left; the next backup removes the leftover .part."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relapp.db.backups import default_backup_folder, list_backups, take_backup
from tests.backups.helpers import fingerprint, integrity

# A backup slowed down by its progress callback (small steps, a pause each), so the kill lands
# in the middle of the copy whatever the machine's speed.
SLOW_BACKUP = """
import sys, time
from relapp.db.backups import take_backup

def slow(done, total):
    print(f"{done} {total}", flush=True)
    time.sleep(0.05)

take_backup(sys.argv[1], progress=slow, step_pages=2)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_a_backup(demo_db, db_path: Path):
    demo_db.close()
    before = fingerprint(db_path)
    folder = default_backup_folder(db_path)
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_BACKUP, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        lines = [process.stdout.readline() for _ in range(5)]  # five steps copied
        done, total = map(int, lines[-1].split())
        assert 0 < done < total
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    parts = [p.name for p in folder.iterdir()]
    assert parts and all(".part" in name for name in parts), parts  # nothing looks valid
    assert list_backups(folder) == []
    assert integrity(db_path) == "ok"
    assert fingerprint(db_path) == before

    result = take_backup(db_path)
    assert [p.name for p in folder.iterdir()] == [result.path.name]
    assert fingerprint(result.path) == before


@pytest.mark.slow
def test_kill_9_during_a_restore_leaves_the_database_as_it_was(demo_db, db_path: Path, tmp_path):
    backup = take_backup(db_path).path
    from tests.factories import add_contact

    add_contact("Only", "Here")
    demo_db.close()
    before = fingerprint(db_path)
    script = (
        "import sys, time\nfrom relapp.db.backups import restore_backup\n"
        "def slow(done, total):\n    print(done, total, flush=True)\n    time.sleep(0.05)\n"
        "restore_backup(sys.argv[1], sys.argv[2], progress=slow, step_pages=2)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(db_path), str(backup)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        for _ in range(5):
            process.stdout.readline()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(0.05)
    assert integrity(db_path) == "ok"
    assert fingerprint(db_path) == before
