"""The Loyalty view: the program (earning, expiry, bonuses, tiers, rewards), a customer's
points statement with its running balance, and what the shop owes in points.

Anyone can look; changing the program takes a signed-in manager (the domain checks).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty.points import (
    CustomerNotFound,
    add_opening_balance,
    adjust_points,
    find_customer,
    points_statement,
    points_summary,
    refund_sale,
)
from relapp.domain.loyalty.program import (
    PROGRAM_LIMITS,
    list_rewards,
    list_tiers,
    loyalty_liability,
    save_program,
    save_reward,
    save_tier,
)
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.money import format_amount, parse_amount
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.staff import require_manager
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.loyalty import prompts
from relapp.ui.loyalty.plans_page import PlansPage
from relapp.ui.loyalty.tables import cell as _cell
from relapp.ui.loyalty.tables import table as _table
from relapp.ui.operations import run_change
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

PROGRAM_TITLES = {
    "points_per_unit": "Points per currency unit spent",
    "points_expiry_months": "Points expire after (months, 0 = never)",
    "tier_window_months": "Tiers look at spend over (months)",
    "welcome_bonus_points": "Welcome bonus (points)",
    "birthday_bonus_points": "Birthday bonus, once a year (points)",
    "referral_bonus_points": "Referral bonus for the referrer (points)",
    "value_of_100_points_cents": "100 points are worth (cents)",
}
STATEMENT_LINES = 500


class LoyaltyView(QWidget):
    def __init__(
        self, change_bus: ChangeBus, current_staff: CurrentStaff, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff
        self.freshness = StaleWhileHidden(self, self._read)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._program_page(), self.tr("Program"))
        self.tabs.addTab(self._statement_page(), self.tr("Customer statement"))
        self.liability_page = self._liability_page()
        self.tabs.addTab(self.liability_page, self.tr("Liability"))
        self.plans_page = PlansPage(self._run, lambda: self.current_staff.staff_id)
        self.tabs.addTab(self.plans_page, self.tr("&Memberships"))  # Alt+M
        # The liability reads every customer's balance (most of a second on a million):
        # only when its tab is open.
        self.liability_stale = True
        self.tabs.currentChanged.connect(lambda _index: self._load_liability_if_shown())
        self.tabs.currentChanged.connect(lambda _index: self.focus_first_field())
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    # -- program ------------------------------------------------------------------------------

    def _program_page(self) -> QWidget:
        self.program_fields: dict[str, QSpinBox] = {}
        form = QFormLayout()
        for name, (lowest, highest) in PROGRAM_LIMITS.items():
            box = QSpinBox(minimum=lowest, maximum=highest)
            box.setGroupSeparatorShown(True)
            self.program_fields[name] = box
            form.addRow(self.tr(PROGRAM_TITLES[name]) + ":", box)
        self.save_program_button = QPushButton(self.tr("Save program"))
        self.save_program_button.clicked.connect(self.save_program)
        self.program_note = QLabel(objectName="settingsHint", wordWrap=True)
        form.addRow(self.program_note, self.save_program_button)
        program_box = QGroupBox(self.tr("Earning, expiry and bonuses"))
        program_box.setLayout(form)

        self.tiers = _table([self.tr("Tier"), self.tr("Spend from"), self.tr("Multiplier"),
                             self.tr("Customers")])  # fmt: skip
        self.tiers.itemActivated.connect(lambda _item: self.edit_tier())
        add_tier = QPushButton(self.tr("Add tier…"))
        add_tier.clicked.connect(lambda: self.edit_tier(new=True))
        edit_tier = QPushButton(self.tr("Edit tier…"))
        edit_tier.clicked.connect(self.edit_tier)
        tiers_box = self._boxed(self.tr("Tiers"), self.tiers, add_tier, edit_tier)

        self.rewards = _table([self.tr("Reward"), self.tr("Points"), self.tr("Stock"),
                               self.tr("Active"), self.tr("Redeemed")])  # fmt: skip
        self.rewards.itemActivated.connect(lambda _item: self.edit_reward())
        add_reward = QPushButton(self.tr("Add reward…"))
        add_reward.clicked.connect(lambda: self.edit_reward(new=True))
        edit_reward = QPushButton(self.tr("Edit reward…"))
        edit_reward.clicked.connect(self.edit_reward)
        rewards_box = self._boxed(
            self.tr("Rewards catalogue"), self.rewards, add_reward, edit_reward
        )

        right = QVBoxLayout()
        right.addWidget(tiers_box, 1)
        right.addWidget(rewards_box, 2)
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addWidget(program_box)
        left.addStretch(1)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        return page

    def _boxed(self, title: str, table: QTableWidget, *buttons: QPushButton) -> QGroupBox:
        box = QGroupBox(title)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return box

    def load_program(self) -> None:
        settings = load_settings()
        for name, box in self.program_fields.items():
            box.setValue(getattr(settings, name))
        locale, shop = QLocale(), shop_format()
        self.tiers.setRowCount(0)
        for tier in list_tiers():
            row = self.tiers.rowCount()
            self.tiers.insertRow(row)
            self.tiers.setItem(row, 0, _cell(tier.name, tier))
            self.tiers.setItem(row, 1, _cell(shop.money(tier.min_spend_cents), numeric=True))
            self.tiers.setItem(row, 2, _cell(f"×{tier.multiplier_percent / 100:g}", numeric=True))
            self.tiers.setItem(row, 3, _cell(locale.toString(tier.customers), numeric=True))
        self.rewards.setRowCount(0)
        for reward in list_rewards():
            row = self.rewards.rowCount()
            self.rewards.insertRow(row)
            stock = self.tr("unlimited") if reward.stock is None else locale.toString(reward.stock)
            self.rewards.setItem(row, 0, _cell(reward.name, reward))
            self.rewards.setItem(row, 1, _cell(locale.toString(reward.points_cost), numeric=True))
            self.rewards.setItem(row, 2, _cell(stock, numeric=True))
            self.rewards.setItem(row, 3, _cell(self.tr("yes") if reward.active else self.tr("no")))
            self.rewards.setItem(row, 4, _cell(locale.toString(reward.redeemed), numeric=True))
        manager = self.current_staff.can("program_settings")
        self.program_note.setText(
            "" if manager else self.tr("Sign in as a manager to change the program.")
        )
        self.plans_page.load(manager)

    def save_program(self) -> None:
        changes = {name: box.value() for name, box in self.program_fields.items()}
        self._run(lambda: save_program(changes, self.current_staff.staff_id))

    def edit_tier(self, new: bool = False) -> None:
        item = None if new else self.tiers.item(self.tiers.currentRow(), 0)
        if not new and item is None:
            return
        tier = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        values = TierDialog.ask(self, tier)
        if values is not None:
            name, spend, multiplier = values
            tier_id = None if tier is None else tier.id
            self._run(lambda: save_tier(tier_id, name, spend, multiplier,
                                        self.current_staff.staff_id))  # fmt: skip

    def edit_reward(self, new: bool = False) -> None:
        item = None if new else self.rewards.item(self.rewards.currentRow(), 0)
        if not new and item is None:
            return
        reward = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        values = RewardDialog.ask(self, reward)
        if values is not None:
            reward_id = None if reward is None else reward.id
            self._run(lambda: save_reward(reward_id, *values, self.current_staff.staff_id))

    def _run(self, action: Callable[[], Change]) -> None:
        run_change(self, self.change_bus, action, refusals=(RelappError, ValueError),
                   title=self.tr("Loyalty program"))  # fmt: skip

    # -- statement ----------------------------------------------------------------------------

    def _statement_page(self) -> QWidget:
        self.statement_customer = QLineEdit(clearButtonEnabled=True)
        self.statement_customer.setPlaceholderText(self.tr("Customer number or card, then Enter"))
        self.statement_customer.returnPressed.connect(self.show_statement)
        self.statement_heading = QLabel(objectName="statementHeading", wordWrap=True)
        self.statement_heading.setTextFormat(Qt.TextFormat.PlainText)
        self.statement = _table(
            [self.tr(title) for title in ("When", "What", "Points", "Balance", "Expires", "Why")]
        )
        self.statement.itemSelectionChanged.connect(self._update_statement_buttons)
        # The row the keyboard is on counts too: a table taking the focus makes its first
        # row current without selecting it, and Refund acts on the current row.
        self.statement.currentCellChanged.connect(lambda *_: self._update_statement_buttons())
        self.statement_contact_id: int | None = None
        self.refund_button = QPushButton(self.tr("Refund sale…"))
        self.refund_button.setToolTip(
            self.tr("Select a purchase's points (earn) line to refund that sale")
        )
        self.refund_button.clicked.connect(self.refund_selected_sale)
        self.adjust_button = QPushButton(self.tr("Adjust points…"))
        self.adjust_button.setToolTip(self.tr("Managers only; a reason is required"))
        self.adjust_button.clicked.connect(self.adjust_points)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refund_button)
        buttons.addWidget(self.adjust_button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.statement_customer)
        layout.addWidget(self.statement_heading)
        layout.addWidget(self.statement, 1)
        layout.addLayout(buttons)
        self._update_statement_buttons()
        return page

    def _selected_sale(self) -> int | None:
        item = self.statement.item(self.statement.currentRow(), 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _update_statement_buttons(self) -> None:
        self.refund_button.setEnabled(self._selected_sale() is not None)
        self.adjust_button.setEnabled(self.statement_contact_id is not None)

    def refund_selected_sale(self) -> None:
        sale_id = self._selected_sale()
        if sale_id is None:
            return
        reason = prompts.ask_reason(
            self,
            self.tr("Refund sale"),
            self.tr(
                "Why is this sale refunded? Its points are taken back as far as the balance "
                "allows; points already spent stay with the customer."
            ),
        )
        if reason:
            self._run(lambda: refund_sale(sale_id, reason, self.current_staff.staff_id))
            self.show_statement(self.statement_contact_id)

    def adjust_points(self) -> None:
        if self.statement_contact_id is None:
            return
        answer = prompts.ask_adjustment(self)
        if answer is not None:
            points, reason, opening = answer
            contact_id, staff_id = self.statement_contact_id, self.current_staff.staff_id
            if opening:
                self._run(lambda: self._bring_in(contact_id, points, reason, staff_id))
            else:
                self._run(lambda: adjust_points(contact_id, points, reason, staff_id))
            self.show_statement(contact_id)

    @staticmethod
    def _bring_in(contact_id: int, points: int, reason: str, staff_id: int | None) -> Change:
        # Points from an older system are money too: a manager's decision.
        require_manager(staff_id, "bring in opening balances")
        return add_opening_balance(contact_id, points, reason, staff_id)

    def show_statement(self, contact_id: int | None = None) -> None:
        try:
            if contact_id is None:
                contact_id = find_customer(self.statement_customer.text().strip())
        except CustomerNotFound as error:
            self.statement_heading.setText(str(error))
            self.statement.setRowCount(0)
            self.statement_contact_id = None
            self._update_statement_buttons()
            return
        self.statement_contact_id = contact_id
        locale = QLocale()
        summary = points_summary(contact_id, recent=0)
        expiring = (
            self.tr(" · {points} expire within 30 days").format(
                points=locale.toString(summary.expiring_30_days)
            )
            if summary.expiring_30_days
            else ""
        )
        self.statement_heading.setText(
            self.tr("{name}: {balance} points{tier}{expiring}").format(
                name=summary.name,
                balance=locale.toString(summary.balance),
                tier=f" · {summary.tier}" if summary.tier else "",
                expiring=expiring,
            )
        )
        lines = points_statement(contact_id, limit=STATEMENT_LINES)
        shop = shop_format()
        self.statement.setRowCount(0)
        for line in reversed(lines):  # newest first on screen
            row = self.statement.rowCount()
            self.statement.insertRow(row)
            expires = shop.day(line.expires_at) if line.expires_at else ""
            cells = (
                _cell(shop.moment(line.occurred_at), line.sale_id),
                _cell(self.tr(line.kind)),
                _cell(
                    ("+" if line.points > 0 else "") + locale.toString(line.points), numeric=True
                ),
                _cell(locale.toString(line.balance), numeric=True),
                _cell(expires),
                _cell(line.reason),
            )
            for column, cell in enumerate(cells):
                self.statement.setItem(row, column, cell)
        self._update_statement_buttons()

    # -- liability ----------------------------------------------------------------------------

    def _liability_page(self) -> QWidget:
        self.liability_summary = QLabel(objectName="statementHeading", wordWrap=True)
        self.liability = _table([self.tr("Tier"), self.tr("Customers with points"),
                                 self.tr("Points"), self.tr("Value")])  # fmt: skip
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.liability_summary)
        layout.addWidget(self.liability, 1)
        return page

    def load_liability(self) -> None:
        locale, shop = QLocale(), shop_format()
        owed = loyalty_liability()
        self.liability_summary.setText(
            self.tr(
                "Outstanding: {points} points worth {value}, held by {customers} "
                "customers. Expiring within 30 days: {soon} points."
            ).format(
                points=locale.toString(owed.points),
                value=shop.money(owed.value_cents),
                customers=locale.toString(owed.customers_with_points),
                soon=locale.toString(owed.expiring_soon_points),
            )
        )
        self.liability.setRowCount(0)
        for tier in owed.by_tier:
            row = self.liability.rowCount()
            self.liability.insertRow(row)
            for column, cell in enumerate(
                (
                    _cell(tier.tier),
                    _cell(locale.toString(tier.customers), numeric=True),
                    _cell(locale.toString(tier.points), numeric=True),
                    _cell(shop.money(tier.value_cents), numeric=True),
                )
            ):
                self.liability.setItem(row, column, cell)

    def focus_first_field(self) -> None:
        """The first field of the tab on screen: the points rate, the customer whose
        statement to show, or the liability table."""
        page = self.tabs.currentWidget()
        if page is self.liability_page:
            self.liability.setFocus()
        elif page is self.plans_page:
            self.plans_page.plans.setFocus()
        elif self.tabs.currentIndex() == 1:
            self.statement_customer.setFocus()
            self.statement_customer.selectAll()
        else:
            self.program_fields["points_per_unit"].setFocus()

    # -- refreshing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the program now, and the liability if its tab is open."""
        self.freshness.read_now()

    def _read(self) -> None:
        self.load_program()
        self.liability_stale = True
        self._load_liability_if_shown()

    def _load_liability_if_shown(self) -> None:
        if self.liability_stale and self.tabs.currentWidget() is self.liability_page:
            self.liability_stale = False
            self.load_liability()

    def on_change(self, change: Change) -> None:
        watched = {Entity.POINTS, Entity.TIERS, Entity.REWARDS, Entity.SETTINGS, Entity.STAFF,
                   Entity.MEMBERSHIPS}  # fmt: skip
        if change.entities & watched:
            self.freshness.changed()


class TierDialog(QDialog):
    def __init__(self, tier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tier"))
        self.name = QLineEdit(tier.name if tier else "", maxLength=100)
        self.spend = QLineEdit(format_amount(tier.min_spend_cents) if tier else "0.00")
        self.multiplier = QSpinBox(minimum=0, maximum=1000, suffix=" %")
        self.multiplier.setValue(tier.multiplier_percent if tier else 100)
        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Spend over the window from:"), self.spend)
        form.addRow(self.tr("Points &multiplier:"), self.multiplier)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, tier) -> tuple[str, int, int] | None:
        dialog = cls(tier, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        text = dialog.spend.text().strip()
        try:
            spend = 0 if text in ("0", "0.00", "") else parse_amount(text)
        except ValueError as error:
            QMessageBox.warning(parent, dialog.tr("Tier"), str(error))
            return None
        return dialog.name.text(), spend, dialog.multiplier.value()


class RewardDialog(QDialog):
    def __init__(self, reward, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reward"))
        self.name = QLineEdit(reward.name if reward else "", maxLength=100)
        self.description = QLineEdit(reward.description if reward else "", maxLength=500)
        self.cost = QSpinBox(minimum=1, maximum=10_000_000)
        self.cost.setValue(reward.points_cost if reward else 100)
        self.unlimited = QCheckBox(self.tr("Unlimited"))
        self.stock = QSpinBox(minimum=0, maximum=1_000_000)
        self.unlimited.toggled.connect(lambda on: self.stock.setEnabled(not on))
        self.unlimited.setChecked(reward is None or reward.stock is None)
        self.stock.setValue(reward.stock or 0 if reward else 0)
        self.active = QCheckBox(self.tr("Offered at the counter"))
        self.active.setChecked(reward.active if reward else True)
        stock_row = QHBoxLayout()
        stock_row.addWidget(self.stock)
        stock_row.addWidget(self.unlimited)
        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Description:"), self.description)
        form.addRow(self.tr("&Points:"), self.cost)
        form.addRow(self.tr("&Stock:"), stock_row)
        form.addRow("", self.active)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, reward) -> tuple[str, str, int, int | None, bool] | None:
        dialog = cls(reward, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        stock = None if dialog.unlimited.isChecked() else dialog.stock.value()
        return (dialog.name.text(), dialog.description.text(), dialog.cost.value(), stock,
                dialog.active.isChecked())  # fmt: skip
