"""Membership at the counter (F9): join a plan, renew, or cancel, in a few keys.

The plan list has the focus: arrows choose a plan, and the dates it gives and its fee show at
once; the amount paid is the fee unless typed over; Enter joins (or renews, from the day after
the old end, or today if that has passed). Cancelling asks first. Print card closes the
dialog and shows the customer's membership card ready to print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.memberships.members import (
    Joined,
    Standing,
    Terms,
    cancel,
    join,
    latest_membership,
    memberships_of,
    renew,
    renewal_terms,
    standing,
    terms,
)
from relapp.domain.memberships.plans import Plan, active_plans
from relapp.domain.memberships.status import CANCELLED, EXPIRED, Membership, shop_today
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.money import format_amount, parse_amount
from relapp.errors import RelappError
from relapp.ui.widgets.confirm import confirm_action

STATUS_WORDS = {"pending": "starts later", "current": "current", "grace": "in grace",
                "expired": "expired", "cancelled": "cancelled"}  # fmt: skip


@dataclass(frozen=True)
class MembershipOutcome:
    """What the dialog did: a sentence for the Counter, and the change (None: nothing was
    written, e.g. only Print card)."""

    text: str
    change: Change | None
    print_card: bool = False
    warning: bool = False


def day_text(day: date) -> str:
    """ "31 Dec 2026", as the Counter's panel writes days."""
    return QLocale().toString(QDate(day.year, day.month, day.day), "d MMM yyyy")


class MembershipDialog(QDialog):
    def __init__(
        self, contact_id: int, name: str, staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.contact_id = contact_id
        self.name = name
        self.staff_id = staff_id
        self.outcome: MembershipOutcome | None = None
        self.today = shop_today()
        self.standing: Standing | None = standing(contact_id, self.today)
        self.latest = latest_membership(contact_id)
        self.shop = shop_format()
        self.setWindowTitle(self.tr("Membership"))
        self.setMinimumWidth(480)

        heading = QLabel(objectName="saleCustomer", wordWrap=True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setText(self._heading())
        self.history = QListWidget(objectName="membershipHistory")
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.setMaximumHeight(90)
        for membership in reversed(memberships_of(contact_id)):
            state = self.tr(STATUS_WORDS[membership.status(self.today)])
            self.history.addItem(
                f"{membership.plan_name}: {day_text(membership.starts_on)} – "
                f"{day_text(membership.ends_on)} · {state}"
            )
        self.history.setVisible(self.history.count() > 0)

        self.plans: list[Plan] = active_plans()
        self.plan = QComboBox(objectName="membershipPlan")
        for plan in self.plans:
            fee = self.shop.money(plan.fee_cents) if plan.fee_cents else self.tr("free")
            perks = f" · {plan.perk_text}" if plan.perk_text else ""
            self.plan.addItem(f"{plan.name} — {fee}, {plan.length_text}{perks}", plan.id)
        self.dates = QLabel(objectName="membershipDates", wordWrap=True)
        self.dates.setTextFormat(Qt.TextFormat.PlainText)
        self.paid = QLineEdit(objectName="membershipPaid")
        self.message = QLabel(objectName="fieldProblems", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()

        renewing = self._renews() is not None
        self.join_button = QPushButton(self.tr("&Renew") if renewing else self.tr("&Join"))
        self.join_button.setDefault(True)
        self.join_button.clicked.connect(self.join_or_renew)
        self.cancel_membership_button = QPushButton(self.tr("Cancel &membership…"))
        self.cancel_membership_button.setAutoDefault(False)
        self.cancel_membership_button.clicked.connect(self.cancel_membership)
        self.print_button = QPushButton(self.tr("&Print card"))
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_card)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.join_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_membership_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        # After addButton, which shows what it adds.
        self.cancel_membership_button.setVisible(self._cancellable())
        self.print_button.setVisible(self._cancellable())

        form = QFormLayout()
        form.addRow(self.tr("P&lan:"), self.plan)
        form.addRow(self.tr("Dates:"), self.dates)
        form.addRow(self.tr("P&aid:"), self.paid)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.history)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        if not self.plans:
            self._say(self.tr("No membership plan is offered: a manager adds plans in Loyalty."))
            for widget in (self.plan, self.paid, self.join_button):
                widget.setEnabled(False)
        else:
            renews = self._renews()
            if renews is not None:
                found = self.plan.findData(renews.plan_id)
                self.plan.setCurrentIndex(max(found, 0))
            self.plan.currentIndexChanged.connect(lambda _index: self._show_terms())
            self._show_terms()
        self.plan.setFocus()

    # -- what is shown ------------------------------------------------------------------------

    def _heading(self) -> str:
        shown = self.standing
        if shown is None:
            return self.tr("{name} is not a member yet.").format(name=self.name)
        member = shown.membership
        words = {
            "current": self.tr("{name}: {plan} member until {end}."),
            "grace": self.tr("{name}: {plan} membership ended {end}, in grace until {grace}."),
            "pending": self.tr("{name}: {plan} member from {start}."),
            "expired": self.tr("{name}: {plan} membership expired on {end}."),
            "cancelled": self.tr("{name}: {plan} membership cancelled."),
        }[shown.status]
        return words.format(
            name=self.name, plan=member.plan_name, end=day_text(member.ends_on),
            grace=day_text(member.grace_until), start=day_text(member.starts_on),
        )  # fmt: skip

    def _renews(self) -> Membership | None:
        """The membership Renew renews: the customer's latest not cancelled (a renewal made
        already, if any); None: they join."""
        return self.latest

    def _cancellable(self) -> bool:
        shown = self.standing
        return shown is not None and shown.status not in (CANCELLED, EXPIRED)

    def _terms(self) -> Terms:
        plan_id = int(self.plan.currentData())
        renews = self._renews()
        if renews is not None:
            return renewal_terms(renews.id, plan_id, self.today)
        return terms(plan_id, self.today)

    def _show_terms(self) -> None:
        offer = self._terms()
        grace = (
            self.tr(" (grace to {day})").format(day=day_text(offer.grace_until))
            if offer.grace_until > offer.ends_on
            else ""
        )
        self.dates.setText(
            self.tr("{start} to {end}{grace}").format(
                start=day_text(offer.starts_on), end=day_text(offer.ends_on), grace=grace
            )
        )
        self.paid.setText(format_amount(offer.fee_cents))
        self.paid.selectAll()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    # -- acting -------------------------------------------------------------------------------

    def join_or_renew(self) -> None:
        if not self.plans:
            return
        text = self.paid.text().strip()
        try:
            paid = 0 if not text.strip("0.,") else parse_amount(text)  # "0.00": nothing paid
        except ValueError as error:
            self._say(str(error))
            self.paid.setFocus()
            return
        plan_id = int(self.plan.currentData())
        renews = self._renews()
        try:
            if renews is not None:
                made = renew(renews.id, plan_id, paid, self.staff_id)
            else:
                made = join(self.contact_id, plan_id, None, paid, self.staff_id)
        except RelappError as refusal:
            self._say(str(refusal))
            return
        self.outcome = MembershipOutcome(self._done_text(made, renews is not None), made.change)
        self.accept()

    def _done_text(self, made: Joined, renewed: bool) -> str:
        member = made.membership
        text = (
            self.tr("{name} renewed {plan} to {end}") if renewed
            else self.tr("{name} joined {plan} until {end}")
        ).format(name=self.name, plan=member.plan_name, end=day_text(member.ends_on))  # fmt: skip
        if made.paid_cents:
            text += self.tr(" (paid {money})").format(money=self.shop.money(made.paid_cents))
        text += "."
        if made.welcome_reward:
            text += " " + self.tr("Give them the welcome {reward}.").format(
                reward=made.welcome_reward
            )
        elif made.welcome_note:
            text += " " + made.welcome_note
        return text

    def cancel_membership(self) -> None:
        shown = self.standing
        if shown is None:
            return
        member = shown.membership
        question = self.tr(
            "Cancel {name}'s {plan} membership? It ends today; what was paid stays recorded"
            " (a refund is done outside Relapp)."
        ).format(name=self.name, plan=member.plan_name)
        if not confirm_action(self, self.tr("Cancel membership"), question,
                              self.tr("Cancel membership")):  # fmt: skip
            return
        try:
            change = cancel(member.id, self.staff_id)
        except RelappError as refusal:
            self._say(str(refusal))
            return
        self.outcome = MembershipOutcome(
            self.tr("{name}'s {plan} membership is cancelled.").format(
                name=self.name, plan=member.plan_name
            ),
            change,
        )
        self.accept()

    def print_card(self) -> None:
        self.outcome = MembershipOutcome("", None, print_card=True)
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, contact_id: int, name: str, staff_id: int | None = None
    ) -> MembershipOutcome | None:
        """What was done, or None if closed without doing anything."""
        dialog = cls(contact_id, name, staff_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.outcome if accepted else None
