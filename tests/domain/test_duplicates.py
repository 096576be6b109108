"""Finding likely duplicate contacts, strongest evidence first, and dismissing false ones."""

from __future__ import annotations

import json

import pytest

from relapp.db.models import AuditLog, Contact
from relapp.domain.clock import utc_now
from relapp.domain.duplicates import (
    MAX_GROUP_SIZE,
    SAME_EMAIL,
    SAME_NAME,
    SAME_PHONE,
    DuplicateSearchCancelled,
    dismiss_pair,
    dismissed_pairs,
    find_duplicate_pairs,
    name_key,
)
from relapp.domain.merge import merge_contacts
from relapp.domain.phones import parse_phone


def person(given_name="", family_name="", phone=None, **fields) -> Contact:
    now = utc_now()
    if phone:
        parsed = parse_phone(phone, "AU")
        fields.update(phone=parsed.e164, phone_national=parsed.national_digits)
    return Contact.create(
        given_name=given_name, family_name=family_name, created_at=now, updated_at=now, **fields
    )


def found() -> dict[tuple[int, int], tuple[str, ...]]:
    return {pair.ids: pair.reasons for pair in find_duplicate_pairs()}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Zoë", "O'Brien"), ("zoe", "o'brien")),
        (("  José  María ", "Núñez"), ("JOSE MARIA", "NUNEZ")),
        (("Straße", "Ærø"), ("STRASSE", "AERO")),
        (("Barış", "Łukasz"), ("Baris", "lukasz")),
        (("ﬁona", "Lee"), ("Fiona", "Lee")),
    ],
)
def test_names_match_across_case_accents_and_spaces(first, second):
    assert name_key(*first) == name_key(*second) is not None


def test_a_name_needs_both_parts_and_order_matters():
    assert name_key("Ann", "") is None
    assert name_key(" ", "Lee") is None
    assert name_key("Ann", "Lee") != name_key("Lee", "Ann")


def test_same_phone_email_and_name_are_found_with_their_reasons(db):
    ann = person("Ann", "Lee", phone="0412 345 678", email="ann@example.com")
    ann_again = person("Anne", "Lee", phone="+61 412 345 678")
    zoe = person("Zoë", "O'Brien", email="Zoe@Example.com")
    zoe_again = person("ZOE", "o'brien", email="zoe@example.COM")
    bo = person("Bø", "Ström")
    bo_again = person("bo", "strom ")
    person("Unrelated", "Person", phone="0400 000 000", email="someone@example.com")

    assert found() == {
        (ann.id, ann_again.id): (SAME_PHONE,),
        (zoe.id, zoe_again.id): (SAME_EMAIL, SAME_NAME),
        (bo.id, bo_again.id): (SAME_NAME,),
    }


def test_pairs_come_strongest_first_and_describe_both_contacts(db):
    name_only = (person("Kim", "Park"), person("kim", "park"))
    phone_only = (person("A", "One", phone="0411 111 111"), person("B", "Two", phone="0411111111"))
    everything = (
        person("Cy", "Wu", phone="0422 222 222", email="cy@example.com", card_number="1234"),
        person("Cy", "Wu", phone="0422 222 222", email="CY@example.com", archived_at=utc_now()),
    )

    pairs = find_duplicate_pairs()

    assert [pair.ids for pair in pairs] == [
        (everything[0].id, everything[1].id),
        (phone_only[0].id, phone_only[1].id),
        (name_only[0].id, name_only[1].id),
    ]
    first = pairs[0]
    assert first.reasons == (SAME_PHONE, SAME_EMAIL, SAME_NAME)
    assert (first.first.name, first.first.phone, first.first.card_number) == (
        "Cy Wu",
        "+61422222222",
        "1234",
    )
    assert (first.second.email, first.second.archived) == ("CY@example.com", True)
    assert [pair.ids for pair in find_duplicate_pairs(limit=2)] == [p.ids for p in pairs[:2]]


def test_a_name_shared_by_two_comes_before_one_shared_by_three(db):
    kims = [person("Kim", "Park") for _ in range(3)]
    lus = [person("Lu", "Wei") for _ in range(2)]
    assert [pair.ids for pair in find_duplicate_pairs(limit=2)] == [
        (lus[0].id, lus[1].id),
        (kims[0].id, kims[1].id),
    ]
    assert len(find_duplicate_pairs()) == 4


def test_erased_contacts_are_left_out_and_archived_ones_kept(db):
    ann = person("Ann", "Lee", phone="0412 345 678")
    person("Ann", "Lee", phone="0412 345 678", erased_at=utc_now())
    archived = person("Ann", "Lee", phone="0412 345 678", archived_at=utc_now())
    assert found() == {(ann.id, archived.id): (SAME_PHONE, SAME_NAME)}


def test_a_value_shared_by_too_many_contacts_is_no_evidence(db):
    crowd = [person(f"Walk{n}", "In", phone="0400 000 000") for n in range(MAX_GROUP_SIZE + 1)]
    pair = [person("Max", "Mustermann") for _ in range(2)]
    assert crowd
    assert found() == {(pair[0].id, pair[1].id): (SAME_NAME,)}


def test_a_dismissed_pair_does_not_come_back(db):
    ann = person("Ann", "Lee", phone="0412 345 678")
    other_ann = person("Ann", "Lee", email="ann.lee@example.com")
    bo = person("Bo", "Li", phone="0499 999 999")
    bo_again = person("Bo", "Li", phone="0499 999 999")

    change = dismiss_pair(other_ann.id, ann.id)
    dismiss_pair(ann.id, other_ann.id)  # twice is once

    assert change.contact_ids == {ann.id, other_ann.id}
    assert dismissed_pairs() == {(ann.id, other_ann.id)}
    assert found() == {(bo.id, bo_again.id): (SAME_PHONE, SAME_NAME)}
    audit = AuditLog.get(AuditLog.action == "duplicate dismissed")
    assert json.loads(audit.details) == {"contact_ids": [ann.id, other_ann.id]}


def test_dismissals_accumulate_and_leave_the_shop_settings_alone(db):
    from relapp.domain.settings import load_settings, save_settings

    save_settings(shop_name="Corner Shop")
    dismiss_pair(1, 2)
    dismiss_pair(5, 3)
    assert dismissed_pairs() == {(1, 2), (3, 5)}
    assert load_settings().shop_name == "Corner Shop"


def test_a_merged_contact_is_no_longer_suggested(db):
    ann = person("Ann", "Lee", phone="0412 345 678")
    ann_again = person("Ann", "Lee", phone="0412 345 678")
    ann_thrice = person("ANN", "LEE")
    merge_contacts(ann.id, ann_again.id)
    assert found() == {(ann.id, ann_thrice.id): (SAME_NAME,)}


def test_progress_is_reported_and_the_search_can_be_cancelled(db, monkeypatch):
    import relapp.domain.duplicates as duplicates

    monkeypatch.setattr(duplicates, "PROGRESS_EVERY", 2)
    for n in range(6):
        person(f"P{n}", "Same")
    reports: list[tuple[int, int]] = []
    find_duplicate_pairs(progress=lambda done, total: reports.append((done, total)))
    assert reports == [(2, 6), (4, 6), (6, 6), (6, 6)]  # each contact is folded once

    with pytest.raises(DuplicateSearchCancelled):
        find_duplicate_pairs(cancelled=lambda: True)
    calls = iter([False, False, True])  # cancelled during the name pass
    with pytest.raises(DuplicateSearchCancelled):
        find_duplicate_pairs(cancelled=lambda: next(calls, True))
    # The connection is usable afterwards.
    assert find_duplicate_pairs() == []


def test_on_a_demo_shop_every_pair_shares_what_it_claims(demo_db):
    person("Copy", "Cat", phone="0412 345 678")
    person("Copy", "Cat", phone="0412 345 678")
    pairs = find_duplicate_pairs()
    assert pairs
    for pair in pairs:
        first, second = Contact.get_by_id(pair.first.id), Contact.get_by_id(pair.second.id)
        assert pair.first.id < pair.second.id
        if SAME_PHONE in pair.reasons:
            assert first.phone == second.phone
        if SAME_EMAIL in pair.reasons:
            assert first.email.lower() == second.email.lower()
        is_same_name = name_key(first.given_name, first.family_name) == name_key(
            second.given_name, second.family_name
        )
        assert (SAME_NAME in pair.reasons) == is_same_name
