"""Running the loyalty program's daily round from the app: at start-up, then every hour.

On a million-customer shop the round takes seconds (expiring tens of thousands of points,
a few thousand birthday bonuses), so it runs on a worker thread with its own connection;
the counter keeps working, and SQLite's busy timeout lets a sale wait for a batch to commit.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QTimer

from relapp.domain.loyalty.daily import DailyResult, run_daily_jobs
from relapp.exchange.importer import finish_interrupted_imports
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published
from relapp.ui.widgets.background_task import TaskWorker

ROUND_EVERY_MS = 60 * 60 * 1000


def whole_round() -> DailyResult:
    """The loyalty program's round, then the rest of any import a crash stopped half way
    (the domain's round cannot call the import: the import is built on the domain)."""
    result = run_daily_jobs()
    return replace(result, imports_finished=finish_interrupted_imports())


class DailyRound(QObject):
    """Expires due points and gives birthday bonuses, then tells the views what changed."""

    def __init__(self, change_bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.last_problem = ""
        self.worker: TaskWorker | None = None
        self.timer = QTimer(self, interval=ROUND_EVERY_MS)
        self.timer.timeout.connect(self.run)

    def start(self) -> None:
        QTimer.singleShot(0, self.run)  # once the window is up, not before it
        self.timer.start()

    def run(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            return  # the previous round is still going
        self.worker = TaskWorker(lambda _report, _stop: whole_round(), ())
        self.worker.succeeded.connect(self._finished)
        # Busy or locked by another counter: the next round catches up.
        self.worker.failed.connect(lambda message: setattr(self, "last_problem", message))
        self.worker.start()

    def wait(self) -> None:
        """Until the round in progress is done (for closing the app and for tests)."""
        if self.worker is not None:
            self.worker.wait()

    def _finished(self, result: DailyResult) -> None:
        self.last_problem = ""
        published(self.change_bus, result)
