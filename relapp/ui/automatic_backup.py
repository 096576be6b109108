"""Automatic backups from the app: at start-up (unless one was taken in the last hour), then
once a day, checked every hour; on a worker thread, so the counter keeps working.

relapp.db.backups does the work on its own SQLite connections; this only schedules it, cancels a
copy in progress when the app closes (the half-written .part file is removed), and says how it
went in the status bar.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from relapp.db.backups import BackupCancelled, backup_preferences, needs_daily_backup, take_backup
from relapp.ui.widgets.background_task import TaskWorker

CHECK_EVERY_MS = 60 * 60 * 1000
ON_START_WITHIN = timedelta(hours=1)  # a restart does not push older backups out
DAILY_WITHIN = timedelta(hours=24)


class AutomaticBackup(QObject):
    """Signals:
    reported(str): one sentence on the last backup (taken, or why not).
    """

    reported = Signal(str)

    def __init__(self, database_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database_path = Path(database_path)
        self.worker: TaskWorker | None = None
        self.closing = threading.Event()
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(lambda: self.run(DAILY_WITHIN))

    def start(self) -> None:
        QTimer.singleShot(0, lambda: self.run(ON_START_WITHIN))
        self.timer.start()

    def run(self, within: timedelta) -> None:
        if self.worker is not None and self.worker.isRunning():
            return
        path, closing = self.database_path, self.closing

        def work(_report, _should_stop):
            folder, keep = backup_preferences(path)
            if not needs_daily_backup(folder, stem=path.stem, within=within):
                return None
            return take_backup(
                path, folder=folder, keep=keep, progress=lambda _done, _total: not closing.is_set()
            )

        self.worker = TaskWorker(work, (BackupCancelled,))
        self.worker.succeeded.connect(self._taken)
        self.worker.failed.connect(self._failed)
        self.worker.start()

    def stop(self) -> None:
        """Cancel a backup in progress (its partial file is removed) and wait for the thread."""
        self.timer.stop()
        self.closing.set()
        if self.worker is not None:
            self.worker.wait()

    def _taken(self, result) -> None:
        if result is None:
            return  # a recent backup exists
        self.reported.emit(
            QCoreApplication.translate("backup", "Backed up to {path}.").format(path=result.path)
        )

    def _failed(self, message: str) -> None:
        self.reported.emit(
            QCoreApplication.translate("backup", "The automatic backup failed: {reason}").format(
                reason=message
            )
        )
