"""A new batch of a partner's codes: which way they go, what each gives (a voucher's offer),
how many and a label to tell batches apart. Make codes saves them all at once; the Partners
window then offers them printed or as a CSV file to hand over."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from relapp.domain.partners.batches import MAX_CODES, MAX_LABEL, MadeBatch, make_batch
from relapp.domain.terms import PARTNER_DIRECTION_NAMES
from relapp.errors import RelappError
from relapp.ui.campaigns.campaign_fields import OfferFields, buddy_label


class BatchDialog(QDialog):
    def __init__(
        self, partner_id: int, partner: str, staff_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.partner_id = partner_id
        self.staff_id = staff_id
        self.made: MadeBatch | None = None
        self.setWindowTitle(self.tr("New codes for {partner}").format(partner=partner))
        self.direction = QComboBox(objectName="batchDirection")
        for code, title in PARTNER_DIRECTION_NAMES.items():
            self.direction.addItem(self.tr(title), code)
        self.offer = OfferFields(shared_code=False)
        self.offer.kind.removeItem(self.offer.kind.findData("none"))  # a code gives something
        self.offer.days.setValue(90)
        self.count = QSpinBox(objectName="batchCount", minimum=1, maximum=MAX_CODES)
        self.count.setValue(50)
        self.count.setSuffix(self.tr(" codes"))
        self.label = QLineEdit(objectName="batchLabel", maxLength=MAX_LABEL)
        self.label.setPlaceholderText(self.tr("e.g. Table cards, spring"))
        hint = QLabel(
            self.tr(
                "Each code is used once, by any customer, at the counter with Use voucher (F6); "
                "a customer who uses one is recorded as coming through the partner."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        form = QFormLayout(self)
        form.addRow(self.tr("&Way:"), self.direction)
        form.addRow(buddy_label(self.tr("Each &gives:"), self.offer.kind), self.offer)
        form.addRow(self.tr("&How many:"), self.count)
        form.addRow(self.tr("&Label:"), self.label)
        form.addRow(hint)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.make_button = QPushButton(self.tr("&Make codes"), objectName="makeCodes")
        self.make_button.setDefault(True)
        buttons.addButton(self.make_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.make_button.clicked.connect(self.make)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.direction.setFocus()

    def make(self) -> None:
        if self.made is not None:
            return  # made already: a second Enter must not make more
        try:
            offer = self.offer.offer()
            assert offer is not None  # "none" is not offered
            self.made = make_batch(
                self.partner_id, str(self.direction.currentData()), offer, self.count.value(),
                self.label.text(), staff_id=self.staff_id,
            )  # fmt: skip
        except RelappError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, partner_id: int, partner: str, staff_id: int | None
    ) -> MadeBatch | None:
        """The batch made, or None if cancelled."""
        dialog = cls(partner_id, partner, staff_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.made if accepted else None
