"""Settings' Shop server group on a shop file: putting this shop on a shop server (PostgreSQL),
or switching this till to a server that holds the shop already, without a command line.

A person types the server's address and tests it (off the GUI thread: a server that does not
answer takes seconds to say so). What the test finds decides what is offered: an empty database
may receive this shop ("Move this shop there…", `relapp server migrate` with a progress dialog),
a database holding a Relapp shop may be used by this till ("Use that server's shop…"). Either
ends by writing this till's setting (relapp.db.location: till.ini in the user config folder),
so Relapp opens on the server the next time it starts. The shop file is never changed.

The move is one server transaction: Cancel stops it at the next progress report and the
server is rolled back to empty (what the progress dialog says from the start). Once the copy is
committed (the checks passed) it can no longer be cancelled: the shop is on the server.

Moving the shop and switching a till are a manager's, where the shop signs in with PINs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QWidget,
)

from relapp.db.location import (
    ENVIRONMENT_VARIABLE,
    has_password,
    is_server_address,
    read_till_database,
    till_settings_path,
    write_till_database,
)
from relapp.db.migrations import LATEST_VERSION
from relapp.db.server.copy import CHECK_STEP, INDEX_STEP, KEY_STEP, SEARCH_STEP, migrate_shop
from relapp.db.server.probe import ServerProbe, probe_server
from relapp.db.server.urls import redact
from relapp.domain.shop.staff import has_staff
from relapp.errors import RelappError
from relapp.ui.widgets.background_task import TaskWorker
from relapp.ui.widgets.confirm import confirm_action

if TYPE_CHECKING:
    from relapp.db.server.copy import MigrationReport

ADDRESS_EXAMPLE = "postgresql://USER@HOST/DATABASE"
# The permission a manager's shop-wide decisions are checked against (the shop's settings
# have none of their own; a counter has none of a manager's).
MANAGER_PERMISSION = "program_settings"

# Tests and moves still running when their box went (the window closed): kept until they
# finish, so no QThread is destroyed while it runs; the application waits for them as it quits.
_running: set[TaskWorker] = set()


class MoveCancelled(Exception):
    """The person cancelled the move: raised from the progress report, inside the server's
    transaction, which is then rolled back."""


class MoveToServerBox(QGroupBox):
    def __init__(self, database_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Shop server"))
        self.database_path = Path(database_path)
        self.worker: TaskWorker | None = None
        # The address last tested and what it holds; the buttons act on exactly that address.
        self.tested: tuple[str, ServerProbe] | None = None

        intro = _selectable(
            QLabel(
                self.tr(
                    "Several tills can share this shop on a shop server (PostgreSQL). Test the "
                    "server's address, then move this shop there or, if the shop is on it "
                    "already, use it on this till. Keep the password in ~/.pgpass, not here."
                ),
                objectName="settingsHint",
                wordWrap=True,
            )
        )
        self.address = QLineEdit(objectName="serverAddress")
        self.address.setPlaceholderText(ADDRESS_EXAMPLE)
        self.address.textChanged.connect(self._address_edited)
        self.address.returnPressed.connect(self.test_connection)
        address_label = QLabel(self.tr("Server add&ress:"))
        address_label.setBuddy(self.address)
        self.test_button = QPushButton(self.tr("Test c&onnection"), objectName="testConnection")
        self.test_button.clicked.connect(self.test_connection)
        address_row = QHBoxLayout()
        address_row.addWidget(self.address, 1)
        address_row.addWidget(self.test_button)

        self.status = _selectable(QLabel(objectName="serverStatus", wordWrap=True))
        self.move_button = QPushButton(self.tr("Move this shop th&ere…"), objectName="moveShop")
        self.move_button.clicked.connect(self.move_shop)
        self.use_button = QPushButton(
            self.tr("Use its shop on this t&ill…"), objectName="useServer"
        )
        self.use_button.clicked.connect(self.use_server)
        actions = QHBoxLayout()
        actions.addWidget(self.move_button)
        actions.addWidget(self.use_button)
        actions.addStretch(1)
        self.next_start = _selectable(
            QLabel(objectName="settingsHint", wordWrap=True)
        )  # what this till opens next time, when its setting says

        # A grid, not a form: a form layout gives a wrapped line the height it would take at
        # its narrowest (five lines' room for one line of text).
        grid = QGridLayout(self)
        grid.addWidget(intro, 0, 0, 1, 2)
        grid.addWidget(address_label, 1, 0)
        grid.addLayout(address_row, 1, 1)
        grid.addWidget(self.status, 2, 1)
        grid.addLayout(actions, 3, 1)
        grid.addWidget(self.next_start, 4, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self._offer(None)
        self.status.hide()
        self.show_next_start()

    def load(self) -> None:
        self.show_next_start()

    # ---------------------------------------------------------------------- test connection

    def test_connection(self) -> None:
        """What the server at the typed address holds, asked on a fresh connection off the GUI
        thread; the answer (or the one sentence saying why not) replaces the status line."""
        if self.is_testing():
            return
        url = self.address.text().strip()
        self.tested = None
        self._offer(None)
        problem = address_problem(url)
        if problem:
            self._say(problem)
            return
        self.test_button.setEnabled(False)
        self._say(self.tr("Connecting…"))
        worker = TaskWorker(lambda _report, _should_stop: probe_server(url), ())
        worker.succeeded.connect(lambda probe: self._tested(url, probe))
        worker.failed.connect(lambda message: self._test_failed(url, message))
        worker.finished.connect(lambda: self.test_button.setEnabled(True))
        _keep_until_finished(worker)
        self.worker = worker
        worker.start()

    def is_testing(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def _tested(self, url: str, probe: ServerProbe) -> None:
        if url != self.address.text().strip():
            return  # edited meanwhile: this answer is about another address
        self.tested = (url, probe)
        self._say(self.describe(probe))
        self._offer(probe)

    def _test_failed(self, url: str, message: str) -> None:
        if url == self.address.text().strip():
            self._say(message)

    def describe(self, probe: ServerProbe) -> str:
        """One sentence: the server, what it holds, what this till may do with it."""
        connected = self.tr("Connected: PostgreSQL {version}").format(version=probe.postgresql)
        if probe.empty:
            return connected + self.tr(", empty database: ready to receive this shop.")
        if probe.schema is None:
            return connected + self.tr(
                ", but the database holds another program's tables: choose an empty one."
            )
        if probe.too_new:
            return connected + self.tr(
                ", holds a Relapp shop from a newer Relapp (schema {schema}; this one knows up "
                "to {latest}): update Relapp on this till first."
            ).format(schema=probe.schema, latest=LATEST_VERSION)
        if not probe.holds_data:
            return connected + self.tr(
                ", holds an empty Relapp shop (schema {schema}): ready to receive this shop."
            ).format(schema=probe.schema)
        return connected + self.tr(
            ", holds a Relapp shop (schema {schema}, {customers} customers): this till can use it."
        ).format(schema=probe.schema, customers=f"{probe.customers:,}")

    # ---------------------------------------------------------------------------- the move

    def move_shop(self) -> None:
        """After a confirmation: the whole shop copied onto the tested server and checked, in
        one transaction, with progress; then this till's setting names the server."""
        url = self._tested_for(lambda probe: probe.can_receive)
        if url is None:
            return
        if not manager_allows(self, self.tr("move the shop to a shop server")):
            return
        if not self.confirm_move(url):
            return
        try:
            report = self.run_move(url)
        except RelappError as error:
            self._say(str(error))
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return
        if report is None:
            self._say(self.tr("Cancelled: nothing was moved, the server was left empty."))
            return
        self.tested = None
        self._offer(None)
        self._say(
            self.tr("Moved: {rows} rows in {tables} tables, checked.").format(
                rows=f"{report.rows:,}", tables=len(report.tables)
            )
        )
        if not self.remember(url):
            return
        summary = self.tr(
            "The shop is on the shop server {url}: {rows} rows in {tables} tables, copied in "
            "{seconds} s and checked (every table holds as many rows as the file; {customers} "
            "customers' balances equal their points ledger, {points} points in all)."
        ).format(
            url=redact(url),
            rows=f"{report.rows:,}",
            tables=len(report.tables),
            seconds=f"{report.seconds:.1f}",
            customers=f"{report.customers:,}",
            points=f"{report.ledger_points:,}",
        )
        ask_to_quit(
            self,
            self.tr("The shop is on the server"),
            summary
            + "\n\n"
            + self.tr(
                "Relapp will open on the shop server next time it starts. Until then this "
                "window still works on the file {path}: a sale recorded here now stays in the "
                "file only."
            ).format(path=self.database_path)
            + self._overridden(),
        )

    def confirm_move(self, url: str) -> bool:
        return confirm_action(
            self,
            self.tr("Move this shop to the server?"),
            self.tr(
                "The whole shop (customers, history, points, settings, staff and the audit log) "
                "is copied to the shop server {url} and checked there: every table's rows, and "
                "each customer's balance against their points ledger. If anything fails, or "
                "you cancel, the server is left empty.\n\n"
                "Then this till switches to the server: Relapp opens the shop there next time "
                "it starts. The shop file {path} stays as it is, as a copy."
            ).format(url=redact(url), path=self.database_path),
            self.tr("Move the shop"),
        )

    def run_move(self, url: str) -> MigrationReport | None:
        """migrate_shop off the GUI thread with a progress dialog; None if cancelled (the
        server rolled back). A RelappError (unreachable, not empty, the copy did not check
        out) is raised again here."""
        worker = MoveWorker(self.database_path, url)
        dialog = QProgressDialog(
            self.tr("Connecting to the shop server…"), self.tr("Cancel"), 0, 0, self
        )
        dialog.setWindowTitle(self.tr("Moving the shop"))
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(460)
        outcome: dict[str, object] = {}

        def show_step(step: str, done: int, total: int) -> None:
            if worker.committed:  # the shop is on the server: nothing to cancel any more
                dialog.setCancelButton(None)
                dialog.setLabelText(self.tr("The shop is on the server; preparing its searches…"))
            else:
                dialog.setLabelText(self.step_text(step, done, total))
            if dialog.maximum() != total:
                dialog.setMaximum(total)
            dialog.setValue(min(done, total))

        worker.stepped.connect(show_step)
        worker.succeeded.connect(lambda report: outcome.update(report=report))
        worker.failed.connect(lambda message: outcome.update(error=message))
        worker.finished.connect(dialog.accept)
        dialog.canceled.connect(worker.cancel_requested.set)
        _keep_until_finished(worker)
        worker.start()
        dialog.exec()
        if worker.isRunning():  # Cancel, Escape or the dialog's close button
            worker.cancel_requested.set()
            stopping = QProgressDialog(
                self.tr("Stopping: the copy is undone and the server left empty…"), "", 0, 0, self
            )
            stopping.setWindowTitle(self.tr("Moving the shop"))
            stopping.setCancelButton(None)
            stopping.setMinimumDuration(0)
            worker.finished.connect(stopping.accept)
            if worker.isRunning():
                stopping.exec()
        worker.wait()
        if "error" in outcome:
            raise RelappError(str(outcome["error"]))
        report = outcome.get("report")
        return report  # type: ignore[return-value]

    def step_text(self, step: str, done: int, total: int) -> str:
        if step == SEARCH_STEP:
            text = self.tr("Building the search index…")
        elif step == INDEX_STEP:
            text = self.tr("Building indexes: {done} of {total}…").format(done=done, total=total)
        elif step == KEY_STEP:
            text = self.tr("Checking references: {done} of {total}…").format(done=done, total=total)
        elif step == CHECK_STEP:
            text = self.tr("Checking the copy against the file…")
        else:
            text = self.tr("Copying {table}: {done} of {total} rows…").format(
                table=step, done=f"{done:,}", total=f"{total:,}"
            )
        return text + "\n" + self.tr("Cancel stops the move and leaves the server empty.")

    # ------------------------------------------------------------------ use a server's shop

    def use_server(self) -> None:
        """After a confirmation: this till opens the shop on the tested server next time."""
        url = self._tested_for(lambda probe: probe.can_use)
        if url is None:
            return
        if not manager_allows(self, self.tr("switch this till to a shop server")):
            return
        if not confirm_action(
            self,
            self.tr("Use the shop on that server?"),
            self.tr(
                "This till will open the shop on the server {url} next time Relapp starts. "
                "The shop file here ({path}) stays as it is; nothing is copied either way."
            ).format(url=redact(url), path=self.database_path),
            self.tr("Use the server"),
        ) or not self.remember(url):
            return
        ask_to_quit(
            self,
            self.tr("This till uses the server"),
            self.tr("Relapp will open on the shop server {url} next time it starts.").format(
                url=redact(url)
            )
            + self._overridden(),
        )

    # --------------------------------------------------------------------------- the setting

    def remember(self, url: str) -> bool:
        """This till's setting names url; False (and said) if it could not be written."""
        try:
            write_till_database(url)
        except (RelappError, OSError) as error:
            QMessageBox.warning(
                self,
                self.tr("Relapp"),
                self.tr("This till's setting {path} could not be written ({reason}).").format(
                    path=till_settings_path(), reason=error
                ),
            )
            return False
        self.show_next_start()
        self._into_sight(self.next_start)
        return True

    def show_next_start(self) -> None:
        """A line naming what the till's setting opens next time, when it names a server."""
        try:
            remembered = read_till_database()
        except RelappError as error:
            self.next_start.setText(str(error))
            self.next_start.show()
            return
        if remembered is None or not is_server_address(remembered):
            self.next_start.hide()
            return
        self.next_start.setText(
            self.tr("Next time Relapp starts, this till opens the shop server {url}.").format(
                url=redact(str(remembered))
            )
            + self._overridden()
        )
        self.next_start.show()

    def _overridden(self) -> str:
        named = os.environ.get(ENVIRONMENT_VARIABLE)
        if not named:
            return ""
        return " " + self.tr(
            "But {variable} is set on this PC and comes first: remove it for the till setting "
            "to apply."
        ).format(variable=ENVIRONMENT_VARIABLE)

    # ------------------------------------------------------------------------------ helpers

    def _tested_for(self, allowed: Callable[[ServerProbe], bool]) -> str | None:
        url = self.address.text().strip()
        if self.tested is None or self.tested[0] != url or not allowed(self.tested[1]):
            self._say(self.tr("Test the connection first."))
            return None
        return url

    def _address_edited(self) -> None:
        if self.tested is not None and self.tested[0] != self.address.text().strip():
            self.tested = None
            self._offer(None)

    def _offer(self, probe: ServerProbe | None) -> None:
        self.move_button.setEnabled(probe is not None and probe.can_receive)
        self.use_button.setEnabled(probe is not None and probe.can_use)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        if text:  # the answer and the buttons it lights up
            self._into_sight(self.move_button, self.status)

    def _into_sight(self, *widgets: QWidget) -> None:
        """Where the page scrolls (a laptop's screen), widgets come into sight once laid out."""

        def scroll() -> None:
            area = self.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            for widget in widgets:
                if area is not None and widget.isVisible():
                    area.ensureWidgetVisible(widget)

        QTimer.singleShot(0, self, scroll)


class MoveWorker(TaskWorker):
    """migrate_shop on a thread of its own. Signals (besides TaskWorker's):
    stepped(str, int, int): the step (a table, then the search index, indexes, references,
    checks), done and total, as migrate_shop reports them.

    A cancel request raises MoveCancelled from the next progress report while the server's
    transaction is open (it is rolled back); after the checks passed the copy is committed,
    and the move goes on to its end (committed is then True).
    """

    stepped = Signal(str, int, int)

    def __init__(self, source: Path, url: str) -> None:
        super().__init__(self._move, (MoveCancelled,))
        self.source = source
        self.url = url
        self.checked = False
        self.committed = False

    def _move(self, _report: object, should_stop: Callable[[], bool]) -> MigrationReport:
        def progress(step: str, done: int, total: int) -> None:
            if self.checked:
                self.committed = True  # reported after the commit: the move is done
            elif should_stop():
                raise MoveCancelled
            if step == CHECK_STEP and done >= total:
                self.checked = True  # the commit follows; a cancel after it comes too late
            self.stepped.emit(step, done, total)

        return migrate_shop(self.source, self.url, progress)


def address_problem(url: str) -> str:
    """Why the typed address cannot be tested (empty, not a server's, with a password); ""
    when it can."""
    tr = QCoreApplication.translate
    if not url:
        return tr("MoveToServerBox", "Type the shop server's address, {example}.").format(
            example=ADDRESS_EXAMPLE
        )
    if not is_server_address(url):
        return tr(
            "MoveToServerBox",
            "A shop server's address starts with postgresql://, for example {example}.",
        ).format(example=ADDRESS_EXAMPLE)
    if has_password(url):
        return tr(
            "MoveToServerBox",
            "Leave the password out of the address: put it in ~/.pgpass (a till's settings "
            "never hold it).",
        )
    return ""


def manager_allows(widget: QWidget, action: str) -> bool:
    """Whether the person at the window may do action (a manager's decision): anyone, in a shop
    without staff accounts; else the signed-in manager, or one who signs in now."""
    current_staff = getattr(widget.window(), "current_staff", None)
    if current_staff is None:  # the view on its own (no main window): only without PINs
        return not has_staff()
    if not current_staff.pins_in_use():
        return True
    return current_staff.require_permission(widget, MANAGER_PERMISSION, action) is not None


def ask_to_quit(parent: QWidget, title: str, text: str) -> None:
    """Say text, and offer to quit now so that Relapp opens elsewhere when started again."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    quit_now = box.addButton(
        QCoreApplication.translate("MoveToServerBox", "Quit now"),
        QMessageBox.ButtonRole.AcceptRole,
    )
    later = box.addButton(
        QCoreApplication.translate("MoveToServerBox", "Later"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(quit_now)
    box.setEscapeButton(later)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
    if box.clickedButton() is quit_now:
        QApplication.closeAllWindows()  # the last window closed ends Relapp


def _keep_until_finished(worker: TaskWorker) -> None:
    _running.add(worker)
    worker.finished.connect(lambda: _running.discard(worker))
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(worker.wait)


def _selectable(label: QLabel) -> QLabel:
    """Plain text a person can select and copy (the address, an error to pass on)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
