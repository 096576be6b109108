"""Settings' Shop server group, in place of the file's Backups group when the window works on a
shop server: which server (its address without the password), the shop's schema on it, a
Test connection button, and how the server is backed up (not by the window)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from relapp.db.server.summary import server_summary
from relapp.db.server.urls import redact
from relapp.ui.widgets.background_task import TaskWorker

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
        form = QFormLayout(self)
        form.addRow(self.tr("Server:"), self.server)
        form.addRow(self.tr("Schema:"), self.schema)
        form.addRow(test_row)
        form.addRow(backups)

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
