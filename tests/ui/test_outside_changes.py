"""Commits made outside this window (the command line, another user) reach its views."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.ui.outside_changes import OutsideChanges
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
