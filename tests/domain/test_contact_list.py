"""The contacts table's domain: filters, sort orders, pages and saved segments."""

from __future__ import annotations

import json

import pytest

from relapp.db.migrations import m0004_contact_list
from relapp.db.models import Consent, Contact, ContactTag, Segment, Tag, Tier, database
from relapp.domain.clock import utc_now
from relapp.domain.contacts.listing import (
    STAGE_RANK_SQL,
    ContactFilter,
    ContactQuery,
    DamagedSegment,
    SortKey,
    UnknownSegment,
    contact_ids_page,
    contact_rows,
    count_contacts,
    delete_segment,
    filter_choices,
    save_segment,
    segment_filter,
)
from relapp.errors import RelappError


def add(given, family, **fields) -> Contact:
    now = fields.pop("created_at", utc_now())
    return Contact.create(
        given_name=given, family_name=family, created_at=now, updated_at=now, **fields
    )


@pytest.fixture
def shop(db):
    gold = Tier.create(name="Gold", min_spend_cents=100_000)
    vip = Tag.create(name="VIP")
    people = {
        "ann": add("Ann", "Lee", ladder_stage="client", points_balance=0, card_number="2222"),
        "bob": add("Bob", "Adams", ladder_stage="advocate", tier=gold),
        "cy": add("Cy", "Zhu", ladder_stage="prospect", card_number="1111"),
        "old": add("Olga", "Old", archived_at=utc_now()),
        "gone": add("Eric", "Erased", erased_at=utc_now()),
    }
    ContactTag.create(contact=people["ann"], tag=vip)
    ContactTag.create(contact=people["old"], tag=vip)
    now = utc_now()
    Consent.create(contact=people["ann"], channel="email", granted=True, occurred_at=now)
    Consent.create(contact=people["bob"], channel="email", granted=True, occurred_at=now)
    later = now.replace(year=now.year + 1)
    Consent.create(contact=people["bob"], channel="email", granted=False, occurred_at=later)
    return people


def names(query: ContactQuery) -> list[str]:
    return [row.name for row in contact_rows(contact_ids_page(query, 0, 100))]


def test_the_default_list_is_active_contacts_by_family_name(shop):
    assert names(ContactQuery()) == ["Bob Adams", "Ann Lee", "Cy Zhu"]
    assert count_contacts(ContactFilter()) == 3


@pytest.mark.parametrize(
    ("contact_filter", "expected"),
    [
        (ContactFilter(archived="archived"), ["Olga Old"]),
        (ContactFilter(archived="all"), ["Bob Adams", "Ann Lee", "Olga Old", "Cy Zhu"]),
        (ContactFilter(tags=("vip",)), ["Ann Lee"]),
        (ContactFilter(tags=("VIP",), archived="all"), ["Ann Lee", "Olga Old"]),
        (ContactFilter(stages=("prospect", "advocate")), ["Bob Adams", "Cy Zhu"]),
        (ContactFilter(tiers=("gold",)), ["Bob Adams"]),
        (ContactFilter(consent="email"), ["Ann Lee"]),  # Bob withdrew later
        (ContactFilter(text="zh"), ["Cy Zhu"]),
        (ContactFilter(text='"); DROP TABLE contact; --'), []),
        (ContactFilter(tags=("nobody has this",)), []),
    ],
)
def test_filters(shop, contact_filter, expected):
    assert names(ContactQuery(contact_filter)) == expected
    assert count_contacts(contact_filter) == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (SortKey.CARD, ["Bob Adams", "Cy Zhu", "Ann Lee"]),  # no card first
        (SortKey.STAGE, ["Cy Zhu", "Ann Lee", "Bob Adams"]),  # prospect < client < advocate
        (SortKey.TIER, ["Ann Lee", "Cy Zhu", "Bob Adams"]),
    ],
)
def test_sort_orders_and_their_reverse(shop, sort, expected):
    assert names(ContactQuery(sort=sort)) == expected
    assert names(ContactQuery(sort=sort, descending=True)) == expected[::-1]


def test_pages_cover_the_list_once_in_order(db):
    for number in range(250):
        add(f"Given{number:03d}", f"Family{number % 17:02d}")
    query = ContactQuery()
    pages = [contact_ids_page(query, offset, 40) for offset in range(0, 250, 40)]
    flat = [contact_id for page in pages for contact_id in page]
    assert len(flat) == len(set(flat)) == 250
    expected = [
        row[0]
        for row in database.execute_sql(
            "SELECT id FROM contact ORDER BY family_name, given_name, id"
        )
    ]
    assert flat == expected
    assert contact_ids_page(query, 10_000, 40) == []


def test_rows_show_tier_tags_and_last_visit(shop):
    (ann,) = contact_rows([shop["ann"].id])
    assert (ann.tags, ann.card_number, ann.archived) == (("VIP",), "2222", False)
    (bob,) = contact_rows([shop["bob"].id])
    assert (bob.tier, bob.last_visit, bob.tags) == ("Gold", None, ())


@pytest.mark.sqlite_only(reason="SQLite's EXPLAIN QUERY PLAN")
def test_every_sort_order_is_served_by_its_covering_index(shop):
    for sort in SortKey:
        sql_order = {"stage": STAGE_RANK_SQL}.get(sort.value)
        plan = " ".join(
            str(row[-1])
            for row in database.execute_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM contact WHERE erased_at IS NULL"
                f" AND archived_at IS NULL ORDER BY {sql_order or _first_column(sort)}, id"
                " LIMIT 10 OFFSET 5"
            )
        )
        assert f"COVERING INDEX contact_by_{sort.value}" in plan, plan
        assert "TEMP B-TREE" not in plan


def _first_column(sort: SortKey) -> str:
    return m0004_contact_list._SORT_INDEXES[sort.value].split(", id")[0]


def test_the_stage_index_and_the_query_use_the_same_expression():
    assert m0004_contact_list._STAGE_RANK == STAGE_RANK_SQL


def test_segments_save_list_use_and_delete(shop):
    save_segment("  VIP   fans ", ContactFilter(tags=("VIP",), archived="all"))
    assert list(filter_choices().segments) == ["VIP fans"]
    stored = json.loads(Segment.get().filter)
    assert stored == {"tags": ["VIP"], "archived": "all"}
    assert segment_filter("vip FANS") == ContactFilter(tags=("VIP",), archived="all")
    in_segment = ContactFilter(segment="VIP fans", stages=("client",))
    assert names(ContactQuery(in_segment)) == ["Ann Lee"]

    save_segment("VIP fans", ContactFilter(stages=("prospect",)))  # replaces
    assert list(filter_choices().segments) == ["VIP fans"]
    assert names(ContactQuery(ContactFilter(segment="VIP fans"))) == ["Cy Zhu"]

    delete_segment("VIP fans")
    assert filter_choices().segments == ()
    with pytest.raises(UnknownSegment, match="VIP fans"):
        count_contacts(ContactFilter(segment="VIP fans"))


def test_a_segment_a_competition_is_limited_to_is_kept_with_one_sentence(db):
    from datetime import date

    from relapp.domain.listening.competitions import Draft, save_competition

    save_segment("VIP fans", ContactFilter(tags=("VIP",)))
    draft = Draft("Spring hamper", date(2026, 3, 1), date(2026, 3, 31), eligibility="segment",
                  segment="VIP fans")  # fmt: skip
    save_competition(draft, as_owner=True)
    with pytest.raises(RelappError, match="The segment VIP fans decides who may enter Spring"):
        delete_segment("vip fans")
    assert list(filter_choices().segments) == ["VIP fans"]


def test_the_demo_segments_read_back(demo_db):
    assert list(filter_choices().segments) == [
        "Email newsletter",
        "Gold tier",
        "VIP customers",
    ]
    vip_tagged = database.execute_sql(
        "SELECT count(*) FROM contact_tag JOIN tag ON tag.id = tag_id JOIN contact c"
        " ON c.id = contact_id WHERE tag.name = 'VIP' AND c.archived_at IS NULL"
    ).fetchone()[0]
    assert count_contacts(ContactFilter(segment="VIP customers")) == vip_tagged > 0
    assert count_contacts(ContactFilter(segment="Email newsletter")) > 0


def test_a_damaged_segment_says_so(db):
    now = utc_now()
    Segment.create(name="Odd", filter='{"stages": ["emperor"]}', created_at=now, updated_at=now)
    with pytest.raises(DamagedSegment, match="emperor"):
        segment_filter("Odd")


def test_a_stored_filter_ignores_keys_from_a_newer_version():
    assert ContactFilter.from_json('{"tags": ["a"], "future": 1}') == ContactFilter(tags=("a",))


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81])
def test_segment_names_are_checked(db, bad):
    with pytest.raises(ValueError):
        save_segment(bad, ContactFilter())


def test_filter_choices_list_tags_and_tiers(shop):
    choices = filter_choices()
    assert (choices.tags, choices.tiers) == (("VIP",), ("Gold",))


def test_a_page_from_the_far_end_is_the_same_page(db):
    for number in range(57):
        add(
            f"G{number:02d}", f"F{number % 5}", card_number=None if number % 4 else f"9{number:04d}"
        )
    for sort in SortKey:
        for descending in (False, True):
            query = ContactQuery(sort=sort, descending=descending)
            whole = contact_ids_page(query, 0, 100)
            for offset in (0, 20, 29, 30, 50, 56):
                assert contact_ids_page(query, offset, 10, total=57) == whole[offset : offset + 10]


def test_current_consent_follows_the_latest_event_whatever_happens_to_the_log(shop):
    def consenting():
        return names(ContactQuery(ContactFilter(consent="email")))

    ann, cy = shop["ann"], shop["cy"]
    assert consenting() == ["Ann Lee"]
    withdrawal = Consent.create(
        contact=ann, channel="email", granted=False, occurred_at=utc_now().replace(year=2099)
    )
    assert consenting() == []
    Consent.create(contact=ann, channel="email", granted=True, occurred_at=utc_now())
    assert consenting() == []  # an older event recorded late does not win
    withdrawal.delete_instance()
    assert consenting() == ["Ann Lee"]
    Consent.update(contact=cy).where(Consent.contact == ann).execute()  # as a merge does
    assert consenting() == ["Cy Zhu"]
