"""`relapp backup`, `relapp restore` and `relapp check` on a shop server (--db postgresql://),
through relapp.cli.main, on the session's throwaway PostgreSQL cluster."""

from __future__ import annotations

import itertools
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from relapp import cli
from relapp.db.connection import open_database
from relapp.db.server import maintenance
from relapp.db.server.connection import open_server_database
from relapp.db.server.urls import redact
from relapp.domain.giftcards.ledger import redeem_gift_card, sell_gift_card
from relapp.domain.loyalty.sales import record_sale
from relapp.domain.shop.settings import save_settings
from tests.factories import add_contact
from tests.server_cluster import server_program

_names = itertools.count(1)


@pytest.fixture
def data_folder(tmp_path, monkeypatch) -> Path:
    """The user data folder (platformdirs reads XDG_DATA_HOME): server-backups goes in it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("RELAPP_DB", raising=False)
    return tmp_path / "data" / "Relapp"


@pytest.fixture
def shop(new_database, data_folder) -> str:
    """A small shop on the server: two customers, Ann with points from two sales. Its URL."""
    url = new_database(template="relapp_template", prefix="backups")
    database = open_server_database(url)
    save_settings(points_per_unit=1)
    ann = add_contact("Ann", "Lee")
    add_contact("Bob", "Kay")
    record_sale(ann.id, 2_550)
    record_sale(ann.id, 1_000)
    yield url
    database.close()


def state(url: str) -> tuple[int, list[tuple[str, int]], int]:
    """Contacts, each one's name and balance, and ledger entries, read afresh."""
    with psycopg.connect(url) as raw:
        contacts = raw.execute("SELECT count(*) FROM contact").fetchone()[0]
        balances = raw.execute(
            "SELECT given_name, points_balance FROM contact ORDER BY id"
        ).fetchall()
        entries = raw.execute("SELECT count(*) FROM points_entry").fetchone()[0]
    return contacts, balances, entries


def one_line_error(capsys, phrase: str) -> str:
    captured = capsys.readouterr()
    assert captured.err.startswith("relapp: ") and captured.err.count("\n") == 1, captured.err
    assert phrase in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    return captured.err


def test_backup_then_restore_brings_the_shop_back(shop, data_folder, new_database, capsys):
    assert cli.main(["--db", shop, "backup"]) == 0
    [backup] = (data_folder / "server-backups").iterdir()
    assert backup.name.startswith("backups_") and backup.name.endswith(".dump")
    assert f"Backup written to {backup} (" in capsys.readouterr().out
    before = state(shop)
    assert before == (2, [("Ann", 35), ("Bob", 0)], 2)

    cleo = add_contact("Cleo", "New")
    record_sale(cleo.id, 500)
    record_sale(1, 1_000)
    assert state(shop) != before

    assert cli.main(["--db", shop, "restore", str(backup)]) == 1  # no terminal, no --yes
    assert "add --yes" in capsys.readouterr().err
    assert state(shop)[0] == 3

    assert cli.main(["--db", shop, "restore", str(backup), "--yes"]) == 0
    output = capsys.readouterr().out
    assert state(shop) == before
    [safety] = (data_folder / "server-backups").glob("*.before-restore-*.dump")
    assert output.startswith(f"Restored {redact(shop)} from {backup} in ")
    assert output.rstrip().endswith(f"the previous database is kept as {safety}.")

    # The shop goes on where the backup left it (the ids' sequences came back with it)...
    dan = add_contact("Dan", "After")
    assert dan.id == 3 and record_sale(dan.id, 2_000).balance == 20
    # ...and the safety backup holds the shop as it was just before the restore.
    elsewhere = new_database()
    assert cli.main(["--db", elsewhere, "restore", str(safety), "--yes"]) == 0
    assert "previous database" not in capsys.readouterr().out  # an empty one: nothing to keep
    assert state(elsewhere) == (3, [("Ann", 45), ("Bob", 0), ("Cleo", 5)], 4)


def test_backup_to_a_file_never_shows_the_password(shop, tmp_path, capsys):
    with_password = shop.replace("relapp@", "relapp:s3cret@")  # the cluster trusts anyone
    out = tmp_path / "shop.dump"
    assert cli.main(["backup", "--db", with_password, "--out", str(out)]) == 0
    assert cli.main(["check", "--db", with_password]) == 0
    assert cli.main(["restore", str(out), "--yes", "--db", with_password]) == 0
    output = capsys.readouterr().out
    assert "s3cret" not in output and "relapp:***@" in output
    assert out.is_file() and not out.with_name("shop.dump.part").exists()
    assert state(shop) == (2, [("Ann", 35), ("Bob", 0)], 2)


def test_restore_refuses_what_is_not_a_relapp_server_backup(
    shop, tmp_path, data_folder, new_database, capsys
):
    before = state(shop)
    notes = tmp_path / "notes.txt"
    notes.write_text("milk, eggs\n" * 100)
    assert cli.main(["--db", shop, "restore", str(notes), "--yes"]) == 1
    one_line_error(capsys, "is not a Relapp server backup")

    assert cli.main(["--db", shop, "restore", str(tmp_path / "gone.dump"), "--yes"]) == 1
    one_line_error(capsys, "does not exist or is not a file; nothing was restored.")

    photos = new_database()
    with psycopg.connect(photos, autocommit=True) as raw:
        raw.execute("CREATE TABLE photos (id integer PRIMARY KEY)")
    foreign = tmp_path / "photos.dump"
    pg_dump = server_program("pg_dump")
    assert pg_dump is not None
    subprocess.run([pg_dump, "--format=custom", f"--file={foreign}", photos], check=True)
    assert cli.main(["--db", shop, "restore", str(foreign), "--yes"]) == 1
    one_line_error(capsys, "is a backup of another program's database")

    assert state(shop) == before
    assert not (data_folder / "server-backups").exists()  # not even a safety backup


def test_restore_refuses_a_backup_of_a_newer_relapp(shop, new_database, tmp_path, capsys):
    newer = new_database(template="relapp_template")
    with psycopg.connect(newer, autocommit=True) as raw:
        raw.execute("UPDATE relapp_schema SET version = 999")
    out = tmp_path / "newer.dump"
    assert cli.main(["--db", newer, "backup", "--out", str(out)]) == 0
    before = state(shop)
    assert cli.main(["--db", shop, "restore", str(out), "--yes"]) == 1
    one_line_error(capsys, "was written by a newer Relapp (schema 999;")
    assert state(shop) == before


def test_check_on_a_sound_server(shop, capsys):
    assert cli.main(["--db", shop, "check"]) == 0
    output = capsys.readouterr().out
    assert output.startswith("ok: constraints enforced, 2 contacts' balances match the ledger")
    assert "(2 entries;" in output


def test_check_finds_a_balance_that_disagrees_with_the_ledger(shop, capsys):
    with psycopg.connect(shop, autocommit=True) as raw:
        raw.execute("ALTER TABLE contact DISABLE TRIGGER contact_balance_follows_ledger")
        raw.execute("UPDATE contact SET points_balance = 99 WHERE given_name = 'Ann'")
    assert cli.main(["--db", shop, "check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"2 problem(s) found in {redact(shop)}:"
    assert "contact_balance_follows_ledger on contact is disabled" in lines[1]
    assert "1 contacts' points balances disagree with the ledger" in lines[2]
    assert "has 99 cached, 35 in the ledger" in lines[2]

    with psycopg.connect(shop, autocommit=True) as raw:
        raw.execute("ALTER TABLE contact ENABLE TRIGGER contact_balance_follows_ledger")
    assert cli.main(["--db", shop, "check"]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [lines[2]]


def test_check_finds_a_gift_card_balance_that_disagrees_with_its_ledger(shop, capsys):
    card = sell_gift_card(5_000).card
    redeem_gift_card(card.code, 1_500)
    assert cli.main(["--db", shop, "check"]) == 0
    assert "; 1 gift card, each the sum of its entries; " in capsys.readouterr().out
    with psycopg.connect(shop, autocommit=True) as raw:
        raw.execute("ALTER TABLE gift_card DISABLE TRIGGER gift_card_balance_follows_ledger")
        raw.execute("UPDATE gift_card SET balance_cents = 9900")
        raw.execute("ALTER TABLE gift_card ENABLE TRIGGER gift_card_balance_follows_ledger")
    assert cli.main(["--db", shop, "check"]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"  gift cards: 1 cards' balances disagree with their ledger: card {card.id} has 99.00"
        " on it, 35.00 in the ledger"
    ]


def test_without_pg_dump_the_sentence_names_the_package(shop, data_folder, monkeypatch, capsys):
    monkeypatch.setattr(maintenance, "find_program", lambda name: None)
    assert cli.main(["--db", shop, "backup"]) == 1
    one_line_error(capsys, "the Debian package `postgresql-client`")
    assert not data_folder.exists()


def test_a_pg_dump_older_than_the_server_says_so(shop, monkeypatch, capsys):
    monkeypatch.setattr(maintenance, "program_version", lambda program: (9, 6))
    assert cli.main(["--db", shop, "backup"]) == 1
    one_line_error(capsys, "This pg_dump (9.6) is older than the shop server (PostgreSQL ")


def test_a_failed_pg_dump_leaves_nothing_that_looks_like_a_backup(
    shop, tmp_path, data_folder, monkeypatch, capsys
):
    # A pg_dump that writes half a file and fails; it notes what it was given.
    fake = tmp_path / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {tmp_path}/arguments; echo "$PGPASSWORD" > {tmp_path}/password\n'
        'for argument; do case "$argument" in --file=*) echo half > "${argument#--file=}";;'
        " esac; done\n"
        'echo "pg_dump: error: query failed: out of memory" >&2\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(maintenance, "find_program", lambda name: str(fake))
    with_password = shop.replace("relapp@", "relapp:s3cret@")
    assert cli.main(["--db", with_password, "backup"]) == 1
    one_line_error(capsys, "(query failed: out of memory); no backup was kept.")
    assert list((data_folder / "server-backups").iterdir()) == []
    # The password went in pg_dump's environment, never on its command line.
    assert "s3cret" not in (tmp_path / "arguments").read_text()
    assert (tmp_path / "password").read_text().strip() == "s3cret"


def test_the_backup_folder_keeps_the_newest(shop, data_folder):
    save_settings(backup_keep=2)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    paths = [
        maintenance.backup_server(shop, now=start + timedelta(days=day)).path for day in range(3)
    ]
    folder = data_folder / "server-backups"
    assert sorted(folder.iterdir()) == paths[1:]
    assert paths[2].name.endswith("-20261203-090000.dump")


def test_a_server_that_cannot_be_used_is_one_sentence(shop, tmp_path, capsys):
    backup = tmp_path / "shop.dump"
    assert cli.main(["--db", shop, "backup", "--out", str(backup)]) == 0
    capsys.readouterr()
    down = "postgresql://relapp:s3cret@127.0.0.1:1/shop"  # nothing listens on port 1
    for command in (["backup"], ["check"], ["restore", str(backup), "--yes"]):
        assert cli.main(["--db", down, *command]) == 1
        error = one_line_error(capsys, "Cannot use the shop server postgresql://relapp:***@127")
        assert "s3cret" not in error and "no server answered there" in error


def test_backup_out_never_replaces_a_shop_file(shop, tmp_path, capsys):
    shop_file = tmp_path / "relapp.db"
    open_database(shop_file).close()
    open_server_database(shop)  # the models back on the server: the file is not the open one
    assert cli.main(["--db", shop, "backup", "--out", str(shop_file)]) == 1
    one_line_error(capsys, "is a shop file; choose another file.")
    assert maintenance._is_shop_file(shop_file) and not list(tmp_path.glob("*.part"))
