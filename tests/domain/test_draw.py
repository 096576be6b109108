"""The prize draw's pure algorithm (relapp.domain.listening.draw): which entries count, the
winners, and that running it again always agrees; no database."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from relapp.domain.listening.draw import (
    ERASED,
    EXCLUSION_REASONS,
    NOT_ELIGIBLE,
    OUTSIDE_DATES,
    OVER_LIMIT,
    ROUTE_NOT_ALLOWED,
    DrawRules,
    EntryFacts,
    draw_winners,
    entry_key,
    sort_entries,
)

START, END = date(2026, 4, 1), date(2026, 4, 30)
RULES = DrawRules(START, END, frozenset({"counter", "paper"}), limit_per_person=2)


def entry(id_: int, person: int | None = 1, route: str = "counter", day: date = START,
          erased: bool = False, eligible: bool = True) -> EntryFacts:  # fmt: skip
    return EntryFacts(id_, person, route, day, erased, eligible)


def test_the_key_is_sha256_of_seed_colon_entry_in_hex():
    assert entry_key("abc", 12) == hashlib.sha256(b"abc:12").hexdigest()
    assert entry_key("zoë", 1) == hashlib.sha256("zoë:1".encode()).hexdigest()


def test_a_known_draw_by_hand():
    # Sorted by key by hand (hashlib is the reference any SHA-256 tool agrees with).
    valid = [(1, 1), (2, 2), (3, 3), (4, 1)]
    by_key = sorted(valid, key=lambda pair: hashlib.sha256(f"s:{pair[0]}".encode()).hexdigest())
    expected, seen = [], set()
    for entry_id, entrant in by_key:
        if entrant not in seen and len(expected) < 2:
            seen.add(entrant)
            expected.append(entry_id)
    assert draw_winners("s", valid, 2) == expected


def test_each_reason_in_its_order():
    sorted_ = sort_entries(
        [
            entry(1),
            entry(2, route="purchase"),
            entry(3, day=END + timedelta(days=1)),
            entry(4, person=2, eligible=False),
            entry(5, person=3, erased=True, day=START - timedelta(days=1)),  # erased first
            entry(6, person=None),
            entry(7),
            entry(8),  # person 1's third entry that would count
            entry(9, person=4, route="purchase", eligible=False),  # the route comes first
        ],
        RULES,
    )
    assert sorted_.valid == [(1, 1), (7, 1)]
    assert sorted_.excluded == [
        (2, ROUTE_NOT_ALLOWED), (3, OUTSIDE_DATES), (4, NOT_ELIGIBLE), (5, ERASED), (6, ERASED),
        (8, OVER_LIMIT), (9, ROUTE_NOT_ALLOWED),
    ]  # fmt: skip


def test_entrants_are_numbered_by_their_first_valid_entry():
    sorted_ = sort_entries([entry(5, 30), entry(6, 10), entry(7, 30), entry(8, 20)], RULES)
    assert sorted_.valid == [(5, 1), (6, 2), (7, 1), (8, 3)]


def test_the_entries_are_taken_in_entry_order_whatever_order_they_come_in():
    given_order = [entry(3), entry(1), entry(2)]
    assert sort_entries(given_order, RULES).valid == [(1, 1), (2, 1)]


def test_more_winners_than_people_gives_one_prize_each():
    assert sorted(draw_winners("x", [(1, 1), (2, 1), (3, 2)], 5)) in ([1, 3], [2, 3])
    assert draw_winners("x", [], 3) == []


facts = st.lists(
    st.builds(
        EntryFacts,
        id=st.integers(1, 10_000),
        person=st.one_of(st.none(), st.integers(1, 12)),
        route=st.sampled_from(["counter", "paper", "purchase", "no_purchase"]),
        entered_on=st.dates(START - timedelta(days=5), END + timedelta(days=5)),
        erased=st.booleans(),
        eligible=st.booleans(),
    ),
    max_size=60,
    unique_by=lambda each: each.id,
)
seeds = st.text(min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(facts, seeds, st.integers(1, 8), st.integers(1, 4))
def test_any_entries_any_seed(entries, seed, winners, limit):
    rules = DrawRules(START, END, frozenset({"counter", "paper"}), limit)
    sorted_ = sort_entries(entries, rules)
    # Every entry is either valid or excluded with a known reason, once.
    ids = [e for e, _ in sorted_.valid] + [e for e, _ in sorted_.excluded]
    assert sorted(ids) == sorted(each.id for each in entries)
    assert {reason for _, reason in sorted_.excluded} <= set(EXCLUSION_REASONS)
    by_id = {each.id: each for each in entries}
    for entry_id, reason in sorted_.excluded:
        found = by_id[entry_id]
        if reason == ERASED:
            assert found.person is None or found.erased
        elif reason == OUTSIDE_DATES:
            assert not START <= found.entered_on <= END
        elif reason == ROUTE_NOT_ALLOWED:
            assert found.route not in rules.routes
        elif reason == NOT_ELIGIBLE:
            assert not found.eligible
    for entry_id, _entrant in sorted_.valid:
        found = by_id[entry_id]
        assert found.eligible and not found.erased and found.route in rules.routes
    # Nobody has more valid entries than the limit; an entrant number is one person.
    entrants: dict[int, set[int | None]] = {}
    for entry_id, entrant in sorted_.valid:
        entrants.setdefault(entrant, set()).add(by_id[entry_id].person)
    assert all(len(people) == 1 for people in entrants.values())
    assert all(sum(1 for _, n in sorted_.valid if n == entrant) <= limit for entrant in entrants)

    won = draw_winners(seed, sorted_.valid, winners)
    # Running it again agrees, whatever order the valid entries are given in.
    assert draw_winners(seed, list(reversed(sorted_.valid)), winners) == won
    assert won == draw_winners(seed, sorted_.valid, winners)
    # Nobody wins twice; never more winners than people with a valid entry, nor than asked.
    winners_entrants = [dict(sorted_.valid)[entry_id] for entry_id in won]
    assert len(set(winners_entrants)) == len(winners_entrants)
    assert len(won) == min(winners, len(entrants))
    assert set(won) <= {entry_id for entry_id, _ in sorted_.valid}
