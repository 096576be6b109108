"""Gift cards at the Counter (F8): sell one, take an amount from one, see what is left on one.

Three tabs, Ctrl+Tab between them (or Alt+S, Alt+R, Alt+B: the tabs' own letters).
Sell: the amount, Enter sells; with a customer shown the card is theirs (untick "For ..." to
sell a bearer card), with none it is a bearer card; once sold, Enter prints it (the card to
cut, relapp.reports.gift_card, in the report preview). Redeem: type or scan the code, the
amount, Enter takes it; Undo puts a mistaken redemption back by a reversal entry. Balance:
type or scan the code, Enter shows what is left; a bearer card can be given to the customer
shown.

A refusal (more than the balance, expired, a typing mistake, no such card) is said under the
fields in the domain's one sentence, the field to correct selected, and nothing has changed.
Every change is published at once (the customer panel shows the new balance); the dialog
stays open for the next card until Close, and the Counter then says the last thing done.
Each sale and redemption carries a key of its own, kept when it is tried again after a
failure, so no retry sells or takes twice.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain import clock
from relapp.domain.giftcards.cards import EXAMPLE, GiftCard, NotEnoughOnCard, find_gift_card
from relapp.domain.giftcards.ledger import (
    GiftCardRedemption,
    attach_gift_card,
    redeem_gift_card,
    reverse_redemption,
    sell_gift_card,
)
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.shop.money import parse_amount
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published
from relapp.ui.till_outbox_status import refused_offline, server_away
from relapp.ui.widgets.field_problems import FieldProblems

MAX_CODE_LENGTH = 40  # 16 characters, 19 as printed, with room for spaces
DONE_STYLE = "QLabel#giftCardDone { color: #0b5d56; font-weight: bold; }"


def _line(name: str, placeholder: str, length: int) -> QLineEdit:
    field = QLineEdit(objectName=name, maxLength=length)
    field.setPlaceholderText(placeholder)
    return field


def _done_label() -> QLabel:
    label = QLabel(objectName="giftCardDone", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(DONE_STYLE)
    label.hide()
    return label


class GiftCardDialog(QDialog):
    def __init__(
        self,
        change_bus: ChangeBus,
        contact_id: int | None,
        name: str,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """contact_id, name: the customer shown at the Counter, if any (None, "")."""
        super().__init__(parent)
        self.change_bus = change_bus
        self.contact_id = contact_id
        self.name = name
        self.staff_id = staff_id
        self.shop: ShopFormat = shop_format()
        self.last_done = ""  # what the Counter says once the dialog closes
        self.sold: GiftCard | None = None
        self.redeemed: GiftCardRedemption | None = None
        self.checked: GiftCard | None = None
        self.sale_key = self.redeem_key = ""
        self._new_keys()
        self.setWindowTitle(self.tr("Gift card"))
        self.setMinimumWidth(560)

        self.tabs = QTabWidget(objectName="giftCardTabs")
        self.tabs.addTab(self._sell_page(), self.tr("&Sell"))
        self.tabs.addTab(self._redeem_page(), self.tr("&Redeem"))
        self.tabs.addTab(self._balance_page(), self.tr("&Balance"))
        self.tabs.currentChanged.connect(self._tab_shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self._tab_shown(0)

    # -- the pages ----------------------------------------------------------------------------

    def _sell_page(self) -> QWidget:
        self.sell_amount = _line("giftCardAmount", self.tr("e.g. 50.00"), 20)
        self.for_customer = QCheckBox(
            self.tr("For {name}: their card, shown on their profile").format(name=self.name)
        )
        self.for_customer.setChecked(self.contact_id is not None)
        self.for_customer.setVisible(self.contact_id is not None)
        bearer = QLabel(
            self.tr("No customer is shown, so this is a bearer card: whoever holds it may use it."),
            objectName="settingsHint", wordWrap=True,
        )  # fmt: skip
        bearer.setVisible(self.contact_id is None)
        self.sell_button = QPushButton(self.tr("Sell card"), objectName="sellGiftCard")
        self.sell_button.clicked.connect(self.sell)
        self.print_button = QPushButton(self.tr("&Print card…"), objectName="printGiftCard")
        self.print_button.clicked.connect(self.print_card)
        self.print_button.hide()
        self.sold_text = _done_label()
        self.sell_problems = FieldProblems({"amount": self.sell_amount})
        form = QFormLayout()
        form.addRow(self.tr("&Amount:"), self.sell_amount)
        form.addRow("", self.for_customer)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.sell_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(bearer)
        column.addLayout(form)
        column.addWidget(self.sell_problems)
        column.addWidget(self.sold_text)
        column.addLayout(actions)
        column.addStretch(1)
        return page

    def _redeem_page(self) -> QWidget:
        example = self.tr("Type or scan the code, e.g. {example}").format(example=EXAMPLE)
        self.redeem_code = _line("giftCardCode", example, MAX_CODE_LENGTH)
        self.redeem_amount = _line("giftCardTake", self.tr("e.g. 20.00"), 20)
        self.redeem_button = QPushButton(self.tr("Take amount"), objectName="redeemGiftCard")
        self.redeem_button.clicked.connect(self.redeem)
        self.undo_button = QPushButton(self.tr("&Undo"), objectName="undoGiftCard")
        self.undo_button.setToolTip(self.tr("Put this redemption back on the card"))
        self.undo_button.clicked.connect(self.undo_redemption)
        self.undo_button.hide()
        self.redeemed_text = _done_label()
        self.redeem_problems = FieldProblems(
            {"code": self.redeem_code, "amount": self.redeem_amount}
        )
        form = QFormLayout()
        form.addRow(self.tr("&Code:"), self.redeem_code)
        form.addRow(self.tr("A&mount to take:"), self.redeem_amount)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.redeem_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(form)
        column.addWidget(self.redeem_problems)
        column.addWidget(self.redeemed_text)
        column.addLayout(actions)
        column.addStretch(1)
        return page

    def _balance_page(self) -> QWidget:
        example = self.tr("Type or scan the code, e.g. {example}").format(example=EXAMPLE)
        self.balance_code = _line("giftCardBalanceCode", example, MAX_CODE_LENGTH)
        self.balance_button = QPushButton(self.tr("Show balance"), objectName="giftCardBalance")
        self.balance_button.clicked.connect(self.show_balance)
        self.attach_button = QPushButton(
            self.tr("&Give to {name}").format(name=self.name), objectName="attachGiftCard"
        )
        self.attach_button.clicked.connect(self.attach)
        self.attach_button.hide()
        self.balance_text = _done_label()
        self.balance_problems = FieldProblems({"code": self.balance_code})
        form = QFormLayout()
        form.addRow(self.tr("C&ode:"), self.balance_code)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.attach_button)
        actions.addWidget(self.balance_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(form)
        column.addWidget(self.balance_problems)
        column.addWidget(self.balance_text)
        column.addLayout(actions)
        column.addStretch(1)
        return page

    def _tab_shown(self, index: int) -> None:
        """The tab's own button answers Enter (a scanner's too); its first field has the
        cursor."""
        defaults = (
            self.print_button if self.print_button.isVisible() else self.sell_button,
            self.redeem_button,
            self.balance_button,
        )
        for button in (self.sell_button, self.print_button, self.redeem_button,
                       self.undo_button, self.balance_button, self.attach_button):  # fmt: skip
            button.setAutoDefault(False)
            button.setDefault(button is defaults[index])
        first = (self.sell_amount, self.redeem_code, self.balance_code)[index]
        first.setFocus()
        first.selectAll()

    # -- selling ------------------------------------------------------------------------------

    def sell(self) -> None:
        amount = self._amount(self.sell_amount, self.sell_problems)
        if amount is None:
            return
        holder = self.contact_id if self.for_customer.isChecked() else None
        sale = self._run(
            lambda: sell_gift_card(amount, holder, staff_id=self.staff_id, key=self.sale_key),
            self.sell_problems, "amount",
        )  # fmt: skip
        if sale is None:
            return
        published(self.change_bus, sale)
        self.sale_key = str(uuid.uuid4())
        self.sold = sale.card
        to = self.tr(" to {name}").format(name=self.name) if holder is not None else ""
        self.last_done = self.tr("Gift card {code} sold for {amount}{to}.").format(
            code=sale.card.shown, amount=self.shop.money(sale.card.sold_cents), to=to
        )
        self._say_done(self.sold_text, self.last_done + " " + self.tr("Print it to hand over."))
        self.sell_amount.clear()
        self.print_button.show()
        self.print_button.setDefault(True)  # Enter now prints it
        self.print_button.setFocus()

    def print_card(self) -> None:
        """The card just sold, to print and cut, in the report preview."""
        from relapp.reports.gift_card import gift_card_pdf
        from relapp.ui.reports.generate import scratch_folder
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        if self.sold is None:
            return
        name = f"Gift card {self.sold.shown}.pdf"
        try:
            path = gift_card_pdf(self.sold, scratch_folder() / name)
        except RelappError as error:
            self.sell_problems.show_problems({"amount": str(error)})
            return
        preview = ReportPreviewDialog(self.tr("Gift card to print"), path, "", name, self)
        preview.exec()
        preview.deleteLater()
        self.sell_amount.setFocus()
        self.sell_button.setDefault(True)  # the next card

    # -- redeeming ----------------------------------------------------------------------------

    def redeem(self) -> None:
        if not self.redeem_code.text().strip():
            self._say(self.redeem_problems, "code", self.tr("Type or scan the gift card's code."))
            return
        amount = self._amount(self.redeem_amount, self.redeem_problems)
        if amount is None:
            return
        code = self.redeem_code.text()
        redeemed = self._run(
            lambda: redeem_gift_card(code, amount, key=self.redeem_key, staff_id=self.staff_id),
            self.redeem_problems, "code", amount_refused="amount",
        )  # fmt: skip
        if redeemed is None:
            return
        published(self.change_bus, redeemed)
        self.redeem_key = str(uuid.uuid4())
        self.redeemed = redeemed
        self.last_done = self.tr("{amount} taken from gift card {code}: {left} left.").format(
            amount=self.shop.money(redeemed.amount_cents), code=redeemed.card.shown,
            left=self.shop.money(redeemed.card.balance_cents),
        )  # fmt: skip
        self._say_done(self.redeemed_text, self.last_done)
        self.undo_button.show()
        self.redeem_amount.clear()
        self.redeem_code.setFocus()
        self.redeem_code.selectAll()  # the next scan replaces it

    def undo_redemption(self) -> None:
        if self.redeemed is None:
            return
        entry = self.redeemed.entry_id
        card = self._run(
            lambda: reverse_redemption(entry, staff_id=self.staff_id, reason="undone at the till"),
            self.redeem_problems, "code",
        )  # fmt: skip
        if card is None:
            return
        published(self.change_bus, self.redeemed)  # the same card and holder again
        self.last_done = self.tr("Redemption undone: {amount} back on {code}, {left} left.").format(
            amount=self.shop.money(self.redeemed.amount_cents), code=card.shown,
            left=self.shop.money(card.balance_cents),
        )  # fmt: skip
        self._say_done(self.redeemed_text, self.last_done)
        self.redeemed = None
        self.undo_button.hide()
        self.redeem_code.setFocus()

    # -- the balance --------------------------------------------------------------------------

    def show_balance(self) -> None:
        if not self.balance_code.text().strip():
            self._say(self.balance_problems, "code", self.tr("Type or scan the gift card's code."))
            return
        text = self.balance_code.text()
        card = self._run(lambda: find_gift_card(text), self.balance_problems, "code")
        if card is None:
            return
        self.checked = card
        self._say_done(self.balance_text, self._balance_text(card))
        give = self.contact_id is not None and card.contact_id is None
        self.attach_button.setVisible(give)
        self.balance_code.selectAll()

    def _balance_text(self, card: GiftCard) -> str:
        left = self.tr("{code}: {left} left of {sold}.").format(
            code=card.shown, left=self.shop.money(card.balance_cents),
            sold=self.shop.money(card.sold_cents),
        )  # fmt: skip
        sold = self.tr("Sold {day}").format(day=self.shop.day(card.sold_at))
        if card.expires_at is None:
            valid = self.tr("no expiry date")
        elif card.expired(clock.utc_now()):
            valid = self.tr("expired {day}").format(day=self.shop.day(card.expires_at))
        else:
            valid = self.tr("valid until {day}").format(day=self.shop.day(card.expires_at))
        if card.contact_id is None:
            whose = self.tr("a bearer card")
        elif card.contact_id == self.contact_id:
            whose = self.tr("{name}'s card").format(name=self.name)
        else:
            whose = self.tr("another customer's card")
        return f"{left}\n{sold} · {valid} · {whose}."

    def attach(self) -> None:
        if self.checked is None or self.contact_id is None:
            return
        code, contact_id = self.checked.code, self.contact_id
        change = self._run(
            lambda: attach_gift_card(code, contact_id, staff_id=self.staff_id),
            self.balance_problems, "code",
        )  # fmt: skip
        if change is None:
            return
        published(self.change_bus, change)
        self.attach_button.hide()
        self.last_done = self.tr("Gift card {code} is now {name}'s.").format(
            code=self.checked.shown, name=self.name
        )
        self._say_done(self.balance_text, self.last_done)

    # -- saying how it went -------------------------------------------------------------------

    def _amount(self, field: QLineEdit, problems: FieldProblems) -> int | None:
        try:
            return parse_amount(field.text())
        except ValueError as error:
            text = str(error) if field.text().strip() else self.tr("Type the amount.")
            self._say(problems, "amount", text)
            return None

    def _run(self, action, problems: FieldProblems, field: str, amount_refused: str = ""):
        """action() or None, its refusal said under field (the server away, in its words);
        more than the balance under amount_refused, if given (the amount is what to change)."""
        try:
            return action()
        except Exception as error:
            if server_away(error) is not None:
                wait = self.tr("a gift card needs the balance as it is now")
                self._say(problems, field, refused_offline(wait))
                return None
            if not isinstance(error, RelappError):
                raise
            wrong = (
                amount_refused if isinstance(error, NotEnoughOnCard) and amount_refused else field
            )
            self._say(problems, wrong, str(error))
            return None

    def _say(self, problems: FieldProblems, field: str, text: str) -> None:
        """One sentence under the fields; the field to correct selected (the next scan
        replaces it, an arrow key keeps it for correcting)."""
        problems.show_problems({field: text})
        widget = problems.fields[field]
        if isinstance(widget, QLineEdit):
            widget.setFocus()
            widget.selectAll()
        self.adjustSize()

    def _say_done(self, label: QLabel, text: str) -> None:
        for problems in (self.sell_problems, self.redeem_problems, self.balance_problems):
            problems.clear_problems()
        label.setText(text)
        label.show()
        self.adjustSize()

    def _new_keys(self) -> None:
        self.sale_key, self.redeem_key = str(uuid.uuid4()), str(uuid.uuid4())

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        change_bus: ChangeBus,
        contact_id: int | None,
        name: str,
        staff_id: int | None = None,
    ) -> str:
        """What was done last ("" if nothing), once the dialog is closed."""
        dialog = cls(change_bus, contact_id, name, staff_id, parent)
        dialog.exec()
        dialog.deleteLater()
        return dialog.last_done
