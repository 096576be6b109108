"""Shops (branches, schema 11): the rows, and which shop this till is.

On a shop server each till's connections carry its shop (the session setting
relapp.shop_id, set by relapp.db.server.connection), which the shop_id columns take by
default; a file is one shop and has no till shop.
"""

from __future__ import annotations

from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import equal_nocase, nocase, on_server

# A file is shop 1 (schema 11); its rows written before there were shops have no shop.
FIRST_SHOP_ID = 1


def of_shop(shop_id: int, column: str = "shop_id") -> str:
    """SQL: the row's column names this shop; for shop 1 also a row with no shop (written
    before schema 11). The id is written into the text as a whole number."""
    shop = int(shop_id)
    if shop == FIRST_SHOP_ID:
        return f"({column} = {shop} OR {column} IS NULL)"
    return f"{column} = {shop}"


def shops() -> list[tuple[int, str, str]]:
    """(id, name, address) of every shop, by name."""
    return database.execute_sql(
        f"SELECT id, name, address FROM shop ORDER BY {nocase('name')}"
    ).fetchall()


def shop_named(name: str) -> int | None:
    """The id of the shop called name (any letter case); None if there is none."""
    row = database.execute_sql(
        f"SELECT id FROM shop WHERE {equal_nocase('name')}", (name,)
    ).fetchone()
    return None if row is None else int(row[0])


def insert_shop(name: str, address: str, created_at: datetime) -> int:
    """A new shop; its id. A name already taken (any letter case) raises IntegrityError."""
    return int(
        database.execute_sql(
            "INSERT INTO shop (name, address, created_at) VALUES (?, ?, ?) RETURNING id",
            (name, address, format_timestamp(created_at)),
        ).fetchone()[0]
    )


def till_shop_id() -> int | None:
    """The shop this till belongs to: on a server, its connection's; None on a file (one
    shop) or for a till that named none."""
    if not on_server():
        return None
    value = database.execute_sql("SELECT current_setting('relapp.shop_id', true)").fetchone()[0]
    return int(value) if value else None


def staff_shop(staff_id: int) -> tuple[int, str] | None:
    """(id, name) of the shop a staff member works at; None: any shop."""
    row = database.execute_sql(
        "SELECT s.id, s.name FROM staff JOIN shop s ON s.id = staff.shop_id WHERE staff.id = ?",
        (staff_id,),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def set_staff_shop(staff_id: int, shop_id: int | None) -> None:
    database.execute_sql("UPDATE staff SET shop_id = ? WHERE id = ?", (shop_id, staff_id))


def name_the_only_shop(name: str) -> None:
    """Rename the shop if there is exactly one (a business of one shop is its shop); a
    business with several shops names each in its own right. A name another shop holds
    cannot happen with one shop."""
    database.execute_sql("UPDATE shop SET name = ? WHERE (SELECT count(*) FROM shop) = 1", (name,))
