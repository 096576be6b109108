"""`relapp server init` and `relapp server migrate`: a shop file moved onto a PostgreSQL shop
server (the session's throwaway cluster), and every way it can be refused."""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing

import psycopg
import pytest

from relapp import cli
from relapp.db.connection import migrate_database, open_database
from relapp.db.migrations import LATEST_VERSION
from relapp.db.server.connection import open_server_database, redact
from relapp.db.server.copy import SEARCH_TABLE
from tests.conftest import AS_OF

_names = itertools.count(1)
NOBODY_LISTENING = "postgresql://relapp@/x?host=/nonexistent"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["server", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_sentence(code: int, printed: str, errors: str, phrase: str) -> None:
    assert code == 1
    assert printed == ""
    assert errors.count("\n") == 1 and errors.startswith("relapp: "), errors
    assert "Traceback" not in errors
    assert phrase in errors, errors


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory):
    """A 300-customer demo shop file at the latest schema, shared by the module's tests (which
    only read it)."""
    from relapp.demo.generator import generate_demo_shop

    path = tmp_path_factory.mktemp("shop") / "shop.db"
    db = open_database(path)
    try:
        generate_demo_shop(300, seed=7, as_of=AS_OF)
    finally:
        db.close()
    return path


def server_tables(url: str) -> dict[str, int]:
    """Every table of the server's database and its row count."""
    with psycopg.connect(url) as server:
        names = [
            name
            for (name,) in server.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            name: server.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
        }


def file_tables(path) -> dict[str, int]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as shop:
        names = [
            name
            for (name,) in shop.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'contact_search%'"
            )
        ]
        return {
            name: shop.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
        }


def column_names(url: str, tables) -> dict[str, list[str]]:
    """The columns of tables on the server, in its order."""
    with psycopg.connect(url) as server:
        return {
            table: [
                name
                for (name,) in server.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                    " AND table_schema = current_schema() ORDER BY ordinal_position",
                    (table,),
                )
            ]
            for table in tables
        }


def every_row(read, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of each table, its columns in the order given, sorted; read executes SQL
    (a psycopg or sqlite3 connection's execute)."""
    return {
        table: sorted(
            (tuple(row) for row in read(f'SELECT {", ".join(names)} FROM "{table}"')), key=repr
        )
        for table, names in columns.items()
    }


# ----------------------------------------------------------------------------------- init


def test_init_prepares_an_empty_database_and_a_second_init_refuses(capsys, new_database):
    url = new_database()
    code, printed, errors = run(capsys, "init", url)
    assert (code, errors) == (0, "")
    assert printed.count("\n") == 1 and redact(url) in printed
    assert f"schema {LATEST_VERSION}" in printed
    tables = server_tables(url)
    assert tables.pop("relapp_schema") == 1
    assert tables.pop("shop") == 1  # the shop a file is, shop 1 (schema 11)
    assert set(tables) >= {"contact", "points_entry", SEARCH_TABLE} and not any(tables.values())
    open_server_database(url).close()  # a shop the app opens as it is

    assert_one_sentence(*run(capsys, "init", url), "already holds a Relapp shop")
    assert server_tables(url) == {"relapp_schema": 1, "shop": 1, **tables}


def test_init_leaves_another_programs_database_alone(capsys, new_database):
    url = new_database()
    with psycopg.connect(url) as other:
        other.execute("CREATE TABLE orders (id int PRIMARY KEY)")
        other.execute("INSERT INTO orders VALUES (1)")
    assert_one_sentence(*run(capsys, "init", url), "another program's tables")
    assert server_tables(url) == {"orders": 1}


# -------------------------------------------------------------------------------- migrate


def test_migrate_moves_the_shop_and_the_server_answers_as_the_file(capsys, shop_file, new_database):
    url = new_database()
    code, printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert code == 0, errors
    expected = file_tables(shop_file)
    assert {"consent_current", "contact_rhythm", "import_batch", "import_row"} <= set(expected)
    rows = sum(expected.values())
    summary = printed.strip().splitlines()[-1]
    assert summary.startswith(f"Moved {shop_file} to {redact(url)}: {len(expected)} tables,")
    assert f"{rows:,} rows in " in summary and summary.endswith("rows/s).")
    assert "contact: 300 rows" in errors and "search index: 300 entries" in errors
    assert "Traceback" not in errors

    # Every table holds what the file holds, and the server's search table one row a contact.
    on_server = server_tables(url)
    assert on_server.pop("relapp_schema") == 1
    assert on_server.pop(SEARCH_TABLE) == expected["contact"] == 300
    word_starts = on_server.pop("contact_word_start")
    assert on_server == expected
    with psycopg.connect(url) as server:  # every document's starts, each once
        made = (
            "SELECT w.start, s.contact_id, w.words FROM contact_search s,"
            " relapp_word_starts(s.document) w"
        )
        assert server.execute(f"SELECT count(*) FROM ({made}) m").fetchone()[0] == word_starts
        missing = f"SELECT count(*) FROM ({made} EXCEPT SELECT * FROM contact_word_start) m"
        assert server.execute(missing).fetchone()[0] == 0

    columns = column_names(url, expected)
    with closing(sqlite3.connect(f"{shop_file.as_uri()}?mode=ro", uri=True)) as shop:
        with psycopg.connect(url) as server:
            assert every_row(server.execute, columns) == every_row(shop.execute, columns)
        file_balances = dict(shop.execute("SELECT id, points_balance FROM contact"))
        file_ledger = dict(
            shop.execute("SELECT contact_id, sum(points) FROM points_entry GROUP BY contact_id")
        )
        file_drift = dict(shop.execute("SELECT contact_id, drifts_at FROM contact_rhythm"))
        highest = shop.execute("SELECT max(id) FROM contact").fetchone()[0]
        given, family = shop.execute(
            "SELECT given_name, family_name FROM contact WHERE erased_at IS NULL"
            " AND archived_at IS NULL AND merged_into_id IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
    with psycopg.connect(url) as server:
        assert dict(server.execute("SELECT id, points_balance FROM contact")) == file_balances
        server_ledger = dict(
            server.execute("SELECT contact_id, sum(points) FROM points_entry GROUP BY contact_id")
        )
        assert server_ledger == file_ledger
        assert dict(server.execute("SELECT contact_id, drifts_at FROM contact_rhythm")) == (
            file_drift
        )
        # What the rhythm trigger would have computed is what was copied.
        assert not server.execute(
            "SELECT count(*) FROM contact_rhythm WHERE drifts_at IS DISTINCT FROM"
            " relapp_rhythm_drift(visits, first_visit_at, last_visit_at)"
        ).fetchone()[0]
    assert all(file_balances[number] == file_ledger.get(number, 0) for number in file_balances)

    # The app on the server: the search finds a customer by name; a new customer gets the
    # next id and is found too; the ledger's triggers are back on.
    open_server_database(url)
    from relapp.domain.contacts.enrolment import NewContact, clean_new_contact, enrol
    from relapp.domain.contacts.naming import person_name
    from relapp.domain.contacts.search import search_contacts

    # Shown as their script writes it: 何洋 for given name 洋, family name 何.
    assert any(
        hit.name == person_name(given, family)
        for hit in search_contacts(f"{given} {family}", limit=50)
    )
    enrolled = enrol(clean_new_contact(NewContact("Newcomer", "Aftermove"), "AU"))
    assert enrolled.contact_id > highest
    assert [hit.id for hit in search_contacts("aftermove")] == [enrolled.contact_id]
    from relapp.db.models import database

    database.close()
    with psycopg.connect(url) as server:
        rich = server.execute(
            "SELECT id, points_balance FROM contact WHERE points_balance > 0 LIMIT 1"
        ).fetchone()
        entry = (
            "INSERT INTO points_entry (contact_id, kind, points, occurred_at, reason)"
            " VALUES (%s, 'adjust', %s, '2026-12-01 10:00:00', 'test')"
        )
        server.execute(entry, (rich[0], 5))
        assert server.execute(
            "SELECT points_balance FROM contact WHERE id = %s", (rich[0],)
        ).fetchone() == (rich[1] + 5,)
        with pytest.raises(psycopg.errors.CheckViolation, match="not enough points"):
            server.execute(entry, (rich[0], -(rich[1] + 6)))


def test_migrate_fills_a_database_prepared_by_init(capsys, shop_file, new_database):
    url = new_database()
    assert run(capsys, "init", url)[0] == 0
    code, _printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert code == 0, errors
    assert server_tables(url)["contact"] == 300


def test_migrate_refuses_a_shop_with_data_and_leaves_it_unchanged(capsys, shop_file, new_database):
    url = new_database(template="relapp_template")
    with psycopg.connect(url) as server:
        server.execute("INSERT INTO tag (name) VALUES ('regulars')")
    before = server_tables(url)
    code, printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert_one_sentence(code, printed, errors, "already holds a Relapp shop")
    assert server_tables(url) == before


def test_migrate_refuses_a_server_with_a_moved_shop_already(capsys, shop_file, new_database):
    url = new_database()
    assert run(capsys, "migrate", "--from", str(shop_file), "--to", url)[0] == 0
    before = server_tables(url)
    code, printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert_one_sentence(code, printed, errors, "already holds a Relapp shop with 300 customers")
    assert server_tables(url) == before


def test_migrate_refuses_another_programs_database(capsys, shop_file, new_database):
    url = new_database()
    with psycopg.connect(url) as other:
        other.execute("CREATE TABLE orders (id int PRIMARY KEY)")
    code, printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert_one_sentence(code, printed, errors, "another program's tables")
    assert server_tables(url) == {"orders": 0}


def test_migrate_refuses_a_server_set_up_by_a_newer_relapp(capsys, shop_file, new_database):
    url = new_database(template="relapp_template")
    with psycopg.connect(url) as server:
        server.execute("UPDATE relapp_schema SET version = %s", (LATEST_VERSION + 1,))
    before = server_tables(url)
    code, printed, errors = run(capsys, "migrate", "--from", str(shop_file), "--to", url)
    assert_one_sentence(code, printed, errors, "set up by a newer Relapp")
    assert server_tables(url) == before


def test_a_row_the_server_refuses_leaves_the_target_empty(
    capsys, shop_file, new_database, tmp_path
):
    """PostgreSQL's text cannot hold a NUL character, SQLite's can: the copy fails midway
    (after the schema and several tables went in) and the whole transaction is undone."""
    damaged = tmp_path / "nul.db"
    with closing(sqlite3.connect(shop_file)) as source, closing(sqlite3.connect(damaged)) as copy:
        source.backup(copy)
        copy.execute("UPDATE interaction SET details = 'a' || char(0) || 'b' WHERE id = 5")
        copy.commit()
    url = new_database()
    code, printed, errors = run(capsys, "migrate", "--from", str(damaged), "--to", url)
    assert code == 1 and printed == "" and "Traceback" not in errors
    sentence = errors.strip().splitlines()[-1]  # after the tables copied before it
    assert sentence.startswith(
        f"relapp: The shop server cannot take the row with id 5 of interaction in {damaged}"
    )
    assert sentence.endswith("nothing was moved.")
    assert server_tables(url) == {}


def test_migrate_brings_an_older_shop_file_up_to_date_first(capsys, tmp_path, new_database):
    path = tmp_path / "old.db"
    db = open_database(path, migrate=False)
    migrate_database(db, None, target=LATEST_VERSION - 1)
    db.close()
    # Not while the server does not answer: the file stays as it was.
    code, printed, errors = run(capsys, "migrate", "--from", str(path), "--to", NOBODY_LISTENING)
    assert_one_sentence(code, printed, errors, "no server answered there")
    with closing(sqlite3.connect(path)) as shop:
        assert shop.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION - 1
    url = new_database()
    code, _printed, errors = run(capsys, "migrate", "--from", str(path), "--to", url)
    assert code == 0, errors
    assert "updating" in errors
    with closing(sqlite3.connect(path)) as shop:
        assert shop.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def _newer(path):
    with closing(sqlite3.connect(path)) as shop:
        shop.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")


def _text(path):
    path.write_text("not a database, just words\n" * 100, encoding="utf-8")


def _foreign(path):
    with closing(sqlite3.connect(path)) as shop:
        shop.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")


@pytest.mark.parametrize(
    ("prepare", "phrase"),
    [
        (None, "There is no shop file at"),
        (_text, "is damaged or is not a database file"),
        (_foreign, "is not a Relapp database"),
        (_newer, "written by a newer Relapp"),
    ],
)
def test_migrate_from_a_file_that_is_not_a_shop_is_one_sentence(
    capsys, shop_file, new_database, tmp_path, prepare, phrase
):
    path = tmp_path / "from.db"
    if prepare is _newer:
        with closing(sqlite3.connect(shop_file)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
    if prepare is not None:
        prepare(path)
    url = new_database()
    code, printed, errors = run(capsys, "migrate", "--from", str(path), "--to", url)
    assert_one_sentence(code, printed, errors, phrase)
    assert str(path) in errors
    assert server_tables(url) == {}


# ----------------------------------------------------------------------------- the server


@pytest.mark.parametrize("action", ["init", "migrate"])
def test_a_server_nobody_answers_at_is_one_sentence(capsys, shop_file, action):
    url = NOBODY_LISTENING.replace("relapp@", "relapp:secret@")
    args = [url] if action == "init" else ["--from", str(shop_file), "--to", url]
    code, printed, errors = run(capsys, action, *args)
    assert_one_sentence(code, printed, errors, "no server answered there")
    assert "secret" not in errors and redact(url) in errors


def test_a_database_that_does_not_exist_is_one_sentence(capsys, server_cluster):
    code, printed, errors = run(capsys, "init", server_cluster.url("no_such_database"))
    assert_one_sentence(code, printed, errors, "that database does not exist")


def test_an_address_that_is_not_a_server_url_is_refused_without_echoing_it(capsys, shop_file):
    code, printed, errors = run(capsys, "init", "host=shop password=secret")
    assert_one_sentence(code, printed, errors, "postgresql://")
    assert "secret" not in errors
