"""A partner business's details, as a manager adds or changes one (Campaigns > Partners).

The agreement's days are optional: each has a box to tick before its day counts. The business's
own customer record, when it is a customer too, is chosen among the shop's business customers
(typing narrows the list); linking it puts it on the ladder's partner stage. The domain checks
the rest on saving (relapp.domain.partners.partners.save_partner); its refusal is shown here
and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.memberships.status import shop_today
from relapp.domain.partners.partners import MAX_NAME, Partner, business_choices
from relapp.errors import RelappError


def _date_field(ticked: bool, day, label: str) -> tuple[QCheckBox, QDateEdit]:
    box = QCheckBox(label)
    box.setChecked(ticked)
    edit = QDateEdit(calendarPopup=True)
    edit.setDisplayFormat("d MMM yyyy")
    shown = day or shop_today()
    edit.setDate(QDate(shown.year, shown.month, shown.day))
    edit.setEnabled(ticked)
    box.toggled.connect(edit.setEnabled)
    return box, edit


class PartnerDialog(QDialog):
    def __init__(
        self, partner: Partner | None, save: Callable[[Partner], Change],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        """save: the domain call that saves the partner as edited (raises to refuse)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Partner details"))
        self.setMinimumWidth(520)
        self.original = partner or Partner("")
        self.save = save
        self.change: Change | None = None
        shown = self.original
        self.name = QLineEdit(shown.name, maxLength=MAX_NAME, objectName="partnerName")
        self.name.setPlaceholderText(self.tr("e.g. Café Luna"))
        self.contact_person = QLineEdit(shown.contact_person, objectName="partnerPerson")
        self.phone = QLineEdit(shown.phone, objectName="partnerPhone")
        self.email = QLineEdit(shown.email, objectName="partnerEmail")
        self.offers = QLineEdit(shown.offers, objectName="partnerOffers")
        self.offers.setPlaceholderText(self.tr("What they offer, e.g. coffee and cakes"))
        self.has_start, self.start = _date_field(
            shown.agreement_from is not None, shown.agreement_from, self.tr("&From")
        )
        self.has_end, self.end = _date_field(
            shown.agreement_until is not None, shown.agreement_until, self.tr("&until")
        )
        self.business = QComboBox(objectName="partnerBusiness")
        self.business.setEditable(True)
        self.business.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.business.addItem(self.tr("None"), None)
        for contact_id, name in business_choices():
            self.business.addItem(f"{name} (#{contact_id})", contact_id)
        self.business.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.business.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        found = self.business.findData(shown.contact_id)
        if shown.contact_id is not None and found < 0:  # archived since: kept as it is
            self.business.addItem(f"#{shown.contact_id}", shown.contact_id)
            found = self.business.count() - 1
        self.business.setCurrentIndex(max(found, 0))
        self.business.setToolTip(
            self.tr(
                "The partner's own customer record, if they buy here too: it goes on the "
                "loyalty ladder's partner stage"
            )
        )
        self.notes = QPlainTextEdit(shown.notes, objectName="partnerNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        agreement = QHBoxLayout()
        for widget in (self.has_start, self.start, self.has_end, self.end):
            agreement.addWidget(widget)
        agreement.addStretch(1)
        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("Contact &person:"), self.contact_person)
        form.addRow(self.tr("P&hone:"), self.phone)
        form.addRow(self.tr("&Email:"), self.email)
        form.addRow(self.tr("What they &offer:"), self.offers)
        form.addRow(self.tr("Agreement:"), agreement)
        form.addRow(self.tr("&Business record:"), self.business)
        form.addRow(self.tr("No&tes:"), self.notes)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.name.setFocus()

    def partner(self) -> Partner:
        """The partner as the form says."""

        def day(ticked: QCheckBox, edit: QDateEdit):
            return edit.date().toPython() if ticked.isChecked() else None

        chosen = self.business.currentData()
        if self.business.currentText() != self.business.itemText(self.business.currentIndex()):
            chosen = None  # typed something that is no business: no link
        return replace(
            self.original,
            name=self.name.text(),
            contact_person=self.contact_person.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            offers=self.offers.text(),
            agreement_from=day(self.has_start, self.start),
            agreement_until=day(self.has_end, self.end),
            contact_id=chosen,
            notes=self.notes.toPlainText(),
        )

    def _save(self) -> None:
        try:
            self.change = self.save(self.partner())
        except RelappError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, partner: Partner | None, save: Callable[[Partner], Change]
    ) -> Change | None:
        """What saving the partner changed, or None if cancelled."""
        dialog = cls(partner, save, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.change if accepted else None
