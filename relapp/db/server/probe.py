"""What a shop server at a given address holds, asked before a till uses it or a shop is moved
onto it (Settings -> Shop server on a shop file): which PostgreSQL, and whether the database is
empty, holds a Relapp shop (which schema, how many customers, any data at all) or another
program's tables.

Read-only: one fresh connection, one READ ONLY transaction, closed before returning; nothing is
created or changed, whatever the database holds.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import psycopg
from peewee import PeeweeException

from relapp.db.migrations import LATEST_VERSION
from relapp.db.server.connection import ServerDatabase, server_tables, unavailable
from relapp.db.server.copy import SCHEMA_SEED_ROWS, SCHEMA_TABLE, connect_server
from relapp.errors import DatabaseUnavailable


@dataclass(frozen=True)
class ServerProbe:
    postgresql: str  # the server's version, e.g. "16.4"
    schema: int | None  # the Relapp schema it holds; None: no Relapp shop
    customers: int  # contacts in the Relapp shop (0 without one)
    holds_data: bool  # a Relapp shop with rows beyond those a new schema starts with
    other_tables: int  # tables of another program (no Relapp shop there)

    @property
    def empty(self) -> bool:
        """No table at all: `relapp server migrate` (or init) may fill it."""
        return self.schema is None and not self.other_tables

    @property
    def too_new(self) -> bool:
        """The shop there was written by a newer Relapp than this one."""
        return self.schema is not None and self.schema > LATEST_VERSION

    @property
    def can_receive(self) -> bool:
        """A shop file may be moved there: it is empty, or holds a Relapp shop with no data
        yet (as `relapp server init` leaves it)."""
        return self.empty or (self.schema is not None and not self.holds_data and not self.too_new)

    @property
    def can_use(self) -> bool:
        """A till of this Relapp may open the shop there."""
        return self.schema is not None and not self.too_new


def probe_server(url: str) -> ServerProbe:
    """What the database at url holds (see ServerProbe). Raises DatabaseUnavailable with one
    sentence when it cannot be reached or read."""
    db = connect_server(url)
    try:
        with db.atomic():
            db.execute_sql("SET TRANSACTION READ ONLY")
            return _probe(db)
    except DatabaseUnavailable:
        raise
    except (psycopg.Error, PeeweeException) as error:
        raise unavailable(url, error) from error
    finally:
        with contextlib.suppress(psycopg.Error, PeeweeException):
            db.close()


def _probe(db: ServerDatabase) -> ServerProbe:
    (version_text,) = db.execute_sql("SELECT current_setting('server_version')").fetchone()
    # "16.4 (Debian 16.4-1.pgdg120+1)": the number is what a person compares.
    postgresql = str(version_text).split()[0]
    tables = server_tables(db)
    if SCHEMA_TABLE not in tables:
        return ServerProbe(postgresql, None, 0, False, len(tables))
    row = db.execute_sql(f"SELECT version FROM {SCHEMA_TABLE} LIMIT 1").fetchone()
    schema = int(row[0]) if row is not None and row[0] is not None else 0
    holds_data = False
    for table in tables:
        if table == SCHEMA_TABLE:
            continue
        seeded = SCHEMA_SEED_ROWS.get(table, 0)
        (rows,) = db.execute_sql(
            f'SELECT count(*) FROM (SELECT FROM "{table}" LIMIT ?) AS sample', (seeded + 1,)
        ).fetchone()
        if rows > seeded:
            holds_data = True
            break
    customers = 0
    if "contact" in tables:
        (customers,) = db.execute_sql("SELECT count(*) FROM contact").fetchone()
    return ServerProbe(postgresql, schema, int(customers), holds_data, 0)
