"""A database file this user may read but not write: reading works, and a sale or a
redemption says so in one sentence instead of stopping with an unexpected error.

Root may write any file, so most tests make SQLite refuse writes with PRAGMA query_only, which
fails a write exactly as a read-only file does ("attempt to write a readonly database"). The
last ones chmod the file and run `relapp` as a user the permissions hold for: as root, in a
user namespace of its own (`unshare -U`), where root keeps no power over the files it owns,
so the kernel refuses the write as it does for a shop's ordinary user account."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from relapp.cli import main
from relapp.db import connection
from relapp.db.models import Contact, PointsEntry, database
from relapp.domain.loyalty.points import record_sale
from relapp.errors import DatabaseReadOnly

pytestmark = pytest.mark.sqlite_only(reason="about a database file that may only be read")

SENTENCE = "can be read but not written by this user"


@pytest.fixture
def read_only_shop(demo_db, db_path, monkeypatch):
    """The demo shop, closed; every connection the command line opens refuses writes."""
    customer = (
        Contact.select().where(Contact.card_number.is_null(False)).order_by(-Contact.points_balance)
    ).first()
    entries = PointsEntry.select().count()
    database.close()
    pragmas = connection.connection_pragmas
    monkeypatch.setattr(
        connection, "connection_pragmas", lambda *args: (*pragmas(*args), ("query_only", 1))
    )
    return customer, entries


def test_a_sale_on_a_read_only_database_says_nothing_was_saved(demo_db, db_path):
    customer = Contact.select().where(Contact.card_number.is_null(False)).first()
    entries = PointsEntry.select().count()
    database.execute_sql("PRAGMA query_only = 1")

    with pytest.raises(DatabaseReadOnly) as refused:
        record_sale(customer.id, 1250, sale_key="ro-1")

    assert SENTENCE in str(refused.value) and str(db_path) in str(refused.value)
    database.execute_sql("PRAGMA query_only = 0")
    assert PointsEntry.select().count() == entries


@pytest.mark.parametrize("command", [["sale", "--amount", "5"], ["redeem", "1"]])
def test_the_command_line_says_so_in_one_sentence(read_only_shop, db_path, capsys, command):
    customer, entries = read_only_shop
    name, *rest = command

    code = main([name, customer.card_number, *rest, "--db", str(db_path)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"relapp: Nothing was saved: the shop's database {db_path}")
    assert SENTENCE in err and "unexpected" not in err
    with closing(sqlite3.connect(db_path)) as check:
        assert check.execute("SELECT count(*) FROM points_entry").fetchone()[0] == entries


def test_reading_a_read_only_database_still_works(read_only_shop, db_path, capsys):
    customer, _ = read_only_shop

    assert main(["points", customer.card_number, "--db", str(db_path)]) == 0
    assert f"(customer {customer.id})" in capsys.readouterr().out


# -- a file the permissions really protect -------------------------------------------------


def as_a_user_the_permissions_hold_for() -> list[str]:
    """The command prefix that runs a program without root's power over file permissions."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-U", "true"], capture_output=True).returncode == 0:
        return [unshare, "-U"]
    pytest.skip("running as root, and no user namespace can be made to give up its power")


def relapp_as_user(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "XDG_STATE_HOME": str(db_path.parent / "state")}
    environment.pop("RELAPP_DB", None)
    command = [sys.executable, "-m", "relapp", "--db", str(db_path), *args]
    return subprocess.run(
        [*as_a_user_the_permissions_hold_for(), *command],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def entries_in(db_path: Path) -> int:
    # Read-only, so that this (root) connection never checkpoints or deletes the -wal/-shm.
    with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)) as check:
        return check.execute("SELECT count(*) FROM points_entry").fetchone()[0]


def test_a_file_with_read_only_permissions_refuses_writes_in_one_sentence(demo_db, db_path):
    as_a_user_the_permissions_hold_for()  # skips first where it cannot run
    customer = Contact.select().where(Contact.card_number.is_null(False)).first()
    card = customer.card_number
    database.close()
    entries = entries_in(db_path)
    db_path.chmod(0o444)

    for command in (["sale", card, "--amount", "5"], ["redeem", card, "1"]):
        refused = relapp_as_user(db_path, *command)
        assert refused.returncode == 1, refused.stderr
        # One line; it names the -wal too when SQLite has just made it with the file's mode.
        assert refused.stderr.count("\n") == 1 and refused.stderr.startswith(
            f"relapp: Nothing was saved: the shop's database {db_path} can be read but not"
            " written by this user ("
        )
        assert "read-only). Ask whoever looks after this computer to let this user change " in (
            refused.stderr
        )
    for command in (["points", card], ["find", card]):
        read = relapp_as_user(db_path, *command)
        assert read.returncode == 0 and customer.family_name in read.stdout, read.stderr
    assert entries_in(db_path) == entries


def test_the_shm_a_reader_left_behind_is_named_once_the_file_is_writable(demo_db, db_path):
    """Reading a read-only file in WAL mode, SQLite makes NAME-shm with the file's
    permissions; when the file is made writable again, that -shm still refuses every write,
    so the sentence names it rather than the file the person has just fixed."""
    as_a_user_the_permissions_hold_for()
    card = Contact.select().where(Contact.card_number.is_null(False)).first().card_number
    database.close()
    db_path.chmod(0o444)
    assert relapp_as_user(db_path, "points", card).returncode == 0
    shm = Path(f"{db_path}-shm")
    assert shm.exists() and not shm.stat().st_mode & 0o222
    db_path.chmod(0o644)

    refused = relapp_as_user(db_path, "sale", card, "--amount", "5")

    assert refused.returncode == 1, refused.stderr
    assert f"can be read but not written by this user ({shm} is read-only)" in refused.stderr
    assert refused.stderr.endswith(f"to let this user change {shm}.\n")
    shm.chmod(0o644)
    assert relapp_as_user(db_path, "sale", card, "--amount", "5").returncode == 0
