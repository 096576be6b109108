"""The outbox in the window: the Outbox dialog (Campaigns, Alt+B), sending with progress and
Cancel, and the sending that resumes when the window starts.

The dialog counts the campaign emails by state, in all and by campaign, and lists those the
owner may act on: refused by the mail server (with its reason) and in doubt (the connection
broke, or Relapp stopped, while the email was on its way: it may have been sent). Send now
sends what waits; Send again puts the chosen ones back in the outbox (asking first for one in
doubt, which may then arrive twice); Mark as sent closes the chosen in-doubt ones the owner
found in the mail account's Sent folder. The rules are relapp.domain.campaigns.outbox'.

Sending runs off the GUI thread (relapp.ui.widgets.background_task); Cancel stops after the
email on its way, and the rest wait in the outbox. When the window starts with emails waiting
and the mail server set up, they are sent in the background (OutboxResume), told in the
status bar; a missing password store or a server that does not answer never stops the start.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.campaigns.outbox import (
    OutboxMessage,
    OutboxSummary,
    SendReport,
    check_ready,
    mark_sent,
    messages_needing_the_owner,
    outbox_summary,
    send_again,
    send_outbox,
    smtp_connection,
    smtp_settings,
)
from relapp.errors import RelappError
from relapp.ui.campaigns.texts import count, tr
from relapp.ui.widgets.background_task import TaskWorker, run_with_progress
from relapp.ui.widgets.confirm import confirm_action

# The states as the owner reads them, in the order the counts are shown.
STATE_TITLES = {
    "queued": "Waiting",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Refused",
    "in_doubt": "In doubt",
}
ID_ROLE = Qt.ItemDataRole.UserRole
# Sending rounds still running when their window went: kept until they finish, so no QThread
# is destroyed while it runs; the application stops and waits for them as it quits.
_running: set[TaskWorker] = set()


def _connect():
    """connect() to the shop's mail server, the settings and password checked only when
    there is something to send (relapp.domain.campaigns.outbox.check_ready)."""
    return smtp_connection(check_ready())()


def sending_work(report, should_stop) -> SendReport:
    return send_outbox(_connect, progress=report, should_stop=should_stop)


def send_with_progress(parent: QWidget) -> SendReport | None:
    """One round of sending behind a progress dialog with Cancel; the report, or None if it
    could not start (the reason told)."""
    try:
        return run_with_progress(parent, tr("Sending the campaign emails…"), sending_work, ())
    except RelappError as error:
        QMessageBox.warning(parent, tr("Outbox"), str(error))
        return None


def report_text(report: SendReport) -> str:
    """ "Sent 41 emails. 1 refused by the mail server. 3 wait in the outbox." and why the
    round stopped, if it did."""
    lines = [tr("Sent {sent} emails.").format(sent=count(report.sent))]
    if report.failed:
        lines.append(tr("{failed} refused by the mail server.").format(failed=count(report.failed)))
    if report.in_doubt:
        lines.append(
            tr("{doubt} may have been sent: see the Outbox.").format(doubt=count(report.in_doubt))
        )
    if report.waiting:
        lines.append(tr("{waiting} wait in the outbox.").format(waiting=count(report.waiting)))
    if report.cancelled:
        lines.append(tr("Stopped: the rest go with the next Send now."))
    if report.stopped:
        lines.append(report.stopped)
    return " ".join(lines)


class OutboxDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Outbox"))
        self.resize(820, 560)
        self.summary = _plain(QLabel(objectName="outboxSummary", wordWrap=True))
        self.server = _plain(QLabel(objectName="settingsHint", wordWrap=True))
        self.campaigns = QTableWidget(0, 1 + len(STATE_TITLES), objectName="outboxCampaigns")
        self.campaigns.setHorizontalHeaderLabels(
            [self.tr("Campaign")] + [tr(title) for title in STATE_TITLES.values()]
        )
        _read_only(self.campaigns)
        self.campaigns.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.campaigns.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attention_title = _plain(QLabel(objectName="detailTitle"))
        self.messages = QTableWidget(0, 5, objectName="outboxMessages")
        self.messages.setHorizontalHeaderLabels(
            [self.tr("Customer"), self.tr("Address"), self.tr("Campaign"), self.tr("State"),
             self.tr("Reason")]
        )  # fmt: skip
        _read_only(self.messages)
        header = self.messages.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.messages.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.messages.itemSelectionChanged.connect(self._update_buttons)
        self.result = _plain(QLabel(objectName="outboxResult", wordWrap=True))
        self.result.hide()

        self.send_button = QPushButton(self.tr("&Send now"), objectName="outboxSendNow")
        self.send_button.setToolTip(self.tr("Send the emails waiting in the outbox"))
        self.send_button.clicked.connect(self.send_now)
        self.again_button = QPushButton(self.tr("Send &again…"), objectName="outboxSendAgain")
        self.again_button.setToolTip(
            self.tr("Put the chosen emails back in the outbox, to go with the next Send now")
        )
        self.again_button.clicked.connect(self.send_chosen_again)
        self.done_button = QPushButton(self.tr("&Mark as sent"), objectName="outboxMarkSent")
        self.done_button.setToolTip(
            self.tr("The chosen emails in doubt are in the Sent folder: nothing more to do")
        )
        self.done_button.clicked.connect(self.mark_chosen_sent)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.send_button, self.again_button, self.done_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.server)
        layout.addWidget(self.campaigns, 1)
        layout.addWidget(self.attention_title)
        layout.addWidget(self.messages, 3)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.needing: list[OutboxMessage] = []
        self.ready_problem: str | None = None
        self.waiting = 0
        self.reload()

    # -- reading ----------------------------------------------------------------------------

    def reload(self) -> None:
        summary = outbox_summary()
        self.waiting = summary.totals["queued"]
        self.summary.setText(summary_text(summary))
        self._show_campaigns(summary)
        self.needing = messages_needing_the_owner()
        self._show_needing()
        self.ready_problem = _ready_problem()
        settings = smtp_settings()
        if self.ready_problem is not None:
            self.server.setText(self.ready_problem)
        else:
            self.server.setText(
                self.tr("Sent through {host}, from {sender}.").format(
                    host=settings.host, sender=settings.sender
                )
            )
        self._update_buttons()

    def _show_campaigns(self, summary: OutboxSummary) -> None:
        self.campaigns.setRowCount(len(summary.campaigns))
        for row, campaign in enumerate(summary.campaigns):
            self.campaigns.setItem(row, 0, QTableWidgetItem(campaign.name))
            for column, status in enumerate(STATE_TITLES, start=1):
                item = QTableWidgetItem(count(campaign.counts[status]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.campaigns.setItem(row, column, item)

    def _show_needing(self) -> None:
        self.messages.setRowCount(len(self.needing))
        for row, message in enumerate(self.needing):
            cells = (message.name, message.recipient, message.campaign_name,
                     tr(STATE_TITLES[message.status]), message.reason)  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, message.id)
                if column == 4:
                    item.setToolTip(text)
                self.messages.setItem(row, column, item)
        self.attention_title.setText(
            self.tr("Refused or in doubt: {number}").format(number=count(len(self.needing)))
            if self.needing
            else self.tr("Nothing refused or in doubt.")
        )
        self.messages.setVisible(bool(self.needing))

    def chosen(self) -> list[OutboxMessage]:
        rows = sorted({index.row() for index in self.messages.selectionModel().selectedRows()})
        return [self.needing[row] for row in rows if row < len(self.needing)]

    def _update_buttons(self) -> None:
        chosen = self.chosen()
        self.send_button.setEnabled(bool(self.waiting) and self.ready_problem is None)
        self.again_button.setEnabled(bool(chosen))
        self.done_button.setEnabled(any(message.status == "in_doubt" for message in chosen))

    # -- acting -----------------------------------------------------------------------------

    def send_now(self) -> None:
        report = send_with_progress(self)
        self.reload()
        if report is not None:
            self.result.setText(report_text(report))
            self.result.show()

    def send_chosen_again(self) -> None:
        chosen = self.chosen()
        if not chosen:
            return
        doubtful = [message for message in chosen if message.status == "in_doubt"]
        if doubtful and not confirm_action(
            self,
            self.tr("Send again?"),
            self.tr(
                "{number} of the chosen emails may have been sent already: the connection broke "
                "while they were on their way. Look in the Sent folder of the mail account "
                "first; an email sent again may arrive twice. Send them again?"
            ).format(number=count(len(doubtful))),
            self.tr("Send again"),
        ):
            return
        again = send_again([message.id for message in chosen])
        self.reload()
        self.result.setText(
            self.tr("{number} emails are back in the outbox; Send now sends them.").format(
                number=count(again)
            )
        )
        self.result.show()

    def mark_chosen_sent(self) -> None:
        chosen = [message.id for message in self.chosen() if message.status == "in_doubt"]
        if not chosen:
            return
        marked = mark_sent(chosen)
        self.reload()
        self.result.setText(self.tr("{number} emails marked sent.").format(number=count(marked)))
        self.result.show()

    @classmethod
    def show_for(cls, parent: QWidget) -> None:
        cls(parent).exec()


def summary_text(summary: OutboxSummary) -> str:
    """ "3 waiting, 41 sent, 1 refused, 1 in doubt." or that nothing was sent from Relapp."""
    if summary.empty:
        return tr("No campaign email has been sent from Relapp yet.")
    parts = [
        f"{count(number)} {tr(STATE_TITLES[status]).lower()}"
        for status, number in summary.totals.items()
        if number
    ]
    return ", ".join(parts) + "."


def _ready_problem() -> str | None:
    """Why sending cannot start now (not set up, no password store, no password kept), or
    None when it can be tried."""
    try:
        check_ready()
    except RelappError as error:
        return str(error)
    return None


class OutboxResume(QObject):
    """When the window starts: the emails a previous session left waiting are sent in the
    background if the mail server is set up, and the outcome told through `told`.

    Signals:
        told(str): a sentence for the status bar.
    """

    told = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: TaskWorker | None = None

    def start_soon(self) -> None:
        """Look once the window is up, so the start is never kept waiting."""
        QTimer.singleShot(0, self.start)

    def start(self) -> None:
        try:
            waiting = outbox_summary().totals["queued"]
            set_up = smtp_settings().is_set_up
        except RelappError:  # the database said no: the Outbox dialog tells it later
            return
        if not waiting or not set_up or self.is_sending():
            return
        self.told.emit(
            tr("Sending {waiting} campaign emails left waiting…").format(waiting=count(waiting))
        )
        worker = TaskWorker(sending_work, ())
        worker.succeeded.connect(lambda report: self.told.emit(report_text(report)))
        worker.failed.connect(
            lambda message: self.told.emit(
                tr("Campaign emails not sent: {reason}").format(reason=message)
            )
        )
        _running.add(worker)
        worker.finished.connect(lambda: _running.discard(worker))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: stop_and_wait(worker))
        self.worker = worker
        worker.start()

    def is_sending(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def stop(self) -> None:
        """Stop after the email on its way, and wait for that."""
        if self.worker is not None:
            stop_and_wait(self.worker)


def stop_and_wait(worker: TaskWorker) -> None:
    worker.cancel_requested.set()
    worker.wait()


def _read_only(table: QTableWidget) -> None:
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
