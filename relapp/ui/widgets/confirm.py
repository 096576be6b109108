"""Asking before an action a person may not have meant: a question, the action's own button
and Cancel, which is the default (Enter does not move a shop or switch a till)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_action(parent: QWidget, title: str, text: str, action: str) -> bool:
    """True if the person pressed the action's button; Cancel, Escape or Enter: False."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setTextFormat(Qt.TextFormat.PlainText)  # names and addresses are shown as typed
    box.exec()
    return box.clickedButton() is go
