"""A backup taken by the app must leave the app's SQLite locks in place.

On POSIX, closing *any* descriptor of a file drops every lock the process holds on it. A
backup that read the live file with open() once did that: the next process to open and close
the database (a till's `relapp sale`) found nobody else there, checkpointed and deleted the WAL
under the app, and the app's next writes were lost or corrupted the file. This test plays that
morning: the app (a process holding the database open, as the window does) backs up; a till
process opens, reads, writes and closes; the app writes again. Nothing may be lost.
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from relapp.db.backups import check_database
from relapp.db.connection import open_database
from relapp.demo.generator import generate_demo_shop
from tests.backups.helpers import integrity, scalar

# The app: opens the database the way the window does, writes, backs up the way the
# automatic backup does (on a thread of its own), then waits for a line on stdin before each
# further step.
APP = """
import sys, threading
from relapp.db.connection import open_database
from relapp.db.models import Setting
from relapp.db.backups import take_backup

database = open_database(sys.argv[1])

def write(key):
    with database.atomic():
        Setting.create(key=key, value="1")

write("app-before-backup")
result = {}
backup = threading.Thread(target=lambda: result.update(path=take_backup(sys.argv[1]).path))
backup.start()
backup.join()
print("backed-up", result["path"], flush=True)
sys.stdin.readline()
write("app-after-till")
print("written", flush=True)
sys.stdin.readline()
database.close()
"""

# A till: `relapp sale` in miniature, a whole life from open to close.
TILL = """
import sys
from relapp.db.connection import open_database
from relapp.db.models import Setting

database = open_database(sys.argv[1])
Setting.select().count()
with database.atomic():
    Setting.create(key="till-sale", value="1")
database.close()
"""

# SQLite's POSIX lock bytes (os_unix.c): a connection in WAL mode keeps a SHARED lock, one
# byte in this range, for as long as it is open.
PENDING_BYTE = 0x40000000
SHARED_FIRST = PENDING_BYTE + 2
SHARED_SIZE = 510


def lock_holder(path: Path) -> int | None:
    """The pid holding a lock that conflicts with a write lock on SQLite's shared range."""
    with open(path, "rb+") as probe:  # this test process never opens the database otherwise
        query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, SHARED_FIRST, SHARED_SIZE, 0)
        answer = fcntl.fcntl(probe.fileno(), fcntl.F_GETLK, query)
    kind, _whence, _start, _length, pid = struct.unpack("hhqqi", answer)
    return None if kind == fcntl.F_UNLCK else pid


def posix_locks_of(pid: int, path: Path) -> list[str]:
    """The lines of /proc/locks for pid on path's inode."""
    inode = path.stat().st_ino
    return [
        line
        for line in Path("/proc/locks").read_text().splitlines()
        if "POSIX" in line and f" {pid} " in line and line.split()[5].endswith(f":{inode}")
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX advisory locks")
def test_a_backup_keeps_the_apps_locks_and_a_till_then_loses_nothing(tmp_path: Path):
    db_path = tmp_path / "shop.db"
    database = open_database(db_path)
    generate_demo_shop(40, seed=3)
    database.close()
    contacts = scalar(db_path, "SELECT count(*) FROM contact")

    app = subprocess.Popen(
        [sys.executable, "-c", APP, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        line = app.stdout.readline().split()
        assert line[:1] == ["backed-up"], line
        assert Path(line[1]).is_file()

        # The app still holds its shared lock after the backup.
        assert lock_holder(db_path) == app.pid
        if Path("/proc/locks").exists():
            assert posix_locks_of(app.pid, db_path)

        till = subprocess.run(
            [sys.executable, "-c", TILL, str(db_path)],
            cwd=Path(__file__).parents[2],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert till.returncode == 0, till.stderr
        # The till, closing last but one, must have left the app's WAL where it was.
        assert (tmp_path / "shop.db-wal").exists()

        app.stdin.write("go\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "written"
        app.stdin.write("close\n")
        app.stdin.flush()
        assert app.wait(timeout=60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()

    assert integrity(db_path) == "ok"
    report = check_database(db_path)
    assert report.problems == []
    with closing(__import__("sqlite3").connect(db_path)) as raw:
        keys = {key for (key,) in raw.execute("SELECT key FROM setting")}
    assert {"app-before-backup", "till-sale", "app-after-till"} <= keys
    assert scalar(db_path, "SELECT count(*) FROM contact") == contacts


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads /proc/locks")
def test_a_restore_over_a_database_the_backup_api_cannot_copy_keeps_the_windows_locks(
    tmp_path: Path, monkeypatch
):
    import relapp.db.backups as backups
    from relapp.db.models import Setting
    from tests.backups.helpers import fingerprint

    db_path = tmp_path / "shop.db"
    database = open_database(db_path)  # the window's connection, open throughout
    generate_demo_shop(20, seed=4)
    backup = backups.take_backup(db_path, out=tmp_path / "good.db").path
    with database.atomic():
        Setting.create(key="after-backup", value="1")
    before = fingerprint(db_path)
    assert posix_locks_of(os.getpid(), db_path)

    from relapp.db.backups import restore as restoring

    real_copy_to = restoring.copy_to

    def backup_api_fails_on_the_live_file(source, target, *args, **kwargs):
        if Path(source) == db_path:
            raise backups.BackupFailed("simulated: a damaged page")
        return real_copy_to(source, target, *args, **kwargs)

    monkeypatch.setattr(restoring, "copy_to", backup_api_fails_on_the_live_file)
    result = backups.restore_backup(db_path, backup)

    assert posix_locks_of(os.getpid(), db_path)  # the files were copied by another process
    assert fingerprint(result.safety_copy) == before
    assert Setting.get_or_none(Setting.key == "after-backup") is None  # restored
