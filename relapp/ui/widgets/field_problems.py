"""Showing what is wrong with a form: each faulty field outlined, every sentence listed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


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
