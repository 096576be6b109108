"""`relapp backup`, `relapp restore` and `relapp check` through relapp.cli.main."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from relapp import cli
from relapp.db.backups import default_backup_folder, list_backups
from tests.backups.helpers import fingerprint
from tests.factories import add_contact


def test_backup_into_the_default_folder(demo_db, db_path, capsys):
    assert cli.main(["--db", str(db_path), "backup"]) == 0
    [backup] = list_backups(default_backup_folder(db_path))
    assert f"Backup written to {backup.path} (" in capsys.readouterr().out


def test_backup_to_a_file(demo_db, db_path, tmp_path, capsys):
    out = tmp_path / "copy.db"
    assert cli.main(["backup", "--db", str(db_path), "--out", str(out)]) == 0
    assert fingerprint(out) == fingerprint(db_path)


def test_backup_of_a_missing_database_is_one_line(tmp_path, capsys):
    assert cli.main(["backup", "--db", str(tmp_path / "none.db")]) == 1
    assert capsys.readouterr().err.startswith("relapp: There is no database at")


def test_backup_of_a_file_that_is_not_a_database_leaves_no_folder(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("milk, eggs\n" * 100)
    assert cli.main(["backup", "--db", str(notes)]) == 1
    assert "is damaged or is not a database file" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_backup_out_may_not_be_the_databases_own_files(demo_db, db_path, capsys):
    for target in (db_path, db_path.with_name(db_path.name + "-wal")):
        assert cli.main(["backup", "--db", str(db_path), "--out", str(target)]) == 1
        assert "choose another file" in capsys.readouterr().err
    assert not db_path.with_name(db_path.name + "-wal.part").exists()


def test_restore_needs_yes_without_a_terminal(demo_db, db_path, tmp_path, capsys):
    out = tmp_path / "copy.db"
    cli.main(["backup", "--db", str(db_path), "--out", str(out)])
    add_contact("Kept", "Safe")
    before = fingerprint(db_path)
    capsys.readouterr()

    assert cli.main(["restore", str(out), "--db", str(db_path)]) == 1
    assert "add --yes" in capsys.readouterr().err
    assert fingerprint(db_path) == before

    assert cli.main(["restore", str(out), "--yes", "--db", str(db_path)]) == 0
    output = capsys.readouterr().out
    assert "the previous database is kept as" in output
    assert fingerprint(db_path) == fingerprint(out)


def test_restore_asks_on_a_terminal(demo_db, db_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "copy.db"
    cli.main(["backup", "--db", str(db_path), "--out", str(out)])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert cli.main(["restore", str(out), "--db", str(db_path)]) == 1
    assert "Nothing was restored." in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert cli.main(["restore", str(out), "--db", str(db_path)]) == 0


def test_restore_refuses_a_foreign_file(demo_db, db_path, tmp_path, capsys):
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    assert cli.main(["restore", str(foreign), "--yes", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "not a Relapp database" in err and err.count("\n") == 1


def test_check_ok_and_problems(demo_db, db_path, capsys):
    assert cli.main(["check", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.startswith(
        "ok: integrity, 60 contacts' balances match the ledger"
    )
    demo_db.close()
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute("DROP TRIGGER contact_balance_follows_ledger")
        raw.execute("UPDATE contact SET points_balance = points_balance + 1 WHERE id = 1")
        raw.commit()
    assert cli.main(["check", "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s) found" in out and "contact 1 has" in out
