"""Signing in, switching user, managing staff and reading the audit log, as a person would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from relapp.db.models import AuditLog, Staff, database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.shop import staff
from relapp.domain.shop.audit import AuditFilter
from relapp.domain.shop.staff import get_staff, hash_pin
from relapp.ui.staff import (
    AuditLogDialog,
    CurrentStaff,
    StaffButton,
    StaffDialog,
    SwitchUserDialog,
    audit_view,
    install_staff_toolbar,
)
from relapp.ui.staff.audit_view import BLOCK, AuditTableModel
from relapp.ui.staff.staff_dialog import AddStaffDialog, PinDialog, StaffTableModel


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch):
    monkeypatch.setattr(staff, "_SCRYPT_N", 2**4)
    staff.failed_pins.forget_all()
    yield
    staff.failed_pins.forget_all()


@pytest.fixture
def shop(app, db):
    """Maya (manager, 1234), Sam and Lee (counter, 0000)."""
    now = utc_now()
    for name, role, pin in (("Maya", "manager", "1234"), ("Sam", "counter", "0000"),
                            ("Lee", "counter", "0000")):  # fmt: skip
        Staff.create(name=name, role=role, pin_hash=hash_pin(pin), created_at=now)
    return {member.name: member for member in staff.list_staff()}


def show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(dialog: SwitchUserDialog, name: str) -> None:
    row = next(
        row
        for row in range(dialog.staff_list.count())
        if dialog.staff_list.item(row).text().startswith(name)
    )
    dialog.staff_list.setCurrentRow(row)


# --------------------------------------------------------------------------- switch user


def test_typing_the_pin_and_pressing_enter_signs_in(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog())
    assert [dialog.staff_list.item(row).text() for row in range(3)] == [
        "Lee — counter", "Maya — manager", "Sam — counter"
    ]  # fmt: skip
    choose(dialog, "Sam")
    assert dialog.focusWidget() is dialog.pin
    assert dialog.pin.echoMode() == dialog.pin.EchoMode.Password
    qtbot.keyClicks(dialog.pin, "0000")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.member == shop["Sam"]
    assert AuditLog.select().where(AuditLog.action == staff.SIGNED_IN).count() == 1


def test_a_wrong_pin_says_so_clears_the_field_and_keeps_the_dialog(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog(current=shop["Maya"]))
    assert dialog.selected_member() == shop["Maya"]
    qtbot.keyClicks(dialog.pin, "0000")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.member is None
    assert dialog.message.isVisible()
    assert dialog.message.text() == "That is not Maya's PIN. Try again."
    assert dialog.pin.text() == "" and dialog.focusWidget() is dialog.pin
    qtbot.keyClicks(dialog.pin, "1234")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.member == shop["Maya"]


def test_the_pin_field_takes_digits_only(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog())
    qtbot.keyClicks(dialog.pin, "12ab34567890123")
    assert dialog.pin.text() == "123456789012"


def test_enter_without_a_pin_is_not_a_wrong_try(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog(current=shop["Sam"]))
    for _ in range(6):
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.message.text() == "Type your PIN, then press Enter."
    qtbot.keyClicks(dialog.pin, "0000")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.member == shop["Sam"]


def test_up_and_down_in_the_pin_field_choose_the_name(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog(current=shop["Lee"]))
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Down)
    assert dialog.selected_member() == shop["Sam"]
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Down)  # stays on the last
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Up)
    assert dialog.selected_member() == shop["Maya"]


def test_after_five_wrong_pins_the_wait_is_shown(qtbot, shop):
    dialog = show(qtbot, SwitchUserDialog(current=shop["Sam"]))
    for _ in range(5):
        qtbot.keyClicks(dialog.pin, "9999")
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.message.text().startswith("Too many wrong PINs. Wait 60 seconds")
    qtbot.keyClicks(dialog.pin, "0000")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.member is None and dialog.isVisible()


def test_deactivated_staff_are_not_listed(qtbot, shop):
    staff.set_staff_active(shop["Lee"].id, False, shop["Maya"].id)
    dialog = show(qtbot, SwitchUserDialog())
    assert dialog.staff_list.count() == 2


def test_an_empty_shop_creates_the_owner_first(qtbot, app, db):
    dialog = show(qtbot, SwitchUserDialog())
    assert dialog.owner_mode and dialog.focusWidget() is dialog.owner_name
    qtbot.keyClicks(dialog.owner_name, "Ada Lovelace")
    qtbot.keyClicks(dialog.pins.pin, "2580")
    qtbot.keyClicks(dialog.pins.pin_again, "2581")
    qtbot.keyClick(dialog.pins.pin_again, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.problems.text() == "The two PINs differ: type the same PIN twice."
    assert Staff.select().count() == 0

    dialog.pins.pin_again.clear()
    qtbot.keyClicks(dialog.pins.pin_again, "2580")
    qtbot.keyClick(dialog.pins.pin_again, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.member.name, dialog.member.role) == ("Ada Lovelace", "manager")
    assert staff.authenticate(dialog.member.id, "2580") == dialog.member


# ------------------------------------------------------------------- current staff, button


def test_the_staff_button_follows_sign_in(qtbot, change_bus, shop, monkeypatch):
    current = CurrentStaff()
    button = show(qtbot, StaffButton(current, change_bus))
    assert button.text() == "Sign in"
    assert not button.staff_action.isEnabled() and not button.pin_action.isEnabled()
    monkeypatch.setattr(SwitchUserDialog, "ask", lambda parent, member: shop["Sam"])
    with qtbot.wait_signal(current.changed):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text() == "Sam (counter)"
    assert current.staff_id == shop["Sam"].id
    assert button.pin_action.isEnabled() and not button.staff_action.isEnabled()

    current.set_member(shop["Maya"])
    assert button.text() == "Maya (manager)"
    assert button.staff_action.isEnabled() and button.audit_action.isEnabled()

    monkeypatch.setattr(SwitchUserDialog, "ask", lambda parent, member: None)  # cancelled
    with qtbot.assert_not_emitted(current.changed):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text() == "Maya (manager)"


def test_the_toolbar_opens_nothing_at_start_and_answers_ctrl_shift_u(
    qtbot, change_bus, shop, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        SwitchUserDialog, "ask", lambda parent, member: asked.append(member) or shop["Lee"]
    )
    window = QMainWindow()
    current = CurrentStaff()
    toolbar = install_staff_toolbar(window, current, change_bus)
    show(qtbot, window)
    qtbot.wait(10)
    assert asked == []
    button = toolbar.findChild(StaffButton)
    assert button.isVisible() and button.text() == "Sign in"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert asked == [None]
    assert button.text() == "Lee (counter)"


def test_current_staff_follows_changes_to_the_account(qtbot, shop, change_bus):
    current = CurrentStaff()
    window = QMainWindow()
    qtbot.addWidget(window)
    install_staff_toolbar(window, current, change_bus)
    current.set_member(shop["Sam"])
    assert current.can("sell") and not current.can("adjust_points")

    change_bus.publish(staff.set_role(shop["Sam"].id, "manager", shop["Maya"].id))
    assert current.member.role == "manager" and current.can("adjust_points")

    with qtbot.wait_signal(current.changed) as signal:
        change_bus.publish(staff.set_staff_active(shop["Sam"].id, False, shop["Maya"].id))
    assert signal.args == [None] and current.member is None


def test_changing_ones_own_pin_asks_for_the_current_one(qtbot, shop):
    dialog = show(qtbot, PinDialog(shop["Sam"], ask_current=True))
    qtbot.keyClicks(dialog.current, "1111")
    qtbot.keyClicks(dialog.pins.pin, "24680")
    qtbot.keyClicks(dialog.pins.pin_again, "24680")
    qtbot.keyClick(dialog.pins.pin_again, Qt.Key.Key_Return)
    assert dialog.isVisible() and "not Sam's PIN" in dialog.problems.text()
    qtbot.keyClicks(dialog.current, "0000")
    qtbot.keyClick(dialog.current, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.pins.pin.text() == "24680"


# ----------------------------------------------------------------------------- staff dialog


def test_a_manager_deactivates_and_reactivates_a_counter(qtbot, shop):
    dialog = show(qtbot, StaffDialog(shop["Maya"]))
    dialog.select(shop["Sam"].id)
    assert dialog.active_button.text() == "&Deactivate"
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert not get_staff(shop["Sam"].id).active
    row = dialog.model.row_of(shop["Sam"].id)
    assert dialog.model.index(row, 2).data() == "Deactivated"
    assert dialog.active_button.text() == "Re&activate"
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert get_staff(shop["Sam"].id).active
    assert Change.union(*dialog.changes).touches(Entity.STAFF)


def test_the_only_manager_cannot_be_demoted_and_is_told_why(qtbot, shop):
    dialog = show(qtbot, StaffDialog(shop["Maya"]))
    dialog.select(shop["Maya"].id)
    assert dialog.role_button.text() == "Make &counter"
    qtbot.mouseClick(dialog.role_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible()
    assert "Maya is the only active manager" in dialog.message.text()
    assert get_staff(shop["Maya"].id).role == "manager"
    assert dialog.changes == []


def test_a_counter_sees_the_staff_but_can_change_nothing(qtbot, shop):
    dialog = show(qtbot, StaffDialog(shop["Sam"]))
    assert dialog.model.rowCount() == 3
    assert not any(
        button.isEnabled()
        for button in (dialog.add_button, dialog.role_button, dialog.active_button,
                       dialog.pin_button)
    )  # fmt: skip
    assert dialog.message.text() == "Only a manager can change staff accounts."


def test_adding_a_staff_member(qtbot, shop):
    dialog = show(qtbot, AddStaffDialog(shop["Maya"]))
    qtbot.keyClicks(dialog.name, "Sam")
    qtbot.keyClicks(dialog.pins.pin, "5555")
    qtbot.keyClicks(dialog.pins.pin_again, "5555")
    qtbot.keyClick(dialog.pins.pin_again, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.problems.text() == "There is already a staff member called Sam."
    assert dialog.name.property("invalid") is True

    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Priya")
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    priya = Staff.get(Staff.name == "Priya")
    assert priya.role == "manager" and "5555" not in priya.pin_hash


def test_a_manager_resets_a_pin_from_the_staff_dialog(qtbot, shop, monkeypatch):
    monkeypatch.setattr(PinDialog, "ask", lambda parent, member, ask_current=False: "97531")
    dialog = show(qtbot, StaffDialog(shop["Maya"]))
    dialog.select(shop["Lee"].id)
    qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
    assert dialog.notice.text() == "Lee's PIN was reset."
    assert staff.authenticate(shop["Lee"].id, "97531") == shop["Lee"]


def test_the_staff_model_passes_the_model_tester(qtmodeltester, shop):
    staff.set_staff_active(shop["Lee"].id, False, shop["Maya"].id)
    model = StaffTableModel()
    qtmodeltester.check(model)
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is not None  # Lee, greyed


# -------------------------------------------------------------------------------- audit log


@pytest.fixture
def busy_log(shop):
    """BLOCK * 2 + 50 rows beyond the shop's own, alternating Sam and Lee."""
    database.execute_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO audit_log (occurred_at, staff_id, action, entity, entity_id, details)"
        " SELECT '2026-05-01 10:00:00', CASE i % 2 WHEN 0 THEN ? ELSE ? END,"
        "  CASE i % 2 WHEN 0 THEN 'contacts tagged' ELSE 'contact edited' END, 'contact',"
        "  CASE i % 2 WHEN 0 THEN NULL ELSE i END,"
        "  CASE i % 2 WHEN 0 THEN json_object('tag', 'VIP', 'count', 2, 'ids', json_array(1, 2))"
        "   ELSE json_object('fields', json_array('phone')) END FROM n",
        (BLOCK * 2 + 50, shop["Sam"].id, shop["Lee"].id),
    )
    return BLOCK * 2 + 50


def test_the_audit_log_lists_newest_first(qtbot, busy_log):
    dialog = show(qtbot, AuditLogDialog())
    model = dialog.model
    assert model.rowCount() == busy_log
    assert dialog.count_label.text().endswith("entries")
    texts = [model.index(0, column).data() for column in range(5)]
    assert texts[1:] == ["Sam", "Contacts tagged", "contact", "tag VIP · 2 contacts"]
    assert [model.index(1, column).data() for column in (1, 3, 4)] == [
        "Lee", f"contact #{busy_log - 1}", "fields: phone"
    ]  # fmt: skip
    ids = [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(busy_log)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == busy_log
    assert '"tag": "VIP"' in dialog.details.toPlainText()


@pytest.mark.qt_log_ignore(  # said by the offscreen platform when a combo's list opens
    "This plugin does not support grabbing the keyboard", "This plugin does not support raise"
)
def test_the_audit_log_filters_by_text_action_and_staff(qtbot, busy_log, shop):
    dialog = show(qtbot, AuditLogDialog())
    qtbot.keyClicks(dialog.text_filter, "phone")
    qtbot.keyClick(dialog.text_filter, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == busy_log // 2

    dialog.text_filter.clear()
    assert dialog.action_filter.count() == 1  # not read until the combo is used
    qtbot.mouseClick(dialog.action_filter, Qt.MouseButton.LeftButton)  # opens the list
    dialog.action_filter.hidePopup()
    assert dialog.action_filter.findData("contacts tagged") > 0
    dialog.action_filter.setCurrentIndex(dialog.action_filter.findData("contacts tagged"))
    assert dialog.model.rowCount() == busy_log // 2
    dialog.staff_filter.setCurrentIndex(dialog.staff_filter.findData(shop["Lee"].id))
    assert dialog.model.rowCount() == 0
    assert dialog.details.toPlainText() == ""


def test_refresh_shows_what_was_recorded_since(qtbot, busy_log, shop):
    dialog = show(qtbot, AuditLogDialog())
    dialog.action_filter.ensure_loaded()
    dialog.action_filter.setCurrentIndex(dialog.action_filter.findData("contact edited"))
    staff.authenticate(shop["Sam"].id, "0000")
    assert dialog.model.rowCount() == busy_log // 2
    dialog.action_filter.setCurrentIndex(0)
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == busy_log + 1
    assert dialog.model.index(0, 2).data() == "Staff signed in"
    dialog.action_filter.ensure_loaded()  # the list of actions is read again too
    assert dialog.action_filter.findData(staff.SIGNED_IN) > 0


def test_refresh_keeps_the_chosen_action(qtbot, busy_log, shop):
    dialog = show(qtbot, AuditLogDialog())
    dialog.action_filter.ensure_loaded()
    dialog.action_filter.setCurrentIndex(dialog.action_filter.findData("contact edited"))
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.action_filter.currentData() == "contact edited"
    assert dialog.model.rowCount() == busy_log // 2
    dialog.action_filter.ensure_loaded()
    assert dialog.action_filter.currentData() == "contact edited"
    assert dialog.action_filter.count() == 3  # all, contact edited, contacts tagged


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_ask_shows_one_audit_window(qtbot, busy_log):
    first = AuditLogDialog.ask(None)
    qtbot.addWidget(first)
    assert first.isVisible() and AuditLogDialog.ask(None) is first
    first.close()


def test_the_audit_model_passes_the_model_tester(qtmodeltester, busy_log):
    model = AuditTableModel()
    model.set_filter(AuditFilter())
    qtmodeltester.check(model)


def test_the_audit_model_reads_pages_by_key_after_the_first(busy_log, app, monkeypatch):
    calls = []
    real = audit_view.audit_page

    def spy(*args, **kwargs):
        calls.append(kwargs.get("before_id"))
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_view, "audit_page", spy)
    model = AuditTableModel()
    model.set_filter(AuditFilter())
    for row in range(model.rowCount()):
        assert model.audit_row(row) is not None
    assert calls[0] is None and all(key is not None for key in calls[1:]) and len(calls) == 3
    assert model.audit_row(model.rowCount()) is None


# ---------------------------------------------------------- PINs at the counter, sign out, lock


def test_with_pins_in_use_the_counter_asks_someone_to_sign_in_first(qtbot, shop, monkeypatch):
    from PySide6.QtWidgets import QWidget

    asked = []

    def ask(parent, current, reason=""):
        asked.append(reason)
        return shop["Sam"]

    monkeypatch.setattr(SwitchUserDialog, "ask", ask)
    current = CurrentStaff()
    counter = show(qtbot, QWidget())
    assert current.require_for_counter(counter, "record a sale") is True
    assert asked == ["Sign in to record a sale: every sale and redemption records who made it."]
    assert current.staff_id == shop["Sam"].id
    assert current.require_for_counter(counter, "redeem a reward") is True  # signed in now
    assert len(asked) == 1

    current.sign_out()
    monkeypatch.setattr(SwitchUserDialog, "ask", lambda parent, current, reason="": None)
    assert current.require_for_counter(counter, "record a sale") is False  # cancelled
    assert current.member is None


def test_without_staff_accounts_the_counter_goes_on_unattributed(qtbot, app, db, monkeypatch):
    from PySide6.QtWidgets import QWidget

    monkeypatch.setattr(SwitchUserDialog, "ask", lambda *args, **kwargs: pytest.fail("asked"))
    current = CurrentStaff()
    assert current.require_for_counter(show(qtbot, QWidget()), "record a sale") is True
    assert current.staff_id is None


def test_the_sign_in_prompt_says_why(qtbot, shop, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        seen["title"] = dialog.windowTitle()
        seen["said"] = dialog.findChild(QLabel, "signInReason").text()
        choose(dialog, "Lee")
        qtbot.keyClicks(dialog.pin, "0000")
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    member = SwitchUserDialog.ask(None, None, reason="Sign in to record a sale: because.")
    assert member == shop["Lee"]
    assert seen == {"title": "Sign in", "said": "Sign in to record a sale: because."}


def test_sign_out_and_lock_in_the_user_menu(qtbot, change_bus, shop):
    current = CurrentStaff()
    button = show(qtbot, StaffButton(current, change_bus))
    texts = [action.text() for action in button.menu().actions() if not action.isSeparator()]
    assert texts[:3] == ["&Switch user…", "Sign &out", "&Lock"]
    assert button.lock_action.shortcut().toString() == "Ctrl+L"
    assert not button.sign_out_action.isEnabled() and button.lock_action.isEnabled()
    current.set_member(shop["Maya"])
    assert button.sign_out_action.isEnabled()
    button.sign_out_action.trigger()
    assert current.member is None and button.text() == "Sign in"


def test_locking_signs_out_until_someone_signs_in(qtbot, shop):
    current = CurrentStaff()
    current.set_member(shop["Sam"])
    with qtbot.wait_signal(current.lock_changed) as locked:
        current.lock()
    assert locked.args == [True] and current.locked and current.member is None
    with qtbot.wait_signal(current.lock_changed) as unlocked:
        current.set_member(shop["Lee"])
    assert unlocked.args == [False] and not current.locked


def test_a_shop_without_staff_cannot_lock_itself_out(qtbot, change_bus, app, db):
    current = CurrentStaff()
    button = show(qtbot, StaffButton(current, change_bus))
    assert not button.lock_action.isEnabled()
    with qtbot.assert_not_emitted(current.lock_changed):
        current.lock()
    assert not current.locked
