"""The one audit writer: the app's connection or a bulk loader's cursor, readable JSON."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from relapp.db.audit import write_audit
from relapp.db.models import AuditLog, database

AT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_a_row_says_who_did_what_to_which_record_and_when(db):
    row_id = write_audit("contact edited", "contact", 7, {"fields": ["given_name"]}, AT, None)

    row = AuditLog.get_by_id(row_id)
    assert (row.action, row.entity, row.entity_id, row.staff_id) == (
        "contact edited",
        "contact",
        7,
        None,
    )
    assert row.occurred_at == AT
    assert json.loads(row.details) == {"fields": ["given_name"]}


def test_names_are_stored_as_written_not_as_escapes(db):
    row_id = write_audit("contact edited", "contact", 1, {"values": ["Zoë", "Zoe"]}, AT)

    stored = database.execute_sql("SELECT details FROM audit_log WHERE id = ?", (row_id,))
    assert "Zoë" in stored.fetchone()[0]


@pytest.mark.sqlite_only(reason="a bulk loader's own sqlite3 cursor")
def test_a_bulk_loader_writes_through_its_own_cursor(db, db_path):
    database.close()
    with closing(sqlite3.connect(db_path)) as other:
        cursor = other.cursor()
        write_audit(
            "demo shop created", "shop", None, {"as_of": "2026-12-05"}, AT, 1, cursor=cursor
        )
        other.commit()
        assert other.execute("SELECT action, entity, staff_id FROM audit_log").fetchall() == [
            ("demo shop created", "shop", 1)
        ]
