"""The line under the Counter's search that says what was just done, for a few seconds.

Not a modal box: the cashier reads it while the next customer steps up, and the next scan
goes to the search box as usual. Its room stays while it is hidden, so the results and the
customer below do not jump each time it comes and goes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

SHOWN_MS = 8_000  # long enough to read while the customer is still at the till


class CounterNotice(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="counterConfirmation", wordWrap=True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setVerticalPolicy(QSizePolicy.Policy.Fixed)
        self.setSizePolicy(policy)
        self.timer = QTimer(self, singleShot=True, interval=SHOWN_MS)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def say(self, text: str, warning: bool = False) -> None:
        """Show text for a few seconds; warning: something was not done (amber, not green)."""
        if bool(self.property("warning")) != warning:
            self.setProperty("warning", warning)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setText(text)
        self.show()
        self.timer.start()
