"""Which contacts were merged into another, and into whom.

A merge (relapp.domain.merge) keeps the merged contact, archived, with contact.merged_into_id
naming the survivor (schema 10), and writes one audit log row ("contacts merged") telling what
it did.
"""

from __future__ import annotations

from relapp.db.models import database

MERGE_ACTION = "contacts merged"


def merged_into(contact_id: int) -> int | None:
    """The survivor this contact was merged into, or None if it never was."""
    row = database.execute_sql(
        "SELECT merged_into_id FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()
    return None if row is None else row[0]


def merged_contact_ids() -> frozenset[int]:
    """Every contact that has been merged into another."""
    rows = database.execute_sql("SELECT id FROM contact WHERE merged_into_id IS NOT NULL")
    return frozenset(row[0] for row in rows)


def merged_into_this(contact_id: int) -> list[int]:
    """The contacts merged straight into this one (not those merged into them), by id."""
    rows = database.execute_sql(
        "SELECT id FROM contact WHERE merged_into_id = ? ORDER BY id", (contact_id,)
    )
    return [row[0] for row in rows]
