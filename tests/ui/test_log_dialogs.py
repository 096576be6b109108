"""Logging a contact, adding a follow-up, editing and deleting a history entry, by keyboard."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from relapp.db.models import AuditLog, Interaction, Staff, Task
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.points import record_sale
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.history import ENTRY_EDITED, log_interaction
from relapp.ui.timeline.edit_dialog import DeleteEntryDialog, EditEntryDialog
from relapp.ui.timeline.log_dialog import LOGGABLE_KINDS, QuickLogDialog
from relapp.ui.timeline.task_dialog import TaskDialog
from tests.factories import add_contact

NAME = "Ann <b>O'Brien</b>"


@pytest.fixture
def staff(app, db) -> dict[str, int]:
    now = utc_now()
    people = (("Maya", "manager"), ("Sam", "counter"))
    return {
        name: Staff.create(name=name, role=role, pin_hash="unused", created_at=now).id
        for name, role in people
    }


@pytest.fixture
def ann(staff):
    return add_contact("Ann", "<b>O'Brien</b>")


@pytest.fixture
def sydney_time(time_zone):
    """Local time 10 or 11 hours ahead of UTC, so that a missed conversion shows."""
    time_zone("Australia/Sydney")


def show(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog


def log_dialog(qtbot, ann, staff, kind: str | None = None) -> QuickLogDialog:
    return show(qtbot, QuickLogDialog(ann.id, NAME, staff["Sam"], kind))


def choose_kind(qtbot, dialog: QuickLogDialog, kind: str) -> None:
    """By keyboard: Home, then Down to the kind. (Typing its name works too, see
    test_feedback..., but typed letters within a moment of each other add up to one search.)"""
    picker = dialog.fields.kind_picker
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Home)
    for _ in range(LOGGABLE_KINDS.index(kind)):
        qtbot.keyClick(picker, Qt.Key.Key_Down)
    assert picker.currentData() == kind


def enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def button_text(button) -> str:
    return button.text().replace("&", "")


# -------------------------------------------------------------------------------- quick log


def test_the_name_shows_as_typed_and_purchases_are_pointed_to_the_sale_dialog(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff)
    assert dialog.windowTitle() == "Log contact"
    name = dialog.findChild(QLabel, "logCustomer")
    assert name.text() == NAME and name.textFormat() == Qt.TextFormat.PlainText
    kinds = [dialog.fields.kind_picker.itemData(row) for row in range(len(LOGGABLE_KINDS))]
    assert "purchase" not in kinds and "call" in kinds
    assert dialog.fields.kind() == "call"
    assert dialog.fields.hint.text() == "Purchases are recorded with Record sale (F2)."


@pytest.mark.parametrize("kind", LOGGABLE_KINDS)
def test_each_kind_shows_its_own_fields(qtbot, ann, staff, kind):
    dialog = log_dialog(qtbot, ann, staff, kind="note" if kind == "call" else "call")
    choose_kind(qtbot, dialog, kind)
    fields = dialog.fields
    shown = {
        name
        for name, widget in fields.field_widgets.items()
        if widget.isVisible() and name != "kind"
    }
    expected = {"summary", "details", "amount_cents", "occurred_at"}
    if kind in ("call", "email", "message", "query", "complaint", "feedback"):
        expected.add("direction")
        outbound = kind in ("call", "email", "message")
        assert fields.direction.currentData() == ("outbound" if outbound else "inbound")
    if kind == "social":
        expected.add("network")
    if kind == "feedback":
        expected.add("feedback_score")
    assert shown == expected
    assert fields.summary.placeholderText()


def test_a_call_is_logged_with_enter_as_outbound_by_the_staff_member(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff)
    qtbot.keyClicks(dialog.fields.summary, "Told her the dress is in")
    enter(qtbot, dialog.fields.summary)
    enter(qtbot, dialog.fields.summary)  # an impatient second Enter logs nothing more
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = Interaction.get()
    assert (row.kind, row.direction, row.summary) == (
        "call",
        "outbound",
        "Told her the dress is in",
    )
    assert row.staff_id == staff["Sam"] and row.contact_id == ann.id
    assert dialog.logged is not None and dialog.logged.id == row.id
    assert Interaction.select().count() == 1


def test_an_inbound_call_with_an_amount(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff)
    qtbot.keyClicks(dialog.fields.direction, "In")
    qtbot.keyClicks(dialog.fields.summary, "Asked to hold a coat")
    qtbot.keyClicks(dialog.fields.amount, "120,50")
    enter(qtbot, dialog.fields.amount)
    row = Interaction.get()
    assert (row.direction, row.amount_cents) == ("inbound", 12050)


def test_a_wrong_amount_is_explained_and_nothing_logged(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff)
    qtbot.keyClicks(dialog.fields.summary, "Price check")
    qtbot.keyClicks(dialog.fields.amount, "lots")
    enter(qtbot, dialog.fields.amount)
    assert dialog.isVisible()
    assert "not an amount" in dialog.problems.text()
    assert dialog.fields.amount.property("invalid") is True
    assert Interaction.select().count() == 0


def test_feedback_without_a_score_is_refused_and_with_one_is_logged(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff)
    dialog.fields.kind_picker.setFocus()
    qtbot.keyClicks(dialog.fields.kind_picker, "Feedback")  # typing a kind's name picks it
    assert dialog.fields.kind() == "feedback"
    assert dialog.fields.score.text() == "—"
    enter(qtbot, dialog.fields.summary)
    assert dialog.isVisible()
    assert dialog.problems.text() == "Feedback needs a score from 0 to 10."
    assert dialog.fields.score.property("invalid") is True
    assert Interaction.select().count() == 0

    qtbot.keyClick(dialog.fields.score, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.fields.score, "8")
    enter(qtbot, dialog.fields.score)
    row = Interaction.get()
    assert (row.kind, row.feedback_score, row.direction) == ("feedback", 8, "inbound")


def test_a_social_entry_names_its_network(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff, kind="social")
    qtbot.keyClicks(dialog.fields.summary, "Loved the new window")
    dialog.fields.network.setFocus()
    qtbot.keyClicks(dialog.fields.network, "Instagram")
    enter(qtbot, dialog.fields.network)  # Enter logs from the network's line too
    row = Interaction.get()
    assert (row.kind, row.network, row.direction) == ("social", "Instagram", None)


def test_a_social_entry_without_a_network_says_so(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff, kind="social")
    qtbot.keyClicks(dialog.fields.summary, "Loved the new window")
    enter(qtbot, dialog.fields.summary)
    assert "Name the social network" in dialog.problems.text()
    assert Interaction.select().count() == 0


def test_a_query_is_logged_open(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff, kind="query")
    qtbot.keyClicks(dialog.fields.summary, "Do you have it in blue?")
    enter(qtbot, dialog.fields.summary)
    row = Interaction.get()
    assert (row.kind, row.status, row.direction) == ("query", "open", "inbound")


def test_ctrl_enter_in_details_logs_and_enter_there_makes_a_new_line(qtbot, ann, staff):
    dialog = log_dialog(qtbot, ann, staff, kind="note")
    qtbot.keyClicks(dialog.fields.summary, "Sizes")
    details = dialog.fields.details
    details.setFocus()
    qtbot.keyClicks(details, "Dress: 12")
    enter(qtbot, details)
    qtbot.keyClicks(details, "Shoes: 39")
    assert Interaction.select().count() == 0
    qtbot.keyClick(details, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    row = Interaction.get()
    assert (row.kind, row.summary, row.details) == ("note", "Sizes", "Dress: 12\nShoes: 39")


def test_a_backdated_entry_is_stored_in_utc(qtbot, ann, staff, sydney_time):
    dialog = log_dialog(qtbot, ann, staff, kind="visit")
    two_days_ago = dialog.fields.when.dateTime().addDays(-2)
    dialog.fields.when.setDateTime(two_days_ago)
    enter(qtbot, dialog.fields.summary)
    row = Interaction.get()
    assert row.occurred_at == datetime.fromtimestamp(two_days_ago.toSecsSinceEpoch(), UTC)
    assert utc_now() - row.occurred_at >= timedelta(days=2) - timedelta(minutes=1)


def test_the_cap_warning_asks_for_a_second_enter(qtbot, ann, staff):
    for number in range(4):  # the default cap
        log_interaction(ann.id, "call", summary=f"Call {number}", direction="outbound")
    dialog = log_dialog(qtbot, ann, staff)
    warning = dialog.cap_warning
    assert warning.isVisible()
    assert warning.text().startswith(
        "Do not contact yet: 4 outbound contacts in the last 30 days (cap 4); next allowed on "
    )
    qtbot.keyClicks(dialog.fields.summary, "New stock")
    enter(qtbot, dialog.fields.summary)
    assert Interaction.select().count() == 4
    assert button_text(dialog.log_button) == "Log anyway"
    assert dialog.log_button.objectName() == "logButton"
    assert warning.isVisible()
    enter(qtbot, dialog.fields.summary)
    assert Interaction.select().count() == 5
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_cap_warning_goes_when_the_entry_is_no_longer_outbound(qtbot, ann, staff):
    for number in range(4):
        log_interaction(ann.id, "email", summary=f"Email {number}", direction="outbound")
    dialog = log_dialog(qtbot, ann, staff)
    qtbot.keyClicks(dialog.fields.summary, "Kept a scarf aside")
    enter(qtbot, dialog.fields.summary)
    assert button_text(dialog.log_button) == "Log anyway"

    choose_kind(qtbot, dialog, "note")
    assert not dialog.cap_warning.isVisible()
    assert button_text(dialog.log_button) == "Log"
    choose_kind(qtbot, dialog, "message")
    assert dialog.cap_warning.isVisible()
    qtbot.keyClicks(dialog.fields.direction, "In")
    assert not dialog.cap_warning.isVisible()
    enter(qtbot, dialog.fields.summary)  # an inbound message is logged at the first Enter
    assert Interaction.get(Interaction.kind == "message").direction == "inbound"


def test_an_archived_customer_is_explained(qtbot, staff):
    gone = add_contact("Bo", "Gone", archived_at=utc_now())
    dialog = show(qtbot, QuickLogDialog(gone.id, "Bo Gone", staff["Sam"], "note"))
    qtbot.keyClicks(dialog.fields.summary, "Hello")
    enter(qtbot, dialog.fields.summary)
    assert dialog.isVisible()
    assert dialog.problems.text()
    assert Interaction.select().count() == 0


# -------------------------------------------------------------------------------- follow-up


def test_a_follow_up_is_saved_due_next_week_at_ten_local_time(qtbot, ann, staff, sydney_time):
    dialog = show(qtbot, TaskDialog(ann.id, NAME, staff["Maya"], about="Do you have it in blue?"))
    assert dialog.windowTitle() == "New follow-up"
    about = dialog.findChild(QLabel, "taskAbout")
    assert about.text() == "About: Do you have it in blue?"
    assert dialog.staff.currentText() == "Maya"
    qtbot.keyClicks(dialog.title, "Call back about the blue dress")
    next_week = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Ne&xt week")
    qtbot.mouseClick(next_week, Qt.MouseButton.LeftButton)
    dialog.staff.setFocus()
    qtbot.keyClicks(dialog.staff, "Sam")
    enter(qtbot, dialog.title)
    task = Task.get()
    local_day = utc_now().astimezone().date() + timedelta(days=7)
    expected = datetime(local_day.year, local_day.month, local_day.day, 10).astimezone(UTC)
    assert task.due_at == expected
    assert expected.hour != 10  # Sydney is ahead of UTC: the conversion was made
    assert (task.title, task.staff_id, task.contact_id) == (
        "Call back about the blue dress", staff["Sam"], ann.id,
    )  # fmt: skip


def test_a_follow_up_defaults_to_tomorrow_for_anyone_when_nobody_is_signed_in(qtbot, ann):
    dialog = show(qtbot, TaskDialog(ann.id, NAME, None))
    assert dialog.staff.currentText() == "Anyone"
    assert dialog.findChild(QLabel, "taskAbout") is None
    qtbot.keyClicks(dialog.title, "Ring about the alterations")
    enter(qtbot, dialog.title)
    task = Task.get()
    assert task.staff_id is None
    tomorrow = utc_now().astimezone().date() + timedelta(days=1)
    assert task.due_at.astimezone().date() == tomorrow


def test_a_follow_up_without_a_title_is_refused(qtbot, ann, staff):
    dialog = show(qtbot, TaskDialog(ann.id, NAME, staff["Sam"]))
    enter(qtbot, dialog.title)
    assert dialog.isVisible()
    assert dialog.problems.text() == "Say what needs doing."
    assert dialog.title.property("invalid") is True
    assert Task.select().count() == 0


# ----------------------------------------------------------------------- editing, deleting


def test_a_manager_corrects_a_summary_and_the_audit_log_says_what_changed(qtbot, ann, staff):
    logged = log_interaction(ann.id, "call", summary="Rang abuot the coat", direction="inbound")
    dialog = show(qtbot, EditEntryDialog(logged.id, staff["Maya"]))
    fields = dialog.fields
    assert not fields.kind_picker.isEnabled() and fields.kind() == "call"
    assert fields.direction.currentData() == "inbound"
    qtbot.keyClick(fields.summary, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(fields.summary, "Rang about the coat")
    enter(qtbot, fields.summary)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.change is not None and dialog.change.entities
    row = Interaction.get_by_id(logged.id)
    assert (row.summary, row.direction) == ("Rang about the coat", "inbound")
    audit = AuditLog.get(AuditLog.action == ENTRY_EDITED)
    assert (audit.staff_id, audit.entity_id) == (staff["Maya"], logged.id)
    assert json.loads(audit.details)["fields"] == ["summary"]  # nothing left alone is named


def test_counter_staff_are_told_they_may_not_edit(qtbot, ann, staff):
    logged = log_interaction(ann.id, "note", summary="Likes green")
    dialog = show(qtbot, EditEntryDialog(logged.id, staff["Sam"]))
    qtbot.keyClicks(dialog.fields.summary, " and blue")
    enter(qtbot, dialog.fields.summary)
    assert dialog.isVisible()
    assert dialog.problems.text() == "Only a manager can edit history entries."
    assert Interaction.get_by_id(logged.id).summary == "Likes green"
    assert AuditLog.select().where(AuditLog.action == ENTRY_EDITED).count() == 0


def test_a_sale_keeps_its_amount_and_time_but_its_summary_can_be_corrected(qtbot, ann, staff):
    save_settings(points_per_unit=1)
    sale = record_sale(ann.id, 4_500, staff_id=staff["Sam"], summary="Scraf")
    dialog = show(qtbot, EditEntryDialog(sale.interaction_id, staff["Maya"]))
    fields = dialog.fields
    assert dialog.ledger_note.isVisible()
    assert dialog.ledger_note.text() == (
        "A sale's amount and time belong to the points ledger: refund it and record the right"
        " amount."
    )
    assert fields.amount.isReadOnly() and fields.when.isReadOnly()
    assert fields.amount.text() == "45.00"
    assert not fields.direction.isVisible()
    qtbot.keyClick(fields.summary, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(fields.summary, "Scarf")
    enter(qtbot, fields.summary)
    row = Interaction.get_by_id(sale.interaction_id)
    assert (row.summary, row.amount_cents) == ("Scarf", 4_500)


def test_deleting_needs_a_reason_before_delete_is_enabled(qtbot, app):
    dialog = show(qtbot, DeleteEntryDialog("call"))
    assert dialog.findChild(QLabel, "deleteMessage").text().startswith("Delete this call?")
    assert not dialog.delete_button.isEnabled()
    enter(qtbot, dialog.reason)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.delete_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "Logged for the wrong customer")
    assert dialog.delete_button.isEnabled()
    enter(qtbot, dialog.reason)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.reason_text() == "Logged for the wrong customer"


def test_deleting_a_sale_says_it_is_refunded(qtbot, app):
    sale = show(qtbot, DeleteEntryDialog("purchase"))
    texts = [label.text() for label in sale.findChildren(QLabel)]
    assert (
        "Delete this purchase? This cannot be undone; the deletion is recorded in the audit log."
        in texts
    )
    assert any(
        text.startswith("The sale will be refunded: its points are taken back") for text in texts
    )
    call = show(qtbot, DeleteEntryDialog("call"))
    assert not any("refunded" in label.text() for label in call.findChildren(QLabel))
