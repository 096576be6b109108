"""Record a sale at the counter: type the amount, see the points it earns, Enter confirms.

The dialog makes one sale key when it opens, so a double click, a second Enter or a scanner's
repeated scan can never record the sale twice: the domain answers a known key with the sale
already recorded.

An amount far outside what the customer usually spends (relapp.domain.loyalty.usual_spend: 1250
typed for 12.50) is not recorded at the first Enter: the dialog says so, and a second Enter
records it as typed.

On a shop server that does not answer (given the till's outbox), the sale is kept on this till
with the same key, to be sent when the server is back (relapp.ui.till_outbox_status): no
preview of the points and no check of the usual spend, which both need the server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QTimer
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

from relapp.domain.loyalty.offline import CardNotKnownOffline, KeptSale
from relapp.domain.loyalty.points import SaleResult, preview_sale, record_sale
from relapp.domain.loyalty.usual_spend import UNUSUAL_FACTOR, UnusualAmount, unusual_amount
from relapp.domain.shop.formats import format_money
from relapp.domain.shop.money import parse_amount
from relapp.errors import RelappError
from relapp.ui.till_outbox_status import server_away
from relapp.ui.widgets.field_problems import FieldProblems

if TYPE_CHECKING:
    from relapp.ui.till_outbox_status import TillOutboxStatus

PREVIEW_PAUSE_MS = 120


@dataclass(frozen=True)
class RecordedSale:
    result: SaleResult
    amount_cents: int


class SaleDialog(QDialog):
    def __init__(
        self,
        contact_id: int,
        name: str,
        staff_id: int | None = None,
        parent: QWidget | None = None,
        till: TillOutboxStatus | None = None,
    ) -> None:
        """till: this till's outbox on a shop server (None on a file): a sale the server
        does not take because it is away is kept there."""
        super().__init__(parent)
        self.contact_id = contact_id
        self.name = name
        self.staff_id = staff_id
        self.till = till
        # Straight to the outbox when the till knows the server is away: no wait for it.
        self.offline = till is not None and not till.online
        self.sale_key = uuid.uuid4().hex
        self.result_: SaleResult | None = None
        self.recorded: RecordedSale | None = None
        self.kept: KeptSale | None = None
        self.asked_unusual: int | None = None  # the unusual amount the next Enter records
        self.setWindowTitle(self.tr("Record a sale"))
        self.setMinimumWidth(420)

        who = QLabel(name, objectName="saleCustomer")
        who.setTextFormat(Qt.TextFormat.PlainText)
        self.amount = QLineEdit(objectName="saleAmount", maxLength=20)
        self.amount.setPlaceholderText(QLocale().toString(12.5, "f", 2))
        self.note = QLineEdit(maxLength=200)
        self.note.setPlaceholderText(self.tr("What was bought (optional)"))
        self.preview = QLabel(objectName="salePreview", wordWrap=True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.unusual = QLabel(objectName="unusualAmount", wordWrap=True)
        self.unusual.setTextFormat(Qt.TextFormat.PlainText)
        self.unusual.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Amount paid:"), self.amount)
        form.addRow(self.tr("&Note:"), self.note)
        self.problems = FieldProblems({"amount": self.amount}, check=self._amount_problems)

        self.preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_PAUSE_MS)
        self.preview_timer.timeout.connect(self.update_preview)
        self.amount.textEdited.connect(lambda _text: self.preview_timer.start())
        self.amount.textEdited.connect(lambda _text: self._forget_unusual())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = QPushButton(self.tr("&Record sale"))
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.unusual)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.amount.setFocus()
        self.update_preview()

    def _amount_problems(self) -> dict[str, str]:
        try:
            parse_amount(self.amount.text())
        except ValueError as error:
            return {"amount": str(error)}
        return {}

    def _cents(self) -> int | None:
        try:
            return parse_amount(self.amount.text())
        except ValueError:
            return None

    def update_preview(self) -> None:
        self.preview_timer.stop()
        cents = self._cents()
        if self.offline:
            self.preview.setText(self._offline_text())
            return
        if cents is None:
            self.preview.setText(self.tr("Type the amount paid to see the points it earns."))
            return
        try:
            preview = preview_sale(self.contact_id, cents)
        except Exception as error:
            if not self._server_away(error):
                raise
            self.preview.setText(self._offline_text())
            return
        locale = QLocale()
        tier = (
            self.tr(" ({tier} tier, ×{multiplier})").format(
                tier=preview.tier, multiplier=locale.toString(preview.multiplier_percent / 100)
            )
            if preview.tier
            else ""
        )
        self.preview.setText(
            self.tr("Earns {points} points{tier}. Balance after: {balance}.").format(
                points=locale.toString(preview.points),
                tier=tier,
                balance=locale.toString(preview.balance_after),
            )
        )

    def record(self) -> None:
        try:
            cents = parse_amount(self.amount.text())
        except ValueError as error:
            self.problems.show_problems({"amount": str(error)})
            return
        if self.offline:
            self._keep(cents)
            return
        if cents != self.asked_unusual:
            try:
                unusual = unusual_amount(self.contact_id, cents)
            except Exception as error:
                if not self._server_away(error):
                    raise
                self._keep(cents)
                return
            if unusual is not None:
                self._ask_about(unusual)
                return
        self.record_button.setEnabled(False)  # one sale, however often Enter is pressed
        try:
            self.result_ = record_sale(
                self.contact_id,
                cents,
                sale_key=self.sale_key,
                staff_id=self.staff_id,
                summary=self.note.text().strip(),
            )
        except Exception as error:
            if self._server_away(error):
                # Perhaps recorded before the answer was lost: kept with the same key, it is
                # recorded once all the same when sent.
                self._keep(cents)
                return
            if not isinstance(error, RelappError):
                raise
            self.record_button.setEnabled(True)
            self.problems.show_problems({"amount": str(error)})
            return
        self.recorded = RecordedSale(self.result_, cents)
        self.accept()

    def _server_away(self, error: Exception) -> bool:
        """Whether error is the shop server not answering, on a till that keeps sales; the
        dialog keeps this sale on the till from now on."""
        if self.till is None or server_away(error) is None:
            return False
        self.till.went_offline()
        if not self.offline:
            self.offline = True
            self._forget_unusual()
            self.preview.setText(self._offline_text())
        return True

    def _offline_text(self) -> str:
        return self.tr(
            "The shop server is not answering: this sale is kept on this till and sent when the"
            " server is back; its points are added then."
        )

    def _keep(self, cents: int) -> None:
        assert self.till is not None
        self.record_button.setEnabled(False)
        try:
            self.kept = self.till.keep(
                self.contact_id, cents, self.sale_key, self.staff_id, self.note.text().strip()
            )
        except (CardNotKnownOffline, ValueError) as error:
            self.record_button.setEnabled(True)
            self.problems.show_problems({"amount": str(error)})
            return
        self.accept()

    def _ask_about(self, unusual: UnusualAmount) -> None:
        """Say the amount is far outside the usual; the next Enter records it as typed."""
        whose = (
            self.tr("what {name} usually spends").format(name=self.name)
            if unusual.customers_own
            else self.tr("a usual sale here")
        )
        self.unusual.setText(
            self.tr(
                "{amount} is more than {factor} times {whose} ({usual}). Check the amount, "
                "or press Enter again to record {amount}."
            ).format(
                amount=format_money(unusual.amount_cents),
                factor=UNUSUAL_FACTOR,
                whose=whose,
                usual=format_money(unusual.usual_cents),
            )
        )
        self.unusual.show()
        self.adjustSize()  # taller for the wrapped sentence (the layout does not grow by itself)
        self.asked_unusual = unusual.amount_cents
        self.record_button.setText(self.tr("&Record anyway"))
        self.amount.setFocus()

    def _forget_unusual(self) -> None:
        if self.asked_unusual is not None:
            self.asked_unusual = None
            self.unusual.hide()
            self.record_button.setText(self.tr("&Record sale"))

    def done(self, result: int) -> None:
        # A preview still waiting must not run once the dialog is gone (perhaps on another
        # database: a test's, or after a restore).
        self.preview_timer.stop()
        super().done(result)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        contact_id: int,
        name: str,
        staff_id: int | None = None,
        till: TillOutboxStatus | None = None,
    ) -> RecordedSale | KeptSale | None:
        """The recorded sale, the sale kept on this till (the shop server is away), or None
        if cancelled."""
        dialog = cls(contact_id, name, staff_id, parent, till)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return None
        return dialog.kept or dialog.recorded
