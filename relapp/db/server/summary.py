"""What the window's Settings tells about the shop server it works on: which PostgreSQL, which
schema. Read-only; one round trip on the calling thread's connection."""

from __future__ import annotations

import psycopg
from peewee import PeeweeException

from relapp.db import models
from relapp.db.server.connection import ServerDatabase, unavailable
from relapp.db.server.urls import redact
from relapp.errors import DatabaseUnavailable, NotARelappDatabase


def server_summary(db: ServerDatabase | None = None) -> tuple[str, int]:
    """(the server's PostgreSQL version, e.g. "16.4"; the shop's schema version) of db, by
    default the shop server bound to the models.

    A thread that had no connection yet (a worker testing the connection) gets a fresh one,
    closed again before returning, so a test really reaches the server and leaves nothing
    open. A server that cannot be reached raises DatabaseUnavailable with one sentence.
    """
    database = db if db is not None else models.database.obj
    if not isinstance(database, ServerDatabase):
        raise TypeError("server_summary() needs a shop server, not a file")
    opened_here = database.is_closed()
    try:
        row = database.execute_sql(
            "SELECT current_setting('server_version'), (SELECT version FROM relapp_schema LIMIT 1)"
        ).fetchone()
    except (psycopg.Error, PeeweeException) as error:
        own = _own_sentence(error)
        if own is not None:
            raise own from None
        raise unavailable(database.url, error) from error
    finally:
        if opened_here:
            database.close()
    version_text, schema = row
    if schema is None:
        raise NotARelappDatabase(
            f"The shop server {redact(database.url)} has lost its schema version."
        )
    # "16.4 (Debian 16.4-1.pgdg120+1)": the number is what a person compares.
    return str(version_text).split()[0], int(schema)


def _own_sentence(error: BaseException) -> DatabaseUnavailable | None:
    """The DatabaseUnavailable that peewee wrapped (once by connect(), again by execute_sql():
    it maps exceptions by class name, and ours is a DatabaseError), to say it once."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DatabaseUnavailable):
            return seen
        seen = seen.__context__
    return None
