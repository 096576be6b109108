"""A till on a shop server keeps selling while the server is away (issue 16).

TillOutboxStatus is the window's side of relapp.domain.loyalty.offline: this till's outbox
(the sales kept meanwhile, and its copy of the card index), whether the server answers, and
how many kept sales wait to be sent. A thread of its own asks the server every few seconds;
when it answers, the kept sales are sent (each with its own key, so exactly once) and the
card copy is refreshed when stale; then the views hear what changed. The GUI thread never
waits for the server here: a dead server's connect timeout is seconds.

server_away() tells a lost server from any other error, in one sentence, wherever the window
meets it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from relapp.db import models
from relapp.db.outbox import CardEntry
from relapp.db.server.urls import redact
from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty.offline import (
    KeptSale,
    cards_seen_at,
    find_card,
    keep_sale_for,
    refresh_cards,
    send_waiting,
    till_outbox,
)
from relapp.errors import DatabaseUnavailable, RelappError, ServerNotAnswering
from relapp.ui.change_bus import ChangeBus

CHECK_EVERY_SECONDS = 10.0
# At most one connect timeout (5 s) and a send: how long quitting waits for a check under way.
STOP_WAIT_SECONDS = 8.0


def server_away(error: BaseException) -> DatabaseUnavailable | None:
    """The one sentence for a shop server that does not answer, if that is what error is;
    None for any other error (a refusal such as a wrong password, a bug, any error on a
    shop file), which the caller handles as before. The server connection turns every lost
    or impossible connection into ServerNotAnswering (relapp.db.server.connection)."""
    return error if isinstance(error, ServerNotAnswering) else None


def _tr(text: str) -> str:
    return QCoreApplication.translate("TillOutboxStatus", text)


def refused_offline(what: str) -> str:
    """ "The shop server is not answering: a redemption needs the balance as it is now; sales
    are kept on this till meanwhile." what: the middle, as refused_offline's callers say it."""
    return _tr(
        "The shop server is not answering: {what}; sales are kept on this till meanwhile."
    ).format(what=what)


def waiting_text(count: int) -> str:
    """ "1 sale waiting to send", "3 sales waiting to send"; empty for none."""
    if count <= 0:
        return ""
    if count == 1:
        return _tr("1 sale waiting to send")
    return _tr("{count:,} sales waiting to send").format(count=count)


def seen_text(seen: datetime | None, now: datetime | None = None) -> str:
    """When the card copy was read, in local time: "10:42" today, else "21 Nov 10:42"."""
    if seen is None:
        return _tr("unknown")
    local = seen.astimezone()
    today = (now or datetime.now().astimezone()).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%d %b %H:%M}".lstrip("0")


def confirm_quit_with_waiting(parent: QWidget, waiting: int) -> bool:
    """Ask before quitting with kept sales not yet sent; True: quit."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_tr("Quit with sales waiting to send?"))
    box.setText(
        _tr("1 sale kept on this till is waiting to send.")
        if waiting == 1
        else _tr("{count:,} sales kept on this till are waiting to send.").format(count=waiting)
    )
    box.setInformativeText(
        _tr(
            "It is safe on this PC and is sent the next time Relapp reaches the shop server"
            " from this till."
        )
        if waiting == 1
        else _tr(
            "They are safe on this PC and are sent the next time Relapp reaches the shop server"
            " from this till."
        )
    )
    quit_button = box.addButton(_tr("&Quit"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    chosen = box.clickedButton() is quit_button
    box.deleteLater()
    return chosen


@dataclass(frozen=True)
class Checked:
    """What one look at the server found (made on the checking thread)."""

    online: bool
    sent: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    contact_ids: frozenset[int] = frozenset()
    refusal: str = ""  # the server answered but cannot be used (its schema, say)
    problem: BaseException | None = None  # a bug: raised again on the GUI thread


class TillOutboxStatus(QObject):
    """This till's outbox on the shop server at url, and whether the server answers.

    Signals:
        changed(): online, waiting or the card copy's time changed.
        told(str): a sentence for the status bar (sales sent, a kept sale refused).
    """

    changed = Signal()
    told = Signal(str)
    _checked = Signal(object)  # Checked, from the checking thread

    def __init__(self, url: str, change_bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.change_bus = change_bus
        self.outbox = till_outbox(redact(url))  # the GUI thread's connection to the file
        self.online = True  # the window has just opened on it
        self.waiting = self.outbox.count_waiting()
        self.cards_seen = cards_seen_at(self.outbox)
        self.check_every = CHECK_EVERY_SECONDS
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="relapp-till-outbox")
        self._thread.daemon = True  # a check stuck on a dead server never holds up the exit
        self._checked.connect(self._on_checked)  # queued: runs on the GUI thread

    # -- the GUI thread's side ------------------------------------------------------------

    def start(self) -> None:
        self._wake.set()  # the first look at once: sends what waits, copies the cards
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=STOP_WAIT_SECONDS)
        self.outbox.close()

    def check_now(self) -> None:
        """Look at the server now rather than at the next tick."""
        self._wake.set()

    def went_offline(self) -> None:
        """The window met a server that does not answer; the next check says when it does."""
        if self.online and not self._stopping.is_set():
            self.online = False
            self.changed.emit()

    def find(self, reference: str) -> CardEntry | None:
        """A card (or '#id') in this till's copy of the card index."""
        if self._stopping.is_set():
            return None  # the window is closing (a search's timer after it closed)
        return find_card(self.outbox, reference)

    def card_of(self, contact_id: int) -> CardEntry | None:
        return None if self._stopping.is_set() else self.outbox.card_of(contact_id)

    def keep(
        self,
        contact_id: int,
        amount_cents: int,
        sale_key: str,
        staff_id: int | None,
        summary: str,
    ) -> KeptSale:
        """Keep a sale on this till (committed when this returns), to send when the server
        answers. Raises CardNotKnownOffline or ValueError as keep_sale_for does."""
        kept = keep_sale_for(self.outbox, contact_id, amount_cents, sale_key, staff_id, summary)
        self.waiting = kept.waiting
        self.changed.emit()
        return kept

    def sale_recorded(self, contact_id: int, balance: int) -> None:
        """A sale the server recorded: the copy keeps the balance it gave."""
        self.outbox.update_card(contact_id, balance)

    def _on_checked(self, checked: Checked) -> None:
        if self._stopping.is_set():
            return  # queued before stop(): the outbox is closed, the window going
        if checked.problem is not None:
            raise checked.problem  # a bug, not a lost server: as any other slot's
        if checked.refusal and self.online:
            self.told.emit(checked.refusal)
        before = (self.online, self.waiting, self.cards_seen)
        self.online = checked.online
        # Counted here: a sale kept while the check was sending is still waiting.
        self.waiting = self.outbox.count_waiting()
        self.cards_seen = cards_seen_at(self.outbox)
        if (self.online, self.waiting, self.cards_seen) != before:
            self.changed.emit()
        if checked.sent:
            self.change_bus.publish(
                Change.of(
                    Entity.POINTS,
                    Entity.INTERACTIONS,
                    Entity.CONTACTS,
                    contact_ids=checked.contact_ids,
                )
            )
            self.told.emit(
                _tr("1 sale kept while the shop server was away has been sent.")
                if checked.sent == 1
                else _tr(
                    "{count:,} sales kept while the shop server was away have been sent."
                ).format(count=checked.sent)
            )
        for _key, reason in checked.refused:
            self.told.emit(
                _tr("The shop server refused a sale kept on this till: {reason}").format(
                    reason=reason
                )
            )

    # -- the checking thread --------------------------------------------------------------

    def _watch(self) -> None:
        outbox = till_outbox(redact(self.url))  # this thread's own connection to the file
        try:
            while not self._stopping.is_set():
                self._wake.wait(self.check_every)
                self._wake.clear()
                if self._stopping.is_set():
                    break
                checked = self._check(outbox)
                if self._stopping.is_set():
                    break
                try:
                    self._checked.emit(checked)
                except RuntimeError:  # the window was deleted without stop(): nobody to tell
                    break
        finally:
            outbox.close()

    def _check(self, outbox) -> Checked:
        from relapp.db.server.summary import server_summary  # psycopg: servers only

        try:
            server_summary()  # reaches the server, on a connection of this thread's own
            waiting = outbox.waiting()
            sending = send_waiting(outbox) if waiting else None
            refresh_cards(outbox)  # when the copy is older than a quarter of an hour
        except Exception as error:
            if server_away(error) is not None:
                return Checked(online=False)
            if isinstance(error, RelappError):  # the server refuses this till: said once
                return Checked(online=False, refusal=str(error))
            return Checked(online=True, problem=error)
        finally:
            models.database.close()  # this thread's connection; the next look connects anew
        if sending is None:
            return Checked(online=True)
        return Checked(
            online=True,
            sent=sending.sent,
            refused=sending.refused,
            contact_ids=frozenset(sale.contact_id for sale in waiting),
        )
