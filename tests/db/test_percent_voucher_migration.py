"""Schema 17 (percent-off vouchers) on a shop that has vouchers and rules already: the kind
CHECKs of voucher_offer and campaign_rule widen in place on both engines, no row changes,
and a percent offer is then accepted, within 1 to 100."""

from __future__ import annotations

import sqlite3

import pytest
from peewee import IntegrityError, SqliteDatabase

from relapp.db import connection
from relapp.db.migrations import LATEST_VERSION, MIGRATIONS
from relapp.db.server import connection as server_connection
from relapp.db.server.connection import migrate_server, open_server_database

MOMENT = "2026-12-01 10:00:00"
ROWS = {
    "voucher_offer": "SELECT id, campaign_id, kind, value, reward_id, min_spend_cents, valid_from,"
    " valid_until, shared_code FROM voucher_offer ORDER BY id",
    "campaign_rule": "SELECT rule, enabled, channel, template, number, offer_kind, offer_value,"
    " offer_valid_days FROM campaign_rule ORDER BY rule",
}


def pytest_generate_tests(metafunc):
    """Each test once per engine the run asks for (--engines), as the `db` fixture's are."""
    chosen = any(mark.args[0] == "engine_name" for mark in metafunc.definition.iter_markers(
        "parametrize"))  # fmt: skip
    if "engine_name" in metafunc.fixturenames and not chosen:
        engines = [name for name in metafunc.config.getoption("engines").split(",") if name]
        metafunc.parametrize("engine_name", engines)


def fill(db) -> None:
    """What a shop at schema 16 holds: a campaign with an amount off, a rule with points."""
    db.execute_sql(
        "INSERT INTO campaign (name, channel, segment_name, template, created_at)"
        " VALUES ('Fiver', 'sms', 'Everyone', '{voucher_code}', ?)",
        (MOMENT,),
    )
    db.execute_sql(
        "INSERT INTO voucher_offer (campaign_id, kind, value, min_spend_cents, valid_from,"
        " valid_until, shared_code) VALUES (1, 'amount', 500, 1000, ?, '2026-12-31 10:00:00',"
        " 'FIVER')",
        (MOMENT,),
    )
    db.execute_sql(
        "INSERT INTO campaign_rule (rule, enabled, channel, template, number, offer_kind,"
        " offer_value) VALUES ('welcome', 1, 'sms', 'Welcome!', 0, 'points', 100),"
        " ('birthday', 0, 'email', 'Happy birthday', 7, NULL, 0)"
    )


@pytest.fixture
def at_schema_16(engine_name, tmp_path, request, monkeypatch):
    """(database at schema 16 holding fill()'s rows, upgrade: brings it to the latest)."""
    before_17 = tuple(migration for migration in MIGRATIONS if migration.version <= 16)
    if engine_name == "sqlite":
        path = tmp_path / "shop.db"
        db = SqliteDatabase(str(path), pragmas=connection.connection_pragmas())
        db.connect()
        assert connection.migrate_database(db, path, target=16) == 16
        fill(db)
        # target: schema 17 alone, where a test compares the file's definitions before and
        # after (later migrations change others: schema 19 widens campaign.rule).
        yield db, lambda target=None: connection.migrate_database(db, path, target=target)
        db.close()
        return
    url = request.getfixturevalue("new_database")(prefix="schema16")
    with monkeypatch.context() as patched:
        patched.setattr(server_connection, "MIGRATIONS", before_17)
        db = open_server_database(url, create=True)
    assert db.execute_sql("SELECT version FROM relapp_schema").fetchone()[0] == 16
    fill(db)
    yield db, lambda: migrate_server(db, 16, "the test's server")
    db.close()


def test_schema_17_widens_the_kinds_in_place_keeping_every_row(at_schema_16):
    db, upgrade = at_schema_16
    before = {table: db.execute_sql(sql).fetchall() for table, sql in ROWS.items()}
    with pytest.raises(IntegrityError), db.atomic():  # schema 16 has no percent
        db.execute_sql("UPDATE voucher_offer SET kind = 'percent', value = 10")

    assert upgrade() == LATEST_VERSION - 16

    assert {table: db.execute_sql(sql).fetchall() for table, sql in ROWS.items()} == before
    db.execute_sql("UPDATE voucher_offer SET kind = 'percent', value = 10")
    db.execute_sql("UPDATE campaign_rule SET offer_kind = 'percent', offer_value = 100")
    assert db.execute_sql("SELECT kind, value FROM voucher_offer").fetchall() == [("percent", 10)]
    for refused in (
        "UPDATE voucher_offer SET value = 101",
        "UPDATE campaign_rule SET offer_value = 0 WHERE rule = 'welcome'",
        "UPDATE voucher_offer SET kind = 'half'",
    ):
        with pytest.raises(IntegrityError), db.atomic():
            db.execute_sql(refused)
    # A rule without an offer still has none, and its value stays free.
    db.execute_sql("UPDATE campaign_rule SET offer_kind = NULL, offer_value = 0")


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_on_sqlite_only_the_two_definitions_change_and_the_file_checks(at_schema_16):
    db, upgrade = at_schema_16
    schema = "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name"
    before = {(kind, name): sql for kind, name, sql in db.execute_sql(schema)}
    version = db.execute_sql("PRAGMA schema_version").fetchone()[0]
    upgrade(target=17)
    after = {(kind, name): sql for kind, name, sql in db.execute_sql(schema)}
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {("table", "voucher_offer"), ("table", "campaign_rule")}
    assert set(after) == set(before)
    offer = after["table", "voucher_offer"]
    assert "kind IN ('points', 'amount', 'reward', 'percent')" in offer
    assert offer.replace("kind IN ('points', 'amount', 'reward', 'percent')", "").replace(
        ",\n            CONSTRAINT voucher_offer_percent_value"
        " CHECK (kind <> 'percent' OR value BETWEEN 1 AND 100)",
        "",
    ) == before["table", "voucher_offer"].replace("kind IN ('points', 'amount', 'reward')", "")
    assert db.execute_sql("PRAGMA schema_version").fetchone()[0] > version
    assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute_sql("PRAGMA writable_schema").fetchone()[0] == 0
    db.close()
    with sqlite3.connect(db.database) as other:  # another connection reads the new schema
        other.execute("UPDATE voucher_offer SET kind = 'percent', value = 20")
        with pytest.raises(sqlite3.IntegrityError):
            other.execute("UPDATE voucher_offer SET value = 0")


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_definition_edited_by_someone_else_stops_the_upgrade_and_changes_nothing(
    at_schema_16,
):
    db, upgrade = at_schema_16
    db.execute_sql("PRAGMA writable_schema = ON")
    db.execute_sql(
        "UPDATE sqlite_schema SET sql = replace(sql, '''amount'', ''reward''',"
        " '''amount'',  ''reward''') WHERE name = 'campaign_rule'"
    )
    version = db.execute_sql("PRAGMA schema_version").fetchone()[0]
    db.execute_sql(f"PRAGMA schema_version = {version + 1}")
    db.execute_sql("PRAGMA writable_schema = OFF")
    edited = db.execute_sql("SELECT sql FROM sqlite_schema WHERE name = 'voucher_offer'").fetchone()

    with pytest.raises(RuntimeError, match="Schema 17 cannot upgrade campaign_rule"):
        upgrade()

    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == 16
    # voucher_offer, edited first, was rolled back with the rest.
    assert (
        db.execute_sql("SELECT sql FROM sqlite_schema WHERE name = 'voucher_offer'").fetchone()
        == edited
    )
    with pytest.raises(IntegrityError), db.atomic():
        db.execute_sql("UPDATE voucher_offer SET kind = 'percent', value = 10")
