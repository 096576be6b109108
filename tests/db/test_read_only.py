"""A database file this user may read but not write: reading works, and a sale or a
redemption says so in one sentence instead of stopping with an unexpected error.

Root may write any file, so the tests make SQLite refuse writes with PRAGMA query_only, which
fails a write exactly as a read-only file does ("attempt to write a readonly database")."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from relapp.cli import main
from relapp.db import connection
from relapp.db.models import Contact, PointsEntry, database
from relapp.domain.loyalty import record_sale
from relapp.errors import DatabaseReadOnly

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
