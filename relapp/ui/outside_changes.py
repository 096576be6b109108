"""Changes made outside this window reach its views.

The command line (a restore, an import) or Relapp under another user account on the same PC
may write to the database while this window is open. Nothing tells the window, so it asks
SQLite every few seconds whether another connection has committed (PRAGMA data_version) and,
if so, publishes Change.everything(): each view refreshes what it shows, as after a restore.
(Not across PCs: the database is in WAL mode, which needs every process on one host.)

On a shop server the tills hear each other instead (ServerChanges): the server notifies every
listening till when a transaction commits, naming the tables and customers it changed
(relapp.db.server.notifications), and only those views refresh; after the connection was
lost, everything does. Nothing is polled.

This process's own worker threads commit on their own connections too; they publish what they
changed themselves, so after any published change the stamp is read again instead of being
counted as an outside change.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from relapp.db.connection import outside_commits_stamp
from relapp.db.server.notifications import EVERYTHING, ChangeListener, TableChange
from relapp.domain.changes import Change, Entity
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

    def stop(self) -> None:
        self.timer.stop()

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


# What a change to each notified table means to the views (relapp/db/server/schema.py,
# NOTIFIED_TABLES).
TABLE_ENTITIES: dict[str, tuple[Entity, ...]] = {
    "contact": (Entity.CONTACTS,),
    "interaction": (Entity.INTERACTIONS,),
    "points_entry": (Entity.POINTS,),
    "task": (Entity.TASKS,),
    "consent": (Entity.CONTACTS,),
    "preference": (Entity.CONTACTS,),
    "social_handle": (Entity.CONTACTS,),
    "contact_tag": (Entity.CONTACTS, Entity.TAGS),
    "tag": (Entity.TAGS,),
    "setting": (Entity.SETTINGS,),
    "staff": (Entity.STAFF,),
    "tier": (Entity.TIERS,),
    "reward": (Entity.REWARDS,),
    "segment": (Entity.SEGMENTS,),
    "gift_card": (Entity.GIFT_CARDS, Entity.CONTACTS),  # schema 18: the panel shows them
    "membership": (Entity.MEMBERSHIPS, Entity.CONTACTS),  # schema 19: the panel shows it
    "membership_plan": (Entity.MEMBERSHIPS,),
    "partner": (Entity.PARTNERS, Entity.CONTACTS),  # schema 20: the panel names a partner
}
LISTEN_SECONDS = 1.0  # how long one wait lasts: also how soon stop() is heard
RETRY_SECONDS = 2.0  # between attempts to reach a server that went away


def change_of(changes: list[TableChange]) -> Change:
    """The Change to publish for what other tills committed."""
    if any(change == EVERYTHING or change.table not in TABLE_ENTITIES for change in changes):
        return Change.everything()
    return Change.union(
        *(
            Change.of(*TABLE_ENTITIES[change.table], contact_ids=change.contact_ids)
            for change in changes
        )
    )


class ServerChanges(QObject):
    """Publishes on the change bus what other tills commit on the shop server."""

    heard = Signal(object)  # list[TableChange], from the listening thread

    def __init__(self, change_bus: ChangeBus, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.listener = ChangeListener(url)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="relapp-server-changes")
        self._thread.daemon = True
        # Queued: the slot runs on the GUI thread, where this object lives.
        self.heard.connect(self._publish)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2 * LISTEN_SECONDS + 5)
        self.listener.close()

    def _listen(self) -> None:
        while not self._stopping.is_set():
            changes = self.listener.wait(LISTEN_SECONDS)
            if changes and not self._stopping.is_set():
                self.heard.emit(changes)
            elif self.listener.cut_off:
                self._stopping.wait(RETRY_SECONDS)  # the server is away: ask again later

    def _publish(self, changes: list[TableChange]) -> None:
        self.change_bus.publish(change_of(changes))
