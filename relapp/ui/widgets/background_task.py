"""Long work off the GUI thread, with a progress dialog and a Cancel button.

The work runs on a QThread with its own database connection (peewee keeps one per thread),
reports progress through a signal, and polls a cancel flag. Nothing in it touches widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from relapp.db.models import database
from relapp.errors import RelappError

# work(report, should_stop): report(done, total) shows progress; should_stop() is True once
# the user cancelled, and the work then raises one of its cancelled exceptions.
Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class TaskWorker(QThread):
    """Signals:
    progressed(int, int): done so far, and the total.
    succeeded(object): what the work returned.
    failed(str): a message for the user.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work, cancelled_errors: tuple[type[Exception], ...]) -> None:
        super().__init__()
        self.work = work
        self.cancelled_errors = cancelled_errors
        self.cancel_requested = threading.Event()

    def run(self) -> None:
        try:
            result = self.work(self.progressed.emit, self.cancel_requested.is_set)
        except self.cancelled_errors:
            pass
        except RelappError as error:
            self.failed.emit(str(error))
        else:
            self.succeeded.emit(result)
        finally:
            database.close()  # this thread's connection ends with it


def run_with_progress(
    parent: QWidget | None,
    label: str,
    work: Work,
    cancelled_errors: tuple[type[Exception], ...],
    maximum: int = 0,
    cancellable: bool = True,
) -> Any | None:
    """What work returned, or None if the user cancelled. A RelappError is raised again here.

    maximum 0 shows a busy bar until the first progress report gives the total. Work that
    must not stop half way (a schema upgrade) passes cancellable=False: no Cancel button.
    """
    cancel = QCoreApplication.translate("background_task", "Cancel")
    dialog = QProgressDialog(label, cancel, 0, maximum, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle("Relapp")
    dialog.setMinimumDuration(300)  # quick work finishes without a flash of a dialog
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = TaskWorker(work, cancelled_errors)
    outcome: dict[str, Any] = {}

    def show_progress(done: int, total: int) -> None:
        if dialog.maximum() != total:
            dialog.setMaximum(total)
        dialog.setValue(done)

    worker.progressed.connect(show_progress)
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
    return outcome.get("result")
