"""Shop-wide settings: key and value pairs, every value stored as text.

Which settings exist, their defaults and their types are the domain's
(relapp.domain.shop.settings).
"""

from __future__ import annotations

from relapp.db.models import database


def all_settings() -> list[tuple[str, str]]:
    """(key, value) of every stored setting."""
    return database.execute_sql("SELECT key, value FROM setting").fetchall()


def put_setting(key: str, value: str) -> None:
    """Store value under key, replacing what was there."""
    database.execute_sql(
        "INSERT INTO setting (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
