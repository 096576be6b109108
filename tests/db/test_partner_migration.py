"""Schema 20 (partners) on a shop that has consents, a campaign and vouchers already: the
consent CHECK widens to partner_offers, voucher_offer and voucher lose their NOT NULLs (a
partner's offer, a bearer code) under named CHECKs, on both engines, and no row changes."""

from __future__ import annotations

import pytest
from peewee import IntegrityError, SqliteDatabase

from relapp.db import connection
from relapp.db.migrations import LATEST_VERSION, MIGRATIONS
from relapp.db.server import connection as server_connection
from relapp.db.server.connection import migrate_server, open_server_database

MOMENT = "2026-12-01 10:00:00"
ROWS = {
    "consent": "SELECT id, contact_id, channel, granted, occurred_at FROM consent ORDER BY id",
    "consent_current": "SELECT contact_id, channel, granted FROM consent_current"
    " ORDER BY contact_id, channel",
    "voucher_offer": "SELECT id, campaign_id, kind, value, valid_from, valid_until"
    " FROM voucher_offer ORDER BY id",
    "voucher": "SELECT id, offer_id, code, contact_id, redeemed_at FROM voucher ORDER BY id",
    "contact": "SELECT id, given_name, updated_at FROM contact ORDER BY id",
}


def pytest_generate_tests(metafunc):
    """Each test once per engine the run asks for (--engines), as the `db` fixture's are."""
    chosen = any(mark.args[0] == "engine_name" for mark in metafunc.definition.iter_markers(
        "parametrize"))  # fmt: skip
    if "engine_name" in metafunc.fixturenames and not chosen:
        engines = [name for name in metafunc.config.getoption("engines").split(",") if name]
        metafunc.parametrize("engine_name", engines)


def fill(db) -> None:
    """What a shop at schema 19 holds: a customer who agreed to email, a produced campaign
    with a voucher of theirs, used (each the first of its table: id 1)."""
    db.execute_sql(
        "INSERT INTO contact (given_name, created_at, updated_at) VALUES ('Ann', ?, ?)",
        (MOMENT, MOMENT),
    )
    db.execute_sql(
        "INSERT INTO consent (contact_id, channel, granted, occurred_at) VALUES (1, 'email', 1, ?)",
        (MOMENT,),
    )
    db.execute_sql(
        "INSERT INTO campaign (name, channel, segment_name, template, created_at)"
        " VALUES ('Fiver', 'email', 'Everyone', '{voucher_code}', ?)",
        (MOMENT,),
    )
    db.execute_sql(
        "INSERT INTO voucher_offer (campaign_id, kind, value, valid_from, valid_until)"
        " VALUES (1, 'amount', 500, ?, '2026-12-31 10:00:00')",
        (MOMENT,),
    )
    db.execute_sql(
        "INSERT INTO voucher (offer_id, code, contact_id, redeemed_at, redeemed_key)"
        " VALUES (1, 'K7QM2XPR9BQ4', 1, ?, 'K7QM2XPR9BQ4')",
        (MOMENT,),
    )


@pytest.fixture
def at_schema_19(engine_name, tmp_path, request, monkeypatch):
    """(database at schema 19 holding fill()'s rows, upgrade: brings it to the latest)."""
    before_20 = tuple(migration for migration in MIGRATIONS if migration.version <= 19)
    if engine_name == "sqlite":
        path = tmp_path / "shop.db"
        db = SqliteDatabase(str(path), pragmas=connection.connection_pragmas())
        db.connect()
        assert connection.migrate_database(db, path, target=19) == 19
        fill(db)
        yield db, lambda target=None: connection.migrate_database(db, path, target=target)
        db.close()
        return
    url = request.getfixturevalue("new_database")(prefix="schema19")
    with monkeypatch.context() as patched:
        patched.setattr(server_connection, "MIGRATIONS", before_20)
        db = open_server_database(url, create=True)
    assert db.execute_sql("SELECT version FROM relapp_schema").fetchone()[0] == 19
    fill(db)
    yield db, lambda: migrate_server(db, 19, "the test's server")
    db.close()


def refused(db, statement: str, params: tuple = ()) -> None:
    with pytest.raises(IntegrityError), db.atomic():
        db.execute_sql(statement, params)


def test_schema_20_widens_consent_and_lets_partners_own_offers_and_bearer_codes(at_schema_19):
    db, upgrade = at_schema_19
    before = {table: db.execute_sql(sql).fetchall() for table, sql in ROWS.items()}
    partner_consent = (
        "INSERT INTO consent (contact_id, channel, granted, occurred_at)"
        " VALUES (1, 'partner_offers', 1, ?)"
    )
    refused(db, partner_consent, (MOMENT,))  # schema 19 knows no such purpose

    assert upgrade() == LATEST_VERSION - 19

    assert {table: db.execute_sql(sql).fetchall() for table, sql in ROWS.items()} == before
    db.execute_sql(partner_consent, (MOMENT,))
    assert db.execute_sql(
        "SELECT granted FROM consent_current WHERE contact_id = 1 AND channel = 'partner_offers'"
    ).fetchone() == (1,)
    refused(db, "INSERT INTO consent (contact_id, channel, granted, occurred_at)"
                " VALUES (1, 'fax', 1, ?)", (MOMENT,))  # fmt: skip
    partner_id = db.execute_sql(
        "INSERT INTO partner (name, created_at, updated_at) VALUES ('Café Luna', ?, ?)"
        " RETURNING id",
        (MOMENT, MOMENT),
    ).fetchone()[0]
    refused(db, "INSERT INTO partner (name, created_at, updated_at) VALUES ('CAFé LUNA', ?, ?)",
            (MOMENT, MOMENT))  # fmt: skip
    offer = (
        "INSERT INTO voucher_offer (campaign_id, partner_id, direction, kind, value, valid_from,"
        " valid_until) VALUES (?, ?, ?, 'amount', 500, ?, '2027-01-31 00:00:00') RETURNING id"
    )
    batch = db.execute_sql(offer, (None, partner_id, "theirs_here", MOMENT)).fetchone()[0]
    refused(db, offer, (None, None, None, MOMENT))  # nobody's offer
    refused(db, offer, (1, partner_id, "theirs_here", MOMENT))  # a campaign's and a partner's
    refused(db, offer, (None, partner_id, None, MOMENT))  # a partner's without a direction
    refused(db, offer, (None, partner_id, "sideways", MOMENT))
    db.execute_sql("INSERT INTO voucher (offer_id, code) VALUES (?, 'BEARER000001')", (batch,))
    refused(db, "UPDATE voucher SET redeemed_at = ?, redeemed_key = 'k' WHERE code = ?",
            (MOMENT, "BEARER000001"))  # a used code names its customer  # fmt: skip
    db.execute_sql(
        "UPDATE voucher SET redeemed_at = ?, redeemed_key = 'k', contact_id = 1 WHERE code = ?",
        (MOMENT, "BEARER000001"),
    )
    db.execute_sql("UPDATE contact SET referred_by_partner_id = ? WHERE id = 1", (partner_id,))
    db.execute_sql("UPDATE campaign SET partner_id = ? WHERE id = 1", (partner_id,))


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_on_sqlite_only_the_tables_it_names_change_and_the_file_checks(at_schema_19):
    db, upgrade = at_schema_19
    schema = "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name"
    before = {(kind, name): sql for kind, name, sql in db.execute_sql(schema)}
    upgrade(target=20)
    after = {(kind, name): sql for kind, name, sql in db.execute_sql(schema)}
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {("table", name) for name in
                       ("consent", "voucher_offer", "voucher", "contact", "campaign")}  # fmt: skip
    assert set(after) - set(before) == {
        ("table", "partner"), ("index", "partner_name"),
        ("index", "sqlite_autoindex_partner_1"), ("index", "contact_referred_by_partner"),
        ("index", "voucher_offer_partner"),
    }  # fmt: skip
    assert "campaign_id INTEGER UNIQUE REFERENCES" in after["table", "voucher_offer"]
    assert "contact_id INTEGER REFERENCES contact" in after["table", "voucher"]
    assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
