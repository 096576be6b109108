"""Generating the demo shop off the GUI thread, with progress and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from relapp.demo.generator import DemoCancelled, DemoResult, generate_demo_shop
from relapp.ui.widgets.background_task import run_with_progress


def generate_demo_with_progress(parent: QWidget | None, contacts: int) -> DemoResult | None:
    """Generate the demo shop while showing progress; None if cancelled.

    Raises:
        RelappError: if it failed; nothing was written.
    """

    def work(report, should_stop) -> DemoResult:
        def progress(done: int, total: int) -> bool:
            report(done, total)
            return not should_stop()

        return generate_demo_shop(contacts, progress=progress)

    label = QCoreApplication.translate("demo", "Creating the demo shop…")
    return run_with_progress(parent, label, work, (DemoCancelled,), maximum=contacts)
