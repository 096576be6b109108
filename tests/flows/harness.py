"""The flow tests' harness: the real main window on a demo shop, driven by keys and clicks.

A flow test starts the window exactly as `relapp` does (relapp.ui.app.start_main_window: the
window, the daily round, the automatic backup, the outside-changes watch) on a copy of a small
demo shop generated once per session, then presses the keys a cashier presses. Modal dialogs
block in exec(), as they do for a person; a flow says beforehand what to do in the next one
(`flow.in_next_dialog(handler)`), and the handler runs once that dialog is on screen.

An exception in any Qt slot fails the test that caused it: pytest-qt records what reaches
sys.excepthook during every test, and the app's own error dialog (show_unexpected_error) is
installed by run_app only, never by start_main_window.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QProgressDialog,
    QWidget,
)

from relapp.db.connection import open_database
from relapp.demo.generator import generate_demo_shop
from relapp.ui.app import RunningWindow, create_application, open_shop_server, start_main_window

DEMO_CUSTOMERS = 300
DEMO_SEED = 5
UNEXPECTED_DIALOG_MS = 3_000

DialogHandler = Callable[[QWidget], object]
MENU = "\0menu"  # DialogAnswers: the next pop-up menu instead of the next dialog


def make_demo_template(folder: Path) -> Path:
    """A demo shop up to today, written once; each flow works on its own copy."""
    path = folder / "demo.db"
    database = open_database(path)
    try:
        generate_demo_shop(DEMO_CUSTOMERS, seed=DEMO_SEED)
    finally:
        database.close()
    return path


def copy_database(source: Path, target: Path) -> None:
    """Through SQLite's backup API, as everything that copies a database must."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def visible_text(widget: QWidget) -> str:
    """What a person can read in widget: its visible labels and buttons, one per line."""
    texts = [w.text() for w in widget.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w.text() for w in widget.findChildren(QAbstractButton) if w.isVisible()]
    return "\n".join(texts)


def _row_text(view: QAbstractItemView) -> str:
    index = view.currentIndex()
    model = view.model()
    if not index.isValid():
        return ""
    try:
        columns = model.columnCount(index.parent())
    except TypeError:  # a QListWidget's model keeps columnCount private: one column
        columns = 1
    return " ".join(
        str(model.index(index.row(), column, index.parent()).data() or "")
        for column in range(columns)
    )


def describe(dialog: QWidget) -> str:
    return f"{dialog.windowTitle()!r}: {visible_text(dialog)!r}"


class DialogAnswers:
    """Runs each queued handler on the next modal dialog that opens.

    A poll timer notices the dialog; the handler runs from a single-shot timer of its own, so
    the poll keeps going while the handler's keys open a further dialog (Qt never re-enters a
    timer whose slot is still running).
    """

    def __init__(self) -> None:
        self.queue: deque[tuple[DialogHandler, str]] = deque()
        self.answered: list[QWidget] = []
        self.errors: list[BaseException] = []
        self.unexpected: tuple[QWidget, float] | None = None
        self.running = 0  # handlers still running (a dialog they opened is still open)
        self.handling: list[QWidget] = []  # the dialogs of the handlers running
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def expect(self, handler: DialogHandler, title: str = "") -> None:
        self.queue.append((handler, title))

    def _poll(self) -> None:
        self._close_a_dialog_nobody_expects()
        if not self.queue:
            return
        handler, title = self.queue[0]
        if title == MENU:
            dialog = QApplication.activePopupWidget()
        else:
            dialog = QApplication.activeModalWidget()
        if (
            dialog is None
            or not dialog.isVisible()
            or isinstance(dialog, QProgressDialog)  # comes and goes by itself
            or any(d is dialog for d in self.answered)
        ):
            return
        if title not in (MENU, "") and title not in dialog.windowTitle():
            return  # another dialog on the way (a progress dialog): wait for the one expected
        self.queue.popleft()
        self.answered.append(dialog)
        QTimer.singleShot(0, lambda: self._run(handler, dialog))

    def _close_a_dialog_nobody_expects(self) -> None:
        """A dialog no handler is waiting for (an error box, a question), or one its handler
        left open, would block the test for ever: after UNEXPECTED_DIALOG_MS it is closed and
        the test fails with what it said."""
        dialog = QApplication.activeModalWidget()
        expected = any(title in ("", MENU) or (dialog is not None and title in
                       dialog.windowTitle()) for _handler, title in self.queue)  # fmt: skip
        handled = any(d is dialog for d in self.handling)
        if dialog is None or isinstance(dialog, QProgressDialog) or expected or handled:
            self.unexpected = None
            return
        if self.unexpected is None or self.unexpected[0] is not dialog:
            self.unexpected = (dialog, time.monotonic())
            return
        if time.monotonic() - self.unexpected[1] > UNEXPECTED_DIALOG_MS / 1000:
            self.errors.append(AssertionError(f"a dialog left open: {describe(dialog)}"))
            dialog.close()

    def _run(self, handler: DialogHandler, dialog: QWidget) -> None:
        self.running += 1
        self.handling.append(dialog)
        try:
            handler(dialog)
        except BaseException as error:  # handed to the test, which fails with it
            self.errors.append(error)
            if dialog.isVisible():
                dialog.close()
        finally:
            self.running -= 1
            self.handling.remove(dialog)

    def stop(self) -> None:
        self.timer.stop()


class Flow:
    """One person at the real window. Keys go where the keyboard focus is, as they would."""

    def __init__(self, qtbot, running: RunningWindow, db_path: Path) -> None:
        self.qtbot = qtbot
        self.running = running
        self.window = running.window
        self.db_path = db_path
        self.dialogs = DialogAnswers()
        # The window (not a dialog) a person last worked in: the main window, or one the app
        # opened beside it, such as a customer's history (Ctrl+H).
        self.working_window: QWidget = running.window

    # -- the keyboard and the mouse ----------------------------------------------------------

    def focus(self) -> QWidget:
        popup = QApplication.activePopupWidget()
        if popup is not None:
            return popup  # an open menu grabs the keyboard
        # A window manager activates a dialog when it opens, and the window underneath (the
        # modal dialog still open, else the window worked in) when it closes; Qt's offscreen
        # platform does neither.
        active = QApplication.activeWindow()
        if active is not None and not isinstance(active, QDialog) and active.isVisible():
            self.working_window = active
        if not shiboken6.isValid(self.working_window) or not self.working_window.isVisible():
            self.working_window = self.window  # the window worked in was closed
        wanted = QApplication.activeModalWidget() or self.working_window
        if QApplication.activeWindow() is not wanted:
            wanted.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is wanted, timeout=2_000)
        return QApplication.focusWidget() or QApplication.activeWindow() or self.window

    def type(self, text: str) -> None:
        """Type text where the focus is. QTest types a character through its ASCII key and
        aborts the process on any other (ë, a Chinese name, an emoji), so those are sent as a
        key carrying the text, as a keyboard layout, an input method or the emoji picker
        enters them."""
        for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
            if run[0] <= "\x7f":
                self.qtbot.keyClicks(self.focus(), run)
                continue
            for character in _characters(run):
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier,
                                      character)  # fmt: skip
                    QApplication.sendEvent(self.focus(), event)

    def press(self, keys: str) -> None:
        """keys as a person reads them on a key cap: "Return", "F2", "Ctrl+2", "Escape"."""
        combination = QKeySequence(keys)[0]
        self.qtbot.keyClick(self.focus(), combination.key(), combination.keyboardModifiers())
        self.check()

    def click(self, button: QAbstractButton) -> None:
        assert button.isVisible() and button.isEnabled(), f"{button.text()!r} cannot be clicked"
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.check()

    def move_to(self, view: QAbstractItemView, text: str, limit: int = 400) -> None:
        """Press Down (from the top) until the current row of view shows text."""
        view.setFocus()
        self.press("Home")
        for _ in range(limit):
            if text in _row_text(view):
                return
            self.press("Down")
        raise AssertionError(f"no row showing {text!r}")

    def in_next_dialog(self, handler: DialogHandler, title: str = "") -> None:
        """handler(dialog) runs once the next modal dialog whose title holds title is on
        screen (other dialogs, such as a progress dialog, are left alone)."""
        self.dialogs.expect(handler, title)

    def in_next_menu(self, handler: DialogHandler) -> None:
        """handler(menu) runs once the next pop-up menu is open."""
        self.dialogs.expect(handler, MENU)

    def choose_in_menu(self, menu: QWidget, text: str) -> None:
        """Press Down in an open menu until the action starting with text is active, then
        Enter, as a person does with the keyboard."""
        for _ in range(len(menu.actions()) + 1):
            if menu.activeAction() is not None and menu.activeAction().text().startswith(text):
                self.press("Return")
                return
            self.press("Down")
        raise AssertionError(f"no menu item {text!r}")

    def wait_until(self, condition: Callable[[], object], timeout_ms: int = 5_000) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout_ms)
        self.check()

    def sign_in(self, name: str, pin: str) -> None:
        """Ctrl+Shift+U, pick the name (Up and Down in the PIN field), type the PIN, Enter."""

        def sign_in(dialog) -> None:
            for _ in range(dialog.staff_list.count()):
                if dialog.selected_member().name.startswith(name):
                    break
                self.press("Down")
            self.type(pin)
            self.press("Return")

        self.in_next_dialog(sign_in, "Switch user")
        self.press("Ctrl+Shift+U")
        assert self.window.current_staff.member.name.startswith(name)

    def wait_for_dialogs(self, timeout_ms: int = 20_000) -> None:
        """Until every queued handler has run and returned (after a key that opens a menu
        or a window without blocking)."""
        self.wait_until(lambda: not self.dialogs.queue and not self.dialogs.running, timeout_ms)

    def check(self) -> None:
        """Fail now with what went wrong inside a dialog's handler."""
        if self.dialogs.errors:
            raise self.dialogs.errors.pop(0)

    # -- what is on screen ---------------------------------------------------------------------

    def current_view(self) -> QWidget:
        return self.window.stack.currentWidget()

    def screen_text(self) -> str:
        return visible_text(self.window)

    def status_text(self) -> str:
        return self.window.statusBar().currentMessage()

    def close(self) -> None:
        self.dialogs.stop()
        unanswered = [
            {"": "a dialog", MENU: "a menu"}.get(title, title) for _h, title in self.dialogs.queue
        ]
        self.window.close()
        self.running.stop()
        # Qt objects the test left in reference cycles go now, on this (the GUI) thread: the
        # next collection could run on a worker thread of the next test (a dossier being
        # written), which then frees widgets it does not own (a segmentation fault in CI).
        gc.collect()
        self.check()
        assert not unanswered, f"never opened: {', '.join(unanswered)}"


def start_flow(qtbot, tmp_path: Path, template: Path) -> Flow:
    gc.collect()  # what earlier tests left in cycles goes on this thread (see Flow.close)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt"))
    create_application()
    db_path = tmp_path / "shop.db"
    copy_database(template, db_path)
    open_database(db_path)
    running = start_main_window(db_path)
    qtbot.addWidget(running.window)
    qtbot.waitExposed(running.window)
    return Flow(qtbot, running, db_path)


def start_server_flow(qtbot, tmp_path: Path, url: str) -> Flow:
    """The real main window on a shop server whose database already holds a shop, started as
    `relapp --db postgresql://...` does: the server opened (relapp.ui.app.open_shop_server),
    then start_main_window(url). Flow.db_path is the URL."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt"))
    create_application()
    open_shop_server(url)
    running = start_main_window(url)
    qtbot.addWidget(running.window)
    qtbot.waitExposed(running.window)
    return Flow(qtbot, running, url)  # db_path: the URL here


def _characters(text: str) -> list[str]:
    """text's characters as a person enters them: a character with its combining marks is
    one (Python's str already keeps a surrogate pair, an emoji, as one character)."""
    found: list[str] = []
    for character in text:
        if found and unicodedata.combining(character):
            found[-1] += character
        else:
            found.append(character)
    return found
