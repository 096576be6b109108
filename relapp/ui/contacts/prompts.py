"""The small questions the contacts view asks: which tag, which stage, a segment name, sure?

Each is one function, so a test can replace it instead of blocking on a modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from relapp.domain.terms import LADDER_STAGES


def ask_tag(parent: QWidget, title: str, label: str, tags: tuple[str, ...]) -> str | None:
    """A tag name: one of the shop's tags, or (when adding) a new one typed in."""
    name, accepted = QInputDialog.getItem(parent, title, label, list(tags), 0, True)
    name = " ".join(name.split())
    return name if accepted and name else None


def ask_stage(parent: QWidget, count: int) -> str | None:
    stages = [stage.capitalize() for stage in LADDER_STAGES]
    label = parent.tr("Move {count} customers to the ladder stage:").format(count=count)
    choice, accepted = QInputDialog.getItem(
        parent, parent.tr("Set ladder stage"), label, stages, 0, False
    )
    return choice.lower() if accepted else None


def ask_segment_name(parent: QWidget, current: str = "") -> str | None:
    name, accepted = QInputDialog.getText(
        parent,
        parent.tr("Save as segment"),
        parent.tr(
            "Name for this filter (reports and exports can then use it; an existing segment "
            "of the same name is replaced):"
        ),
        text=current,
    )
    name = " ".join(name.split())
    return name if accepted and name else None


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(go)
    box.exec()
    return box.clickedButton() is go


def tell_problem(parent: QWidget, text: str) -> None:
    QMessageBox.warning(parent, parent.tr("Relapp"), text)
