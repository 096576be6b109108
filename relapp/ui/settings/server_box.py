"""Settings' Shop server group, in place of the file's Backups group when the window works on a
shop server: which server (its address without the password), the shop's schema on it, a
Test connection button, and how the server is backed up (not by the window). When it is this
till's setting that opens the server (Settings on a file wrote it), "Use this PC's shop file
instead" forgets it, for a manager."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from relapp.db.location import (
    ENVIRONMENT_VARIABLE,
    clear_till_database,
    default_database_path,
    read_till_database,
    till_settings_path,
)
from relapp.db.server.summary import server_summary
from relapp.db.server.urls import redact
from relapp.errors import RelappError
from relapp.ui.settings.move_to_server_box import ask_to_quit, manager_allows
from relapp.ui.widgets.background_task import TaskWorker
from relapp.ui.widgets.confirm import confirm_action

# Tests still running when their box went (the window closed): kept until they finish, so no
# QThread is destroyed while it runs; the application waits for them as it quits.
_running_tests: set[TaskWorker] = set()


class ServerBox(QGroupBox):
    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Shop server"))
        self.url = redact(url)
        self.worker: TaskWorker | None = None
        self.asked = False
        self.server = _selectable(QLabel(self.url, objectName="serverUrl", wordWrap=True))
        self.schema = QLabel(objectName="serverSchema")
        self.status = _selectable(QLabel(objectName="serverStatus", wordWrap=True))
        self.test_button = QPushButton(self.tr("&Test connection"), objectName="testConnection")
        self.test_button.clicked.connect(self.test_connection)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.status, 1)
        # The command as it can be typed: no password in it ("***" would be taken literally).
        command = f"relapp backup --db {without_password(url)}"
        if without_password(url) != self.url:
            hint = self.tr(
                "This window makes no backups of a shop server. Back it up from a command "
                "prompt (the password in ~/.pgpass):\n{command}"
            )
        else:
            hint = self.tr(
                "This window makes no backups of a shop server. Back it up from a command "
                "prompt:\n{command}"
            )
        backups = _selectable(
            QLabel(hint.format(command=command), objectName="settingsHint", wordWrap=True)
        )
        # Offered when this till's setting is what opens the server (nothing overrides it).
        self.use_file_button = QPushButton(
            self.tr("Use this PC's shop fi&le instead…"), objectName="useShopFile"
        )
        self.use_file_button.clicked.connect(self.use_shop_file)
        self.use_file_button.setToolTip(
            self.tr(
                "This till opens the shop server because its setting ({setting}) says so; "
                "this PC's shop file is {path}."
            ).format(setting=till_settings_path(), path=default_database_path())
        )
        self.use_file_button.setVisible(opened_by_till_setting(url))
        form = QFormLayout(self)
        form.addRow(self.tr("Server:"), self.server)
        form.addRow(self.tr("Schema:"), self.schema)
        form.addRow(test_row)
        form.addRow(backups)
        file_row = QHBoxLayout()
        file_row.addWidget(self.use_file_button)
        file_row.addStretch(1)
        form.addRow(file_row)

    def load(self) -> None:
        """The schema and the connection, asked of the server once (Test connection asks
        again)."""
        if not self.asked:
            self.test_connection()

    def test_connection(self) -> None:
        """One query on a fresh connection, off the GUI thread (a server that does not answer
        takes seconds to say so); the answer replaces the status line."""
        if self.is_testing():
            return
        self.asked = True
        self.test_button.setEnabled(False)
        self.status.setText(self.tr("Connecting…"))
        worker = TaskWorker(lambda _report, _should_stop: server_summary(), ())
        worker.succeeded.connect(self._connected)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._finished)
        _running_tests.add(worker)
        worker.finished.connect(lambda: _running_tests.discard(worker))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(worker.wait)
        self.worker = worker
        worker.start()

    def is_testing(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def _connected(self, summary: tuple[str, int]) -> None:
        version, schema = summary
        self.schema.setText(str(schema))
        self.status.setText(
            self.tr("Connected: PostgreSQL {version}, schema {schema}").format(
                version=version, schema=schema
            )
        )

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        if not self.schema.text():
            self.schema.setText(self.tr("not known yet"))

    def _finished(self) -> None:
        self.test_button.setEnabled(True)

    def use_shop_file(self) -> None:
        """After a confirmation, this till forgets the server: Relapp opens the shop file in
        the user data folder next time it starts. The server's shop is left as it is."""
        if not manager_allows(self, self.tr("switch this till back to its shop file")):
            return
        path = default_database_path()
        text = self.tr(
            "This till will open the shop file {path} next time Relapp starts, instead of the "
            "shop server. The shop on the server stays as it is for the other tills; what was "
            "recorded on it is not in the file."
        ).format(path=path)
        if not path.exists():
            text += " " + self.tr(
                "There is no shop file there yet: Relapp will offer to start a new shop."
            )
        if not confirm_action(
            self, self.tr("Use this PC's shop file?"), text, self.tr("Use the shop file")
        ):
            return
        try:
            clear_till_database()
        except OSError as error:
            QMessageBox.warning(
                self,
                self.tr("Relapp"),
                self.tr("This till's setting could not be changed ({reason}).").format(
                    reason=error
                ),
            )
            return
        self.use_file_button.hide()
        ask_to_quit(
            self,
            self.tr("This till uses its shop file"),
            self.tr("Relapp will open the shop file {path} next time it starts.").format(path=path),
        )


def opened_by_till_setting(url: str) -> bool:
    """Whether this till's setting is what opens the server at url: it names url, and
    RELAPP_DB (which comes first) is not set. (A --db naming the same server is not told
    apart: forgetting the setting still changes what a plain start opens.)"""
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return False
    try:
        return read_till_database() == url
    except RelappError:
        return False


def without_password(url: str) -> str:
    """url with no password at all (redact() stars it out, for reading, not for typing)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}@" if parts.username else ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=user + host))


def _selectable(label: QLabel) -> QLabel:
    """Plain text a person can select and copy (the address, an error to pass on)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
