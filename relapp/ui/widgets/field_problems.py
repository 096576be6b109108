"""Showing what is wrong with a form: each faulty field outlined, every sentence listed.

A sentence goes away as soon as it no longer describes the form: with a check (what the
dialog would refuse now, without saving), when the check stops naming its field, whichever
field was edited ("Enter a name." goes once the family name is typed); without one, or for
a refusal the check cannot see (a card already taken), when its own field is edited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

from relapp.errors import RelappError

T = TypeVar("T")
Check = Callable[[], dict[str, str]]


class FieldProblems(QLabel):
    """A label listing problems, which also marks the fields they belong to.

    Fields are marked with the dynamic property invalid=true, which the style sheet outlines.

    Args:
        fields: the form's fields by the names problems use.
        check: the problems the form has now, without saving (an empty dict when it would
            be accepted); cheap, as it runs on every edit while a problem shows.
    """

    def __init__(
        self, fields: dict[str, QWidget], parent: QWidget | None = None, check: Check | None = None
    ) -> None:
        super().__init__(parent, objectName="fieldProblems", wordWrap=True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.fields = fields
        self.check = check
        self.problems: dict[str, str] = {}  # what is shown now
        self._rechecked: set[str] = set()  # the shown problems the check also finds
        for name, widget in fields.items():
            edited = _edited_signal(widget)
            if edited is not None:
                edited.connect(partial(self._field_edited, name))
        self.hide()

    def show_problems(self, problems: dict[str, str]) -> None:
        found_now = self.check() if self.check is not None and problems else {}
        self._rechecked = {name for name, text in problems.items() if found_now.get(name) == text}
        self._show(problems)
        first = next((self.fields[name] for name in self.fields if name in problems), None)
        if first is not None:
            first.setFocus()

    def clear_problems(self) -> None:
        self.show_problems({})

    def attempt(self, action: Callable[[], T]) -> T | None:
        """What action returns; or None, with its refusal shown: the problems by field of an
        error that has them (InvalidEntry, InvalidContact), else the error's sentence."""
        try:
            return action()
        except RelappError as error:
            self.show_problems(getattr(error, "problems", None) or {"": str(error)})
            return None

    def _field_edited(self, name: str, *_value: object) -> None:
        if not self.problems:
            return
        gone = {name} - self._rechecked if name in self.problems else set()
        if self._rechecked and self.check is not None:
            found_now = self.check()
            gone |= {field for field in self._rechecked if field not in found_now}
        if gone:
            self._rechecked -= gone
            self._show({key: text for key, text in self.problems.items() if key not in gone})

    def _show(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        for name, widget in self.fields.items():
            was = bool(widget.property("invalid"))
            widget.setProperty("invalid", name in problems)
            if was != (name in problems):
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.setText("\n".join(problems.values()))
        self.setVisible(bool(problems))


def _edited_signal(widget: QWidget) -> SignalInstance | None:
    """The signal a field sends when what it holds changes."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentTextChanged
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTimeChanged
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.valueChanged
    if isinstance(widget, QAbstractSpinBox):
        return widget.editingFinished
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    return None
