"""A membership plan's settings, as a manager adds or changes one (Loyalty > Memberships)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from relapp.db.migrations.m0019_memberships import MAX_DAYS, MAX_MONTHS, MAX_MULTIPLIER_PERCENT
from relapp.domain.loyalty.program import list_rewards
from relapp.domain.memberships.plans import MONTH_NAMES, Plan
from relapp.domain.shop.money import format_amount, parse_amount


class PlanDialog(QDialog):
    def __init__(self, plan: Plan | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Membership plan"))
        self.original = plan or Plan("")
        shown = self.original
        self.name = QLineEdit(shown.name, maxLength=100, objectName="planName")
        self.fee = QLineEdit(format_amount(shown.fee_cents), objectName="planFee")
        self.fee.setToolTip(self.tr("0.00 for a free plan"))
        self.by_months = QRadioButton(self.tr("&Months:"))
        self.months = QSpinBox(minimum=1, maximum=MAX_MONTHS, objectName="planMonths")
        self.months.setValue(shown.length_months or 12)
        self.by_year_end = QRadioButton(self.tr("Fixed &year end:"))
        self.year_end_day = QSpinBox(minimum=1, maximum=31, objectName="planYearEndDay")
        self.year_end_month = QComboBox(objectName="planYearEndMonth")
        for number, month in enumerate(MONTH_NAMES, start=1):
            self.year_end_month.addItem(self.tr(month), number)
        month, day = shown.year_end or (12, 31)
        self.year_end_day.setValue(day)
        self.year_end_month.setCurrentIndex(month - 1)
        lengths = QButtonGroup(self)
        lengths.addButton(self.by_months)
        lengths.addButton(self.by_year_end)
        (self.by_year_end if shown.year_end else self.by_months).setChecked(True)
        self.months.valueChanged.connect(lambda _value: self.by_months.setChecked(True))
        for changed in (self.year_end_day.valueChanged, self.year_end_month.activated):
            changed.connect(lambda _value: self.by_year_end.setChecked(True))
        self.grace = QSpinBox(minimum=0, maximum=MAX_DAYS, suffix=self.tr(" days"))
        self.grace.setValue(shown.grace_days)
        self.multiplier = QSpinBox(minimum=100, maximum=MAX_MULTIPLIER_PERCENT, suffix=" %")
        self.multiplier.setSingleStep(10)
        self.multiplier.setValue(shown.points_multiplier_percent)
        self.discount = QSpinBox(minimum=0, maximum=100, suffix=" %")
        self.discount.setValue(shown.discount_percent)
        self.reminder = QSpinBox(minimum=0, maximum=MAX_DAYS, suffix=self.tr(" days before"))
        self.reminder.setValue(shown.reminder_days)
        self.welcome = QComboBox(objectName="planWelcome")
        self.welcome.addItem(self.tr("None"), None)
        self.member_rewards = QListWidget(objectName="planMemberRewards")
        self.member_rewards.setMaximumHeight(110)
        for reward in list_rewards():
            if reward.active or reward.id == shown.welcome_reward_id:
                self.welcome.addItem(reward.name, reward.id)
            item = QListWidgetItem(reward.name)
            item.setData(Qt.ItemDataRole.UserRole, reward.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = reward.id in shown.member_rewards
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.member_rewards.addItem(item)
        self.welcome.setCurrentIndex(max(self.welcome.findData(shown.welcome_reward_id), 0))
        self.active = QCheckBox(self.tr("&Offered: customers can join and renew"))
        self.active.setChecked(shown.active)
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        months_row = QHBoxLayout()
        months_row.addWidget(self.by_months)
        months_row.addWidget(self.months)
        months_row.addSpacing(12)
        months_row.addWidget(self.by_year_end)
        months_row.addWidget(self.year_end_day)
        months_row.addWidget(self.year_end_month)
        months_row.addStretch(1)
        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Fee:"), self.fee)
        form.addRow(self.tr("Length:"), months_row)
        form.addRow(self.tr("&Grace after the end:"), self.grace)
        form.addRow(self.tr("Points m&ultiplier:"), self.multiplier)
        form.addRow(self.tr("&Discount at the counter:"), self.discount)
        form.addRow(self.tr("&Welcome reward:"), self.welcome)
        form.addRow(self.tr("Members-only &rewards:"), self.member_rewards)
        form.addRow(self.tr("Re&mind to renew:"), self.reminder)
        form.addRow("", self.active)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.name.setFocus()

    def plan(self) -> Plan:
        """The plan as the form says; ValueError for a fee that is not an amount."""
        text = self.fee.text().strip()
        fee = 0 if not text.strip("0.,") else parse_amount(text)  # "0.00": a free plan
        months = self.by_months.isChecked()
        year_end = (int(self.year_end_month.currentData()), self.year_end_day.value())
        rewards = tuple(
            int(self.member_rewards.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.member_rewards.count())
            if self.member_rewards.item(row).checkState() == Qt.CheckState.Checked
        )
        return replace(
            self.original,
            name=self.name.text(),
            fee_cents=fee,
            length_months=self.months.value() if months else None,
            year_end=None if months else year_end,
            grace_days=self.grace.value(),
            points_multiplier_percent=self.multiplier.value(),
            discount_percent=self.discount.value(),
            welcome_reward_id=self.welcome.currentData(),
            reminder_days=self.reminder.value(),
            active=self.active.isChecked(),
            member_rewards=rewards,
        )

    def _check(self) -> None:
        try:
            self.plan()
        except ValueError as error:
            self.problem.setText(str(error))
            self.problem.show()
            self.fee.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, plan: Plan | None) -> Plan | None:
        """The plan as edited, or None if cancelled (the domain checks the rest on saving)."""
        dialog = cls(plan, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        made = dialog.plan() if accepted else None
        dialog.deleteLater()
        return made
