"""Use a campaign's voucher at the counter: type or scan its code, Enter uses it.

A barcode scanner types the code and presses Enter, so Enter in either field uses the
voucher. A refusal (a typing mistake, another customer's code, used already...) is said in
the dialog in the domain's one sentence; the code stays, selected, to be corrected or scanned
again, and nothing has changed. The purchase is asked for by offers with a least purchase
and by a percent off (whose refusal without it puts the cursor there); it may be left empty
otherwise. A percent off's confirmation (the Counter shows Redeemed.text) says how much to
take off: "take 10% off: $2.45 off the $24.50 purchase".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.campaigns.vouchers import PurchaseNeeded, Redeemed, redeem_voucher
from relapp.domain.shop.money import parse_amount
from relapp.errors import RelappError
from relapp.ui.till_outbox_status import refused_offline, server_away
from relapp.ui.widgets.field_problems import FieldProblems

# Room for a code typed with spaces or dashes (12 characters, 14 as printed; a shared code
# up to 20), no more.
MAX_CODE_LENGTH = 40


class VoucherDialog(QDialog):
    def __init__(
        self,
        contact_id: int,
        name: str,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contact_id = contact_id
        self.staff_id = staff_id
        self.redeemed: Redeemed | None = None
        self.setWindowTitle(self.tr("Use a voucher"))
        self.setMinimumWidth(460)

        who = QLabel(name, objectName="saleCustomer")  # as in the sale and reward dialogs
        who.setTextFormat(Qt.TextFormat.PlainText)
        self.code = QLineEdit(objectName="voucherCode", maxLength=MAX_CODE_LENGTH)
        self.code.setPlaceholderText(self.tr("Type or scan the code, e.g. K7QM-2XPR-9BQ4"))
        self.purchase = QLineEdit(objectName="voucherPurchase", maxLength=20)
        self.purchase.setPlaceholderText(
            self.tr("For a percent off, or an offer with a least purchase")
        )
        form = QFormLayout()
        form.addRow(self.tr("&Code:"), self.code)
        form.addRow(self.tr("&Purchase:"), self.purchase)
        # The field refused outlined, the sentence under the fields until that field is edited.
        self.fields = {"code": self.code, "purchase": self.purchase}
        self.problems = FieldProblems(dict(self.fields))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.use_button = QPushButton(self.tr("&Use voucher"))
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setDefault(True)  # the scanner's Enter
        self.use_button.clicked.connect(self.use)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.code.setFocus()

    def use(self) -> None:
        """Redeem the code for the customer; close on success, else say why and stay."""
        if not self.code.text().strip():
            self._say(self.tr("Type or scan the voucher's code."), "code")
            return
        purchase_cents: int | None = None
        if self.purchase.text().strip():
            try:
                purchase_cents = parse_amount(self.purchase.text())
            except ValueError as error:
                self._say(str(error), "purchase")
                return
        try:
            self.redeemed = redeem_voucher(
                self.code.text(),
                self.contact_id,
                purchase_cents=purchase_cents,
                staff_id=self.staff_id,
            )
        except Exception as error:
            if server_away(error) is not None:
                self._say(refused_offline(self.tr("a voucher waits until it is back")), "code")
                return
            if not isinstance(error, RelappError):
                raise
            # A purchase missing or under the least is corrected in the purchase.
            self._say(str(error), "purchase" if isinstance(error, PurchaseNeeded) else "code")
            return
        self.accept()

    def _say(self, text: str, field: str) -> None:
        """One sentence under the fields; the field to correct focused, its text selected
        (the next scan replaces it, an arrow key keeps it for correcting)."""
        self.problems.show_problems({field: text})
        self.fields[field].selectAll()
        self.adjustSize()  # taller for the sentence, rather than squeezing the fields

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        contact_id: int,
        name: str,
        staff_id: int | None = None,
    ) -> Redeemed | None:
        """The voucher redeemed and what that changed, or None if cancelled."""
        dialog = cls(contact_id, name, staff_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.redeemed if accepted else None
