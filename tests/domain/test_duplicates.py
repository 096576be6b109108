"""Finding likely duplicate contacts, strongest evidence first, and dismissing false ones."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapp.db.models import AuditLog, Contact, Setting
from relapp.domain.clock import utc_now
from relapp.domain.contacts.duplicates import (
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
from relapp.domain.contacts.merge import merge_contacts
from tests.factories import add_contact as person


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
    from relapp.domain.shop.settings import load_settings, save_settings

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
    import relapp.domain.contacts.duplicates as duplicates

    monkeypatch.setattr(duplicates, "CHECK_EVERY", 2)
    for n in range(6):
        person(f"P{n}", "Same", phone="0412 345 678" if n < 2 else None)
    reports: list[tuple[int, int]] = []
    find_duplicate_pairs(progress=lambda done, total: reports.append((done, total)))
    # Phones, emails, then the name pass in steps of 2 of the 6 contacts.
    assert reports == [(0, 100), (10, 100), (30, 100), (53, 100), (76, 100), (100, 100), (100, 100)]

    with pytest.raises(DuplicateSearchCancelled):
        find_duplicate_pairs(cancelled=lambda: True)
    seen: list[int] = []
    with pytest.raises(DuplicateSearchCancelled):
        find_duplicate_pairs(
            progress=lambda done, total: seen.append(done),
            cancelled=lambda: seen[-1] > 50,  # during the name pass
        )
    assert seen == [0, 10, 30, 53]
    # The connection is usable afterwards.
    assert [pair.reasons for pair in find_duplicate_pairs()] == [(SAME_PHONE,)]


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


def test_a_crowded_phone_or_email_is_no_evidence_but_a_common_name_backs_one_up(db, monkeypatch):
    import relapp.domain.contacts.duplicates as duplicates

    monkeypatch.setattr(duplicates, "MAX_GROUP_SIZE", 3)
    shop_phone = "0400 000 000"
    walk_ins = [person(f"Walk{n}", "In", phone=shop_phone) for n in range(3)]
    pat = person("Pat", "Kim", phone=shop_phone, email="pat@example.com")
    pat_again = person("Pat", "Kim", email="PAT@example.com")
    family = [person(f"Kid{n}", "Ng", email="ngs@example.com") for n in range(4)]
    twins = [person("Max", "Lund", phone="0411 111 111", email="ngs@example.com")]
    twins.append(person("Max", "Lund", phone="0411 111 111"))
    extra_max = [person("Max", "Lund") for _ in range(3)]

    assert walk_ins and family and extra_max
    assert found() == {
        (twins[0].id, twins[1].id): (SAME_PHONE, SAME_NAME),
        (pat.id, pat_again.id): (SAME_EMAIL, SAME_NAME),
    }


def test_the_limit_keeps_the_strongest_pairs_whichever_pass_finds_them(db):
    phone_only = [person(f"P{n}", "Pax", phone="0411 111 111") for n in range(2)]
    email_and_name = [person("Cy", "Wu", email="cy@example.com") for _ in range(2)]
    email_by_two = [person(f"E{n}", "Eck", email="e@example.com") for n in range(2)]
    email_by_three = [person(f"G{n}", "Gee", email="g@example.com") for n in range(3)]
    ids = lambda contacts: tuple(c.id for c in contacts)  # noqa: E731

    best = [
        ids(email_and_name),
        ids(phone_only),
        ids(email_by_two),
        ids(email_by_three[:2]),
        ids(email_by_three[::2]),
        ids(email_by_three[1:]),
    ]
    assert [pair.ids for pair in find_duplicate_pairs()] == best
    for limit in range(1, 7):
        assert [pair.ids for pair in find_duplicate_pairs(limit=limit)] == best[:limit]


# A brute-force statement of the rules, to check the staged search against.
def expected_pairs(contacts: list[Contact], cap: int, dismissed: set) -> list[tuple]:
    from collections import Counter
    from itertools import combinations

    phones = Counter(c.phone for c in contacts if c.phone)
    emails = Counter(c.email.lower() for c in contacts if c.email)
    live = [c for c in contacts if c.erased_at is None]
    names = Counter(name_key(c.given_name, c.family_name) for c in live)
    live_phones = Counter(c.phone for c in live if c.phone)
    live_emails = Counter(c.email.lower() for c in live if c.email)
    tiers = [
        (SAME_PHONE, SAME_EMAIL, SAME_NAME),
        (SAME_PHONE, SAME_EMAIL),
        (SAME_PHONE, SAME_NAME),
        (SAME_EMAIL, SAME_NAME),
        (SAME_PHONE,),
        (SAME_EMAIL,),
        (SAME_NAME,),
    ]
    ranked = []
    for a, b in combinations(sorted(live, key=lambda c: c.id), 2):
        if (a.id, b.id) in dismissed:
            continue
        phone = a.phone is not None and a.phone == b.phone and phones[a.phone] <= cap
        email = (
            a.email is not None
            and b.email is not None
            and a.email.lower() == b.email.lower()
            and emails[a.email.lower()] <= cap
        )
        key = name_key(a.given_name, a.family_name)
        name = key is not None and key == name_key(b.given_name, b.family_name)
        if not (phone or email or (name and names[key] <= cap)):
            continue
        reasons = tuple(r for r, hit in ((SAME_PHONE, phone), (SAME_EMAIL, email),
                                         (SAME_NAME, name)) if hit)  # fmt: skip
        if phone:
            size = live_phones[a.phone]
        elif email:
            size = live_emails[a.email.lower()]
        else:
            size = names[key]
        ranked.append(((tiers.index(reasons), size, (a.id, b.id)), reasons))
    return [(rank[2], reasons) for rank, reasons in sorted(ranked)]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from([None, "0411 111 111", "0422 222 222"]),
            st.sampled_from([None, "a@example.com", "A@Example.com", "b@example.com"]),
            st.sampled_from(
                [("Ann", "Lee"), ("ÅNN", "lee"), ("Bo", "Li"), ("Bo", ""), ("Cy", "Wu")]
            ),
            st.booleans(),
        ),
        min_size=2,
        max_size=12,
    ),
    erased=st.sets(st.integers(0, 11), max_size=2),
    dismissed=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=2),
    limit=st.integers(1, 12),
)
def test_the_staged_search_finds_exactly_the_best_pairs(
    db, monkeypatch, people, erased, dismissed, limit
):
    import relapp.domain.contacts.duplicates as duplicates

    monkeypatch.setattr(duplicates, "MAX_GROUP_SIZE", 3)
    Setting.delete().execute()
    Contact.delete().execute()
    contacts = [
        person(given, family, phone=phone, email=email,
               erased_at=utc_now() if number in erased else None,
               archived_at=utc_now() if archived else None)
        for number, (phone, email, (given, family), archived) in enumerate(people)
    ]  # fmt: skip
    for first, second in dismissed:
        if first < len(contacts) and second < len(contacts) and first != second:
            dismiss_pair(contacts[first].id, contacts[second].id)
    ignored = dismissed_pairs()

    got = [(pair.ids, pair.reasons) for pair in find_duplicate_pairs(limit=limit)]

    assert got == expected_pairs(contacts, 3, ignored)[:limit]


def test_emails_compare_as_the_index_does_ascii_case_only(db):
    first = person("Ünal", "Kaya", phone="0412 345 678", email="Ünal@Example.com")
    second = person("Unal", "Kaya", phone="0412 345 678", email="Ünal@example.COM")
    third = person("Ünal", "Kaya", phone="0412 345 678", email="ünal@example.com")
    assert found() == {
        (first.id, second.id): (SAME_PHONE, SAME_EMAIL, SAME_NAME),
        (first.id, third.id): (SAME_PHONE, SAME_NAME),
        (second.id, third.id): (SAME_PHONE, SAME_NAME),
    }
