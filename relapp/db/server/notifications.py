"""Hearing what other tills change on the shop server: LISTEN relapp_changes.

The server's statement triggers (relapp/db/server/schema.py, NOTIFY_TRIGGERS) send, when a
transaction commits, one notice per changed table and statement: the table and up to 50
contact ids (none: possibly any). A ChangeListener holds its own connection and hands the
notices over as they come, leaving out this process's own (its views were told already,
through the change bus). After the connection was lost, what happened meanwhile was not
heard: the next answer is EVERYTHING, once the server answers again.

This replaces, on a server, the file's 3-second `PRAGMA data_version` poll: a change shows on
the other tills as soon as it is committed, and an idle till asks nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from relapp.db.server.connection import CONNECT_TIMEOUT_SECONDS, OWN_BACKENDS
from relapp.db.server.schema import NOTIFY_CHANNEL


@dataclass(frozen=True)
class TableChange:
    """Rows of table changed; contact_ids empty: possibly any of them."""

    table: str
    contact_ids: frozenset[int]


# Everything may have changed (the listener was cut off for a while).
EVERYTHING = TableChange("*", frozenset())


class ChangeListener:
    """LISTEN on its own connection; wait() returns what others committed since."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection[Any] | None = None
        self._cut_off = False

    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(
            self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return connection

    def wait(self, timeout: float) -> list[TableChange]:
        """The changes other connections committed, waiting up to timeout seconds for the
        first; [EVERYTHING] once after the connection was lost and came back; [] when
        nothing happened or the server is away (then again later)."""
        try:
            if self._connection is None or self._connection.closed:
                self._connection = self._connect()
                if self._cut_off:
                    self._cut_off = False
                    return [EVERYTHING]
            notices = list(self._connection.notifies(timeout=timeout, stop_after=1))
            # Whatever else arrived with it, without waiting again.
            notices += list(self._connection.notifies(timeout=0.01))
        except psycopg.Error:
            self.close()
            self._cut_off = True
            return []
        return merged(
            parsed(notice.payload) for notice in notices if notice.pid not in OWN_BACKENDS
        )

    @property
    def cut_off(self) -> bool:
        """The connection was lost and is not back yet."""
        return self._cut_off

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def parsed(payload: str) -> TableChange:
    try:
        data = json.loads(payload)
        ids = data.get("ids")
        return TableChange(str(data["table"]), frozenset(int(i) for i in ids or ()))
    except (ValueError, KeyError, TypeError, AttributeError):
        return EVERYTHING  # not ours to read: play safe


def merged(changes: Iterable[TableChange]) -> list[TableChange]:
    """One change per table: their ids together, or none if any of them named none."""
    by_table: dict[str, frozenset[int] | None] = {}
    for change in changes:
        known = by_table.get(change.table, frozenset())
        if known is None or not change.contact_ids:
            by_table[change.table] = None
        else:
            by_table[change.table] = known | change.contact_ids
    return [TableChange(table, ids or frozenset()) for table, ids in by_table.items()]
