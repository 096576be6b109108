"""Opening, migrating and refusing databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from relapp.db import connection, migrations
from relapp.db.connection import open_database, schema_version
from relapp.db.models import ALL_MODELS
from relapp.errors import DatabaseBusy, DatabaseTooNew, DatabaseUnavailable, NotARelappDatabase

pytestmark = pytest.mark.sqlite_only(
    reason="SQLite's migrations; tests/db/test_server_schema.py holds the server's schema to them"
)


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def make_version_1_database(path: Path) -> None:
    """A database as Relapp's schema 1 left it, holding one customer."""
    db = SqliteDatabase(str(path), pragmas=connection.connection_pragmas())
    db.connect()
    assert connection.migrate_database(db, path, target=1) == 1
    db.execute_sql(
        "INSERT INTO contact (given_name, family_name, phone, card_number, created_at, updated_at)"
        " VALUES ('Zoë', 'O''Brien', '+61412345678', '270000000017', '2025-01-02 03:04:05',"
        " '2025-01-02 03:04:05')"
    )
    db.close()


def test_new_database_is_created_at_latest_schema_with_pragmas(db, db_path):
    assert schema_version(db) == migrations.LATEST_VERSION
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("secure_delete") == 1
    assert pragma("busy_timeout") == connection.BUSY_TIMEOUT_MS
    assert pragma("application_id") == connection.APPLICATION_ID
    # A new, empty database is not backed up: there is nothing to lose.
    assert sorted(p.name for p in db_path.parent.iterdir() if ".before-" in p.name) == []


def test_models_match_the_migrated_schema_column_for_column(db):
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = [row[1] for row in db.execute_sql(f"PRAGMA table_info({table})")]
        assert sorted(columns) == sorted(f.column_name for f in model._meta.sorted_fields), table


def test_opening_again_applies_nothing_and_keeps_data(db_path):
    db = open_database(db_path)
    db.execute_sql("INSERT INTO tag (name) VALUES ('VIP')")
    db.close()
    db = open_database(db_path)
    assert db.execute_sql("SELECT name FROM tag").fetchall() == [("VIP",)]
    assert connection.migrate_database(db, db_path) == 0
    db.close()


def test_earlier_schema_is_backed_up_then_migrated_keeping_its_data(db_path):
    make_version_1_database(db_path)

    db = open_database(db_path)

    assert schema_version(db) == migrations.LATEST_VERSION
    row = db.execute_sql(
        "SELECT given_name, family_name, card_number, points_balance, tier_id FROM contact"
    ).fetchall()
    assert row == [("Zoë", "O'Brien", "270000000017", 0, None)]
    # Schema 3 indexed the existing contact for search, national phone digits included.
    from relapp.domain.contacts.search import search_contacts

    assert [hit.name for hit in search_contacts("zoe 0412")] == ["Zoë O'Brien"]
    db.execute_sql("INSERT INTO contact_search (contact_search) VALUES ('integrity-check')")
    db.close()
    prefix = f"shop.before-v{migrations.LATEST_VERSION}-"
    backups = [p for p in db_path.parent.iterdir() if p.name.startswith(prefix)]
    assert len(backups) == 1
    with raw(backups[0]) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT given_name FROM contact").fetchall() == [("Zoë",)]


def test_a_failing_migration_leaves_the_database_as_it_was(db_path, monkeypatch):
    make_version_1_database(db_path)

    def broken_upgrade(db):
        db.execute_sql("CREATE TABLE tier (id INTEGER PRIMARY KEY)")
        raise RuntimeError("power cut in the middle of the upgrade")

    broken = migrations.Migration(2, "broken", broken_upgrade)
    monkeypatch.setattr(connection, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
    with pytest.raises(RuntimeError):
        open_database(db_path)

    with raw(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_schema")}
        assert "tier" not in tables
        assert check.execute("SELECT count(*) FROM contact").fetchone()[0] == 1


def test_a_database_from_a_newer_relapp_is_refused_and_left_alone(db_path):
    open_database(db_path).close()
    with raw(db_path) as newer:
        newer.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")

    with pytest.raises(DatabaseTooNew, match="newer Relapp"):
        open_database(db_path)

    with raw(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION + 1


def test_another_programs_sqlite_file_is_refused_and_left_alone(db_path):
    with raw(db_path) as other:
        other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")

    with pytest.raises(NotARelappDatabase, match="not a Relapp database"):
        open_database(db_path)

    with raw(db_path) as check:
        tables = [row[0] for row in check.execute("SELECT name FROM sqlite_schema")]
        assert tables == ["invoices"]


def test_a_damaged_file_gets_a_clear_message(db_path):
    db_path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    with pytest.raises(NotARelappDatabase, match="damaged or is not a database"):
        open_database(db_path)


def test_a_missing_folder_gets_a_clear_message(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="folder does not exist"):
        open_database(tmp_path / "no such folder" / "shop.db")


def test_a_database_locked_by_another_writer_reports_busy(db_path):
    make_version_1_database(db_path)  # needs a migration, hence the write lock
    holder = raw(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="busy"):
            open_database(db_path, busy_timeout_ms=100)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert schema_version(open_database(db_path)) == migrations.LATEST_VERSION


def test_a_folder_given_as_the_database_gets_a_clear_message(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="is a folder"):
        open_database(tmp_path)


def test_needs_upgrade_tells_an_older_file_from_a_current_or_missing_one(db_path, tmp_path):
    from relapp.db.connection import needs_upgrade

    assert not needs_upgrade(tmp_path / "missing.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all")
    assert not needs_upgrade(tmp_path / "junk.db")  # opening it explains the problem
    old = tmp_path / "old.db"
    make_version_1_database(old)
    assert needs_upgrade(old)
    open_database(old).close()
    assert not needs_upgrade(old)


def test_schema_11_makes_the_file_its_own_first_shop_named_as_in_its_settings(db_path):
    db = SqliteDatabase(str(db_path), pragmas=connection.connection_pragmas())
    db.connect()
    connection.migrate_database(db, db_path, target=10)
    db.execute_sql("INSERT INTO setting (key, value) VALUES ('shop_name', 'Corner Books')")
    db.execute_sql(
        "INSERT INTO contact (given_name, created_at, updated_at)"
        " VALUES ('Ann', '2025-01-02 03:04:05', '2025-01-02 03:04:05')"
    )
    db.execute_sql(
        "INSERT INTO interaction (contact_id, kind, occurred_at, created_at, updated_at)"
        " VALUES (1, 'visit', '2025-01-02 03:04:05', '2025-01-02 03:04:05', '2025-01-02 03:04:05')"
    )
    assert connection.migrate_database(db, db_path) == migrations.LATEST_VERSION - 10
    assert db.execute_sql("SELECT id, name FROM shop").fetchall() == [(1, "Corner Books")]
    # Rows from before branches have no shop: they count as shop 1's.
    assert db.execute_sql("SELECT shop_id FROM interaction").fetchall() == [(None,)]
    db.close()
