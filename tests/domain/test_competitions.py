"""Competitions and prize draws (schema 21): setting one up, every refusal of an entry, the
draw (reproducible, winners logged, excluded entries with their reasons), verifying it, and
telling the winners; on both engines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.backups import restore_backup, take_backup
from relapp.db.connection import open_database
from relapp.db.migrations import m0021_listening
from relapp.db.models import AuditLog, Contact, Interaction, Staff, database
from relapp.domain import clock, terms
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.competitions import (
    CompetitionRefused,
    Draft,
    counter_route,
    drawn_competitions,
    enter,
    find_competition,
    list_competitions,
    offered_at_counter,
    save_competition,
)
from relapp.domain.listening.draw import (
    ERASED,
    NOT_ELIGIBLE,
    OUTSIDE_DATES,
    OVER_LIMIT,
    ROUTE_NOT_ALLOWED,
    draw_winners,
)
from relapp.domain.listening.winners import (
    make_draw,
    mark_told,
    preview,
    recorded_draw,
    verify,
    winners_of,
    winners_to_tell,
)
from relapp.domain.loyalty.ledger import CustomerNotFound
from relapp.domain.loyalty.sales import record_sale
from relapp.domain.memberships.members import join
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.shop.staff import NotAllowed
from relapp.domain.timeline.today import today_queue
from relapp.errors import RelappError
from tests.factories import add_contact

# Noon UTC: the same calendar day in every zone the test machine may be in but the far east.
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 4, 10)
AFTER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # the day after SPRING ends
SPRING = Draft(
    "Spring hamper", date(2026, 4, 1), date(2026, 4, 30),
    rules="One entry per person. Winner drawn on 1 May.\nOpen to all customers.",
)  # fmt: skip


@pytest.fixture
def at(monkeypatch):
    """at(moment): the clock reads that moment from now on."""

    def set_moment(moment: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: moment)

    set_moment(NOW)
    return set_moment


@pytest.fixture
def manager(db):
    return Staff.create(name="Maya", role="manager", pin_hash="x", created_at=NOW).id


def make(draft: Draft = SPRING, **changes) -> int:
    from dataclasses import replace

    return save_competition(replace(draft, **changes), as_owner=True).competition.id


def person(name: str = "Mary", **fields) -> int:
    return add_contact(name, "Smith", email=f"{name.lower()}@example.com", **fields).id


def entries(competition_id: int) -> int:
    return next(
        line.entries for line in list_competitions() if line.competition.id == competition_id
    )


# ----------------------------------------------------------------------------- defining


def test_the_stored_codes_are_the_ones_the_schema_allows():
    assert terms.COMPETITION_ELIGIBILITIES == m0021_listening.ELIGIBILITIES
    assert terms.ENTRY_ROUTES == m0021_listening.ENTRY_ROUTES
    assert set(terms.COMPETITION_ELIGIBILITY_NAMES) == set(terms.COMPETITION_ELIGIBILITIES)
    assert set(terms.ENTRY_ROUTE_NAMES) == set(terms.ENTRY_ROUTES)


def test_a_competition_is_made_audited_and_listed(db, at, manager):
    saved = save_competition(SPRING, staff_id=manager)
    found = find_competition(saved.competition.id)
    assert (found.name, found.starts_on, found.ends_on) == ("Spring hamper", SPRING.starts_on,
                                                            SPRING.ends_on)  # fmt: skip
    assert found.routes == {"counter"}
    assert found.summary == "One entry per person. Winner drawn on 1 May."
    [line] = list_competitions()
    assert (line.entries, line.state(TODAY)) == (0, "open")
    assert line.state(date(2026, 3, 31)) == "upcoming"
    assert line.state(date(2026, 5, 1)) == "closed"
    assert AuditLog.get(AuditLog.action == "competition made").entity_id == found.id


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "  "}, "A competition needs a name."),
        ({"name": "x" * 81}, "at most 80 characters"),
        ({"ends_on": date(2026, 3, 31)}, "ends on or after the day it starts"),
        ({"by_counter": False}, "at least one way of entering"),
        ({"by_purchase": True}, "needs a free way to enter too"),
        ({"by_purchase": True, "no_purchase_route": "   "}, "needs a free way to enter too"),
        ({"limit_per_person": 0}, "entries per person are from 1 to 100"),
        ({"winners": 101}, "number of winners is from 1 to 100"),
        ({"eligibility": "segment", "segment": ""}, "Choose the saved segment"),
        ({"eligibility": "segment", "segment": "Nobody"}, "no saved segment called 'Nobody'"),
        ({"eligibility": "friends"}, "Who may enter is one of"),
    ],
)
def test_a_bad_competition_is_refused_in_one_sentence(db, at, changes, sentence):
    with pytest.raises(CompetitionRefused, match=sentence):
        make(**changes)
    assert list_competitions() == []


def test_names_are_unique_in_any_letter_case_and_a_drawn_competition_is_not_edited(db, at):
    competition_id = make()
    with pytest.raises(CompetitionRefused, match="called 'Spring hamper' already"):
        make(name="SPRING HAMPER")
    enter(competition_id, person(), "counter")
    at(AFTER)
    make_draw(competition_id, as_owner=True, seed="s")
    with pytest.raises(CompetitionRefused, match="drawn already"):
        save_competition(SPRING, competition_id, as_owner=True)


def test_the_drawn_competitions_the_latest_draw_first(db, at):
    # The list of competitions has the latest end first: April's, then the one ending sooner.
    april, short = make(), make(name="Easter eggs", ends_on=date(2026, 4, 20))
    running = make(name="Autumn hamper", ends_on=date(2026, 9, 30))
    for competition_id in (april, short, running):
        enter(competition_id, person(f"P{competition_id}"), "counter")
    assert drawn_competitions() == []
    at(AFTER)
    make_draw(april, as_owner=True, seed="s")
    at(AFTER + timedelta(days=1))
    make_draw(short, as_owner=True, seed="s")  # drawn last: first in the list
    assert [line.competition.id for line in drawn_competitions()] == [short, april]
    assert all(line.drawn_at is not None for line in drawn_competitions())


def test_only_a_manager_sets_up_and_draws(db, at, manager):
    cashier = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=NOW).id
    with pytest.raises(NotAllowed, match=r"Only a manager can set up prize draws\."):
        save_competition(SPRING, staff_id=cashier)
    with pytest.raises(NotAllowed):
        save_competition(SPRING)
    competition_id = save_competition(SPRING, staff_id=manager).competition.id
    enter(competition_id, person(), "counter", staff_id=cashier)  # anyone enters customers
    at(AFTER)
    with pytest.raises(NotAllowed, match=r"Only a manager can draw a competition\."):
        make_draw(competition_id, staff_id=cashier)
    assert recorded_draw(competition_id) is None
    make_draw(competition_id, staff_id=manager)
    mark_told(competition_id, 1, staff_id=cashier)  # anyone tells the winner


def test_a_purchase_route_brings_its_free_route(db, at):
    competition = find_competition(
        make(by_counter=False, by_purchase=True, no_purchase_route="Write in to the shop.")
    )
    assert competition.routes == {"purchase", "no_purchase"}
    assert counter_route(competition, with_sale=True) == "purchase"
    assert counter_route(competition, with_sale=False) == "no_purchase"
    paper = find_competition(make(name="Paper only", by_counter=False, by_paper=True))
    with pytest.raises(CompetitionRefused, match="entered on paper, not at the counter"):
        counter_route(paper, with_sale=False)


# ----------------------------------------------------------------------------- entering


def test_an_entry_is_written_without_a_timeline_line(db, at, manager):
    competition_id = make()
    mary = person()
    entered = enter(competition_id, mary, "counter", staff_id=manager)
    assert entered.text == "Mary Smith is entered in Spring hamper."
    assert entries(competition_id) == 1
    assert Interaction.select().count() == 0
    assert entered.change.contact_ids == {mary}


def test_entries_are_refused_outside_the_dates(db, at):
    competition_id = make()
    mary = person()
    at(datetime(2026, 3, 31, 12, 0, tzinfo=UTC))
    with pytest.raises(CompetitionRefused, match=r"opens on .*takes no entries before then"):
        enter(competition_id, mary, "counter")
    at(AFTER)
    with pytest.raises(CompetitionRefused, match=r"closed on .*no more entries"):
        enter(competition_id, mary, "counter")
    assert entries(competition_id) == 0


def test_entries_by_a_route_not_allowed_are_refused(db, at):
    competition_id = make()
    mary = person()
    with pytest.raises(CompetitionRefused, match="not entered on paper: it is entered at the"):
        enter(competition_id, mary, "paper")
    with pytest.raises(CompetitionRefused, match="not entered with a purchase"):
        enter(competition_id, mary, "purchase")
    with pytest.raises(CompetitionRefused, match="An entry is made"):
        enter(competition_id, mary, "pigeon")
    assert entries(competition_id) == 0


def test_a_purchase_entry_names_the_customers_own_sale(db, at):
    competition_id = make(by_purchase=True, no_purchase_route="Ask at the counter.")
    mary, john = person(), person("John")
    sale = record_sale(mary, 1250).interaction_id
    with pytest.raises(CompetitionRefused, match="needs Mary Smith's sale"):
        enter(competition_id, mary, "purchase")
    with pytest.raises(CompetitionRefused, match="needs John Smith's sale"):
        enter(competition_id, john, "purchase", sale_interaction_id=sale)
    with pytest.raises(CompetitionRefused, match="Only an entry with a purchase names a sale"):
        enter(competition_id, mary, "counter", sale_interaction_id=sale)
    entered = enter(competition_id, mary, "purchase", sale_interaction_id=sale)
    assert database.execute_sql(
        "SELECT route, interaction_id FROM competition_entry WHERE id = ?", (entered.entry_id,)
    ).fetchone() == ("purchase", sale)
    enter(competition_id, john, "no_purchase")
    assert entries(competition_id) == 2


def test_the_limit_per_person_is_kept(db, at):
    competition_id = make(limit_per_person=2)
    mary = person()
    assert enter(competition_id, mary, "counter").text.endswith("(entry 1 of 2).")
    enter(competition_id, mary, "counter")
    with pytest.raises(CompetitionRefused, match="entered Spring hamper 2 times already"):
        enter(competition_id, mary, "counter")
    assert entries(competition_id) == 2
    assert offered_at_counter(mary, TODAY) == []


def test_unknown_erased_and_archived_customers_are_refused(db, at):
    competition_id = make()
    with pytest.raises(CustomerNotFound, match="No customer with number 999"):
        enter(competition_id, 999, "counter")
    gone = person("Gone", erased_at=NOW)
    with pytest.raises(CustomerNotFound):
        enter(competition_id, gone, "counter")
    shelved = person("Shelved", archived_at=NOW)
    with pytest.raises(RelappError, match="archived"):
        enter(competition_id, shelved, "counter")
    with pytest.raises(CompetitionRefused, match="no competition number 999"):
        enter(999, person(), "counter")
    assert entries(competition_id) == 0


def test_members_only_competitions_take_current_members(db, at, manager):
    save_plan(Plan("Gold", fee_cents=0, length_months=12), manager)
    plan_id = next(line.plan.id for line in list_plans(TODAY) if line.plan.name == "Gold")
    competition_id = make(eligibility="members")
    member, other = person(), person("John")
    join(member, plan_id)
    with pytest.raises(CompetitionRefused, match="cannot enter Spring hamper: it is for current"):
        enter(competition_id, other, "counter")
    enter(competition_id, member, "counter")
    assert [c.id for c in offered_at_counter(member, TODAY)] == []  # limit 1 reached
    assert offered_at_counter(other, TODAY) == []


def test_segment_competitions_take_the_segments_customers(db, at):
    save_segment("Regulars", ContactFilter(text="Regular"))
    competition_id = make(eligibility="segment", segment="regulars")
    assert find_competition(competition_id).segment == "Regulars"
    regular = add_contact("Ann", "Regular").id
    other = person()
    with pytest.raises(CompetitionRefused, match="segment 'Regulars' only"):
        enter(competition_id, other, "counter")
    assert [c.id for c in offered_at_counter(regular, TODAY)] == [competition_id]
    enter(competition_id, regular, "counter")


def test_the_counter_is_offered_open_competitions_it_can_enter(db, at):
    open_id = make()
    make(name="Later", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 31))
    make(name="Paper", by_counter=False, by_paper=True)
    mary = person()
    assert [c.id for c in offered_at_counter(mary, TODAY)] == [open_id]


# ------------------------------------------------------------------------------ drawing


def test_a_draw_before_the_end_is_refused(db, at):
    competition_id = make()
    enter(competition_id, person(), "counter")
    at(datetime(2026, 4, 30, 12, 0, tzinfo=UTC))
    with pytest.raises(CompetitionRefused, match=r"runs to .*draw it from"):
        make_draw(competition_id, as_owner=True)
    with pytest.raises(CompetitionRefused, match="runs to"):
        preview(competition_id)
    assert recorded_draw(competition_id) is None


def test_a_draw_with_no_valid_entries_records_nothing(db, at):
    competition_id = make()
    at(AFTER)
    with pytest.raises(CompetitionRefused, match=r"no valid entries.*nothing was recorded"):
        make_draw(competition_id, as_owner=True)
    assert recorded_draw(competition_id) is None
    assert database.execute_sql("SELECT count(*) FROM competition_draw").fetchone()[0] == 0


def test_the_draw_records_seed_entries_and_winners_and_logs_them(db, at, manager):
    competition_id = make(winners=2, limit_per_person=3)
    people = [person(f"P{n}") for n in range(5)]
    for who in people:
        enter(competition_id, who, "counter")
        enter(competition_id, who, "counter")
    at(AFTER)
    ask = preview(competition_id)
    assert (ask.valid, ask.persons) == (10, 5)
    assert ask.question == "Draw 2 winners from 10 valid entries? This cannot be undone."
    drawn = make_draw(competition_id, seed="fixed seed", staff_id=manager).draw
    assert drawn.seed == "fixed seed"
    assert len(drawn.valid) == 10 and drawn.excluded == []
    expected = draw_winners("fixed seed", drawn.valid, 2)
    assert [w.entry_id for w in drawn.winners] == expected
    winners = {w.contact_id for w in drawn.winners}
    assert len(winners) == 2 and winners <= set(people)
    notes = Interaction.select().where(Interaction.kind == "note")
    assert {(n.contact_id, n.summary) for n in notes} == {
        (w, "Won the draw: Spring hamper") for w in winners
    }
    assert AuditLog.get(AuditLog.action == "competition drawn").entity_id == competition_id
    with pytest.raises(CompetitionRefused, match="drawn already"):
        make_draw(competition_id, as_owner=True)
    with pytest.raises(CompetitionRefused, match="drawn already; it takes no entries"):
        enter(competition_id, people[0], "counter")


def test_the_same_seed_and_entries_give_the_same_winners(db, at):
    competition_id = make(winners=3)
    for n in range(20):
        enter(competition_id, person(f"P{n}"), "counter")
    at(AFTER)
    first = make_draw(competition_id, as_owner=True, seed="abc").draw
    again = draw_winners("abc", first.valid, 3)
    assert again == [w.entry_id for w in first.winners]
    checked = verify(competition_id)
    assert checked.matches and checked.added == [] and checked.removed == []
    assert checked.again == checked.recorded


def test_a_random_seed_is_32_hex_digits(db, at):
    competition_id = make()
    enter(competition_id, person(), "counter")
    at(AFTER)
    seed = make_draw(competition_id, as_owner=True).draw.seed
    assert len(seed) == 32 and int(seed, 16) >= 0


def raw_entry(competition_id: int, contact_id: int | None, route: str, day: str) -> int:
    """An entry as the terms once allowed it (the terms may change after entries)."""
    return database.execute_sql(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at)"
        " VALUES (?, ?, ?, ?) RETURNING id",
        (competition_id, contact_id, route, f"{day} 12:00:00"),
    ).fetchone()[0]


def test_excluded_entries_are_listed_with_their_reasons(db, at, manager):
    save_plan(Plan("Gold", fee_cents=0, length_months=1), manager)
    plan_id = next(line.plan.id for line in list_plans(TODAY) if line.plan.name == "Gold")
    competition_id = make(eligibility="members")
    stays, lapses, gone = person("Stays"), person("Lapses"), person("Gone")
    join(stays, plan_id, starts_on=date(2026, 4, 1))  # current to 30 April
    join(lapses, plan_id, starts_on=date(2026, 3, 20))  # ends 19 April
    join(gone, plan_id, starts_on=date(2026, 4, 1))
    first = enter(competition_id, stays, "counter").entry_id
    by_paper = raw_entry(competition_id, stays, "paper", "2026-04-11")
    again = raw_entry(competition_id, stays, "counter", "2026-04-12")
    late = raw_entry(competition_id, stays, "counter", "2026-05-01")
    lapsed = enter(competition_id, lapses, "counter").entry_id
    erased = enter(competition_id, gone, "counter").entry_id
    database.execute_sql("UPDATE contact SET erased_at = ? WHERE id = ?", ("2026-04-20", gone))
    nobody = raw_entry(competition_id, None, "counter", "2026-04-13")
    at(AFTER)
    ask = preview(competition_id)
    assert (ask.valid, ask.persons) == (1, 1)
    assert ask.question == "Draw 1 winner from 1 valid entry? This cannot be undone."
    drawn = make_draw(competition_id, as_owner=True, seed="x").draw
    assert drawn.valid == [(first, 1)]
    assert drawn.excluded == [
        (by_paper, ROUTE_NOT_ALLOWED),
        (again, OVER_LIMIT),
        (late, OUTSIDE_DATES),
        (lapsed, NOT_ELIGIBLE),
        (erased, ERASED),
        (nobody, ERASED),
    ]
    assert [w.contact_id for w in drawn.winners] == [stays]
    assert drawn.excluded_counts == {ROUTE_NOT_ALLOWED: 1, OVER_LIMIT: 1, OUTSIDE_DATES: 1,
                                     NOT_ELIGIBLE: 1, ERASED: 2}  # fmt: skip


def test_the_limit_counts_only_entries_that_count(db, at):
    competition_id = make(limit_per_person=1)
    mary = person()
    early = raw_entry(competition_id, mary, "counter", "2026-03-30")  # before the start
    counted = raw_entry(competition_id, mary, "counter", "2026-04-02")
    at(AFTER)
    drawn = make_draw(competition_id, as_owner=True, seed="x").draw
    assert drawn.valid == [(counted, 1)]
    assert drawn.excluded == [(early, OUTSIDE_DATES)]


def test_no_person_wins_twice(db, at):
    competition_id = make(winners=3, limit_per_person=5)
    alone = person()
    for _ in range(5):
        enter(competition_id, alone, "counter")
    at(AFTER)
    drawn = make_draw(competition_id, as_owner=True, seed="one person").draw
    # Fewer winners than asked when the people run out: one prize each at most.
    assert [w.contact_id for w in drawn.winners] == [alone]


# ---------------------------------------------------------------------------- verifying


def test_verify_says_when_the_recorded_winners_differ_and_what_changed(db, at):
    competition_id = make(winners=1)
    people = [person(f"P{n}") for n in range(6)]
    for who in people:
        enter(competition_id, who, "counter")
    at(AFTER)
    drawn = make_draw(competition_id, as_owner=True, seed="s1").draw
    loser = next(entry for entry, _ in drawn.valid if entry != drawn.winners[0].entry_id)
    # Someone edits the record's winner by hand: verify notices.
    database.execute_sql(
        "UPDATE competition_winner SET entry_id = ? WHERE competition_id = ?",
        (loser, competition_id),
    )
    late = database.execute_sql(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at)"
        " VALUES (?, ?, 'counter', '2026-05-01 09:00:00') RETURNING id",
        (competition_id, people[0]),
    ).fetchone()[0]
    removed = drawn.valid[-1][0] if drawn.valid[-1][0] != loser else drawn.valid[-2][0]
    database.execute_sql("DELETE FROM competition_entry WHERE id = ?", (removed,))
    checked = verify(competition_id)
    assert not checked.matches
    assert checked.again == [w.entry_id for w in drawn.winners]
    assert checked.recorded == [loser]
    assert (checked.added, checked.removed) == ([late], [removed])


def test_verify_still_agrees_after_a_winner_is_erased(db, at):
    competition_id = make(winners=2, limit_per_person=3)
    people = [person(f"P{n}") for n in range(4)]
    for who in people:
        for _ in range(3):
            enter(competition_id, who, "counter")
    at(AFTER)
    drawn = make_draw(competition_id, as_owner=True, seed="erase").draw
    # Erasure leaves the entries without their person (schema 21's docstring).
    database.execute_sql(
        "UPDATE competition_entry SET contact_id = NULL WHERE contact_id = ?",
        (drawn.winners[0].contact_id,),
    )
    assert verify(competition_id).matches
    assert winners_of(competition_id)[0].reach == "erased: cannot be reached"


def test_verify_before_a_draw_is_refused(db, at):
    competition_id = make()
    with pytest.raises(CompetitionRefused, match="not been drawn yet"):
        verify(competition_id)


def test_a_damaged_record_is_told_in_one_sentence(db, at):
    competition_id = make()
    enter(competition_id, person(), "counter")
    at(AFTER)
    make_draw(competition_id, as_owner=True, seed="s")
    database.execute_sql("UPDATE competition_draw SET entry_ids = '{oops'")
    with pytest.raises(CompetitionRefused, match="cannot be read"):
        verify(competition_id)


# ------------------------------------------------------------------------------ telling


def test_winners_are_listed_in_today_until_told(db, at, manager):
    competition_id = make()
    mary = add_contact("Mary", "Smith", phone="0412 345 678").id
    enter(competition_id, mary, "counter")
    at(AFTER)
    make_draw(competition_id, as_owner=True, seed="s")
    total, [line] = winners_to_tell(10)
    assert total == 1
    assert (line.name, line.competition, line.reach) == ("Mary Smith", "Spring hamper",
                                                         "+61 412 345 678")  # fmt: skip
    queue = today_queue(AFTER + timedelta(hours=1))
    assert [w.name for w in queue.prize_winners.rows] == ["Mary Smith"]
    change = mark_told(competition_id, 1, staff_id=manager)
    assert change.contact_ids == {mary}
    assert winners_to_tell(10) == (0, [])
    assert winners_of(competition_id)[0].told_at == AFTER
    with pytest.raises(CompetitionRefused, match="marked told already"):
        mark_told(competition_id, 1)
    with pytest.raises(CompetitionRefused, match="no winner number 2"):
        mark_told(competition_id, 2)
    assert AuditLog.get(AuditLog.action == "competition winner told").entity_id == competition_id


def test_the_record_is_plain_json(db, at):
    competition_id = make(limit_per_person=2)
    mary, john = person(), person("John")
    for who in (mary, john, mary):
        enter(competition_id, who, "counter")
    at(AFTER)
    make_draw(competition_id, as_owner=True, seed="s")
    entry_ids, excluded = database.execute_sql(
        "SELECT entry_ids, excluded FROM competition_draw"
    ).fetchone()
    ids = [row[0] for row in database.execute_sql("SELECT id FROM competition_entry ORDER BY id")]
    assert json.loads(entry_ids) == [[ids[0], 1], [ids[1], 2], [ids[2], 1]]
    assert json.loads(excluded) == []
    assert Contact.get_by_id(mary).erased_at is None


# ------------------------------------------------------------------- restart and restore


@pytest.mark.sqlite_only(reason="a backup and its restore are of the shop file")
def test_a_draw_survives_a_restart_and_a_backup_and_restore(db, db_path, at, tmp_path):
    competition_id = make(winners=2, limit_per_person=2)
    for n in range(6):
        who = person(f"P{n}")
        enter(competition_id, who, "counter")
        enter(competition_id, who, "counter")
    at(AFTER)
    drawn = make_draw(competition_id, as_owner=True).draw
    backup = take_backup(db_path, out=tmp_path / "before-telling.db").path

    db.close()  # the app quits and starts again
    reopened = open_database(db_path)
    try:
        checked = verify(competition_id)
        assert checked.matches and checked.draw.seed == drawn.seed
        assert checked.recorded == [w.entry_id for w in drawn.winners]

        mark_told(competition_id, 1)
        restore_backup(db_path, backup)
        checked = verify(competition_id)
        assert checked.matches and (checked.added, checked.removed) == ([], [])
        assert checked.draw.valid == drawn.valid and checked.draw.seed == drawn.seed
        assert [w.told_at for w in winners_of(competition_id)] == [None, None]  # as backed up
    finally:
        reopened.close()
