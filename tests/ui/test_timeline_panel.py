"""A customer's history on screen: paging as it scrolls, day headings, filters, follow-ups,
cases, editing rights; and every kind logged from the Counter reaching the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from relapp.db.fields import format_timestamp
from relapp.db.models import AuditLog, Interaction, Staff, Task, database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.shop.staff import get_staff
from relapp.domain.timeline.follow_ups import add_task
from relapp.domain.timeline.history import ENTRY_DELETED, log_interaction
from relapp.domain.timeline.today import today_queue
from relapp.ui.counter.view import CounterView
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.timeline import panel as panel_module
from relapp.ui.timeline.entry_text import entry_text
from relapp.ui.timeline.history_window import HistoryWindow
from relapp.ui.timeline.log_dialog import LOGGABLE_KINDS, QuickLogDialog
from relapp.ui.timeline.model import FIRST_PAGE
from relapp.ui.timeline.panel import TimelinePanel
from relapp.ui.today import TodayView
from relapp.ui.today.sections import AT_CAP, CASES
from tests.factories import add_contact


@pytest.fixture
def staff(db):
    now = utc_now()
    return {
        role: Staff.create(name=name, role=role, pin_hash="unused", created_at=now).id
        for name, role in (("Maya", "manager"), ("Sam", "counter"))
    }


@pytest.fixture
def actions(app, db, change_bus):
    return CustomerActions(change_bus, CurrentStaff())


@pytest.fixture
def panel(qtbot, actions):
    shown = TimelinePanel(actions)
    qtbot.addWidget(shown)
    shown.resize(700, 500)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def add_history(contact_id: int, count: int, kinds=("visit", "call", "note")) -> None:
    """count interactions, one every 5 hours back from an hour ago, kinds in turn."""
    start = utc_now() - timedelta(hours=1)
    rows = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        when = format_timestamp(start - timedelta(hours=5 * number))
        rows.append((contact_id, kind, "outbound" if kind == "call" else None, when,
                     f"{kind} {number}", when, when))  # fmt: skip
    with database.atomic():
        database.execute_sql("DELETE FROM contact_rhythm WHERE contact_id = ?", (contact_id,))
        for row in rows:
            database.execute_sql(
                "INSERT INTO interaction (contact_id, kind, direction, occurred_at, summary,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )


def entries(panel: TimelinePanel) -> list:
    model = panel.model
    return [model.entry(row) for row in range(model.rowCount()) if model.entry(row)]


def test_a_long_history_loads_a_page_at_a_time_as_it_scrolls(qtbot, panel):
    ann = add_contact("Ann", "Long")
    add_history(ann.id, 1500)
    panel.show_contact(ann.id)
    assert panel.model.entry_count() == FIRST_PAGE
    bar = panel.list.verticalScrollBar()
    for _ in range(500):
        if not panel.model.canFetchMore():
            break
        bar.setValue(bar.maximum())
        QApplication.processEvents()
    shown = entries(panel)
    assert len(shown) == 1500
    assert [entry.summary for entry in shown[:2]] == ["visit 0", "call 1"]
    assert len({entry.id for entry in shown}) == 1500  # each once, in order
    assert [entry.occurred_at for entry in shown] == sorted(
        (entry.occurred_at for entry in shown), reverse=True
    )


def test_each_day_has_one_heading_before_its_entries(panel):
    ann = add_contact("Ann", "Days")
    add_history(ann.id, 40)
    panel.show_contact(ann.id)
    model = panel.model
    days = [model.day(row) for row in range(model.rowCount()) if model.day(row)]
    assert len(days) == len(set(days))
    assert panel.visible_days()[0] == "Today" or len(days) > 1
    current = None
    for row in range(model.rowCount()):
        if model.day(row) is not None:
            current = model.day(row)
        else:
            assert model.entry(row).occurred_at.astimezone().date() == current


def test_the_kind_filter_shows_one_kind(panel):
    ann = add_contact("Ann", "Filter")
    add_history(ann.id, 30)
    panel.show_contact(ann.id)
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("call"))
    assert {entry.kind for entry in entries(panel)} == {"call"}
    assert len(entries(panel)) == 10
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("complaint"))
    assert entries(panel) == []
    assert panel.empty.isVisible()
    assert "No entries of this kind" in panel.empty.body_label.text()


def test_ticking_a_follow_up_marks_it_done_and_unticking_undoes_it(panel):
    ann = add_contact("Ann", "Tasks")
    task_id = add_task(ann.id, "Call back about the dress", utc_now() + timedelta(days=1)).id
    panel.show_contact(ann.id)
    item = panel.tasks.item(0)
    assert "Call back about the dress" in item.text()
    assert panel.tasks_title.text() == "Follow-ups: 1 open"
    item.setCheckState(Qt.CheckState.Checked)
    assert Task.get_by_id(task_id).done_at is not None
    panel.tasks.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert Task.get_by_id(task_id).done_at is None


def test_resolving_a_query_from_the_timeline(panel, change_bus):
    ann = add_contact("Ann", "Case")
    change_bus.changed.connect(panel.on_change)
    query = log_interaction(ann.id, "query", summary="Dress in size 10?").id
    panel.show_contact(ann.id)
    assert panel.current_entry().id == query
    assert entry_text(panel.current_entry()).badge.startswith("Open")
    assert panel.resolve_action.isEnabled() and panel.answered_action.isEnabled()
    panel.resolve_action.trigger()
    assert Interaction.get_by_id(query).status == "resolved"
    assert entry_text(panel.current_entry()).badge.startswith("Resolved in")
    assert panel.resolve_action.text() == "Reopen"


def test_edit_and_delete_are_offered_whoever_is_signed_in(panel, actions, staff):
    # Who may is asked when they are used (CurrentStaff.require_permission: the sign-in is
    # offered to a cashier or nobody; tests/flows/test_history_flows.py), so the keys are
    # never silently dead.
    ann = add_contact("Ann", "Rights")
    panel.show_contact(ann.id)
    assert not panel.edit_action.isEnabled()  # no entry yet
    log_interaction(ann.id, "note", summary="Prefers mornings")
    panel.show_contact(ann.id)
    for member in (None, get_staff(staff["counter"]), get_staff(staff["manager"])):
        actions.current_staff.set_member(member)
        assert panel.edit_action.isEnabled() and panel.delete_action.isEnabled()


def test_a_manager_deletes_an_entry_with_a_reason(panel, actions, staff, change_bus, monkeypatch):
    ann = add_contact("Ann", "Delete")
    change_bus.changed.connect(panel.on_change)
    note = log_interaction(ann.id, "note", summary="Wrong customer").id
    actions.current_staff.set_member(get_staff(staff["manager"]))
    panel.show_contact(ann.id)
    monkeypatch.setattr(panel_module, "ask_delete_reason", lambda parent, what: "Logged twice")
    panel.delete_action.trigger()
    assert not Interaction.select().where(Interaction.id == note).exists()
    assert entries(panel) == []
    audit = AuditLog.get(AuditLog.action == ENTRY_DELETED)
    assert "Logged twice" in audit.details


def test_the_history_window_warns_of_overdue_cases(qtbot, actions):
    ann = add_contact("Ann", "Overdue")
    log_interaction(
        ann.id, "complaint", summary="Zip broke", occurred_at=utc_now() - timedelta(hours=30)
    )
    window = HistoryWindow.show_for(None, ann.id, actions)
    qtbot.addWidget(window)
    assert window.overdue.isVisible()
    assert "past the response target" in window.overdue.text()
    assert "overdue" in entry_text(window.panel.current_entry()).badge
    assert HistoryWindow.show_for(None, ann.id, actions) is window  # one window per customer


# -- from the Counter ---------------------------------------------------------------------


@pytest.fixture
def counter(qtbot, change_bus, actions, db):
    view = CounterView(change_bus, actions.current_staff, actions)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


FILLING = {
    "visit": {},
    "call": {"summary": "Asked about the sale"},
    "email": {"summary": "Sent the catalogue"},
    "message": {"summary": "Order is ready"},
    "social": {"summary": "Liked our post", "network": "Instagram"},
    "query": {"summary": "Is the wrap dress back?"},
    "complaint": {"summary": "Zip broke after a week"},
    "feedback": {"score": 9},
    "note": {"summary": "Prefers mornings"},
    "campaign": {"summary": "Winter sale letter"},
    "referral": {"summary": "Brought her sister"},
}


def fill_and_log(qtbot, kind: str) -> None:
    """In the open quick-log dialog: pick the kind by keyboard, fill what it needs, Enter."""
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QuickLogDialog)
    picker = dialog.fields.kind_picker
    qtbot.keyClick(picker, Qt.Key.Key_Home)
    for _ in range(LOGGABLE_KINDS.index(kind)):
        qtbot.keyClick(picker, Qt.Key.Key_Down)
    values = FILLING[kind]
    if "network" in values:
        dialog.fields.network.setCurrentText(values["network"])
    if "score" in values:
        dialog.fields.score.setValue(values["score"])
    if "summary" in values:
        qtbot.keyClicks(dialog.fields.summary, values["summary"])
    qtbot.keyClick(dialog.fields.summary, Qt.Key.Key_Return)


@pytest.mark.parametrize("kind", sorted(FILLING))
def test_each_kind_logged_at_the_counter_shows_on_the_timeline_and_today(qtbot, counter, kind):
    assert set(FILLING) == set(LOGGABLE_KINDS)
    ann = add_contact("Ann", "Counter", card_number="270000000017")
    for days in (1, 2, 3):  # one outbound contact short of the cap (4)
        log_interaction(ann.id, "call", summary="Earlier", direction="outbound",
                        occurred_at=utc_now() - timedelta(days=days))  # fmt: skip
    qtbot.keyClicks(counter.search_box, "270000000017")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Return)
    assert counter.shown_contact_id == ann.id
    QTimer.singleShot(0, lambda: fill_and_log(qtbot, kind))
    qtbot.keyClick(counter.search_box, Qt.Key.Key_F5)  # Log contact

    stored = (
        Interaction.select()
        .where(Interaction.contact_id == ann.id)
        .order_by(Interaction.id.desc())
        .get()
    )
    assert stored.kind == kind
    with qtbot.waitActive(counter):  # back from the dialog, as the user is
        counter.activateWindow()
    qtbot.keyClick(counter.search_box, Qt.Key.Key_F4)
    assert counter.tabs.currentWidget() is counter.timeline
    newest = entries(counter.timeline)[0]
    assert (newest.id, newest.kind) == (stored.id, kind)
    assert entry_text(newest).title.startswith(
        {"feedback": "Feedback", "visit": "Visit"}.get(kind, "")
    )
    # In Today: a query or complaint is an open case; an outbound contact reaches the cap.
    today = TodayView(counter.change_bus, counter.customer_actions)
    qtbot.addWidget(today)
    today.show()
    cases = [line for line in today.work_list.lines(CASES) if "Ann Counter" in line]
    assert bool(cases) == (kind in ("query", "complaint"))
    if cases:
        assert any(FILLING[kind]["summary"] in text for text in cases[0])
    at_cap = [line for line in today.work_list.lines(AT_CAP) if "Ann Counter" in line]
    assert bool(at_cap) == (kind in ("call", "email", "message", "campaign"))


def test_a_follow_up_from_the_counter_is_due_in_today(qtbot, counter):
    ann = add_contact("Ann", "Follow", card_number="270000000025")
    qtbot.keyClicks(counter.search_box, "270000000025")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Return)

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        qtbot.keyClicks(dialog.title, "Ring about the alteration")
        dialog.set_due_in(0)
        dialog.due_time.setTime(dialog.due_time.time().fromString("23:59", "HH:mm"))
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    task = Task.get(Task.contact_id == ann.id)
    assert task.title == "Ring about the alteration"
    assert "Ring about the alteration" in counter.panel.follow_ups.text()
    counter.toggle_history()  # F4: the history, read when its tab shows
    assert "Ring about the alteration" in counter.timeline.tasks.item(0).text()
    due_today = [row.task_id for row in today_queue().tasks_due_today.rows]
    assert task.id in due_today


def test_the_counter_reads_a_history_only_when_its_tab_shows(qtbot, counter):
    ann = add_contact("Ann", "Lazy")
    log_interaction(ann.id, "note", summary="Prefers mornings")
    counter.show_customer(ann.id)
    assert counter.timeline.contact_id is None  # the Profile tab is showing
    counter.toggle_history()
    assert [entry.summary for entry in entries(counter.timeline)] == ["Prefers mornings"]
    counter.toggle_history()
    log_interaction(ann.id, "call", summary="Rang back", direction="outbound")
    counter.on_change(Change.of(Entity.INTERACTIONS, contact_ids=frozenset({ann.id})))
    counter.toggle_history()  # marked stale while hidden: read again now
    assert entries(counter.timeline)[0].summary == "Rang back"


def test_a_purchase_shows_its_amount_in_the_shops_currency(panel, time_zone):
    from relapp.domain.shop.settings import save_settings

    time_zone("UTC")
    save_settings(locale="en_GB", currency="GBP")
    ann = add_contact("Ann", "Pound")
    when = utc_now().replace(hour=14, minute=5, second=0, microsecond=0) - timedelta(days=1)
    log_interaction(ann.id, "visit", summary="Came in", occurred_at=when)
    database.execute_sql(
        "INSERT INTO interaction (contact_id, kind, occurred_at, summary, amount_cents,"
        " created_at, updated_at) VALUES (?, 'purchase', ?, 'Scarf', 4500, ?, ?)",
        (ann.id, format_timestamp(when), format_timestamp(when), format_timestamp(when)),
    )
    panel.show_contact(ann.id)
    purchase = next(entry for entry in entries(panel) if entry.kind == "purchase")
    text = entry_text(purchase, panel.model.shop)
    assert text.badge == "£45.00"
    assert text.time == "14:05"  # en_GB writes times on the 24-hour clock
