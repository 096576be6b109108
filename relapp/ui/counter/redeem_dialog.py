"""Redeem a reward at the counter: affordable rewards first, Enter redeems the chosen one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.loyalty.points import RewardOption, redeem_reward, reward_options
from relapp.errors import RelappError
from relapp.ui.till_outbox_status import refused_offline, server_away


@dataclass(frozen=True)
class Redemption:
    reward: str  # its name
    change: Change


class RedeemDialog(QDialog):
    def __init__(
        self,
        contact_id: int,
        name: str,
        balance: int,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contact_id = contact_id
        self.staff_id = staff_id
        self.change: Change | None = None
        self.redeemed: Redemption | None = None
        self.setWindowTitle(self.tr("Redeem a reward"))
        self.setMinimumSize(460, 360)
        locale = QLocale()
        heading = QLabel(
            self.tr("{name} has {points} points.").format(
                name=name, points=locale.toString(balance)
            ),
            objectName="saleCustomer",
        )
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.rewards = QListWidget(objectName="rewardList")
        self.rewards.itemActivated.connect(lambda _item: self.redeem())
        self.options = reward_options(contact_id)
        for option in self.options:
            self.rewards.addItem(self._item(option, locale))
        self.message = QLabel(objectName="fieldProblems", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.redeem_button = QPushButton(self.tr("&Redeem"))
        buttons.addButton(self.redeem_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.redeem_button.setDefault(True)
        self.redeem_button.clicked.connect(self.redeem)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.rewards, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        affordable = [row for row, option in enumerate(self.options) if option.affordable]
        if affordable:
            self.rewards.setCurrentRow(affordable[0])
        else:
            self._say(
                self.tr("No reward is affordable yet.")
                if self.options
                else self.tr("The rewards catalogue is empty: add rewards in the Loyalty view.")
            )
            self.redeem_button.setEnabled(False)
        self.rewards.setFocus()

    def _item(self, option: RewardOption, locale: QLocale) -> QListWidgetItem:
        stock = (
            self.tr(" · {count} left").format(count=locale.toString(option.stock))
            if option.stock is not None
            else ""
        )
        text = f"{option.name} — {locale.toString(option.points_cost)} {self.tr('points')}{stock}"
        if not option.affordable:
            text += self.tr(" (not enough points)")
        item = QListWidgetItem(text)
        item.setToolTip(option.description)
        item.setData(Qt.ItemDataRole.UserRole, option.id)
        item.setData(Qt.ItemDataRole.UserRole + 1, option.name)
        if not option.affordable:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        return item

    def redeem(self) -> None:
        item = self.rewards.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        self.redeem_button.setEnabled(False)
        try:
            self.change = redeem_reward(
                self.contact_id, item.data(Qt.ItemDataRole.UserRole), self.staff_id
            )
        except Exception as error:
            if server_away(error) is not None:
                self._say(refused_offline(self.tr("a redemption needs the balance as it is now")))
                return
            if not isinstance(error, RelappError):
                raise
            self._say(str(error))
            return
        self.redeemed = Redemption(item.data(Qt.ItemDataRole.UserRole + 1), self.change)
        self.accept()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        contact_id: int,
        name: str,
        balance: int,
        staff_id: int | None = None,
    ) -> Redemption | None:
        """The reward redeemed and what that changed, or None if cancelled."""
        dialog = cls(contact_id, name, balance, staff_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.redeemed if accepted else None
