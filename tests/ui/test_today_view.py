"""The Today view and the activity feed, used as at the counter, against a real database.

The clock is fixed (Monday 23 November 2026, noon, UTC on this machine) for the domain and
the view alike, so "overdue 2 days", "due 3:00\u202fPM" and "in 3 days (Thu 26 Nov)" are exact.
Dialog-opening actions are replaced by recorders; marking done, resolving and answering go
through the real CustomerActions into the database.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import Contact, Interaction, Staff, Task
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts import rhythm as contact_rhythm
from relapp.domain.timeline.follow_ups import add_task
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.today import ActivityFeedView, TodayView
from relapp.ui.today.activity_model import CUSTOMER, KIND, PAGE, STAFF, SUMMARY, WHEN
from relapp.ui.today.sections import AT_CAP, BIRTHDAYS, CASES, DRIFTING, SECTION_ORDER, TASKS
from relapp.ui.today.work_list import WHEN as WHEN_COLUMN
from tests.factories import FakeClock, add_contact

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
EMPTY_SENTENCES = {
    TASKS: "No follow-ups due. Nice.",
    CASES: "No open queries or complaints. Everyone has had an answer.",
    BIRTHDAYS: "No birthdays in the next 7 days.",
    DRIFTING: "No regulars drifting away: they keep coming back.",
    AT_CAP: "Nobody has reached the limit of 4 contacts in 30 days.",
}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Noon UTC on a Monday, on a machine whose local time is UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    fake = FakeClock(NOW)
    monkeypatch.setattr(clock, "utc_now", fake)
    monkeypatch.setattr(contact_rhythm, "utc_now", fake)  # imported by name there
    yield fake
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def log(contact: Contact, kind: str, when: datetime, direction: str | None = None,
        **extra) -> Interaction:  # fmt: skip
    if kind in ("query", "complaint"):
        extra.setdefault("status", "open")
    return Interaction.create(contact=contact, kind=kind, direction=direction, occurred_at=when,
                              created_at=when, updated_at=when, **extra)  # fmt: skip


@pytest.fixture
def shop(db):
    """One customer for each section, and two staff members."""
    sam = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=NOW)
    lee = Staff.create(name="Lee", role="counter", pin_hash="x", created_at=NOW)
    ann = add_contact("Ann", "Lee")
    late = Task.create(contact=ann, title="Ring about the repair", due_at=NOW - 2 * DAY,
                       staff=sam, created_at=NOW - 3 * DAY)  # fmt: skip
    bob = add_contact("Bob", "Stone")
    due = Task.create(contact=bob, title="Confirm the fitting", due_at=NOW + 3 * HOUR,
                      created_at=NOW - DAY)  # fmt: skip
    cat = add_contact("Cat", "Wu")
    query = log(cat, "query", NOW - 30 * HOUR, "inbound", summary="Is the blue dress back?",
                staff=lee)  # fmt: skip
    dan = add_contact("Dan", "Roe", birth_month=11, birth_day=26, birth_year=1986)
    eve = add_contact("Eve", "Park")
    for days in (80, 70, 60):  # every 10 days, then nothing for 60 days
        log(eve, "visit", NOW - days * DAY)
    fay = add_contact("Fay", "Moss")
    for days in (1, 5, 10, 20):  # the cap (4) reached: next allowed 30 days after the oldest
        log(fay, "call", NOW - days * DAY, "outbound", summary="Reminder about the sale",
            staff=sam)  # fmt: skip
    return {"sam": sam, "lee": lee, "ann": ann, "bob": bob, "cat": cat, "dan": dan, "eve": eve,
            "fay": fay, "late": late, "due": due, "query": query}  # fmt: skip


@pytest.fixture
def actions(app, change_bus) -> CustomerActions:
    return CustomerActions(change_bus, CurrentStaff())


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1010, 700)  # the view's share of a 1200 x 760 window
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


@pytest.fixture
def view(qtbot, change_bus, actions) -> TodayView:
    today = TodayView(change_bus, actions)
    change_bus.changed.connect(today.on_change)
    return shown(qtbot, today)


def press(qtbot, view: TodayView, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view.work_list.setFocus()
    qtbot.keyClick(view.work_list, key, modifier)


# -- what the list shows --------------------------------------------------------------------


def test_each_section_shows_its_customers(shop, view):
    lines = view.work_list.lines
    assert lines(TASKS) == [
        ("Ann Lee", "Ring about the repair", "overdue 2 days", "Sam"),
        ("Bob Stone", "Confirm the fitting", "due 3:00\u202fPM", ""),
    ]
    assert lines(CASES) == [
        ("Cat Wu", "Query — Is the blue dress back?", "30 h · overdue", "Lee"),
    ]
    assert lines(BIRTHDAYS) == [("Dan Roe", "Birthday · turns 40", "in 3 days (Thu 26 Nov)", "")]
    assert lines(DRIFTING) == [("Eve Park", "every 10 days · 3 visits", "Sep 24, 2026", "60 days")]
    [(name, reason, _, _)] = lines(AT_CAP)
    assert name == "Fay Moss"
    assert reason == "4 outbound contacts in the last 30 days (cap 4); next allowed on 3 Dec"
    assert [view.work_list.title(key) for key in SECTION_ORDER] == [
        "Follow-ups (2)",
        "Open queries and complaints (1)",
        "Birthdays in the next 7 days (1)",
        "Drifting away (1)",
        "Do not contact yet (1)",
    ]
    assert all(view.work_list.notes(key) == [] for key in SECTION_ORDER)


def test_the_header_says_the_day_and_what_is_waiting(shop, view):
    assert view.day_label.text().startswith("Monday")
    assert "23 November" in view.day_label.text() and "2026" not in view.day_label.text()
    assert view.summary_label.text() == (
        "1 follow-up overdue · 1 follow-up due today · 1 open case (1 past the 24 h target)"
        " · 1 birthday this week"
    )


def test_overdue_lines_are_marked_in_red_and_answered_cases_say_so(shop, view, change_bus):
    overdue_task = view.work_list.line_items(TASKS)[0]
    due_task = view.work_list.line_items(TASKS)[1]
    assert overdue_task.foreground(WHEN_COLUMN).color().name() == "#b42318"
    assert due_task.foreground(WHEN_COLUMN).style() == Qt.BrushStyle.NoBrush
    shop["query"].first_response_at = NOW - 2 * HOUR
    shop["query"].save()
    change_bus.publish(Change.of(Entity.INTERACTIONS))
    assert view.work_list.lines(CASES)[0][2] == "30 h · overdue · answered"


def test_empty_sections_say_so(db, view, change_bus):
    add_contact("Only", "Customer")
    change_bus.publish(Change.of(Entity.CONTACTS))
    assert view.pages.currentWidget() is view.work
    for key, sentence in EMPTY_SENTENCES.items():
        assert view.work_list.lines(key) == []
        assert view.work_list.notes(key) == [sentence]
    assert view.summary_label.text() == "Nothing waiting. A quiet day."
    assert not view.done_action.isEnabled() and not view.log_action.isEnabled()


def test_a_shop_without_customers_shows_the_empty_state(db, view):
    assert view.pages.currentWidget() is view.empty_state
    assert view.empty_state.detail_label.text() == "My shop has no customers yet."
    add_contact("First", "Customer")
    view.refresh_button.click()
    assert view.pages.currentWidget() is view.work


def test_more_rows_than_shown_are_counted(db, view, change_bus, monkeypatch):
    from relapp.ui.today import view as today_view

    ann = add_contact("Ann", "Lee")
    for hours in range(1, 6):
        Task.create(contact=ann, title=f"Call {hours}", due_at=NOW - hours * HOUR,
                    created_at=NOW - DAY)  # fmt: skip
    real = today_view.today_queue
    monkeypatch.setattr(today_view, "today_queue", lambda: real(limit=3))
    change_bus.publish(Change.of(Entity.TASKS))
    assert len(view.work_list.lines(TASKS)) == 3
    assert view.work_list.notes(TASKS) == ["and 2 more overdue"]
    assert view.work_list.title(TASKS) == "Follow-ups (5)"


# -- acting on a line -----------------------------------------------------------------------


def test_mark_done_ticks_the_task_off_and_keeps_a_neighbour_selected(shop, view, qtbot):
    view.work_list.select(TASKS, 0)
    press(qtbot, view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert Task.get_by_id(shop["late"].id).done_at == NOW
    assert [line[1] for line in view.work_list.lines(TASKS)] == ["Confirm the fitting"]
    assert view.current_ref().task_id == shop["due"].id
    assert view.summary_label.text().startswith("1 follow-up due today")


def test_mark_done_on_a_case_resolves_it(shop, view, qtbot):
    view.work_list.select(CASES, 0)
    assert view.done_action.isEnabled() and view.answered_action.isEnabled()
    press(qtbot, view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    case = Interaction.get_by_id(shop["query"].id)
    assert case.status == "resolved" and case.resolved_at == NOW
    assert view.work_list.notes(CASES) == [EMPTY_SENTENCES[CASES]]
    assert view.current_ref().section == BIRTHDAYS  # the section emptied: the next one's line


def test_mark_answered_records_the_first_response(shop, view):
    view.work_list.select(CASES, 0)
    view.answered_action.trigger()
    case = Interaction.get_by_id(shop["query"].id)
    assert case.first_response_at == NOW and case.status == "open"
    assert view.work_list.lines(CASES)[0][2] == "30 h · overdue · answered"
    assert view.current_ref().interaction_id == case.id
    assert not view.answered_action.isEnabled() and view.done_action.isEnabled()


def test_the_list_refreshes_after_an_action_even_without_the_change_bus(shop, qtbot, actions):
    unconnected = shown(qtbot, TodayView(actions.change_bus, actions))
    unconnected.work_list.select(TASKS, 1)
    unconnected.done_action.trigger()
    assert Task.get_by_id(shop["due"].id).done_at == NOW
    assert [line[1] for line in unconnected.work_list.lines(TASKS)] == ["Ring about the repair"]


def test_mark_done_is_only_offered_for_tasks_and_cases(shop, view):
    for key, offered in ((TASKS, True), (CASES, True), (BIRTHDAYS, False), (DRIFTING, False),
                         (AT_CAP, False)):  # fmt: skip
        view.work_list.select(key, 0)
        assert view.done_action.isEnabled() is offered, key
        assert view.log_action.isEnabled() and view.history_action.isEnabled()
    view.work_list.select(BIRTHDAYS, 0)
    view.done_action.trigger()  # its key pressed anyway: nothing happens
    assert Task.select().where(Task.done_at.is_null(False)).count() == 0


def test_enter_opens_the_customer(shop, view, qtbot, actions):
    view.work_list.select(BIRTHDAYS, 0)
    with qtbot.waitSignal(actions.open_customer_requested, timeout=1000) as opened:
        press(qtbot, view, Qt.Key.Key_Return)
    assert opened.args == [shop["dan"].id]


def test_log_contact_offers_the_lines_customer_and_a_fitting_kind(shop, view, qtbot, actions,
                                                                  monkeypatch):  # fmt: skip
    calls = []
    monkeypatch.setattr(actions, "log_contact", lambda *args: calls.append(args) or False)
    for key in (BIRTHDAYS, DRIFTING, CASES, AT_CAP):
        view.work_list.select(key, 0)
        press(qtbot, view, Qt.Key.Key_F5)  # Log contact, as at the Counter
    assert calls == [
        (view, shop["dan"].id, "message"),
        (view, shop["eve"].id, "call"),
        (view, shop["cat"].id, "call"),
        (view, shop["fay"].id, None),  # allowed: the log dialog warns about the cap
    ]


def test_a_follow_up_from_a_case_is_tied_to_it(shop, view, actions, monkeypatch):
    calls = []
    monkeypatch.setattr(actions, "add_task", lambda *args, **named: calls.append((args, named)))
    view.work_list.select(CASES, 0)
    view.task_action.trigger()
    view.work_list.select(DRIFTING, 0)
    view.task_action.trigger()
    assert calls == [
        ((view, shop["cat"].id), {"interaction_id": shop["query"].id,
                                  "about": "Is the blue dress back?"}),
        ((view, shop["eve"].id), {"interaction_id": None, "about": ""}),
    ]  # fmt: skip


def test_history_opens_for_the_lines_customer(shop, view, actions, monkeypatch):
    calls = []
    monkeypatch.setattr(actions, "show_history", lambda *args: calls.append(args))
    view.work_list.select(DRIFTING, 0)
    view.history_action.trigger()
    assert calls == [(view, shop["eve"].id)]


def test_a_hidden_view_reads_again_only_when_shown(shop, view, change_bus):
    view.hide()
    added = add_task(shop["eve"].id, "Send the new catalogue", NOW + HOUR)
    change_bus.publish(added.change)
    assert view.freshness.stale and len(view.work_list.lines(TASKS)) == 2
    view.show()
    assert not view.freshness.stale
    assert "Send the new catalogue" in [line[1] for line in view.work_list.lines(TASKS)]


def test_a_folded_section_stays_folded(shop, view, change_bus):
    view.work_list.sections[DRIFTING].setExpanded(False)
    change_bus.publish(Change.of(Entity.TASKS))
    assert not view.work_list.sections[DRIFTING].isExpanded()
    assert view.work_list.sections[TASKS].isExpanded()


# -- the activity feed ----------------------------------------------------------------------


@pytest.fixture
def feed(shop, view) -> ActivityFeedView:
    view.tabs.setCurrentWidget(view.activity_view)
    return view.activity_view


def column(feed: ActivityFeedView, number: int) -> list[str]:
    model = feed.model
    return [model.index(row, number).data() for row in range(model.rowCount())]


def test_the_feed_lists_the_newest_first(shop, feed):
    log(shop["ann"], "note", NOW - timedelta(minutes=1), summary="Likes linen", staff=shop["lee"])
    feed.refresh()
    assert feed.model.rowCount() == 9  # 3 visits, 4 calls, the query and the note
    times = [line.entry.occurred_at for line in feed.model.entries]
    assert times == sorted(times, reverse=True)
    model = feed.model
    assert [model.index(0, n).data() for n in (WHEN, KIND, CUSTOMER, SUMMARY, STAFF)] == [
        "today 11:59\u202fAM", "Note", "Ann Lee", "Likes linen", "Lee"]  # fmt: skip
    assert model.index(1, KIND).data() == "Call · Out"
    assert model.index(1, WHEN).data() == "yesterday 12:00\u202fPM"
    # Older ones as every date is written (the shop's locale: en_US here).
    assert model.index(model.rowCount() - 1, WHEN).data() == "Sep 4, 2026, 12:00\u202fPM"
    assert "Query · In" in column(feed, KIND)
    assert "Is the blue dress back? · overdue" in column(feed, SUMMARY)


def test_the_feed_shows_money_in_the_shops_currency(shop, feed):
    from relapp.domain.shop.settings import save_settings

    save_settings(locale="en_AU", currency="AUD")
    log(shop["ann"], "purchase", NOW - HOUR, summary="Linen scarf", amount_cents=4500)
    feed.refresh()
    assert feed.model.index(0, SUMMARY).data() == "Linen scarf · $45.00"
    assert feed.model.index(0, WHEN).data() == "today 11:00\u202fam"
    assert (
        feed.model.index(0, WHEN).data(Qt.ItemDataRole.ToolTipRole) == "23 Nov 2026, 11:00\u202fam"
    )


def test_the_feed_filters_by_kind_and_by_staff(shop, feed):
    feed.kind_filter.setCurrentIndex(feed.kind_filter.findData("call"))
    assert column(feed, KIND) == ["Call · Out"] * 4
    feed.kind_filter.setCurrentIndex(0)
    feed.staff_filter.setCurrentIndex(feed.staff_filter.findData(shop["lee"].id))
    assert column(feed, CUSTOMER) == ["Cat Wu"]
    feed.kind_filter.setCurrentIndex(feed.kind_filter.findData("referral"))
    assert feed.model.rowCount() == 0
    assert feed.body.currentWidget() is feed.empty
    assert feed.empty.body_label.text().startswith("Nothing matches these filters.")


def test_the_feed_reads_on_as_it_scrolls(shop, feed, qtbot):
    rows = [
        {"contact": shop["bob"].id, "kind": "note", "summary": f"Note {n}",
         "occurred_at": NOW - timedelta(minutes=n + 1), "created_at": NOW, "updated_at": NOW}
        for n in range(250)
    ]  # fmt: skip
    Interaction.insert_many(rows).execute()
    feed.refresh()
    assert feed.model.rowCount() == PAGE and feed.model.canFetchMore()
    feed.table.scrollToBottom()
    qtbot.waitUntil(lambda: feed.model.rowCount() > PAGE, timeout=2000)
    feed.table.scrollToBottom()
    qtbot.waitUntil(lambda: not feed.model.canFetchMore(), timeout=2000)
    assert feed.model.rowCount() == 250 + 8  # and the shop's 8 entries
    assert column(feed, SUMMARY)[:2] == ["Note 0", "Note 1"]
    ids = [line.entry.id for line in feed.model.entries]
    assert len(set(ids)) == len(ids)  # pages meet without a gap or an overlap


def test_a_change_reloads_the_feed_only_while_it_is_shown(shop, view, feed, change_bus):
    view.tabs.setCurrentWidget(view.today_page)
    log(shop["ann"], "note", NOW, summary="Came in for a chat")
    change_bus.publish(Change.of(Entity.INTERACTIONS))
    assert feed.freshness.stale and feed.model.rowCount() == 8
    view.tabs.setCurrentWidget(feed)
    assert not feed.freshness.stale and column(feed, SUMMARY)[0] == "Came in for a chat"


def test_the_feed_acts_on_the_selected_entry(shop, feed, qtbot, actions, monkeypatch):
    calls = []
    monkeypatch.setattr(actions, "add_task", lambda *args, **named: calls.append((args, named)))
    feed.table.setCurrentIndex(feed.model.index(0, 0))  # Fay's latest call
    newest = feed.model.entries[0].entry
    feed.task_action.trigger()
    about = {"interaction_id": newest.id, "about": "Reminder about the sale"}
    assert calls == [((feed, shop["fay"].id), about)]
    feed.table.setFocus()
    with qtbot.waitSignal(actions.open_customer_requested, timeout=1000) as opened:
        qtbot.keyClick(feed.table, Qt.Key.Key_Return)
    assert opened.args == [shop["fay"].id]


# -- automatic campaigns' lists -------------------------------------------------------------


def test_campaign_lists_are_counted_again_only_when_campaigns_change_or_on_ctrl_r(
    shop, qtbot, change_bus, actions, monkeypatch
):
    from dataclasses import replace

    from relapp.domain.campaigns.automatic import DEFAULT_RULES, save_rule
    from relapp.ui.today import view as today_view

    save_rule(replace(DEFAULT_RULES["birthday"], enabled=True))  # Dan's birthday is in 3 days
    counted = []
    real = today_view.waiting_lists
    monkeypatch.setattr(today_view, "waiting_lists", lambda *a: counted.append(1) or real(*a))
    today = TodayView(change_bus, actions)
    change_bus.changed.connect(today.on_change)
    shown(qtbot, today)
    assert today.work_list.lines("automatic")[0][:3] == (
        "Birthday", "1 customer · birthday within 7 days", "email"
    )  # fmt: skip
    assert len(counted) == 1
    change_bus.publish(Change.of(Entity.INTERACTIONS, Entity.POINTS))  # a sale
    assert len(counted) == 1 and today.reads == 2
    change_bus.publish(Change.of(Entity.CAMPAIGNS))
    assert len(counted) == 2
    today.refresh_button.click()  # Refresh (Ctrl+R)
    assert len(counted) == 3
    # Customer actions do not apply to a campaign's line; Enter approves it.
    today.work_list.setCurrentItem(today.work_list.line_items("automatic")[0])
    assert today.approve_action.isEnabled() and not today.log_action.isEnabled()
