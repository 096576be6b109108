"""Schema 10: who a merged contact was merged into, as a column: contact.merged_into_id.

It was only in the audit log's "contacts merged" rows (details.merged_id), read with
json_extract on every question (is this contact merged? who was merged into this one?), a
scan of the log and SQLite-only JSON. The column is filled from those rows (the newest for a
contact merged twice, which a merge refuses today but an old shop may hold); the rows stay
as the record of what the merge did.

Frozen: later changes go in a new migration.
"""

from __future__ import annotations

from peewee import Database

DESCRIPTION = "contact.merged_into_id: the survivor a merged contact went into"

STATEMENTS = (
    "ALTER TABLE contact ADD COLUMN merged_into_id INTEGER"
    " REFERENCES contact (id) ON DELETE RESTRICT",
    # Who was merged into this contact: a handful of rows, found at once.
    "CREATE INDEX contact_merged_into ON contact (merged_into_id) WHERE merged_into_id IS NOT NULL",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
    db.execute_sql(
        "UPDATE contact SET merged_into_id = (SELECT a.entity_id FROM audit_log a"
        " WHERE a.action = 'contacts merged'"
        " AND json_extract(a.details, '$.merged_id') = contact.id"
        " ORDER BY a.id DESC LIMIT 1)"
        " WHERE id IN (SELECT json_extract(details, '$.merged_id') FROM audit_log"
        " WHERE action = 'contacts merged')"
    )
