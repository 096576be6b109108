"""Running the loyalty program's daily round from the app: at start-up, then every hour."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from relapp.domain.daily import run_daily_jobs
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus

ROUND_EVERY_MS = 60 * 60 * 1000


class DailyRound(QObject):
    """Expires due points and gives birthday bonuses, then tells the views what changed.

    Signals nothing itself: results go out on the change bus like any other change.
    """

    def __init__(self, change_bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.last_problem = ""
        self.timer = QTimer(self, interval=ROUND_EVERY_MS)
        self.timer.timeout.connect(self.run)

    def start(self) -> None:
        QTimer.singleShot(0, self.run)  # once the window is up, not before it
        self.timer.start()

    def run(self) -> None:
        try:
            result = run_daily_jobs()
        except RelappError as error:
            # Busy or locked by another counter: the next round catches up.
            self.last_problem = str(error)
            return
        self.last_problem = ""
        if result.change.entities:
            self.change_bus.publish(result.change)
