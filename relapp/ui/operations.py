"""Changing the shop's data from the window, the one way (in the spirit of Anki's CollectionOp).

A view hands over the domain call; the runner makes it, tells a refusal in one sentence (the
domain's RelappError, or a ValueError where the domain checks input that way), publishes the
Change that came back so that every view refreshes what it touched, and returns the result
(None when refused or cancelled). Quick changes run on the GUI thread; slow ones (an import,
an erasure, a restore) off it, with progress and Cancel (widgets/background_task).

A dialog that makes its change itself (the sale dialog, the quick log) returns its outcome, and
the view passes it to `published`: the Change goes out the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from relapp.domain.changes import Change
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.widgets.background_task import Work, run_with_progress


class HasChange(Protocol):
    @property
    def change(self) -> Change | None: ...


Outcome = TypeVar("Outcome", bound="Change | HasChange")


def run_change(
    parent: QWidget,
    change_bus: ChangeBus,
    action: Callable[[], Outcome],
    *,
    refusals: tuple[type[Exception], ...] = (RelappError,),
    title: str = "",
) -> Outcome | None:
    """action() on the GUI thread; its Change published, a refusal told. For quick changes."""
    try:
        outcome = action()
    except refusals as refusal:
        tell_refusal(parent, str(refusal), title)
        return None
    return published(change_bus, outcome)


def run_slow_change(
    parent: QWidget,
    change_bus: ChangeBus,
    label: str,
    work: Work,
    cancelled_errors: tuple[type[Exception], ...],
    *,
    maximum: int = 0,
    cancellable: bool = True,
    title: str = "",
) -> Change | HasChange | None:
    """work off the GUI thread behind a progress dialog with Cancel; then as run_change.

    None when the user cancelled or the work was refused (the refusal is told)."""
    try:
        outcome = run_with_progress(
            parent, label, work, cancelled_errors, maximum=maximum, cancellable=cancellable
        )
    except RelappError as refusal:
        tell_refusal(parent, str(refusal), title)
        return None
    return None if outcome is None else published(change_bus, outcome)


def published(change_bus: ChangeBus, outcome: Outcome) -> Outcome:
    """Broadcast what outcome changed (a Change, or an outcome carrying one), if anything."""
    change = outcome if isinstance(outcome, Change) else outcome.change
    if change is not None and change.entities:
        change_bus.publish(change)
    return outcome


def tell_refusal(parent: QWidget, text: str, title: str = "") -> None:
    """The one way a refused change is told: a warning with the domain's sentence."""
    QMessageBox.warning(parent, title or parent.tr("Relapp"), text)
