"""The reads behind finding duplicate contacts, and the list of pairs dismissed.

relapp.domain.contacts.duplicates decides what counts as evidence and which pairs are strongest;
these
functions group contacts by a shared value and hand back the groups' members. They are built
to scale: groups come from a value's index alone, and the name grouping is one pass over the
contact table with a key computed in Python.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from peewee import OperationalError

from relapp.db.models import database
from relapp.db.store.dialect import (
    in_json_list_nocase,
    joined,
    json_array_append,
    json_array_build,
    nocase,
    on_server,
)

# (id, phone, email, given_name, family_name)
MemberRow = tuple[int, str | None, str | None, str, str]


def _members_sql(value: str) -> str:
    """The contacts holding a value that two to max_group_size (the parameter) contacts hold.

    The groups come from the value's index alone; the contacts are then read in id order,
    which walks the table once instead of jumping about it.
    """
    return (
        "SELECT id, phone, email, given_name, family_name FROM contact WHERE id IN"
        f" (SELECT id FROM contact WHERE {value} IN (SELECT {value} FROM contact"
        f"  WHERE {value} IS NOT NULL GROUP BY {value} HAVING count(*) BETWEEN 2 AND ?))"
        " AND erased_at IS NULL"
    )


def members_sharing_a_phone(max_group_size: int) -> Iterator[MemberRow]:
    """Contacts not erased whose phone two to max_group_size contacts (erased ones counted)
    hold, in id order, row by row as SQLite reads them."""
    return database.execute_sql(_members_sql("phone"), (max_group_size,))


def members_sharing_an_email(max_group_size: int) -> Iterator[MemberRow]:
    """As members_sharing_a_phone, for the email ignoring ASCII case (as its index does)."""
    return database.execute_sql(_members_sql(nocase("email")), (max_group_size,))


def emails_held_by_at_most(emails: Iterable[str], max_group_size: int) -> list[str]:
    """Of these emails, one spelling of each that at most max_group_size contacts hold,
    ignoring ASCII case."""
    rows = database.execute_sql(
        f"SELECT min(email) FROM contact WHERE {in_json_list_nocase('email')}"
        f" GROUP BY {nocase('email')} HAVING count(*) <= ?",
        (json.dumps(sorted(emails)), max_group_size),
    )
    return [row[0] for row in rows]


def ids_grouped_by_name(
    name_key: Callable[[str, str], str | None], max_group_size: int
) -> list[list[int]]:
    """Ids of contacts not erased grouped by name_key(given_name, family_name), two to
    max_group_size per key; contacts whose key is None are left out.

    name_key runs once per contact, as SQLite reads the table. If it raises, the query stops
    and its exception comes out of this function as it was raised.
    """
    if on_server():
        return _ids_grouped_by_name_in_python(name_key, max_group_size)
    raised: list[Exception] = []

    def key(given: str, family: str) -> str | None:
        try:
            return name_key(given, family)
        except Exception as error:
            raised.append(error)
            raise  # SQLite abandons the query

    connection = database.connection()
    connection.create_function("relapp_name_key", 2, key, deterministic=True)
    try:
        # Materialized, so the key is computed once per contact (a subquery or a GROUP BY
        # alone calls the function again for every use of the column).
        rows = database.execute_sql(
            "WITH keyed AS MATERIALIZED (SELECT relapp_name_key(given_name, family_name) AS key,"
            " id FROM contact WHERE erased_at IS NULL)"
            f" SELECT {joined('id', _COMMA)} FROM keyed WHERE key IS NOT NULL"
            " GROUP BY key HAVING count(*) BETWEEN 2 AND ?",
            (max_group_size,),
        ).fetchall()
    except OperationalError:
        if raised:
            raise raised[0] from None
        raise
    finally:
        connection.create_function("relapp_name_key", 2, None)
    return [[int(cid) for cid in ids.split(",")] for (ids,) in rows]


_COMMA = "','"  # ids are digits: split again at the commas


def _ids_grouped_by_name_in_python(
    name_key: Callable[[str, str], str | None], max_group_size: int
) -> list[list[int]]:
    """ids_grouped_by_name on a shop server, which cannot call Python: the names travel to
    the till in id order, a few thousand at a time, and are grouped here."""
    groups: dict[str, list[int]] = {}
    cursor = database.execute_sql(
        "SELECT id, given_name, family_name FROM contact WHERE erased_at IS NULL ORDER BY id"
    )
    while rows := cursor.fetchmany(5000):
        for contact_id, given, family in rows:
            key = name_key(given, family)
            if key is not None:
                groups.setdefault(key, []).append(contact_id)
    return [ids for ids in groups.values() if 2 <= len(ids) <= max_group_size]


def setting_value(key: str) -> str | None:
    """The stored value of the setting key (the dismissed pairs' JSON list); None if unset."""
    row = database.execute_sql("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def append_pair_to_setting(key: str, first_id: int, second_id: int) -> None:
    """Append [first_id, second_id] to the JSON list in the setting key, creating it if
    missing. One statement appends, so two counters appending at once both keep their pair."""
    pair = json_array_build("?", "?")
    database.execute_sql(
        f"INSERT INTO setting (key, value) VALUES (?, {json_array_build(pair)})"
        f" ON CONFLICT (key) DO UPDATE SET value = {json_array_append('setting.value', pair)}",
        (key, first_id, second_id, first_id, second_id),
    )
