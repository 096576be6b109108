"""Commits made outside this window (the command line, another user) reach its views."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import pytest

from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.ui.outside_changes import OutsideChanges, ServerChanges
from tests.factories import add_contact


def published_on(change_bus) -> list[Change]:
    changes: list[Change] = []
    change_bus.changed.connect(changes.append)
    return changes


def test_a_commit_by_another_program_publishes_everything_once(app, db, db_path, change_bus):
    watcher = OutsideChanges(change_bus)
    changes = published_on(change_bus)
    assert watcher.check() is False

    with closing(sqlite3.connect(db_path)) as other_counter:  # another program on this PC
        other_counter.execute("REPLACE INTO setting (key, value) VALUES ('shop_name', 'Elsewhere')")
        other_counter.commit()

    assert watcher.check() is True
    assert [change.entities for change in changes] == [frozenset(Entity)]
    assert watcher.check() is False  # once


def test_this_windows_own_writes_are_not_counted_as_outside(app, db, change_bus):
    watcher = OutsideChanges(change_bus)
    add_contact("Typed", "Here")  # the window's own connection
    assert watcher.check() is False

    def worker() -> None:  # a background task: its own connection, then it publishes
        add_contact("From", "Thread")
        database.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    change_bus.publish(Change.of(Entity.CONTACTS))
    changes = published_on(change_bus)

    assert watcher.check() is False
    assert changes == []


# ---------------------------------------------------------------- on a shop server


@pytest.fixture
def server_shop(server_cluster, request):
    """A server shop bound to the models (this window's connection), and its URL."""
    from relapp.db.server.connection import open_server_database

    name = f"outside_{request.node.name[-12:]}".replace("[", "_").replace("]", "_")
    url = server_cluster.create_database(name, template="relapp_template")
    db = open_server_database(url)
    yield url
    db.close()
    server_cluster.drop_database(name)


def another_till(url: str, sql: str, params=()) -> None:
    """Another till's own connection commits one statement."""
    from relapp.db.server.connection import ServerDatabase

    till = ServerDatabase(url)
    with till.atomic():
        till.execute_sql(sql, params)
    till.close()


def test_another_tills_commit_refreshes_what_it_touched_at_once(
    app, server_shop, change_bus, qtbot
):
    ann = add_contact("Ann", "Lee")
    watcher = ServerChanges(change_bus, server_shop)
    changes = published_on(change_bus)
    watcher.start()
    try:
        add_contact("Typed", "Here")  # this window's own write: its views know already
        with qtbot.waitSignal(change_bus.changed, timeout=5000):
            another_till(
                server_shop, "UPDATE contact SET notes = 'regular' WHERE id = ?", (ann.id,)
            )
        assert changes == [Change.of(Entity.CONTACTS, contact_ids=frozenset({ann.id}))]
        with qtbot.waitSignal(change_bus.changed, timeout=5000):
            another_till(server_shop, "UPDATE setting SET value = value WHERE false")
            another_till(server_shop, "INSERT INTO setting (key, value) VALUES ('x', 'y')")
        assert changes[-1] == Change.of(Entity.SETTINGS)  # the statement that changed nothing
    finally:
        watcher.stop()


def test_a_lost_connection_ends_in_one_reload_of_everything(app, server_shop, change_bus, qtbot):
    watcher = ServerChanges(change_bus, server_shop)
    changes = published_on(change_bus)
    watcher.start()
    try:
        qtbot.waitUntil(lambda: watcher.listener._connection is not None, timeout=5000)
        with qtbot.waitSignal(change_bus.changed, timeout=10000):
            # The server ends the listener's session, as a restart or a network cut would.
            another_till(
                server_shop,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
            )
        assert changes == [Change.everything()]
    finally:
        watcher.stop()
