"""What a shop server at an address holds, asked read-only before a till uses it or a shop is
moved onto it (Settings -> Shop server on a file); and a move stopped from its progress report
leaves the server as it was (what the window's Cancel relies on)."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from relapp.db.connection import open_database
from relapp.db.migrations import LATEST_VERSION
from relapp.db.server import copy
from relapp.db.server.connection import open_server_database
from relapp.db.server.copy import migrate_shop
from relapp.db.server.probe import probe_server
from relapp.demo.generator import generate_demo_shop
from relapp.errors import DatabaseUnavailable


def tables_of(url: str) -> list[str]:
    with psycopg.connect(url) as server:
        return [
            name
            for (name,) in server.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        ]


def test_an_empty_database_may_receive_a_shop(new_database):
    url = new_database()
    probe = probe_server(url)
    assert probe.postgresql[0].isdigit()
    assert (probe.schema, probe.empty, probe.can_receive, probe.can_use) == (
        None, True, True, False,
    )  # fmt: skip
    assert tables_of(url) == []  # asked, nothing made


def test_an_initialised_shop_without_data_may_receive_one_or_be_used(new_database):
    probe = probe_server(new_database(template="relapp_template"))
    assert probe.schema == LATEST_VERSION
    assert not probe.holds_data and probe.customers == 0
    assert probe.can_receive and probe.can_use and not probe.empty


def test_a_shop_with_customers_may_be_used_not_filled(new_database):
    url = new_database(template="relapp_template")
    open_server_database(url)
    generate_demo_shop(20, seed=3, as_of=datetime.now(UTC).date())
    probe = probe_server(url)
    assert (probe.schema, probe.customers, probe.holds_data) == (LATEST_VERSION, 20, True)
    assert probe.can_use and not probe.can_receive


def test_another_programs_tables_are_neither_filled_nor_used(new_database):
    url = new_database()
    with psycopg.connect(url) as server:
        server.execute("CREATE TABLE invoices (id integer)")
    probe = probe_server(url)
    assert (probe.schema, probe.other_tables) == (None, 1)
    assert not probe.empty and not probe.can_receive and not probe.can_use


def test_a_shop_from_a_newer_relapp_is_not_offered(new_database):
    url = new_database(template="relapp_template")
    with psycopg.connect(url) as server:
        server.execute("UPDATE relapp_schema SET version = version + 1")
    probe = probe_server(url)
    assert probe.too_new and not probe.can_use and not probe.can_receive


@pytest.mark.parametrize(
    "url, reason",
    [
        ("postgresql://relapp@/no_such_database?host={socket}", "that database does not exist"),
        ("postgresql://relapp@/x?host=/nonexistent", "no server answered there"),
    ],
)
def test_a_server_that_cannot_be_used_gives_one_sentence(server_cluster, url, reason):
    with pytest.raises(DatabaseUnavailable) as refused:
        probe_server(url.format(socket=server_cluster.socket))
    message = str(refused.value)
    assert message.startswith("Cannot use the shop server ") and reason in message
    assert "\n" not in message


class Stop(Exception):
    pass


@pytest.mark.parametrize("stop_at", ["contact", "mid-COPY", "indexes", "checks"])
def test_a_move_stopped_from_its_progress_report_leaves_the_server_empty(
    new_database, tmp_path, monkeypatch, stop_at
):
    monkeypatch.setattr(copy, "BATCH_ROWS", 7)  # reports between batches of a table's COPY
    path = tmp_path / "shop.db"
    shop = open_database(path)
    generate_demo_shop(30, seed=2)
    shop.close()
    url = new_database()
    seen = []

    def progress(step: str, done: int, total: int) -> None:
        seen.append(step)
        if stop_at == "mid-COPY" and step == "contact" and 0 < done < total:
            seen.append(stop_at)
            raise Stop  # inside `with cursor.copy()`: psycopg ends the COPY, then rollback
        if step == stop_at and done >= total:
            raise Stop  # the window's Cancel: raised from the report, inside the transaction

    with pytest.raises(Stop):
        migrate_shop(path, url, progress)
    assert stop_at in seen
    assert tables_of(url) == []  # rolled back: the schema too
    assert probe_server(url).can_receive
    migrate_shop(path, url)  # and it can be moved afterwards
    assert probe_server(url).customers == 30
