"""The one app-wide signal that tells every open view what a mutation changed."""

from PySide6.QtCore import QObject, Signal

from relapp.domain.changes import Change


class ChangeBus(QObject):
    """Broadcasts domain Changes after they commit.

    Signals:
        changed(Change): something in the database changed; views refresh what it touches.
    """

    changed = Signal(object)

    def publish(self, change: Change) -> None:
        self.changed.emit(change)
