"""The parts of a campaign's form that the New campaign and Automatic campaigns dialogs share:
the merge-field button of a message, the voucher's fields, and a label for a row of several
widgets."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from relapp.domain.campaigns.templates import MERGE_FIELDS
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.loyalty.program import list_rewards
from relapp.domain.shop.money import format_amount, parse_amount
from relapp.errors import RelappError
from relapp.ui.campaigns.texts import tr

OFFER_TITLES = {
    "none": "No voucher",
    "points": "Bonus points",
    "amount": "An amount off",
    "percent": "Percent off",
    "reward": "A free reward",
}
ROW_SPACING = 6


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose mnemonic goes to buddy (addRow gives a row of several widgets
    none)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class MergeFieldsButton(QPushButton):
    """ "Insert merge field" (Alt+F): a menu of the merge fields; the one chosen goes in at
    the message's cursor, replacing what is selected there."""

    def __init__(self, message: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(tr("Insert merge &field"), parent, objectName="mergeFields")
        self.message = message
        self.setToolTip(tr("Put a merge field where the cursor is in the message"))
        self.setAutoDefault(False)  # Enter in the form saves, never opens this
        self.fields_menu = QMenu(self)
        for field in MERGE_FIELDS:
            action = self.fields_menu.addAction(f"{{{field.name}}}  —  {tr(field.description)}")
            action.triggered.connect(lambda _=False, name=field.name: self.insert_field(name))
        # Opened from the keyboard, the first field is ready for Enter, Down the next.
        self.fields_menu.aboutToShow.connect(
            lambda: self.fields_menu.setActiveAction(self.fields_menu.actions()[0])
        )
        self.setMenu(self.fields_menu)

    def insert_field(self, name: str) -> None:
        self.message.insertPlainText(f"{{{name}}}")
        self.message.setFocus(Qt.FocusReason.OtherFocusReason)


class OfferFields(QWidget):
    """A voucher, in a row: none, bonus points, an amount off, a percent off (the purchase it
    is used with) or a free reward, how many days
    it is valid and the least purchase; with shared_code, also a promotion code for anyone
    (else each customer gets a code of their own). Only the fields of the kind chosen show."""

    edited = Signal()  # any of the fields changed

    def __init__(self, *, shared_code: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox(self, objectName="voucherKind")
        for code, title in OFFER_TITLES.items():
            self.kind.addItem(tr(title), code)
        self.points = QSpinBox(self, objectName="voucherPoints", minimum=1, maximum=1_000_000)
        self.points.setValue(100)
        self.points.setSuffix(tr(" points"))
        self.amount = QLineEdit(self, objectName="voucherAmount")
        self.amount.setPlaceholderText(tr("e.g. 5.00"))
        self.percent = QSpinBox(self, objectName="voucherPercent", minimum=1, maximum=100)
        self.percent.setValue(10)
        self.percent.setSuffix(tr(" % off"))
        self.reward = QComboBox(self, objectName="voucherReward")
        for reward in list_rewards():
            if reward.active:
                self.reward.addItem(reward.name)
        self.reward.setPlaceholderText(tr("choose a reward"))
        self.days = QSpinBox(self, objectName="voucherDays", minimum=1, maximum=365)
        self.days.setValue(30)
        self.days.setPrefix(tr("valid "))
        self.days.setSuffix(tr(" days"))
        self.min_spend = QLineEdit(self, objectName="voucherMinSpend")
        self.min_spend.setPlaceholderText(tr("least purchase (optional)"))
        self.shared: QLineEdit | None = None
        if shared_code:
            self.shared = QLineEdit(self, objectName="voucherSharedCode", maxLength=20)
            self.shared.setPlaceholderText(tr("shared code (optional)"))
            self.shared.setToolTip(
                tr(
                    "One promotion code for anyone (e.g. SPRING10), used once by each "
                    "customer; empty: each customer gets a code of their own"
                )
            )
        # A field empty but for its placeholder says what it is for: none is cut short.
        for field in (self.amount, self.min_spend, self.shared):
            if field is not None:
                hint = field.fontMetrics().horizontalAdvance(field.placeholderText())
                field.setMinimumWidth(hint + 16)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(ROW_SPACING)
        for widget in self._value_fields():
            row.addWidget(widget)
        row.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        for signal in (self.kind.currentIndexChanged, self.points.valueChanged,
                       self.amount.textChanged, self.percent.valueChanged,
                       self.reward.currentIndexChanged,
                       self.days.valueChanged, self.min_spend.textChanged):  # fmt: skip
            signal.connect(self.edited)
        if self.shared is not None:
            self.shared.textChanged.connect(self.edited)
        self._kind_chosen()

    def _value_fields(self) -> list[QWidget]:
        return [self.kind, *self._kind_values(), *self._common_fields()]

    def _kind_values(self) -> list[QWidget]:
        """The one field that shows for the kind chosen."""
        return [self.points, self.amount, self.percent, self.reward]

    def _common_fields(self) -> list[QWidget]:
        """Valid days, least purchase and shared code: for any voucher."""
        fields: list[QWidget] = [self.days, self.min_spend]
        return fields if self.shared is None else [*fields, self.shared]

    # Room for the widest kind from the start: a dialog does not grow when fields appear. Asked
    # when laid out, once the style sheet has given the fields their size.
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._widest_row()), hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self._widest_row()), hint.height())

    def _widest_row(self) -> int:
        def width(widget: QWidget) -> int:
            return max(widget.sizeHint().width(), widget.minimumWidth())

        value = max(width(widget) for widget in self._kind_values())
        others = [self.kind, *self._common_fields()]
        return value + sum(width(widget) for widget in others) + ROW_SPACING * len(others)

    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def _kind_chosen(self) -> None:
        kind = self.chosen_kind()
        self.points.setVisible(kind == "points")
        self.amount.setVisible(kind == "amount")
        self.percent.setVisible(kind == "percent")
        self.reward.setVisible(kind == "reward")
        for widget in self._common_fields():
            widget.setVisible(kind != "none")

    def offer(self) -> Offer | None:
        """The offer as chosen; raises RelappError (one sentence) for an amount that is not."""
        kind = self.chosen_kind()
        if kind == "none":
            return None
        try:
            least = self.min_spend.text().strip()
            min_spend = parse_amount(least) if least else 0
            amount = parse_amount(self.amount.text()) if kind == "amount" else 0
        except ValueError as error:
            raise RelappError(str(error)) from None
        value = {"points": self.points.value(), "amount": amount,
                 "percent": self.percent.value(), "reward": 0}[kind]  # fmt: skip
        reward = self.reward.currentText() if kind == "reward" else ""
        return Offer(kind, value, reward_name=reward,
                     min_spend_cents=min_spend, valid_days=self.days.value(),
                     shared_code=self.shared.text() if self.shared is not None else "")  # fmt: skip

    def show_offer(self, offer: Offer | None) -> None:
        """The fields as offer has them (no voucher for None)."""
        self.kind.setCurrentIndex(self.kind.findData("none" if offer is None else offer.kind))
        if offer is None:
            return
        if offer.kind == "points":
            self.points.setValue(offer.value)
        elif offer.kind == "amount":
            self.amount.setText(format_amount(offer.value))
        elif offer.kind == "percent":
            self.percent.setValue(offer.value)
        elif offer.kind == "reward":
            # A reward no longer on offer is shown by its name; saving it again is refused.
            if offer.reward_name and self.reward.findText(offer.reward_name) < 0:
                self.reward.addItem(offer.reward_name)
            self.reward.setCurrentIndex(self.reward.findText(offer.reward_name))
        self.days.setValue(offer.valid_days)
        least = offer.min_spend_cents
        self.min_spend.setText(format_amount(least) if least else "")
        if self.shared is not None:
            self.shared.setText(offer.shared_code)
