"""Opening a shop server: a PostgreSQL database named by a `postgresql://` URL.

open_server_database() is the server's way in, as relapp.db.connection.open_database is the
file's: it returns a peewee database bound to the models at the latest schema, or raises a
relapp.errors.DatabaseError with one sentence. The URL may carry a password, so it is never
shown: messages name the server as redact(url) writes it. The password belongs in libpq's
~/.pgpass or a service file (`postgresql:///?service=shop`), not in Relapp's settings.

Each thread has its own connection (peewee keeps one per thread). A connection that drops is
replaced on the next call; a read that failed because of it is tried once more on the new
connection, a write is not (it may have been done), and the caller hears DatabaseUnavailable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from peewee import InterfaceError, OperationalError, PeeweeException, PostgresqlDatabase
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.types.numeric import Int8Dumper

from relapp.db import models
from relapp.db.migrations import LATEST_VERSION, MIGRATIONS
from relapp.db.server.placeholders import to_psycopg
from relapp.db.server.schema import BASELINE, BASELINE_VERSION
from relapp.db.server.urls import is_server_url as is_server_url
from relapp.db.server.urls import redact as redact
from relapp.errors import (
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
    ServerNotAnswering,
    UnknownShop,
)

CONNECT_TIMEOUT_SECONDS = 5
APPLICATION_NAME = "relapp"


# The server processes serving this process's connections: the notices they cause are
# this process's own changes, which its views heard of already (notifications.py).
OWN_BACKENDS: set[int] = set()


class _BoolAsInteger(Dumper):
    """Flags are INTEGER 0/1 on both engines; psycopg would send Python's bool as boolean,
    which PostgreSQL does not put into an integer column."""

    format = Format.TEXT
    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class ServerDatabase(PostgresqlDatabase):
    """The app's connection to a shop server. The store's SQL arrives in SQLite's parameter
    style (peewee writes `?` too: param below) and is rewritten for psycopg."""

    param = "?"

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = url
        self.shop_id: int | None = None  # this till's shop (schema 11), once named
        super().__init__(
            url,
            prefer_psycopg3=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=APPLICATION_NAME,
            **kwargs,
        )

    def _connect(self) -> psycopg.Connection[Any]:
        # A failure comes out as peewee's OperationalError; open_server_database and
        # execute_sql turn it into one sentence (raising ours here, peewee would wrap it).
        connection: psycopg.Connection[Any] = super()._connect()  # type: ignore[misc]
        connection.adapters.register_dumper(bool, _BoolAsInteger)
        # Every Python int as bigint: psycopg would pick int2 for a small one, which a
        # recursive query or a CASE then refuses to mix with the bigint ids.
        connection.adapters.register_dumper(int, Int8Dumper)
        OWN_BACKENDS.add(connection.info.backend_pid)
        if self.shop_id is not None:
            # Every row this till writes carries its shop (the shop_id columns' default).
            connection.execute(
                "SELECT set_config('relapp.shop_id', %s, false)", (str(self.shop_id),)
            )
        return connection

    def _close(self, conn: psycopg.Connection[Any]) -> None:
        OWN_BACKENDS.discard(conn.info.backend_pid)
        super()._close(conn)  # type: ignore[misc]

    def execute_sql(
        self,
        sql: str,
        params: Sequence[object] | Mapping[str, object] | None = None,
        commit: object = None,
    ) -> Any:
        # peewee always hands psycopg a parameter list, so even a statement without
        # parameters has its literal % doubled.
        text = to_psycopg(sql)
        try:
            return super().execute_sql(text, params)  # type: ignore[no-untyped-call]
        except (OperationalError, InterfaceError) as error:
            if not _connection_lost(error):
                raise
            in_transaction = self.in_transaction()
            self._drop_connection()
            if in_transaction or not _is_read(sql):
                raise unavailable(self.url, error, written=False) from error
        # A read outside a transaction, whose connection had dropped: once more, afresh
        # (and if the server is away, one sentence saying so).
        with self._lost_connection_explained(written=None):
            return super().execute_sql(text, params)  # type: ignore[no-untyped-call]

    def begin(self, *args: Any, **kwargs: Any) -> None:
        with self._lost_connection_explained(written=False):
            super().begin(*args, **kwargs)

    def commit(self) -> None:
        # Lost during COMMIT: the server may or may not have committed; a sale key or a
        # check of the customer's history tells afterwards.
        with self._lost_connection_explained(written=None):
            super().commit()

    @contextmanager
    def _lost_connection_explained(self, written: bool | None) -> Iterator[None]:
        try:
            yield
        except (OperationalError, InterfaceError, psycopg.OperationalError) as error:
            if not _connection_lost(error):
                raise
            self._drop_connection()
            raise unavailable(self.url, error, written=written) from error

    def _drop_connection(self) -> None:
        try:
            self.close()
        except PeeweeException:
            self._state.reset()  # type: ignore[attr-defined]


def _chain(error: BaseException) -> list[BaseException]:
    """error and what it was raised from or while handling, all the way down (peewee wraps
    psycopg's error, sometimes twice)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _connection_lost(error: BaseException) -> bool:
    """Whether error says the connection itself is gone (not a refused statement: a
    deadlock or a lock timeout is an OperationalError too, on a connection that still
    works). psycopg's own client-side errors carry no SQLSTATE; the server's say 08xxx for
    connection failures and 57P01-57P03 when it shuts the session down."""
    for candidate in _chain(error):
        if isinstance(candidate, psycopg.Error):
            state = candidate.sqlstate
            if state is None:
                return isinstance(candidate, psycopg.OperationalError | psycopg.InterfaceError)
            return state.startswith("08") or state in {"57P01", "57P02", "57P03"}
    text = str(error).lower()
    return "connection" in text and ("closed" in text or "lost" in text or "terminat" in text)


_READ = re.compile(r"\s*(SELECT|WITH|VALUES|SHOW)\b", re.IGNORECASE)


def _is_read(sql: str) -> bool:
    return bool(_READ.match(sql)) and " FOR UPDATE" not in sql.upper()


def unavailable(url: str, error: BaseException, written: bool | None = None) -> DatabaseUnavailable:
    """One sentence for a server that cannot be used: refused, unknown, wrong password..."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = redact(url)
    lowered = text.lower()
    answered = True  # the server answered and refused; False: it could not be reached
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = "the user name or password was not accepted"
    elif "does not exist" in lowered and "database" in lowered:
        reason = "that database does not exist on the server"
    elif _connection_lost(error):
        answered = False
        reason = _unreachable_reason(lowered) or "the connection to the server was lost"
    elif _unreachable_reason(lowered):
        reason = _unreachable_reason(lowered) or ""
    else:
        reason = text.replace(url, where)
    if _unreachable_reason(lowered):
        answered = False
    outcome = " Nothing was saved." if written is False else ""
    kind = DatabaseUnavailable if answered else ServerNotAnswering
    return kind(f"Cannot use the shop server {where}: {reason}.{outcome}")


def _unreachable_reason(lowered: str) -> str | None:
    """Why the server could not be reached, from psycopg's words; None if it was."""
    if (
        "connection refused" in lowered
        or "could not connect" in lowered
        or "no such file or directory" in lowered  # no server's socket in that folder
    ):
        return "no server answered there (is it running, and is the address right?)"
    if "timeout" in lowered:
        return "the server did not answer in time"
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return "that server name is not known on this network"
    return None


def open_server_database(
    url: str, *, migrate: bool = True, create: bool = False, shop: str | None = None
) -> ServerDatabase:
    """Connect to the shop server at url and bind the models to it.

    create: make the schema on an empty database (relapp server init); otherwise an empty
    database is refused with the command that prepares it.
    shop: the shop (branch) this till belongs to, by name (default: RELAPP_SHOP); the rows
    it writes carry that shop. Unknown: refused with the shops there are.
    """
    db = ServerDatabase(url)
    try:
        db.connect()
        version = server_schema_version(db)
        if version is None:
            if not create:
                raise NotARelappDatabase(
                    f"{redact(url)} has no Relapp shop in it yet. Prepare it with"
                    f" `relapp server init {redact(url)}` or move a shop there with"
                    " `relapp server migrate`."
                )
            create_schema(db)
        elif migrate:
            migrate_server(db, version, redact(url))
        _take_till_shop(db, shop if shop is not None else os.environ.get(SHOP_VARIABLE))
    except psycopg.Error as error:
        db.close()
        raise unavailable(url, error) from error
    except PeeweeException as error:
        db.close()
        raise unavailable(url, error) from error
    except Exception:
        db.close()
        raise
    models.database.initialize(db)
    return db


SHOP_VARIABLE = "RELAPP_SHOP"


def _take_till_shop(db: ServerDatabase, name: str | None) -> None:
    if not name or not name.strip():
        return
    names = dict(db.execute_sql("SELECT lower(name), id FROM shop").fetchall())
    shop_id = names.get(name.strip().lower())
    if shop_id is None:
        known = ", ".join(sorted(row[0] for row in db.execute_sql("SELECT name FROM shop")))
        raise UnknownShop(
            f"There is no shop called {name.strip()!r} on {redact(db.url)}"
            f" (there is: {known}). Add it with `relapp server add-shop`, or name one of those."
        )
    db.shop_id = int(shop_id)
    db.execute_sql("SELECT set_config('relapp.shop_id', ?, false)", (str(shop_id),))


def server_tables(db: ServerDatabase) -> list[str]:
    """The tables of the database's schema (Relapp's or another program's), by name."""
    return [
        name
        for (name,) in db.execute_sql(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        ).fetchall()
    ]


def server_schema_version(db: ServerDatabase) -> int | None:
    """The schema version of the Relapp shop on this server; None for an empty database.

    Raises NotARelappDatabase for a database that holds another program's tables.
    """
    names = set(server_tables(db))
    if "relapp_schema" in names:
        return int(db.execute_sql("SELECT version FROM relapp_schema").fetchone()[0])
    if names:
        raise NotARelappDatabase(
            f"{redact(db.url)} holds another program's tables, not a Relapp shop;"
            " it was left untouched."
        )
    return None


def create_schema(db: ServerDatabase) -> None:
    """The whole schema on an empty database, in one transaction, then any migration after
    the baseline."""
    with db.atomic():
        for statement in BASELINE:
            db.execute_sql(statement)
        db.execute_sql(
            "INSERT INTO relapp_schema (application, version) VALUES ('relapp', ?)",
            (BASELINE_VERSION,),
        )
    migrate_server(db, BASELINE_VERSION, redact(db.url))


def migrate_server(db: ServerDatabase, current: int, where: str) -> int:
    """Apply the migrations after current (each has its server_upgrade); how many."""
    if current > LATEST_VERSION:
        raise DatabaseTooNew(
            f"The shop server {where} was set up by a newer Relapp (schema {current}; this"
            f" version knows up to {LATEST_VERSION}). Install the newer Relapp on this till."
        )
    pending = [migration for migration in MIGRATIONS if migration.version > current]
    if not pending:
        return 0
    with db.atomic():
        for migration in pending:
            if migration.server_upgrade is None:
                raise NotImplementedError(f"migration {migration.version} has no server part")
            migration.server_upgrade(db)
            db.execute_sql("UPDATE relapp_schema SET version = ?", (migration.version,))
    return len(pending)
