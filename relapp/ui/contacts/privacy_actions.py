"""A customer's rights over their data, from the Contacts view: export it all, or erase it.

Both are for a manager signed in (the domain checks again). Export writes a zip (person.json,
person.vcf, summary.pdf). Erasure cannot be undone: the confirmation names the customer, says
what goes and what stays, and wants the customer's number typed before its button works.
Afterwards it lists the backups that still hold the person, which the shop must deal with.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.contacts.privacy import ErasureResult, erase_person
from relapp.domain.shop.staff import can
from relapp.errors import RelappError
from relapp.exchange.person_export import export_person
from relapp.ui.change_bus import ChangeBus
from relapp.ui.customer_actions import contact_name
from relapp.ui.operations import run_slow_change
from relapp.ui.staff.current_staff import CurrentStaff


def _tr(text: str) -> str:
    return QCoreApplication.translate("privacy_actions", text)


def _title(contact_id: int) -> str:
    name = contact_name(contact_id)
    return f"{name} (customer {contact_id})" if name else f"customer {contact_id}"


def export_personal_data(
    parent: QWidget, contact_id: int, current_staff: CurrentStaff
) -> Path | None:
    """Ask where, write the zip, say where it went; the zip's path, or None."""
    if not can(current_staff.member, "export"):
        QMessageBox.information(
            parent,
            _tr("Export personal data"),
            _tr("Sign in as a manager to export personal data."),
        )
        return None
    name = contact_name(contact_id)
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)[:60].strip()
    suggested = f"Personal data {contact_id} {safe}".strip() + ".zip"
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        _tr("Export personal data of {who}").format(who=_title(contact_id)),
        str(Path.home() / suggested),
        _tr("Zip files (*.zip)"),
    )
    if not chosen:
        return None
    out = Path(chosen)
    if out.suffix.lower() != ".zip":
        out = out.with_name(out.name + ".zip")
    try:
        written = export_person(contact_id, out, current_staff.staff_id)
    except RelappError as error:
        QMessageBox.warning(parent, _tr("Export personal data"), str(error))
        return None
    QMessageBox.information(
        parent,
        _tr("Export personal data"),
        _tr(
            "Everything stored about {who} was written to {path}: person.json (all the data), "
            "person.vcf (the contact card) and summary.pdf (a printable summary). Give it to "
            "the customer only, and delete your copy once they have it."
        ).format(who=_title(contact_id), path=written),
    )
    return written


class EraseDialog(QDialog):
    """The confirmation: what happens, for good; the Erase button works once the number is
    typed."""

    def __init__(self, contact_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contact_id = contact_id
        self.setWindowTitle(_tr("Erase personal data"))
        self.setMinimumWidth(520)
        who = _title(contact_id)
        heading = QLabel(
            _tr("Erase the personal data of {who}?").format(who=who), objectName="eraseHeading"
        )
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        explanation = QLabel(
            _tr(
                "This removes, for good, the customer's names, email, phone, address, birthday, "
                "card number and notes; their preferences, social handles, tasks, tags and "
                "consent log; and the text of their history (also of any record merged into "
                "this one).\n\n"
                "What stays, with no name on it: the customer number, visit and purchase dates "
                "and amounts, the points ledger, and memberships with their payments, so the "
                "accounts still add up. Their gift cards stay valid for whoever holds them.\n\n"
                "This cannot be undone. Backups made before now still hold the person: you are "
                "told which afterwards."
            ),
            wordWrap=True,
        )
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.number = QLineEdit(objectName="eraseNumber")
        self.number.setPlaceholderText(str(contact_id))
        self.number.textChanged.connect(self._update_button)
        form = QFormLayout()
        form.addRow(
            _tr("To confirm, type the customer number ({number}):").format(number=contact_id),
            self.number,
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(
            _tr("Erase for good"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.erase_button.setObjectName("eraseButton")
        self.erase_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Enter erases only once the number is right; until then it does nothing.
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_button()
        self.number.setFocus()

    def confirmed(self) -> bool:
        return self.number.text().strip() == str(self.contact_id)

    def _update_button(self) -> None:
        self.erase_button.setEnabled(self.confirmed())
        self.erase_button.setDefault(self.confirmed())

    def accept(self) -> None:
        if self.confirmed():
            super().accept()


def erase_personal_data(
    parent: QWidget,
    contact_id: int,
    current_staff: CurrentStaff,
    change_bus: ChangeBus,
    backup_folder: Path | None = None,
) -> ErasureResult | None:
    """Confirm, erase, publish the change and say which backups still hold the person."""
    if not can(current_staff.member, "erase"):
        QMessageBox.information(
            parent, _tr("Erase personal data"), _tr("Sign in as a manager to erase personal data.")
        )
        return None
    who = _title(contact_id)
    dialog = EraseDialog(contact_id, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.confirmed():
        return None
    staff_id = current_staff.staff_id
    # Seconds in a big shop (a scan of the ledger's reasons, the search index optimised):
    # off the window's thread. Not cancellable: the owner confirmed, and it is one step.
    result = run_slow_change(
        parent,
        change_bus,
        _tr("Erasing the personal data of {who}…").format(who=who),
        lambda report, should_stop: erase_person(contact_id, staff_id, backup_folder),
        cancelled_errors=(),
        cancellable=False,
        title=_tr("Erase personal data"),
    )
    if not isinstance(result, ErasureResult):  # refused (and told), or no answer
        return None
    QMessageBox.information(parent, _tr("Erase personal data"), erasure_report(who, result))
    return result


def erasure_report(who: str, result: ErasureResult) -> str:
    """What the shop owner is told after an erasure."""
    lines = [_tr("The personal data of {who} was erased.").format(who=who)]
    others = [str(number) for number in result.erased_ids if number != result.contact_id]
    if others:
        lines[0] += " " + _tr("So were the records merged into it ({numbers}).").format(
            numbers=", ".join(others)
        )
    if result.backups_holding:
        lines.append(
            _tr(
                "These backups still hold the person's data. Delete them, or keep them locked "
                "away and erase the person again if one is ever restored:"
            )
        )
        lines += [f"    {path}" for path in result.backups_holding]
    else:
        lines.append(_tr("No backup that was checked holds the person's data."))
    if result.unreadable_backups:
        lines.append(_tr("These backups could not be checked; look at them yourself:"))
        lines += [f"    {path}" for path in result.unreadable_backups]
    if not result.checkpoint_complete:
        lines.append(
            _tr(
                "Another program still has the database open: close it and restart Relapp so "
                "that old copies inside the database file are cleared."
            )
        )
    return "\n\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])
