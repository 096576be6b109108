"""Files a person names are never the open database or its -wal/-shm (see live_files.py)."""

from __future__ import annotations

import pytest

from relapp import cli
from relapp.db.live_files import DatabaseFileRefused, is_database_file, refuse_database_files
from relapp.domain.shop.logo import set_logo
from relapp.exchange.person_export import export_person
from relapp.reports.liability import liability_report
from tests.backups.helpers import fingerprint, integrity
from tests.factories import add_contact

pytestmark = pytest.mark.sqlite_only(reason="about the database file and its -wal/-shm companions")


def test_the_database_its_companions_and_other_spellings_are_recognised(db, db_path, tmp_path):
    link = tmp_path / "link.db"
    link.symlink_to(db_path)
    for spelling in (db_path, f"{db_path}-wal", f"{db_path}-shm", f"{db_path}-journal", link,
                     tmp_path / "." / "shop.db"):  # fmt: skip
        assert is_database_file(spelling), spelling
        with pytest.raises(DatabaseFileRefused, match="is the shop's database"):
            refuse_database_files(spelling)
    assert not is_database_file(tmp_path / "report.pdf")
    assert refuse_database_files(tmp_path / "report.pdf") == tmp_path / "report.pdf"


def test_nothing_is_refused_when_no_database_is_open(tmp_path):
    assert not is_database_file(tmp_path / "shop.db")


def test_a_report_saved_over_the_database_is_refused_and_the_shop_is_intact(demo_db, db_path):
    before = fingerprint(db_path)
    with pytest.raises(DatabaseFileRefused):
        liability_report(db_path)
    assert fingerprint(db_path) == before
    assert integrity(db_path) == "ok"


def test_a_privacy_export_over_the_wal_is_refused(demo_db, db_path):
    person = add_contact("Ann", "Lee")
    with pytest.raises(DatabaseFileRefused):
        export_person(person.id, db_path.with_name(db_path.name + "-wal"))


def test_the_database_is_not_read_as_a_logo(db, db_path):
    with pytest.raises(DatabaseFileRefused):
        set_logo(db_path)


def test_the_command_line_refuses_a_report_over_the_database(demo_db, db_path, capsys):
    demo_db.close()
    before = fingerprint(db_path)
    assert cli.main(["--db", str(db_path), "report", "loyalty", "--out", str(db_path)]) == 1
    assert "is the shop's database" in capsys.readouterr().err
    assert fingerprint(db_path) == before


def test_the_database_is_neither_imported_nor_exported_over(demo_db, db_path, tmp_path):
    from relapp.exchange.exporter import export_csv, export_vcard
    from relapp.exchange.importer import detect_format, write_error_report

    before = fingerprint(db_path)
    for write in (export_csv, export_vcard):
        with pytest.raises(DatabaseFileRefused):
            write(db_path)
    with pytest.raises(DatabaseFileRefused):
        detect_format(db_path)
    with pytest.raises(DatabaseFileRefused):
        write_error_report(db_path.with_name(db_path.name + "-wal"), None)
    assert fingerprint(db_path) == before


def test_the_command_line_will_not_import_the_database_itself(demo_db, db_path, capsys):
    demo_db.close()
    before = fingerprint(db_path)
    assert cli.main(["--db", str(db_path), "import", str(db_path)]) == 1
    assert "is the shop's database" in capsys.readouterr().err
    assert fingerprint(db_path) == before


def test_another_programs_sqlite_file_is_left_byte_for_byte_as_it_was(tmp_path, capsys):
    import hashlib
    import sqlite3
    from contextlib import closing

    foreign = tmp_path / "photos.db"
    with closing(sqlite3.connect(foreign)) as raw:
        raw.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
        raw.commit()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    assert cli.main(["--db", str(foreign), "find", "a"]) == 1
    assert "another program's SQLite database" in capsys.readouterr().err
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before  # still not WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.db"]
