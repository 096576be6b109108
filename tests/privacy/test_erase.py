"""erase_person: nothing personal left in the database files, accounts unchanged, audited."""

from __future__ import annotations

import json
import sqlite3

import pytest

from relapp.db.models import database
from relapp.domain.contacts.privacy import (
    ERASE_ACTION,
    AlreadyErased,
    PersonNotFound,
    backups_holding,
    erase_person,
)
from relapp.domain.contacts.search import search_contacts
from relapp.domain.shop.staff import NotAllowed
from tests.privacy.conftest import ledger_totals, traces


def _backup(db, path):
    target = sqlite3.connect(path)
    try:
        db.connection().backup(target)
    finally:
        target.close()
    return path


def test_no_trace_of_the_person_is_left_in_the_database_files(person, db, db_path):
    assert traces(db_path)  # the scan does find them before
    result = erase_person(person.id, person.manager_id)
    assert result.checkpoint_complete
    assert set(result.erased_ids) == {person.id, person.shell_id}
    assert traces(db_path) == {}
    # Still nothing once the connection is closed and every file is final.
    db.close()
    assert traces(db_path) == {}


def test_amounts_points_and_ledger_totals_stay(person, db):
    before = ledger_totals()
    balance = db.execute_sql(
        "SELECT points_balance FROM contact WHERE id = ?", (person.id,)).fetchone()  # fmt: skip
    erase_person(person.id, person.manager_id)
    assert ledger_totals() == before
    after = db.execute_sql("SELECT points_balance FROM contact WHERE id = ?", (person.id,))
    assert after.fetchone() == balance
    rows = db.execute_sql(
        "SELECT kind, amount_cents, summary, details FROM interaction WHERE contact_id = ?"
        " ORDER BY id", (person.id,)).fetchall()  # fmt: skip
    assert [row[:2] for row in rows] == [("complaint", None), ("purchase", 12_345),
                                         ("purchase", 2_000), ("purchase", 5_000)]  # fmt: skip
    assert all(row[2:] == ("", "") for row in rows)


def test_the_ledger_stays_append_only(person, db):
    erase_person(person.id, person.manager_id)
    with pytest.raises(Exception, match="cannot be changed"):
        db.execute_sql("UPDATE points_entry SET reason = 'x'")


def test_the_contact_row_stays_emptied_and_out_of_search(person, db):
    erase_person(person.id, person.manager_id)
    row = db.execute_sql(
        "SELECT given_name, family_name, email, phone, card_number, notes, street, birth_day,"
        " erased_at, referred_by_id FROM contact WHERE id = ?",
        (person.id,),
    ).fetchone()
    assert row[:8] == ("", "", None, None, None, "", "", None)
    assert row[8] is not None and row[9] == person.referrer_id  # referrals stay as ids
    for table in ("preference", "social_handle", "consent", "consent_current", "contact_tag",
                  "task"):  # fmt: skip
        count = db.execute_sql(f"SELECT count(*) FROM {table} WHERE contact_id = ?",
                               (person.id,)).fetchone()[0]  # fmt: skip
        assert count == 0, table
    # VIP is someone else's tag too; the tag only she carried (it named her) is gone.
    assert db.execute_sql("SELECT name FROM tag").fetchall() == [("VIP",)]
    assert search_contacts("zzyzxann") == []
    assert search_contacts("0491570156") == []
    assert [hit.id for hit in search_contacts("Bystander")] == [person.bystander_id]


def test_the_erasure_is_audited_without_personal_data(person, db):
    erase_person(person.id, person.manager_id)
    rows = db.execute_sql("SELECT action, staff_id, entity_id, details FROM audit_log"
                          " ORDER BY id").fetchall()  # fmt: skip
    action, staff_id, entity_id, _ = rows[-1]
    assert (action, staff_id, entity_id) == (ERASE_ACTION, person.manager_id, person.id)
    for _, _, _, text in rows:
        assert "zzyzx" not in text.lower() and "491570156" not in text
    edited = [(row[2], json.loads(row[3])) for row in rows if row[0] == "contact edited"]
    theirs = next(details for contact_id, details in edited if contact_id == person.id)
    assert theirs["values"]["email"] == ["[erased]", "[erased]"]
    assert "email" in theirs["fields"]  # which fields changed stays
    bystanders = next(details for contact_id, details in edited
                      if contact_id == person.bystander_id)  # fmt: skip
    assert bystanders["values"]["tags"] == [[], ["VIP"]]  # someone else's row is untouched
    merged = next(json.loads(row[3]) for row in rows if row[0] == "contacts merged")
    assert merged["merged_id"] == person.shell_id and merged["choices"]["kind"] == "survivor"
    # Staff names in their own rows are not the customer's: they stay.
    assert any("Morgan Manager" in row[3] for row in rows)


def test_reasons_naming_the_person_on_other_ledgers_are_cleaned(person, db):
    [(reason,)] = db.execute_sql("SELECT reason FROM points_entry WHERE contact_id = ?",
                                 (person.referrer_id,)).fetchall()  # fmt: skip
    assert "Zzyzxann" in reason
    erase_person(person.id, person.manager_id)
    [(reason,)] = db.execute_sql("SELECT reason FROM points_entry WHERE contact_id = ?",
                                 (person.referrer_id,)).fetchall()  # fmt: skip
    assert reason.startswith("Referral bonus: [erased]")


def test_backups_holding_the_person_are_listed(person, db, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    holding = _backup(db, folder / "relapp-20261122T0700.db")
    (folder / "relapp-broken.db").write_bytes(b"not a database at all" * 100)
    cursor = db.execute_sql("SELECT * FROM contact WHERE id = ?", (person.id,))
    original = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    result = erase_person(person.id, person.manager_id, folder)
    assert result.backups_holding == [holding]
    assert result.unreadable_backups == [folder / "relapp-broken.db"]
    # A backup made after the erasure does not hold them; the old one still does.
    _backup(db, folder / "relapp-20261123T0700.db")
    assert backups_holding([original], folder)[0] == [holding]
    # The same id in another shop's backup, with someone else's name, is not them.
    other_shop = sqlite3.connect(folder / "relapp-othershop.db")
    other_shop.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, given_name, family_name,"
                       " email, phone, erased_at)")  # fmt: skip
    other_shop.execute("INSERT INTO contact VALUES (?, 'Someone', 'Else', NULL, NULL, NULL)",
                       (person.id,))  # fmt: skip
    other_shop.commit()
    other_shop.close()
    assert backups_holding([original], folder)[0] == [holding]


def test_erasing_twice_or_an_unknown_customer_is_refused(person):
    erase_person(person.id, person.manager_id)
    with pytest.raises(AlreadyErased, match=f"Customer number {person.id} was already erased"):
        erase_person(person.id, person.manager_id)
    with pytest.raises(PersonNotFound, match=r"There is no customer number 999\."):
        erase_person(999, person.manager_id)


def test_only_a_manager_may_erase_in_the_app(person, db):
    with pytest.raises(NotAllowed, match="Only a manager"):
        erase_person(person.id, person.counter_id)
    with pytest.raises(NotAllowed):
        erase_person(person.id, None)
    assert db.execute_sql("SELECT erased_at FROM contact WHERE id = ?",
                          (person.id,)).fetchone() == (None,)  # fmt: skip
    assert erase_person(person.id, None, as_owner=True).contact_id == person.id


def test_another_reader_makes_the_checkpoint_incomplete_and_says_so(person, db, db_path):
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM contact").fetchone()
        result = erase_person(person.id, person.manager_id)
    finally:
        reader.close()
    assert not result.checkpoint_complete
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert traces(db_path) == {}


def test_searching_free_text_for_a_term_treats_like_wildcards_as_letters():
    from relapp.db.store.privacy import _mentioning

    condition, params = _mentioning("reason", ["ann_smith%", "Zoë"])
    texts = ["Gift from ANN_SMITH% today", "annXsmithY", "ann_smith", "zoë's bonus", "ZOË"]
    with sqlite3.connect(":memory:") as connection:
        connection.execute("CREATE TABLE entry (reason TEXT)")
        connection.executemany("INSERT INTO entry VALUES (?)", [(text,) for text in texts])
        found = connection.execute(f"SELECT reason FROM entry WHERE {condition}", params)
        # As SQLite's lower(): ASCII letters match in any case, others as written.
        assert [row[0] for row in found] == ["Gift from ANN_SMITH% today", "zoë's bonus"]
