"""The questions the Loyalty view asks; one function each, so a test can replace them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QSpinBox,
    QWidget,
)

MAX_ADJUSTMENT = 1_000_000


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    text, accepted = QInputDialog.getText(parent, title, label)
    text = " ".join(text.split())
    return text if accepted and text else None


def ask_adjustment(parent: QWidget) -> tuple[int, str, bool] | None:
    """Points to add (negative to take away), the reason, and whether they are an opening
    balance brought from an older system; None if cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(parent.tr("Adjust points"))
    points = QSpinBox(minimum=-MAX_ADJUSTMENT, maximum=MAX_ADJUSTMENT)
    points.setGroupSeparatorShown(True)
    reason = QLineEdit(maxLength=200)
    reason.setPlaceholderText(parent.tr("Required: why, for the audit log"))
    form = QFormLayout(dialog)
    form.addRow(parent.tr("&Points (negative takes away):"), points)
    form.addRow(parent.tr("&Reason:"), reason)
    opening = QCheckBox(parent.tr("&Opening balance from an older system (once per customer)"))
    form.addRow("", opening)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted or points.value() == 0:
        return None
    return points.value(), reason.text(), opening.isChecked()
