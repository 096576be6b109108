"""The audit log: who did what to which record, and when. Every part of the app writes it here.

details is JSON, written as readable text (ensure_ascii=False): "Zoë", not "Zo\\u00eb". Rows
written before kept their escapes; privacy erasure looks for a name both ways.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database

_INSERT = (
    "INSERT INTO audit_log (occurred_at, staff_id, action, entity, entity_id, details)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"
)


def write_audit(
    action: str,
    entity: str,
    entity_id: int | None,
    details: Mapping[str, object],
    at: datetime,
    staff_id: int | None = None,
    *,
    cursor: sqlite3.Cursor | None = None,
) -> int:
    """One row, in the caller's transaction; returns its id.

    entity: the kind of record ("contact", "interaction", "staff", "shop"); at: when (UTC);
    cursor: a bulk loader's own connection (the demo), else the app's.
    """
    values = (
        format_timestamp(at),
        staff_id,
        action,
        entity,
        entity_id,
        json.dumps(dict(details), ensure_ascii=False),
    )
    if cursor is not None:
        row = cursor.execute(_INSERT, values).fetchone()
    else:
        row = database.execute_sql(_INSERT, values).fetchone()
    return int(row[0])
