"""The shop server's schema (relapp/db/server/schema.py) is SQLite's schema in PostgreSQL's
words: the same tables, columns, nullability, defaults, unique keys, CHECKed code lists and
ledger rules. The server starts at SQLite schema 10 in one step, so this test is what keeps
the two from drifting apart."""

from __future__ import annotations

import re

import pytest

from relapp.db.connection import open_database
from relapp.db.migrations import LATEST_VERSION
from relapp.db.server.connection import open_server_database
from relapp.db.server.schema import BASELINE_VERSION

# Tables only one engine has: SQLite's FTS5 index and its shadow tables; the server's search
# tables (its stand-in for FTS5: documents and their word starts) and its schema-version row
# (SQLite keeps the version in the file header).
SQLITE_ONLY = re.compile(r"^contact_search(_.*)?$")
SERVER_ONLY = {"contact_search", "contact_word_start", "relapp_schema"}


@pytest.fixture
def both(tmp_path, server_cluster, request):
    sqlite = open_database(tmp_path / "shop.db")
    name = f"parity_{request.node.name[-20:].replace('[', '_').replace(']', '_')}"
    server = open_server_database(server_cluster.create_database(name, template="relapp_template"))
    yield sqlite, server
    server.close()
    sqlite.close()
    server_cluster.drop_database(name)


def sqlite_columns(db):
    tables = [
        name
        for (name,) in db.execute_sql(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if not SQLITE_ONLY.match(name)
    ]
    columns = {}
    for table in tables:
        for _, name, _type, notnull, default, primary_key, _hidden in db.execute_sql(
            f"PRAGMA table_xinfo({table})"
        ):
            columns[(table, name)] = (bool(notnull or primary_key), _default(default))
    return columns


def server_columns(db):
    rows = db.execute_sql(
        "SELECT table_name, column_name, is_nullable, column_default"
        " FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ).fetchall()
    return {
        (table, name): (nullable == "NO", _default(default))
        for table, name, nullable, default in rows
        if table not in SERVER_ONLY
    }


def _default(text):
    """A column default as both engines spell it: '{}'::text and '{}' are the same."""
    if text is None:
        return None
    return re.sub(r"::[a-z ]+$", "", str(text)).strip("()")


# The one intended difference: on a server, rows a till writes take the till's shop (schema
# 11); a file is one shop.
TILL_SHOP = "NULLIF(current_setting('relapp.shop_id'::text, true), ''::text"


def test_the_server_has_every_table_and_column_with_the_same_nullability_and_default(both):
    sqlite, server = both
    on_server = server_columns(server)
    for table in ("interaction", "task", "points_entry"):
        assert on_server[table, "shop_id"] == (False, TILL_SHOP)
        on_server[table, "shop_id"] = (False, None)
    assert on_server == sqlite_columns(sqlite)


def test_a_new_server_starts_at_10_and_walks_the_migrations_to_the_latest(both):
    _, server = both
    assert BASELINE_VERSION == 10
    assert server.execute_sql("SELECT version FROM relapp_schema").fetchone()[0] == LATEST_VERSION
    assert LATEST_VERSION > BASELINE_VERSION  # so the server half of a migration is exercised


def server_unique_keys(db):
    """Each unique index as (table, columns or expressions) with lower(x) read as NOCASE x."""
    rows = db.execute_sql(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexdef LIKE 'CREATE UNIQUE%'"
    ).fetchall()
    keys = set()
    for table, definition in rows:
        if table in SERVER_ONLY:
            continue
        key = definition.split(" WHERE ")[0]
        inside = key[key.index("USING btree (") + len("USING btree (") : -1]
        if (table, inside) in {(table, "id"), ("contact_rhythm", "contact_id")}:
            continue  # an INTEGER PRIMARY KEY is SQLite's rowid itself, not an index
        inside = re.sub(r"lower\((\w+)\)", r"\1", inside)
        keys.add((table, inside.replace(" ", "").replace('"', "")))
    return keys


def sqlite_unique_keys(db):
    keys = set()
    tables = [
        name
        for (name,) in db.execute_sql(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if not SQLITE_ONLY.match(name)
    ]
    for table in tables:
        for _, index, unique, _origin, _partial in db.execute_sql(f"PRAGMA index_list({table})"):
            if not unique:
                continue
            columns = [row[2] for row in db.execute_sql(f"PRAGMA index_info({index})")]
            keys.add((table, ",".join(columns)))
    return keys


def test_the_same_unique_keys_hold_on_both(both):
    sqlite, server = both
    assert server_unique_keys(server) == sqlite_unique_keys(sqlite)


def server_check_values(db, table, column):
    """The quoted words of the server's CHECK constraints on table.column."""
    rows = db.execute_sql(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.contype = 'c' AND c.conrelid = ?::regclass AND a.attname = ?"
        " AND cardinality(c.conkey) = 1",
        (table, column),
    ).fetchall()
    return {word for (definition,) in rows for word in re.findall(r"'([a-z_]+)'", definition)}


def sqlite_check_values(db, table, column):
    sql = db.execute_sql(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    # A column added later (ALTER TABLE ADD COLUMN) ends the stored text, or its list of
    # columns: then the next column follows on the same line.
    found = re.search(rf"\b{column} TEXT[^,]*?CHECK \((.*?)\)\)?(?:,|\n|$)", sql, re.S)
    return set(re.findall(r"'([a-z_]+)'", found.group(1))) if found else set()


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("contact", "kind"),
        ("contact", "ladder_stage"),
        ("preference", "kind"),
        ("consent", "channel"),
        ("interaction", "kind"),
        ("interaction", "direction"),
        ("interaction", "status"),
        ("staff", "role"),
        ("points_entry", "kind"),
        ("gift_card_entry", "kind"),
        ("import_batch", "duplicates"),
        ("email_outbox", "status"),
        ("voucher_offer", "kind"),
        ("voucher_offer", "direction"),
        ("campaign_rule", "offer_kind"),
        ("campaign_rule", "rule"),
        ("campaign", "rule"),
    ],
)
def test_the_same_codes_are_allowed_on_both(both, table, column):
    sqlite, server = both
    allowed = server_check_values(server, table, column)
    assert allowed, f"no CHECK on {table}.{column} on the server"
    assert allowed == sqlite_check_values(sqlite, table, column)


def test_the_same_ledger_and_balance_rules_and_messages_on_both(both):
    """Every message the SQLite ledger triggers raise is raised by a server trigger too."""
    sqlite, server = both
    sqlite_messages = {
        message
        for (sql,) in sqlite.execute_sql("SELECT sql FROM sqlite_schema WHERE type = 'trigger'")
        for message in re.findall(r"RAISE\(ABORT, '([^']+)'\)", sql)
    }
    server_messages = {
        message
        for (source,) in server.execute_sql(
            "SELECT prosrc FROM pg_proc WHERE prolang = (SELECT oid FROM pg_language"
            " WHERE lanname = 'plpgsql')"
        )
        for message in re.findall(r"MESSAGE = '([^']+)'", source)
    }
    assert sqlite_messages and sqlite_messages == server_messages
