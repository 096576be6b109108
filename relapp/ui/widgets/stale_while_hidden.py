"""Reading a view's data only while the view is on screen.

A change elsewhere in the app (a sale, an import, another view's edit) reaches every view
through the change bus. A view out of sight does not read at once: it notes that what it
shows is stale and reads when it is next shown, however many changes came in between. A view
on screen reads at once, so what a person looks at is never out of date.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class StaleWhileHidden(QObject):
    """Calls `read` when `view` is shown while stale, or at a change while it is visible.

    Installed as an event filter on the view (and owned by it); the view's own showEvent,
    if any, runs after the read. `stale` starts True: a view reads when first shown, not
    when built, as reading a big shop is not start-up work.
    """

    def __init__(self, view: QWidget, read: Callable[[], None]) -> None:
        super().__init__(view)
        self.view = view
        self.read = read
        self.stale = True
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Read on the view's Show event if a change came while it was hidden."""
        if event.type() == QEvent.Type.Show and watched is self.view and self.stale:
            self.read_now()
        return False  # the view still gets its Show event

    def changed(self, update: Callable[[], None] | None = None) -> None:
        """What the view shows has changed: read now if it is visible, else when next shown.

        `update`, if given, is what to do instead of a full read while the view is visible
        (the Contacts table, for one, keeps the customer that was selected).
        """
        if not self.view.isVisible():
            self.stale = True
        elif update is None:
            self.read_now()
        else:
            self.stale = False
            update()

    def read_now(self) -> None:
        """Read at once, visible or not (a filter chosen, Refresh pressed)."""
        self.stale = False
        self.read()
