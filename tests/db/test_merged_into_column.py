"""contact.merged_into_id (schema 10): a merge sets it; an older shop's merges, known only
from the audit log, fill it when the shop is opened."""

from __future__ import annotations

import json

from peewee import SqliteDatabase

from relapp.db import connection
from relapp.db.connection import open_database
from relapp.db.models import Contact, database
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.contacts.merged_records import merged_contact_ids, merged_into, merged_into_this
from tests.factories import add_contact

STAMP = "2026-06-01 10:00:00"


def test_a_merge_names_the_survivor_on_the_merged_contact(db):
    ann = add_contact("Ann", "Lee", email="ann@example.com")
    copy = add_contact("Ann", "Lee", email="ann.lee@example.com")

    merge_contacts(ann.id, copy.id)

    assert Contact.get_by_id(copy.id).merged_into_id == ann.id
    assert Contact.get_by_id(ann.id).merged_into_id is None
    assert (merged_into(copy.id), merged_into_this(ann.id)) == (ann.id, [copy.id])
    assert merged_contact_ids() == {copy.id}


def test_an_older_shops_merges_are_read_from_its_audit_log(tmp_path):
    path = tmp_path / "older.db"
    old = SqliteDatabase(str(path), pragmas=connection.connection_pragmas())
    old.connect()
    connection.migrate_database(old, path, target=9)
    for number, name in enumerate(("Ann", "Ann copy", "Ann third", "Bob"), start=1):
        old.execute_sql(
            "INSERT INTO contact (id, given_name, archived_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (number, name, STAMP if number in (2, 3) else None, STAMP, STAMP),
        )
    # 3 was merged into 2, then 2 into 1 (a merge of a merged contact, before the rules).
    for survivor, merged in ((2, 3), (1, 2)):
        old.execute_sql(
            "INSERT INTO audit_log (occurred_at, action, entity, entity_id, details)"
            " VALUES (?, 'contacts merged', 'contact', ?, ?)",
            (STAMP, survivor, json.dumps({"merged_id": merged})),
        )
    old.close()

    open_database(path)

    rows = database.execute_sql("SELECT id, merged_into_id FROM contact ORDER BY id").fetchall()
    assert rows == [(1, None), (2, 1), (3, 2), (4, None)]
    database.close()
