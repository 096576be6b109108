"""Erasure in short steps: the ledger is searched for the person before the write lock is
taken, and the search index is optimised a few hundred pages per transaction; nothing
written meanwhile escapes the erasure, and no trace is left in the files."""

from __future__ import annotations

from relapp.domain.contacts import privacy
from relapp.domain.contacts.privacy import erase_person
from relapp.domain.loyalty.points import adjust_points
from tests.privacy.conftest import traces


def bystander_reasons(db, person) -> list[str]:
    rows = db.execute_sql(
        "SELECT reason FROM points_entry WHERE contact_id = ? ORDER BY id", (person.bystander_id,)
    )
    return [row[0] for row in rows]


def test_a_reason_naming_the_person_written_after_the_look_ahead_is_erased(
    person, db, db_path, monkeypatch
):
    look_ahead = privacy._look_ahead

    def then_another_counter_writes(contact_id: int):
        found = look_ahead(contact_id)
        assert found is not None and found.found  # the referral bonus and the adjustment
        adjust_points(person.bystander_id, 10, "Thanks to Zzyzxann for the tip", person.manager_id)
        return found

    monkeypatch.setattr(privacy, "_look_ahead", then_another_counter_writes)
    erase_person(person.id, person.manager_id)

    assert bystander_reasons(db, person) == ["Thanks to [erased] for the tip"]
    assert traces(db_path) == {}


def test_a_name_changed_after_the_look_ahead_is_searched_for_in_the_whole_ledger(
    person, db, db_path, monkeypatch
):
    adjust_points(person.bystander_id, 10, "Met Zzyzxbeth at the market", person.manager_id)
    look_ahead = privacy._look_ahead

    def then_renamed(contact_id: int):
        found = look_ahead(contact_id)
        db.execute_sql("UPDATE contact SET given_name = 'Zzyzxbeth' WHERE id = ?", (person.id,))
        return found

    monkeypatch.setattr(privacy, "_look_ahead", then_renamed)
    erase_person(person.id, person.manager_id)

    assert bystander_reasons(db, person) == ["Met [erased] at the market"]
    assert traces(db_path) == {}


def test_the_search_index_is_left_in_one_segment(person, db):
    erase_person(person.id, person.manager_id)
    segments = db.execute_sql("SELECT count(DISTINCT segid) FROM contact_search_idx").fetchone()
    assert segments == (1,)
