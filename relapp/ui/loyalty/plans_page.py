"""Loyalty > Memberships: the membership plans, each with its fee, length, grace, perks and
members now; a manager adds, changes and retires them (the domain refuses anyone else)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from relapp.domain.changes import Change
from relapp.domain.memberships.plans import PlanLine, list_plans, retire_plan, save_plan
from relapp.domain.shop.formats import shop_format
from relapp.ui.loyalty.plan_dialog import PlanDialog
from relapp.ui.loyalty.tables import cell, table
from relapp.ui.widgets.confirm import confirm_action


class PlansPage(QWidget):
    def __init__(
        self, run: Callable[[Callable[[], Change]], None], staff_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        """run: how the view runs a change (refusals told); staff_id: who is signed in."""
        super().__init__(parent)
        self.run = run
        self.staff_id = staff_id
        self.note = QLabel(objectName="settingsHint", wordWrap=True)
        self.plans = table([self.tr(title) for title in (
            "Plan", "Fee", "Length", "Grace", "Perks", "Welcome reward", "Members now",
            "Offered")])  # fmt: skip
        self.plans.setObjectName("planTable")
        self.plans.itemActivated.connect(lambda _item: self.edit_plan())
        self.add_button = QPushButton(self.tr("&Add plan…"))
        self.add_button.clicked.connect(lambda: self.edit_plan(new=True))
        self.edit_button = QPushButton(self.tr("&Edit plan…"))
        self.edit_button.clicked.connect(self.edit_plan)
        self.retire_button = QPushButton(self.tr("&Retire plan…"))
        self.retire_button.setToolTip(
            self.tr("No one joins or renews on it from now on; its members keep it to the end")
        )
        self.retire_button.clicked.connect(self.retire)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.plans, 1)
        layout.addLayout(buttons)

    def load(self, manager: bool) -> None:
        locale, shop = QLocale(), shop_format()
        self.note.setText(
            self.tr(
                "Members pay a fee (or nothing) for a time; while current they earn points at "
                "the plan's multiplier and the Counter shows their discount. Today lists who "
                "is due to renew and who is in grace."
            )
            + ("" if manager else " " + self.tr("Sign in as a manager to change the plans."))
        )
        self.plans.setRowCount(0)
        for line in list_plans():
            plan = line.plan
            row = self.plans.rowCount()
            self.plans.insertRow(row)
            fee = shop.money(plan.fee_cents) if plan.fee_cents else self.tr("free")
            cells = (
                cell(plan.name, line),
                cell(fee, numeric=True),
                cell(plan.length_text),
                cell(self.tr("{n} days").format(n=plan.grace_days)),
                cell(plan.perk_text or "–"),
                cell(line.welcome_reward or "–"),
                cell(locale.toString(line.current_members), numeric=True),
                cell(self.tr("yes") if plan.active else self.tr("retired")),
            )
            for column, made in enumerate(cells):
                self.plans.setItem(row, column, made)

    def _current(self) -> PlanLine | None:
        item = self.plans.item(self.plans.currentRow(), 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def edit_plan(self, new: bool = False) -> None:
        line = None if new else self._current()
        if not new and line is None:
            return
        edited = PlanDialog.ask(self, None if line is None else line.plan)
        if edited is not None:
            self.run(lambda: save_plan(edited, self.staff_id()))

    def retire(self) -> None:
        line = self._current()
        if line is None or line.plan.id is None or not line.plan.active:
            return
        plan_id = line.plan.id
        question = self.tr(
            "Retire the {plan} plan? No one can join or renew on it from now on; its {n} "
            "current members keep their memberships to the end."
        ).format(plan=line.plan.name, n=line.current_members)
        if confirm_action(self, self.tr("Retire plan"), question, self.tr("Retire plan")):
            self.run(lambda: retire_plan(plan_id, self.staff_id()))
