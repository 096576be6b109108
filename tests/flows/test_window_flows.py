"""The window itself, from the keyboard: it fits the screen and remembers being maximised, the
cursor lands in each view's first field, F1 lists every key, the user guide opens offline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact
from relapp.ui.app import start_main_window
from relapp.ui.help.shortcuts import NO_DESCRIPTION
from tests.flows.harness import Flow


def focused():
    return QApplication.focusWidget()


def test_the_window_fits_the_screen_and_comes_back_maximised(flow: Flow, qtbot):
    window = flow.window
    free = window.screen().availableGeometry()
    assert window.minimumWidth() <= free.width() and window.minimumHeight() <= free.height()
    assert free.contains(window.frameGeometry())  # the status bar is on screen
    assert window.statusBar().isVisible()

    window.showMaximized()  # as the window manager does with a double click on the title
    flow.wait_until(window.isMaximized)
    window.close()
    flow.running.stop()

    again = start_main_window(flow.db_path)
    qtbot.addWidget(again.window)
    try:
        qtbot.waitExposed(again.window)
        assert again.window.isMaximized()
        again.window.showNormal()
        flow.wait_until(lambda: not again.window.isMaximized())
        again.window.close()
    finally:
        again.stop()
    third = start_main_window(flow.db_path)
    qtbot.addWidget(third.window)
    try:
        qtbot.waitExposed(third.window)
        assert not third.window.isMaximized()
        assert free.contains(third.window.frameGeometry())
    finally:
        third.window.close()
        third.stop()


def test_ctrl_2_and_ctrl_f_put_the_cursor_in_the_contacts_filter(flow: Flow):
    people = Contact.select().where(Contact.kind == "person").order_by(Contact.id)
    # keyClicks types ASCII only.
    customer = next(c for c in people if c.family_name.isascii() and c.family_name.isalpha())
    flow.press("Ctrl+2")
    contacts = flow.window.views["contacts"]
    assert focused() is contacts.filter_bar.text
    flow.type(customer.family_name)
    flow.wait_until(lambda: contacts.model.rowCount() and all(
        customer.family_name in contacts.model.index(row, 0).data()
        for row in range(contacts.model.rowCount())
    ))  # fmt: skip
    flow.press("Down")  # on to the table, its first row chosen
    assert focused() is contacts.table
    assert contacts.current_contact_id() is not None

    flow.press("Ctrl+F")
    assert focused() is contacts.filter_bar.text
    assert contacts.filter_bar.text.selectedText() == customer.family_name  # typing replaces it
    flow.press("Ctrl+1")
    flow.press("Ctrl+F")  # at the Counter, Ctrl+F is its own search box
    assert focused() is flow.window.views["counter"].search_box
    flow.press("Ctrl+3")
    flow.press("Ctrl+F")
    assert flow.window.current_view_key() == "contacts"
    assert focused() is contacts.filter_bar.text


def test_each_view_puts_the_cursor_in_its_first_field(flow: Flow):
    views = flow.window.views
    expected = {
        "Ctrl+1": views["counter"].search_box,
        "Ctrl+2": views["contacts"].filter_bar.text,
        "Ctrl+3": views["today"].work_list,
        "Ctrl+4": views["loyalty"].program_fields["points_per_unit"],
        "Ctrl+6": views["settings"].shop_name,
    }
    for keys, field in [*expected.items(), ("Ctrl+1", views["counter"].search_box)]:
        flow.press(keys)
        assert focused() is field or field.isAncestorOf(focused()), (keys, focused())
    flow.press("Ctrl+5")
    reports = views["reports"]
    assert focused() is not None and reports.isAncestorOf(focused())
    # A second press goes back to the first field, from wherever the cursor was.
    flow.press("Ctrl+2")
    flow.press("Down")
    flow.press("Ctrl+2")
    assert focused() is views["contacts"].filter_bar.text


def test_f1_lists_every_key_of_the_window(flow: Flow):
    window = flow.window

    def named(keys) -> set[str]:
        # Left out: the extra keys of some keyboards (New, Save...) a standard key answers to.
        return {key.toString(QKeySequence.SequenceFormat.NativeText) for key in keys
                if not key.isEmpty() and key[0].key().value < Qt.Key.Key_Back.value}  # fmt: skip

    keys_in_window = set()
    for action in window.findChildren(QAction):
        keys_in_window |= named(action.shortcuts())
    for shortcut in window.findChildren(QShortcut):
        if shortcut.parent().window() is window:
            keys_in_window |= named(shortcut.keys())
    seen = {}

    def read(dialog):
        seen["lines"] = dialog.lines()
        flow.press("Escape")

    flow.in_next_dialog(read, "Keyboard shortcuts")
    flow.press("F1")
    flow.wait_for_dialogs()
    lines = seen["lines"]
    listed = {key for _where, keys, _what in lines for key in keys.split(", ")}
    assert keys_in_window <= listed, keys_in_window - listed
    assert [line for line in lines if line[2] == NO_DESCRIPTION] == []
    for line in (
        ("Everywhere in the window", "Ctrl+1", "Counter"),
        ("Everywhere in the window", "Ctrl+F", "Find a customer"),
        ("Everywhere in the window", "Ctrl+L", "Lock"),
        ("Everywhere in the window", "Ctrl+Shift+U", "Switch user…"),
        ("Everywhere in the window", "F1", "Keyboard shortcuts"),
        ("Counter view", "F2", "Record sale"),
        ("Counter view", "F3", "Redeem reward"),
        ("Counter view", "Ctrl+N", "New customer"),
        ("Contacts view", "Ctrl+T", "Tag…"),
        ("Today view", "Ctrl+R", "Refresh"),
        ("Reports view", "Ctrl+S", "Save as PDF…"),
    ):
        assert line in lines, line


def test_the_user_guide_opens_from_the_help_menu(flow: Flow):
    seen = {}

    def read(dialog):
        seen["sections"] = dialog.sections()
        seen["text"] = dialog.browser.toPlainText()
        flow.press("Escape")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&User guide"))
    flow.in_next_dialog(read, "Relapp user guide")
    flow.press("Alt+H")
    flow.wait_for_dialogs()
    assert {"First start", "At the counter", "Staff", "Loyalty view"} <= set(seen["sections"])
    assert "Relapp user guide" in seen["text"]
    assert "#" not in seen["text"].splitlines()[0]  # read as a document, not as Markdown
