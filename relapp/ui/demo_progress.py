"""Generating the demo shop off the GUI thread, with progress and a Cancel button."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from relapp.db.models import database
from relapp.demo.generator import DemoCancelled, DemoResult, generate_demo_shop
from relapp.errors import RelappError


class DemoWorker(QThread):
    """Runs generate_demo_shop on its own database connection.

    Signals:
        progressed(int, int): customers written so far, and the total.
        succeeded(object): the DemoResult.
        failed(str): a message for the user; nothing was written.
        cancelled(): the user cancelled; nothing was written.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, contacts: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contacts = contacts
        self.cancel_requested = threading.Event()

    def run(self) -> None:
        def report(done: int, total: int) -> bool:
            self.progressed.emit(done, total)
            return not self.cancel_requested.is_set()

        try:
            result = generate_demo_shop(self.contacts, progress=report)
        except DemoCancelled:
            self.cancelled.emit()
        except RelappError as error:
            self.failed.emit(str(error))
        else:
            self.succeeded.emit(result)
        finally:
            # peewee keeps one connection per thread; this thread's ends here.
            database.close()


def generate_demo_with_progress(parent: QWidget | None, contacts: int) -> DemoResult | None:
    """Generate the demo shop while showing progress; None if cancelled or failed."""
    translate = QCoreApplication.translate
    dialog = QProgressDialog(
        translate("demo", "Creating the demo shop…"),
        translate("demo", "Cancel"),
        0,
        contacts,
        parent,
    )
    dialog.setWindowTitle("Relapp")
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = DemoWorker(contacts)
    outcome: dict[str, object] = {}
    worker.progressed.connect(lambda done, total: dialog.setValue(done))
    worker.succeeded.connect(lambda result: outcome.update(result=result))
    worker.failed.connect(lambda message: outcome.update(error=message))
    worker.finished.connect(dialog.accept)
    dialog.canceled.connect(worker.cancel_requested.set)
    worker.start()
    dialog.exec()
    worker.cancel_requested.set()  # closed with Escape or the window button
    worker.wait()
    if "error" in outcome:
        raise RelappError(str(outcome["error"]))
    return outcome.get("result")  # type: ignore[return-value]
