"""Changes made outside this window reach its views.

The command line (a restore, an import) or Relapp under another user account on the same PC
may write to the database while this window is open. Nothing tells the window, so it asks
SQLite every few seconds whether another connection has committed (PRAGMA data_version) and,
if so, publishes Change.everything(): each view refreshes what it shows, as after a restore.
(Not across PCs: the database is in WAL mode, which needs every process on one host.)

This process's own worker threads commit on their own connections too; they publish what they
changed themselves, so after any published change the stamp is read again instead of being
counted as an outside change.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from relapp.db.connection import outside_commits_stamp
from relapp.domain.changes import Change
from relapp.ui.change_bus import ChangeBus

CHECK_EVERY_MS = 3_000


class OutsideChanges(QObject):
    def __init__(self, change_bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.stamp = outside_commits_stamp()
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        change_bus.changed.connect(self._after_published_change)

    def start(self) -> None:
        self.timer.start()

    def check(self) -> bool:
        """Publish Change.everything() if another connection committed since the last look."""
        stamp = outside_commits_stamp()
        if stamp is None or stamp == self.stamp:
            return False
        self.stamp = stamp
        self.change_bus.publish(Change.everything())
        return True

    def _after_published_change(self, _change: Change) -> None:
        stamp = outside_commits_stamp()
        if stamp is not None:
            self.stamp = stamp
