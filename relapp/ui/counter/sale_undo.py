"""Undo the last sale made at this counter, for a few minutes (relapp.domain.loyalty.undo_sale): a
button beside the search, shown only while there is something to undo, and Ctrl+Z."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QLocale, QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from relapp.domain import clock
from relapp.domain.loyalty.undo_sale import undo_deadline

UNDO_KEYS = "Ctrl+Z"


@dataclass(frozen=True)
class LastSale:
    interaction_id: int
    contact_id: int
    name: str
    amount: str  # as the shop writes it: "$12.50"
    points: int
    deadline: datetime


class SaleUndo(QObject):
    """The last sale made here while it may still be undone, and the button that undoes it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sale: LastSale | None = None
        self.button = QPushButton(self.tr("Undo sale ({keys})").format(keys=UNDO_KEYS))
        self.button.setObjectName("undoSaleButton")
        self.button.hide()
        self.expiry = QTimer(self, singleShot=True)
        self.expiry.timeout.connect(self.forget)

    def remember(
        self, interaction_id: int, contact_id: int, name: str, amount: str, points: int
    ) -> None:
        deadline = undo_deadline(clock.utc_now())
        self.sale = LastSale(interaction_id, contact_id, name, amount, points, deadline)
        self.button.setToolTip(
            self.tr("Undo the sale of {amount} for {name} ({keys})").format(
                amount=amount, name=name, keys=UNDO_KEYS
            )
        )
        self.button.show()
        self.expiry.start(max(0, int((deadline - clock.utc_now()).total_seconds() * 1000)))

    def forget(self) -> None:
        self.sale = None
        self.expiry.stop()
        self.button.hide()

    def current(self) -> LastSale | None:
        """The sale to undo, if it is still time."""
        if self.sale is not None and clock.utc_now() > self.sale.deadline:
            self.forget()
        return self.sale


class UndoSaleDialog(QMessageBox):
    """Asks once before a sale is undone; Enter undoes it."""

    def __init__(self, sale: LastSale, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Undo sale"))
        self.setText(
            self.tr("Undo the sale of {amount} for {name}?").format(
                amount=sale.amount, name=sale.name
            )
        )
        self.setInformativeText(
            self.tr(
                "It stays in their history marked refunded (undone at the counter), and the "
                "{points} points it earned are taken back."
            ).format(points=QLocale().toString(sale.points))
        )
        self.undo_button = self.addButton(self.tr("&Undo sale"), QMessageBox.ButtonRole.AcceptRole)
        self.addButton(self.tr("&Keep it"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.undo_button)

    @classmethod
    def ask(cls, parent: QWidget | None, sale: LastSale) -> bool:
        """Whether the cashier confirmed."""
        dialog = cls(sale, parent)
        dialog.exec()
        confirmed = dialog.clickedButton() is dialog.undo_button
        dialog.deleteLater()
        return confirmed
