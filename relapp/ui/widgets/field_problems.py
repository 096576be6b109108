"""Showing what is wrong with a form: each faulty field outlined, every sentence listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from relapp.errors import RelappError

T = TypeVar("T")


class FieldProblems(QLabel):
    """A label listing problems, which also marks the fields they belong to.

    Fields are marked with the dynamic property invalid=true, which the style sheet outlines.
    """

    def __init__(self, fields: dict[str, QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="fieldProblems", wordWrap=True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.fields = fields
        self.hide()

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, widget in self.fields.items():
            widget.setProperty("invalid", name in problems)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.setText("\n".join(problems.values()))
        self.setVisible(bool(problems))
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
