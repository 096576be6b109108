"""Tags and which contacts carry them (the tag and contact_tag tables).

Letter case: a tag's name is unique as stored, and the rules that make "VIP" and "vip" one tag
(Unicode case folding, the oldest spelling kept) are relapp.domain.contacts.editing's; here a
name is matched as SQL compares it. Ids of many contacts travel as one JSON array parameter
(dialect.in_json_list): no limit on SQL variables, no Python loop per contact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from relapp.db.models import database
from relapp.db.store.contacts import chosen_unerased
from relapp.db.store.dialect import in_json_list, json_list, nocase

# ------------------------------------------------------------------------------ the tags


def tags_by_age() -> list[tuple[int, str]]:
    """(id, name) of every tag, the oldest first."""
    return database.execute_sql("SELECT id, name FROM tag ORDER BY id").fetchall()


def tag_names() -> tuple[str, ...]:
    """Every tag's name, in alphabetical order without regard to letter case."""
    rows = database.execute_sql(f"SELECT name FROM tag ORDER BY {nocase('name')}")
    return tuple(row[0] for row in rows)


def tag_use_counts() -> list[tuple[str, int]]:
    """(name, how many contacts carry it) of every tag, erased contacts not counted."""
    return database.execute_sql(
        "SELECT t.name, count(c.id) FROM tag t"
        " LEFT JOIN contact_tag ct ON ct.tag_id = t.id"
        " LEFT JOIN contact c ON c.id = ct.contact_id AND c.erased_at IS NULL"
        " GROUP BY t.id"
    ).fetchall()


def insert_tag(name: str) -> int:
    """A new tag; its id."""
    return database.execute_sql(
        "INSERT INTO tag (name) VALUES (?) RETURNING id", (name,)
    ).fetchone()[0]


# ------------------------------------------------------------------------- one contact


def tags_of_contact(contact_id: int) -> list[tuple[int, str]]:
    """(id, name) of the tags the contact carries."""
    return database.execute_sql(
        "SELECT t.id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
        " WHERE ct.contact_id = ?",
        (contact_id,),
    ).fetchall()


def set_tags_of_contact(contact_id: int, tag_ids: Sequence[int]) -> None:
    """The contact carries exactly these tags: others are taken off, missing ones added."""
    wanted = json.dumps(list(tag_ids))
    database.execute_sql(
        f"DELETE FROM contact_tag WHERE contact_id = ? AND tag_id NOT {in_json_list()}",
        (contact_id, wanted),
    )
    add_tags_to_contact(contact_id, tag_ids)


def add_tags_to_contact(contact_id: int, tag_ids: Sequence[int]) -> None:
    """Give the contact these tags; those it has already stay as they are."""
    # WHERE true: without a WHERE, SQLite would read ON CONFLICT as the ON of a join.
    database.execute_sql(
        "INSERT INTO contact_tag (contact_id, tag_id)"
        f" SELECT ?, value FROM {json_list()} WHERE true ON CONFLICT DO NOTHING",
        (contact_id, json.dumps(list(tag_ids))),
    )


# ------------------------------------------------------------------------ many contacts


def unerased_without_tag(chosen_ids: Sequence[int], tag_id: int) -> list[int]:
    """Those of the chosen contacts, erased ones aside, that do not carry the tag."""
    return _ids(
        f"SELECT id FROM contact WHERE {chosen_unerased()} AND NOT EXISTS (SELECT 1 FROM"
        " contact_tag ct WHERE ct.contact_id = contact.id AND ct.tag_id = :tag)",
        {"chosen": json.dumps(list(chosen_ids)), "tag": tag_id},
    )


def unerased_with_tag(chosen_ids: Sequence[int], tag_id: int) -> list[int]:
    """Those of the chosen contacts, erased ones aside, that carry the tag."""
    return _ids(
        f"SELECT id FROM contact WHERE {chosen_unerased()} AND EXISTS (SELECT 1 FROM"
        " contact_tag ct WHERE ct.contact_id = contact.id AND ct.tag_id = :tag)",
        {"chosen": json.dumps(list(chosen_ids)), "tag": tag_id},
    )


def add_tag_to_contacts(tag_id: int, contact_ids: Sequence[int]) -> None:
    """Tag the contacts; none of them may carry the tag already."""
    database.execute_sql(
        f"INSERT INTO contact_tag (contact_id, tag_id) SELECT value, ? FROM {json_list()}",
        (tag_id, json.dumps(list(contact_ids))),
    )


def remove_tag_from_contacts(tag_id: int, contact_ids: Sequence[int]) -> None:
    """Take the tag off the contacts; the tag itself stays."""
    database.execute_sql(
        f"DELETE FROM contact_tag WHERE tag_id = ? AND contact_id {in_json_list()}",
        (tag_id, json.dumps(list(contact_ids))),
    )


def _ids(sql: str, params: dict[str, object]) -> list[int]:
    return [row[0] for row in database.execute_sql(sql, params)]
