"""Correcting or deleting a history entry: managers only, and every change is audited.

The edit dialog shows the same fields as the quick log, for the entry's kind (which itself
cannot change), and passes only what was changed, so that the audit log names exactly that.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.terms import RECORDED_BY_SALES_KINDS
from relapp.domain.timeline.history import (
    MAX_REASON_LENGTH,
    edit_interaction,
    stored_entry,
)
from relapp.errors import RelappError
from relapp.ui.timeline.kind_style import kind_name
from relapp.ui.timeline.log_dialog import EntryFields, plain_label
from relapp.ui.widgets.field_problems import FieldProblems


class EditEntryDialog(QDialog):
    """Raises EntryNotFound (a RelappError) when there is no such entry."""

    def __init__(self, interaction_id: int, staff_id: int, parent: QWidget | None = None) -> None:
        entry = stored_entry(interaction_id)  # first: no half-built dialog if it is gone
        super().__init__(parent)
        self.interaction_id = interaction_id
        self.staff_id = staff_id
        self.change: Change | None = None
        self.setWindowTitle(self.tr("Edit history entry"))
        self.setMinimumWidth(460)

        kind = entry["kind"]
        self.fields = EntryFields([kind], kind)
        self.fields.kind_picker.setEnabled(False)  # another kind: delete and log it again
        self.fields.load(entry)
        self.loaded = self.fields.values()
        self.ledger_note = plain_label(
            self.tr(
                "A sale's amount and time belong to the points ledger: refund it and record"
                " the right amount."
            ),
            "ledgerNote",
        )
        is_sale = kind in RECORDED_BY_SALES_KINDS
        self.ledger_note.setVisible(is_sale)
        self.fields.amount.setReadOnly(is_sale)
        self.fields.when.setReadOnly(is_sale)
        self.problems = FieldProblems(self.fields.field_widgets)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Save"), objectName="editSave")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addWidget(self.ledger_note)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.fields.summary.setFocus()

    def changes(self) -> dict[str, Any]:
        """The fields that differ from what was loaded (InvalidEntry for a wrong amount)."""
        return {
            name: value
            for name, value in self.fields.values().items()
            if value != self.loaded[name]
        }

    def save(self) -> None:
        if self.change is not None:
            return  # saved already
        # Called even with no changes: a counter staff member learns they may not edit.
        self.change = self.problems.attempt(
            lambda: edit_interaction(self.interaction_id, self.changes(), self.staff_id)
        )
        if self.change is not None:
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, interaction_id: int, staff_id: int) -> Change | None:
        """The change saved (empty when nothing was changed), or None if cancelled."""
        try:
            dialog = cls(interaction_id, staff_id, parent)
        except RelappError as error:  # deleted meanwhile
            QMessageBox.warning(parent, "Relapp", str(error))
            return None
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.change


class DeleteEntryDialog(QDialog):
    """Asks for the reason the audit log keeps; Delete stays off until one is typed."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Delete history entry"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Delete this {what}? This cannot be undone; the deletion is recorded in the"
                    " audit log."
                ).format(what=what),
                "deleteMessage",
            )
        )
        if is_purchase(what):
            layout.addWidget(
                plain_label(
                    self.tr(
                        "The sale will be refunded: its points are taken back and it stays in"
                        " the history marked refunded."
                    ),
                    "refundNote",
                )
            )
        self.reason = QLineEdit(objectName="deleteReason", maxLength=MAX_REASON_LENGTH)
        self.reason.setPlaceholderText(self.tr("Why? Kept in the audit log"))
        form = QFormLayout()
        form.addRow(self.tr("&Reason:"), self.reason)
        layout.addLayout(form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = QPushButton(self.tr("&Delete"), objectName="deleteButton")
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_button.setDefault(True)
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(
            lambda text: self.delete_button.setEnabled(bool(text.strip()))
        )
        self.reason.setFocus()

    def reason_text(self) -> str:
        return self.reason.text().strip()


def is_purchase(what: str) -> bool:
    """Whether what names a purchase: the kind itself, or its name as shown."""
    return what.casefold() in {"purchase", "sale", kind_name("purchase").casefold()}


def ask_delete_reason(parent: QWidget | None, what: str) -> str | None:
    """The reason for deleting the entry (what: its kind, e.g. "call" or "purchase"), or None
    if cancelled."""
    dialog = DeleteEntryDialog(what, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason_text()
