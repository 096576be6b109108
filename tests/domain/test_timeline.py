"""The timeline, the activity feed, queries and complaints, follow-ups, and corrections to the
history, checked by what the database holds afterwards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from relapp.db.models import AuditLog, Contact, Interaction, Reward, Staff, Task, database
from relapp.domain import clock as app_clock
from relapp.domain.changes import Entity
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.loyalty.points import (
    CustomerNotFound,
    NotAllowed,
    adjust_points,
    record_sale,
    redeem_reward,
)
from relapp.domain.shop.settings import load_settings, save_settings
from relapp.domain.timeline import today
from relapp.domain.timeline.follow_ups import (
    add_task,
    complete_task,
    reopen,
    reopen_task,
    resolve,
    respond,
    tasks_for,
)
from relapp.domain.timeline.history import (
    EntryNotFound,
    InvalidEntry,
    TimelineKey,
    activity_feed,
    delete_interaction,
    edit_interaction,
    local_day,
    log_interaction,
    timeline_page,
)
from relapp.errors import RelappError
from tests.factories import FakeClock, add_contact

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
HOSTILE = "Robert'); DROP TABLE interaction;--\x00 \x1b[31mred\x1b[0m\r\n\t‮evil‬ 漢字 👍🏽"


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    monkeypatch.setattr("relapp.domain.contacts.merge.utc_now", fake)
    return fake


@pytest.fixture
def staff(db, clock) -> dict[str, int]:
    save_settings(points_per_unit=1, referral_bonus_points=100)
    people = (("Maya", "manager", True), ("Sam", "counter", True), ("Old boss", "manager", False))
    return {
        name: Staff.create(
            name=name, role=role, pin_hash="unused", active=active, created_at=START
        ).id
        for name, role, active in people
    }


@pytest.fixture
def ann(staff) -> Contact:
    return add_contact("Ann", "Lee")


def snapshot() -> tuple:
    """Everything a refused operation must leave as it was."""
    return tuple(
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("interaction", "points_entry", "task", "audit_log", "contact")
    )


def audit_rows(action: str) -> list[dict]:
    rows = AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)
    return [json.loads(row.details) | {"_staff_id": row.staff_id} for row in rows]


def whole_timeline(contact_id: int, limit: int, kinds=None) -> list:
    entries, before = [], None
    while page := timeline_page(contact_id, kinds=kinds, before=before, limit=limit):
        assert len(page) <= limit
        entries += page
        before = page[-1].key
    return entries


def expected_keys(contact_id: int) -> list[TimelineKey]:
    """The timeline's lines as the database holds them, in the documented order."""
    interactions = database.execute_sql(
        "SELECT occurred_at, 1, id FROM interaction WHERE contact_id = ?", (contact_id,)
    ).fetchall()
    ledger = database.execute_sql(
        "SELECT p.occurred_at, 0, p.id FROM points_entry p WHERE p.contact_id = ?"
        " AND (p.interaction_id IS NULL OR p.interaction_id NOT IN"
        " (SELECT id FROM interaction WHERE contact_id = ?))",
        (contact_id, contact_id),
    ).fetchall()
    return sorted((TimelineKey(*row) for row in interactions + ledger), reverse=True)


# -- logging ----------------------------------------------------------------------------------


def test_a_logged_call_is_stored_as_typed_and_heads_the_timeline(ann, staff, clock):
    logged = log_interaction(
        ann.id, "call", summary="  Asked about   the sale ", details="Line one\nLine two",
        direction="outbound", staff_id=staff["Sam"],
    )  # fmt: skip
    assert logged.change.entities == {Entity.INTERACTIONS}
    assert logged.change.contact_ids == {ann.id}
    row = Interaction.get_by_id(logged.id)
    assert (row.kind, row.direction, row.summary, row.details, row.status, row.staff_id) == (
        "call", "outbound", "Asked about the sale", "Line one\nLine two", None, staff["Sam"],
    )  # fmt: skip
    assert row.occurred_at == START
    [entry] = timeline_page(ann.id)
    assert (entry.id, entry.kind, entry.staff_name, entry.points, entry.overdue) == (
        logged.id, "call", "Sam", None, False,
    )  # fmt: skip


def test_each_kind_gets_its_defaults(ann):
    campaign = log_interaction(ann.id, "campaign", summary="Winter sale")
    query = log_interaction(ann.id, "query", summary="Do you stock linen?")
    visit = log_interaction(ann.id, "visit", summary="")
    feedback = log_interaction(ann.id, "feedback", summary="", feedback_score=0)
    social = log_interaction(ann.id, "social", summary="Liked a post", network=" Instagram ")
    stored = {
        row.id: (row.kind, row.direction, row.status, row.feedback_score, row.network)
        for row in Interaction.select()
    }
    assert stored == {
        campaign.id: ("campaign", "outbound", None, None, ""),
        query.id: ("query", "inbound", "open", None, ""),
        visit.id: ("visit", None, None, None, ""),
        feedback.id: ("feedback", "inbound", None, 0, ""),
        social.id: ("social", None, None, None, "Instagram"),
    }


@pytest.mark.parametrize(
    ("kind", "fields", "problems"),
    [
        ("feedback", {"summary": "Nice"}, {"feedback_score": "Feedback needs a score"}),
        ("feedback", {"summary": "", "feedback_score": 11}, {"feedback_score": "0 to 10"}),
        ("feedback", {"summary": "", "feedback_score": True}, {"feedback_score": "0 to 10"}),
        ("social", {"summary": "Tagged us"}, {"network": "Name the social network"}),
        ("call", {"summary": "Rang"}, {"direction": "came in or went out"}),
        ("email", {"summary": "Hi", "direction": "sideways"}, {"direction": "inbound or outb"}),
        ("campaign", {"summary": "Sale", "direction": "inbound"}, {"direction": "outbound"}),
        ("visit", {"summary": "", "direction": "inbound"}, {"direction": "has no direction"}),
        ("note", {"summary": "x", "feedback_score": 5}, {"feedback_score": "Only feedback"}),
        ("note", {"summary": "x", "network": "Instagram"}, {"network": "Only a social"}),
        ("note", {"summary": " \t\n "}, {"summary": "what happened"}),
        ("note", {"summary": "x" * 201}, {"summary": "at most 200"}),
        ("note", {"summary": "x", "details": "y" * 10_001}, {"details": "10,000"}),
        ("note", {"summary": "x", "amount_cents": -1}, {"amount_cents": "0.00 to"}),
        ("note", {"summary": "x", "amount_cents": 1.5}, {"amount_cents": "whole number"}),
        ("query", {"summary": "", "direction": "up", "details": 7},
         {"summary": "what happened", "direction": "inbound or", "details": "Text"}),
        ("purchase", {"summary": "Shoes", "amount_cents": 5000}, {"kind": "recorded as a sale"}),
        ("invoice", {"summary": "x"}, {"kind": "not a kind"}),
    ],
)  # fmt: skip
def test_entries_that_break_the_rules_are_refused_field_by_field(ann, kind, fields, problems):
    before = snapshot()
    with pytest.raises(InvalidEntry) as refused:
        log_interaction(ann.id, kind, **fields)
    assert refused.value.problems.keys() == problems.keys()
    for field, phrase in problems.items():
        assert phrase in refused.value.problems[field]
    assert snapshot() == before


def test_hostile_text_is_stored_harmlessly_and_read_back_exactly(ann):
    logged = log_interaction(ann.id, "note", summary=HOSTILE, details=HOSTILE)
    row = database.execute_sql(
        "SELECT summary, details FROM interaction WHERE id = ?", (logged.id,)
    ).fetchone()
    summary, details = row
    assert summary == "Robert'); DROP TABLE interaction;-- [31mred [0m ‮evil‬ 漢字 👍🏽"
    assert details == "Robert'); DROP TABLE interaction;--   [31mred [0m\n\t‮evil‬ 漢字 👍🏽"
    [entry] = timeline_page(ann.id)
    assert (entry.summary, entry.details) == row
    assert [line.entry.summary for line in activity_feed()] == [summary]


def test_an_entry_may_be_backdated_but_not_dated_in_the_future(ann, clock):
    log_interaction(ann.id, "note", summary="Today")
    earlier = log_interaction(ann.id, "call", summary="Last week", direction="inbound",
                              occurred_at=START - timedelta(days=7))  # fmt: skip
    naive = log_interaction(ann.id, "note", summary="Naive is UTC",
                            occurred_at=datetime(2026, 3, 1, 12, 0))  # fmt: skip
    assert [entry.summary for entry in timeline_page(ann.id)] == [
        "Today", "Last week", "Naive is UTC",
    ]  # fmt: skip
    assert Interaction.get_by_id(naive.id).occurred_at == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert Interaction.get_by_id(earlier.id).created_at == START
    log_interaction(ann.id, "note", summary="Counter clocks differ",
                    occurred_at=START + timedelta(minutes=4))  # fmt: skip
    for moment in (START + timedelta(minutes=6), datetime(1969, 12, 31, tzinfo=UTC)):
        with pytest.raises(InvalidEntry) as refused:
            log_interaction(ann.id, "note", summary="x", occurred_at=moment)
        assert list(refused.value.problems) == ["occurred_at"]


def test_only_live_customers_get_new_entries(ann, staff, clock):
    archived = add_contact("Arch", "Ived", archived_at=START)
    erased = add_contact("", "", erased_at=START)
    bob = add_contact("Bob", "Ng")
    merge_contacts(ann.id, bob.id)
    with pytest.raises(RelappError, match="archived"):
        log_interaction(archived.id, "note", summary="x")
    with pytest.raises(CustomerNotFound):
        log_interaction(erased.id, "note", summary="x")
    with pytest.raises(CustomerNotFound):
        log_interaction(99_999, "note", summary="x")
    with pytest.raises(RelappError, match=f"merged into customer number {ann.id}"):
        log_interaction(bob.id, "note", summary="x")
    with pytest.raises(NotAllowed, match="no staff member number 999"):
        log_interaction(ann.id, "note", summary="x", staff_id=999)
    assert Interaction.select().where(Interaction.kind == "note").count() == 0


# -- the timeline's order, points and paging ---------------------------------------------------


def busy_history(ann: Contact, staff: dict[str, int], clock: FakeClock) -> Contact:
    """Interactions and points events, many at the same second, and a referral."""
    reward = Reward.create(name="Free coffee", points_cost=10, created_at=START)
    friend = add_contact("Fred", "Friend", referred_by=ann.id)
    for day in range(3):
        for number in range(4):  # four entries and their points at one second
            log_interaction(ann.id, "note", summary=f"Day {day} note {number}")
        record_sale(ann.id, 2_500, summary=f"Day {day} sale")
        record_sale(ann.id, 1_000, summary=f"Day {day} second sale")
        adjust_points(ann.id, 5, "Goodwill", staff["Maya"])
        redeem_reward(ann.id, reward.id)
        clock.advance(hours=1)
        log_interaction(ann.id, "query", summary=f"Day {day} question")
        clock.advance(days=1)
    record_sale(friend.id, 4_000)  # the friend's first purchase: Ann's referral bonus
    return friend


def test_pages_put_together_are_the_whole_history_in_order(ann, staff, clock):
    busy_history(ann, staff, clock)
    expected = expected_keys(ann.id)
    assert len(expected) == 3 * (4 + 2 + 1 + 2) + 1  # and the referral bonus
    for limit in (1, 2, 3, 5, 7, 100):
        assert [entry.key for entry in whole_timeline(ann.id, limit)] == expected
    # At one second, interactions first (newest id first), then the ledger lines.
    first_second = [key for key in expected if key.occurred_at == "2026-03-10 09:30:00"]
    assert [key.source for key in first_second] == [1] * 6 + [0] * 2
    for source in (0, 1):
        ids = [key.id for key in first_second if key.source == source]
        assert ids == sorted(ids, reverse=True)


def test_a_filtered_history_pages_across_both_sources(ann, staff, clock):
    busy_history(ann, staff, clock)
    kinds = frozenset({"purchase", "points"})
    entries = whole_timeline(ann.id, 4, kinds)
    assert {entry.kind for entry in entries} == kinds
    assert [entry.key for entry in entries] == [
        key for key in expected_keys(ann.id)
        if key.source == 0 or Interaction.get_by_id(key.id).kind == "purchase"
    ]  # fmt: skip
    assert timeline_page(ann.id, kinds=frozenset()) == []
    with pytest.raises(ValueError, match="unknown kinds"):
        timeline_page(ann.id, kinds=frozenset({"gossip"}))


def test_each_ledger_entry_shows_once_and_the_points_add_up_to_the_balance(ann, staff, clock):
    friend = busy_history(ann, staff, clock)
    entries = whole_timeline(ann.id, 10)
    sales = [entry for entry in entries if entry.kind == "purchase"]
    day_0 = {entry.summary: entry.points for entry in sales if entry.summary.startswith("Day 0")}
    assert day_0 == {"Day 0 sale": 25, "Day 0 second sale": 10}
    lines = [(entry.ledger_kind, entry.points, entry.summary) for entry in entries
             if entry.kind == "points"]  # fmt: skip
    referral = f"Referral bonus: Fred Friend (#{friend.id}) made a first purchase"
    assert lines[0] == ("bonus", 100, referral)
    assert lines.count(("adjust", 5, "Goodwill")) == 3
    assert lines.count(("redeem", -10, "Redeemed: Free coffee")) == 3
    assert [entry.staff_name for entry in entries if entry.ledger_kind == "adjust"] == ["Maya"] * 3
    assert sum(entry.points or 0 for entry in entries) == Contact.get_by_id(ann.id).points_balance
    # The friend's sale shows only the friend's own points, not Ann's bonus tied to it.
    [friends_sale] = timeline_page(friend.id)
    assert friends_sale.points == 40


def test_an_archived_customers_history_can_still_be_read(ann, staff):
    log_interaction(ann.id, "note", summary="Before archiving")
    Contact.update(archived_at=START).where(Contact.id == ann.id).execute()
    assert [entry.summary for entry in timeline_page(ann.id)] == ["Before archiving"]
    Contact.update(erased_at=START).where(Contact.id == ann.id).execute()
    with pytest.raises(CustomerNotFound):
        timeline_page(ann.id)


def test_local_day_files_an_entry_under_the_days_of_the_zone_given(ann, clock):
    clock.moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    log_interaction(ann.id, "note", summary="Late")
    [entry] = timeline_page(ann.id)
    assert local_day(entry, UTC) == date(2026, 3, 10)
    assert local_day(entry, timezone(timedelta(hours=11))) == date(2026, 3, 11)
    assert local_day(entry, timezone(timedelta(hours=-5))) == date(2026, 3, 10)


# -- queries and complaints --------------------------------------------------------------------


def test_an_open_query_becomes_overdue_after_the_target_until_resolved(ann, staff, clock):
    query = log_interaction(ann.id, "query", summary="Where is my order?").id

    def shown():
        [entry] = timeline_page(ann.id, kinds=frozenset({"query"}))
        return entry

    clock.advance(hours=2)
    assert respond(query, staff["Sam"]).contact_ids == {ann.id}
    clock.advance(hours=22)  # exactly 24 hours: not yet
    assert shown().overdue is False
    clock.advance(seconds=1)
    assert shown().overdue is True  # answering did not stop the clock
    assert [case.interaction_id for case in open_cases() if case.overdue] == [query]
    save_settings(response_target_hours=48)
    assert shown().overdue is False
    save_settings(response_target_hours=24)
    clock.advance(hours=3)
    resolve(query, staff["Maya"])
    entry = shown()
    assert (entry.status, entry.overdue) == ("resolved", False)
    assert entry.response_time == timedelta(hours=2)
    assert entry.resolution_time == timedelta(hours=27, seconds=1)
    assert open_cases() == []


def test_the_first_response_is_kept_and_each_step_is_audited(ann, staff, clock):
    query = log_interaction(ann.id, "complaint", summary="Cold coffee").id
    clock.advance(hours=1)
    respond(query, staff["Sam"])
    clock.advance(hours=1)
    assert respond(query, staff["Maya"]).entities == frozenset()  # a second answer changes nothing
    resolve(query, staff["Maya"])
    assert resolve(query, staff["Maya"]).entities == frozenset()
    clock.advance(hours=1)
    reopen(query, staff["Sam"])
    row = Interaction.get_by_id(query)
    assert (row.status, row.first_response_at, row.resolved_at) == (
        "open", START + timedelta(hours=1), None,
    )  # fmt: skip
    assert [(r.action, r.staff_id) for r in AuditLog.select().order_by(AuditLog.id)] == [
        ("case answered", staff["Sam"]), ("case resolved", staff["Maya"]),
        ("case reopened", staff["Sam"]),
    ]  # fmt: skip
    # Resolving a case nobody answered counts as its first response.
    other = log_interaction(ann.id, "query", summary="Gift wrap?").id
    clock.advance(minutes=30)
    resolve(other)
    assert Interaction.get_by_id(other).first_response_at == clock.moment


def test_only_queries_and_complaints_are_answered(ann):
    note = log_interaction(ann.id, "note", summary="Likes green").id
    for step in (respond, resolve, reopen):
        with pytest.raises(RelappError, match="is a note"):
            step(note)
    with pytest.raises(EntryNotFound):
        resolve(12345)


def test_open_cases_list_the_oldest_first_with_their_age(ann, staff, clock):
    bob = add_contact("Bob", "Ng")
    first = log_interaction(bob.id, "complaint", summary="Broken zip").id
    clock.advance(hours=30)
    second = log_interaction(ann.id, "query", summary="Opening hours?").id
    gone = add_contact("Gone", "Away")
    log_interaction(gone.id, "query", summary="Erased later")
    Contact.update(erased_at=START).where(Contact.id == gone.id).execute()
    clock.advance(hours=1)
    cases = open_cases()
    assert [(case.interaction_id, case.contact_name, case.age_hours, case.overdue)
            for case in cases] == [
        (first, "Bob Ng", 31, True),
        (second, "Ann Lee", 1, False),
    ]  # fmt: skip
    assert [case.interaction_id for case in open_cases(limit=1)] == [first]


def open_cases(limit: int = 200) -> list:
    """The open cases as the Today view lists them, at the clock's time."""
    section, _overdue = today.open_cases(
        app_clock.utc_now(), load_settings().response_target_hours, limit
    )
    return list(section.rows)


# -- tasks -------------------------------------------------------------------------------------


def test_tasks_are_added_done_and_undone(ann, staff, clock):
    query = log_interaction(ann.id, "query", summary="Size 12 in stock?").id
    later = add_task(ann.id, "Ring back", START + timedelta(days=2), staff["Sam"], query)
    sooner = add_task(ann.id, "  Order   size 12 ", START + timedelta(hours=3))
    assert later.change.entities == {Entity.TASKS} and later.change.contact_ids == {ann.id}
    [entry] = timeline_page(ann.id)
    assert entry.open_tasks == 1
    clock.advance(hours=4)
    listed = tasks_for(ann.id)
    assert [(t.id, t.title, t.overdue, t.about, t.staff_name) for t in listed] == [
        (sooner.id, "Order size 12", True, "", None),
        (later.id, "Ring back", False, "Size 12 in stock?", "Sam"),
    ]  # fmt: skip
    complete_task(later.id)
    assert complete_task(later.id).entities == frozenset()
    assert Task.get_by_id(later.id).done_at == clock.moment
    assert timeline_page(ann.id)[0].open_tasks == 0
    assert [t.id for t in tasks_for(ann.id)] == [sooner.id, later.id]  # open ones first
    reopen_task(later.id)
    assert reopen_task(later.id).entities == frozenset()
    assert Task.get_by_id(later.id).done_at is None
    with pytest.raises(EntryNotFound):
        complete_task(999)


@pytest.mark.parametrize(
    ("title", "due", "problems"),
    [
        ("", timedelta(days=1), {"title": "Say what needs doing"}),
        ("\x00\x1b ", timedelta(days=1), {"title": "Say what needs doing"}),
        ("x" * 201, timedelta(days=1), {"title": "at most 200"}),
        ("Call", timedelta(days=-2), {"due_at": "in the past"}),
        ("Call", timedelta(days=6 * 366), {"due_at": "five years"}),
        ("", timedelta(days=-2), {"title": "needs doing", "due_at": "in the past"}),
        ("Call", None, {"due_at": "Choose when"}),
    ],
)
def test_a_task_needs_a_title_and_a_sensible_due_date(ann, title, due, problems):
    before = snapshot()
    with pytest.raises(InvalidEntry) as refused:
        add_task(ann.id, title, None if due is None else START + due)
    assert refused.value.problems.keys() == problems.keys()
    for field, phrase in problems.items():
        assert phrase in refused.value.problems[field]
    assert snapshot() == before


def test_a_task_is_tied_only_to_the_same_customers_entry(ann):
    bob = add_contact("Bob", "Ng")
    bobs = log_interaction(bob.id, "note", summary="Bob's").id
    with pytest.raises(InvalidEntry, match="same customer"):
        add_task(ann.id, "Call", START + timedelta(days=1), interaction_id=bobs)
    add_task(ann.id, "Due earlier today is fine", START - timedelta(hours=20))
    assert Task.select().count() == 1


# -- editing and deleting ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["Sam", "Old boss", None])
def test_only_an_active_manager_edits_or_deletes_history(ann, staff, who):
    note = log_interaction(ann.id, "note", summary="Original").id
    before = snapshot()
    staff_id = None if who is None else staff[who]
    with pytest.raises(NotAllowed, match="Only a manager can edit history entries"):
        edit_interaction(note, {"summary": "Changed"}, staff_id)
    with pytest.raises(NotAllowed, match="Only a manager can delete history entries"):
        delete_interaction(note, staff_id, "Mistake")
    assert snapshot() == before


def test_an_edit_writes_the_difference_and_audits_old_and_new(ann, staff, clock):
    feedback = log_interaction(ann.id, "feedback", summary="Good", feedback_score=7).id
    clock.advance(hours=1)
    change = edit_interaction(
        feedback, {"summary": " Great ", "feedback_score": 9, "details": ""}, staff["Maya"]
    )
    assert change.entities == {Entity.INTERACTIONS} and change.contact_ids == {ann.id}
    row = Interaction.get_by_id(feedback)
    assert (row.summary, row.feedback_score, row.updated_at) == ("Great", 9, clock.moment)
    [audit] = audit_rows("history entry edited")
    assert audit == {
        "contact_id": ann.id, "kind": "feedback", "fields": ["feedback_score", "summary"],
        "values": {"summary": ["Good", "Great"], "feedback_score": [7, 9]},
        "_staff_id": staff["Maya"],
    }  # fmt: skip
    before = snapshot()
    assert edit_interaction(feedback, {"summary": "Great"}, staff["Maya"]).entities == frozenset()
    with pytest.raises(InvalidEntry, match="0 to 10"):
        edit_interaction(feedback, {"feedback_score": 11}, staff["Maya"])
    with pytest.raises(ValueError, match="cannot edit"):
        edit_interaction(feedback, {"kind": "note"}, staff["Maya"])
    with pytest.raises(EntryNotFound):
        edit_interaction(999, {"summary": "x"}, staff["Maya"])
    assert snapshot() == before


def test_moving_an_entry_in_time_moves_it_on_the_timeline(ann, staff, clock):
    first = log_interaction(ann.id, "note", summary="First").id
    clock.advance(days=1)
    log_interaction(ann.id, "note", summary="Second")
    edit_interaction(first, {"occurred_at": clock.moment + timedelta(minutes=1)}, staff["Maya"])
    assert [entry.summary for entry in timeline_page(ann.id)] == ["First", "Second"]
    [audit] = audit_rows("history entry edited")
    assert audit["values"] == {"occurred_at": ["2026-03-10 09:30:00", "2026-03-11 09:31:00"]}
    query = log_interaction(ann.id, "query", summary="Late?", occurred_at=START).id
    respond(query)
    with pytest.raises(InvalidEntry, match="dated after it was answered"):
        edit_interaction(query, {"occurred_at": clock.moment + timedelta(minutes=1)}, staff["Maya"])
    edit_interaction(query, {"occurred_at": clock.moment - timedelta(minutes=1)}, staff["Maya"])


def test_a_sales_amount_and_time_are_not_edited_but_its_words_are(ann, staff):
    sale = record_sale(ann.id, 2_500, summary="Scarf").interaction_id
    before = snapshot()
    for changes in ({"amount_cents": 2_000}, {"occurred_at": START - timedelta(days=1)}):
        with pytest.raises(InvalidEntry, match="refund it and record the right amount"):
            edit_interaction(sale, {**changes, "summary": "Silk scarf"}, staff["Maya"])
    with pytest.raises(InvalidEntry, match="has no direction"):
        edit_interaction(sale, {"direction": "inbound"}, staff["Maya"])
    assert snapshot() == before
    edit_interaction(sale, {"summary": "Silk scarf", "details": "Gift"}, staff["Maya"])
    row = Interaction.get_by_id(sale)
    assert (row.summary, row.details, row.amount_cents) == ("Silk scarf", "Gift", 2_500)


def test_deleting_an_entry_keeps_its_every_value_in_the_audit_log(ann, staff, clock):
    query = log_interaction(ann.id, "query", summary="Private question", details=HOSTILE,
                            staff_id=staff["Sam"]).id  # fmt: skip
    task = add_task(ann.id, "Answer it", START + timedelta(days=1), interaction_id=query).id
    stored = database.execute_sql("SELECT * FROM interaction WHERE id = ?", (query,)).fetchone()
    with pytest.raises(InvalidEntry, match="Give a reason"):
        delete_interaction(query, staff["Maya"], "  ")
    change = delete_interaction(query, staff["Maya"], "Logged on the wrong customer")
    assert change.entities == {Entity.INTERACTIONS} and change.contact_ids == {ann.id}
    assert timeline_page(ann.id) == []
    assert Task.get_by_id(task).interaction_id is None  # the follow-up stays, untied
    [audit] = audit_rows("history entry deleted")
    assert audit["reason"] == "Logged on the wrong customer"
    assert audit["entry"]["summary"] == "Private question"
    assert audit["entry"]["details"] == stored[6] and "\t" in stored[6]
    assert audit["entry"]["staff_id"] == staff["Sam"] and audit["_staff_id"] == staff["Maya"]
    with pytest.raises(EntryNotFound):
        delete_interaction(query, staff["Maya"], "Again")


def test_deleting_a_sale_refunds_it_and_keeps_the_row(ann, staff, clock):
    sale = record_sale(ann.id, 2_500).interaction_id
    clock.advance(hours=1)
    change = delete_interaction(sale, staff["Maya"], "Rang up twice")
    assert {Entity.POINTS, Entity.INTERACTIONS} <= change.entities
    row = Interaction.get_by_id(sale)
    assert (row.kind, row.amount_cents, row.refunded_at) == ("purchase", 2_500, clock.moment)
    assert Contact.get_by_id(ann.id).points_balance == 0
    [refunded] = audit_rows("sale refunded")
    assert refunded["points_reversed"] == 25 and refunded["_staff_id"] == staff["Maya"]
    [deleted] = audit_rows("history entry deleted")
    assert deleted["kept"] == "refunded, the row kept" and deleted["entry"]["amount_cents"] == 2500
    entries = timeline_page(ann.id)
    assert [(entry.kind, entry.points) for entry in entries] == [("note", None), ("purchase", 0)]
    assert entries[1].refunded_at == clock.moment
    before = snapshot()
    with pytest.raises(RelappError, match="was refunded on 2026-03-10"):
        delete_interaction(sale, staff["Maya"], "Once more")
    assert snapshot() == before


# -- the activity feed -------------------------------------------------------------------------


def test_the_feed_shows_everyones_entries_newest_first_with_names(ann, staff, clock):
    bob = add_contact("Bob", "Ng")
    gone = add_contact("Gone", "Away")
    made = []
    for number in range(12):
        who = (ann, bob, gone)[number % 3]
        made.append((who, log_interaction(
            who.id, ("note", "query")[number % 2], summary=f"Entry {number}",
            staff_id=staff["Sam"] if number % 4 == 0 else None,
        ).id))  # fmt: skip
        if number % 5 == 0:
            clock.advance(minutes=1)
    Contact.update(erased_at=START).where(Contact.id == gone.id).execute()
    shown = [(who, entry_id) for who, entry_id in made if who is not gone]
    expected = sorted(shown, key=lambda pair: (Interaction.get_by_id(pair[1]).occurred_at,
                                               pair[1]), reverse=True)  # fmt: skip
    feed = activity_feed()
    assert [(line.contact_name, line.entry.id) for line in feed] == [
        (f"{who.given_name} {who.family_name}", entry_id) for who, entry_id in expected
    ]
    for filters in ({}, {"kinds": frozenset({"query"})}, {"staff_id": staff["Sam"]},
                    {"kinds": frozenset({"note", "query"}), "staff_id": staff["Sam"]}):  # fmt: skip
        full = activity_feed(**filters)
        paged, before = [], None
        while page := activity_feed(**filters, before=before, limit=2):
            paged += page
            before = page[-1].key
        assert [line.key for line in paged] == [line.key for line in full]
        wanted = [
            entry_id for _, entry_id in expected
            if Interaction.get_by_id(entry_id).kind in filters.get("kinds", {"note", "query"})
            and ("staff_id" not in filters
                 or Interaction.get_by_id(entry_id).staff_id == filters["staff_id"])
        ]  # fmt: skip
        assert [line.entry.id for line in full] == wanted
    assert activity_feed(staff_id=staff["Maya"]) == []
