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

import sqlite3
from collections import deque
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from relapp.db import open_database
from relapp.demo.generator import generate_demo_shop
from relapp.ui.app import RunningWindow, create_application, start_main_window

DEMO_CUSTOMERS = 300
DEMO_SEED = 5
DIALOG_WAIT_MS = 5_000

DialogHandler = Callable[[QWidget], object]


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
        self.waited_ms = 0
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def expect(self, handler: DialogHandler, title: str = "") -> None:
        self.queue.append((handler, title))
        self.waited_ms = 0

    def _poll(self) -> None:
        if not self.queue:
            return
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or any(d is dialog for d in self.answered):
            self.waited_ms += self.timer.interval()
            return
        handler, title = self.queue.popleft()
        self.answered.append(dialog)
        if title and title not in dialog.windowTitle():
            self.errors.append(
                AssertionError(f"expected a dialog titled {title!r}, got {dialog.windowTitle()!r}")
            )
            dialog.close()
            return
        QTimer.singleShot(0, lambda: self._run(handler, dialog))

    def _run(self, handler: DialogHandler, dialog: QWidget) -> None:
        try:
            handler(dialog)
        except BaseException as error:  # handed to the test, which fails with it
            self.errors.append(error)
            if dialog.isVisible():
                dialog.close()

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

    # -- the keyboard and the mouse ----------------------------------------------------------

    def focus(self) -> QWidget:
        return QApplication.focusWidget() or QApplication.activeWindow() or self.window

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus(), text)

    def press(self, keys: str) -> None:
        """keys as a person reads them on a key cap: "Return", "F2", "Ctrl+2", "Escape"."""
        combination = QKeySequence(keys)[0]
        self.qtbot.keyClick(self.focus(), combination.key(), combination.keyboardModifiers())
        self.check()

    def click(self, button: QAbstractButton) -> None:
        assert button.isVisible() and button.isEnabled(), f"{button.text()!r} cannot be clicked"
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.check()

    def in_next_dialog(self, handler: DialogHandler, title: str = "") -> None:
        """handler(dialog) runs once the next modal dialog (titled ... title) is on screen."""
        self.dialogs.expect(handler, title)

    def wait_until(self, condition: Callable[[], object], timeout_ms: int = 5_000) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout_ms)
        self.check()

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
        unanswered = [title or "a dialog" for _handler, title in self.dialogs.queue]
        self.window.close()
        self.running.stop()
        self.check()
        assert not unanswered, f"never opened: {', '.join(unanswered)}"


def start_flow(qtbot, tmp_path: Path, template: Path) -> Flow:
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
