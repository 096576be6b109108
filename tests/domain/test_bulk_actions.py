"""Bulk actions on a selection of contacts: counts, repeats, erased contacts, audit rows."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from relapp.db.models import AuditLog, Contact, ContactTag, Tag, database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import (
    MAX_NAMED_CONTACTS,
    BulkResult,
    archive_contacts,
    set_ladder_stage,
    tag_contacts,
    unarchive_contacts,
    untag_contacts,
)
from relapp.domain.contacts.editing import (
    EditConflict,
    all_tags,
    load_contact_details,
    save_contact_details,
)
from relapp.domain.contacts.search import search_contacts

LONG_AGO = utc_now() - timedelta(days=400)


def existing(given: str, **fields) -> int:
    return Contact.create(
        given_name=given, family_name="Baker", created_at=LONG_AGO, updated_at=LONG_AGO, **fields
    ).id


@pytest.fixture
def shop(db) -> dict[str, int]:
    contacts = {name: existing(name) for name in ("ann", "bea", "cal", "dan")}
    contacts["eve"] = existing("eve", erased_at=LONG_AGO)
    return contacts


def tagged(tag_name: str) -> set[int]:
    return {
        row.contact_id
        for row in ContactTag.select().join(Tag).where(Tag.name == tag_name)  # NOCASE column
    }


def audit(action: str) -> list[dict]:
    rows = AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)
    return [json.loads(row.details) for row in rows]


def test_tagging_counts_only_the_contacts_it_changes(shop):
    ann, bea, eve = shop["ann"], shop["bea"], shop["eve"]
    first = tag_contacts([ann, ann, 999], "VIP")
    assert first == BulkResult(
        1, Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({ann}))
    )

    second = tag_contacts(iter([ann, bea, eve]), "  vip ")  # the same tag, any case
    assert second.changed == 1 and second.change.contact_ids == {bea}
    assert tag_contacts([ann, bea], "VIP") == BulkResult(0, Change.of())  # idempotent
    assert tagged("VIP") == {ann, bea}
    assert [name for name, _ in all_tags()] == ["VIP"]
    assert audit("contacts tagged") == [
        {"tag": "VIP", "count": 1, "ids": [ann]},
        {"tag": "VIP", "count": 1, "ids": [bea]},
    ]


def test_a_tag_is_created_only_when_someone_gets_it(shop):
    assert tag_contacts([shop["eve"], 999], "Ghost") == BulkResult(0, Change.of())
    assert Tag.select().count() == 0
    assert audit("contacts tagged") == []


def test_untagging_leaves_the_tag_and_other_contacts(shop):
    ann, bea, cal = shop["ann"], shop["bea"], shop["cal"]
    tag_contacts([ann, bea, cal], "Bakery")
    result = untag_contacts([ann, bea, shop["dan"]], "BAKERY")
    assert result.changed == 2 and result.change.contact_ids == {ann, bea}
    assert result.change.touches(Entity.TAGS)
    assert untag_contacts([ann, bea], "Bakery").changed == 0
    assert untag_contacts([ann], "never made").changed == 0
    assert tagged("Bakery") == {cal}
    assert all_tags() == [("Bakery", 1)]
    assert audit("contacts untagged") == [{"tag": "Bakery", "count": 2, "ids": [ann, bea]}]


@pytest.mark.parametrize("name", ["", "   ", "\x00", "x" * 51, "y" * 200])
def test_a_bad_tag_name_is_refused_with_a_sentence(shop, name):
    with pytest.raises(ValueError, match=r"^A tag .*\.$"):
        tag_contacts([shop["ann"]], name)
    with pytest.raises(ValueError):
        untag_contacts([shop["ann"]], name)


def test_awkward_tag_names_are_just_text(shop):
    for name in ("😀 fans", "O'Brien's \"friends\"", "a; DROP TABLE tag;--"):
        assert tag_contacts([shop["ann"]], name).changed == 1
        assert tagged(name) == {shop["ann"]}


def test_ladder_stage(shop):
    ann, bea, eve = shop["ann"], shop["bea"], shop["eve"]
    set_ladder_stage([ann], "client")
    result = set_ladder_stage([ann, bea, eve], "client")
    assert result.changed == 1 and result.change.contact_ids == {bea}
    assert not result.change.touches(Entity.TAGS)
    assert set_ladder_stage([ann, bea], "client").changed == 0
    stages = dict(Contact.select(Contact.id, Contact.ladder_stage).tuples())
    assert (stages[ann], stages[bea], stages[eve]) == ("client", "client", "prospect")
    assert audit("contacts moved on the ladder")[-1] == {
        "stage": "client",
        "count": 1,
        "ids": [bea],
    }
    with pytest.raises(ValueError, match="not a stage of the loyalty ladder"):
        set_ladder_stage([ann], "VIP")


def test_archived_contacts_leave_search_and_come_back(shop):
    ann, bea = shop["ann"], shop["bea"]
    assert archive_contacts([ann, bea, shop["eve"]]).changed == 2
    assert {hit.id for hit in search_contacts("baker")} == {shop["cal"], shop["dan"]}
    assert {hit.id for hit in search_contacts("baker", include_archived=True)} >= {ann, bea}
    assert archive_contacts([ann, bea]).changed == 0

    result = unarchive_contacts([ann, shop["cal"]])
    assert result == BulkResult(1, Change.of(Entity.CONTACTS, contact_ids=frozenset({ann})))
    assert {hit.id for hit in search_contacts("baker")} == {ann, shop["cal"], shop["dan"]}
    assert [entry["ids"] for entry in audit("contacts archived")] == [[ann, bea]]
    assert [entry["ids"] for entry in audit("contacts unarchived")] == [[ann]]


def test_archiving_again_keeps_the_first_time(shop):
    ann, bea = shop["ann"], shop["bea"]
    first = LONG_AGO + timedelta(days=1)
    Contact.update(archived_at=first).where(Contact.id == ann).execute()
    assert archive_contacts([ann, bea]).changed == 1
    assert Contact.get_by_id(ann).archived_at == first
    assert Contact.get_by_id(bea).archived_at > first


def test_erased_contacts_are_never_touched(shop):
    eve = shop["eve"]
    before = database.execute_sql("SELECT * FROM contact WHERE id = ?", (eve,)).fetchone()
    tag_contacts([eve], "VIP")
    set_ladder_stage([eve], "partner")
    archive_contacts([eve])
    unarchive_contacts([eve])
    after = database.execute_sql("SELECT * FROM contact WHERE id = ?", (eve,)).fetchone()
    assert after == before
    assert tagged("VIP") == set()


def test_only_changed_contacts_are_marked_updated(shop):
    ann, bea = shop["ann"], shop["bea"]
    set_ladder_stage([ann], "prospect")  # already there
    tag_contacts([bea], "VIP")
    assert Contact.get_by_id(ann).updated_at == LONG_AGO
    assert Contact.get_by_id(bea).updated_at > LONG_AGO


@pytest.mark.parametrize(
    "action",
    [
        lambda ids: tag_contacts(ids, "VIP"),
        lambda ids: set_ladder_stage(ids, "client"),
        archive_contacts,
    ],
)
def test_an_open_editor_sees_a_bulk_change_as_a_conflict(shop, action):
    ann = shop["ann"]
    details = load_contact_details(ann)
    action([ann])
    with pytest.raises(EditConflict):
        save_contact_details(replace(details, notes="edited meanwhile"), "AU")


def test_many_thousands_of_ids_in_one_statement(db):
    # More ids than SQLite's limit of bound variables (32,766), most of them unknown.
    database.execute_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)"
        " INSERT INTO contact (given_name, created_at, updated_at) SELECT 'P' || i, ?, ? FROM n",
        ("2025-01-01 00:00:00", "2025-01-01 00:00:00"),
    )
    ids = range(1, 40_001)
    result = tag_contacts(ids, "everyone")
    assert result.changed == 1500
    assert result.change == Change.of(Entity.CONTACTS, Entity.TAGS)  # "possibly all"
    assert set_ladder_stage(ids, "customer").change.contact_ids == frozenset()
    few = range(1, MAX_NAMED_CONTACTS + 1)
    assert len(archive_contacts(few).change.contact_ids) == MAX_NAMED_CONTACTS
    assert untag_contacts(ids, "everyone").changed == 1500
    assert all_tags() == [("everyone", 0)]
    [entry] = audit("contacts tagged")
    assert entry["count"] == 1500 and len(entry["ids"]) == 1500


@pytest.mark.parametrize("bad", [["1"], [1.5], [None]])
def test_ids_must_be_integers(shop, bad):
    with pytest.raises(TypeError):
        archive_contacts(bad)


def test_a_merged_contact_stays_archived(db):
    from relapp.domain.contacts.merge import merge_contacts

    now = utc_now()
    kept = Contact.create(given_name="Ann", family_name="Lee", created_at=now, updated_at=now)
    shell = Contact.create(given_name="Ann", family_name="Lee", created_at=now, updated_at=now)
    merge_contacts(kept.id, shell.id)
    result = unarchive_contacts([shell.id])
    assert result.changed == 0
    assert Contact.get_by_id(shell.id).archived_at is not None
