"""Which contacts were merged into another, and into whom.

A merge (relapp.domain.merge) keeps the merged contact, archived, and writes one audit log row
("contacts merged") naming both; that row is the record read here.
"""

from __future__ import annotations

from relapp.db.models import database

MERGE_ACTION = "contacts merged"


def merged_into(contact_id: int) -> int | None:
    """The survivor this contact was merged into, or None if it never was."""
    row = database.execute_sql(
        "SELECT entity_id FROM audit_log WHERE action = ?"
        " AND json_extract(details, '$.merged_id') = ? ORDER BY id DESC LIMIT 1",
        (MERGE_ACTION, contact_id),
    ).fetchone()
    return None if row is None else row[0]


def merged_contact_ids() -> frozenset[int]:
    """Every contact that has been merged into another (one pass over the audit log)."""
    rows = database.execute_sql(
        "SELECT json_extract(details, '$.merged_id') FROM audit_log WHERE action = ?",
        (MERGE_ACTION,),
    )
    return frozenset(row[0] for row in rows)
