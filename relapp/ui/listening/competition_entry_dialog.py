"""Entering a customer in a prize draw at the Counter (from its F10 menu, after a sale or not).

The Counter asks competitions_to_offer() which draws this customer may still enter today,
and calls enter_at_counter() for the one chosen: a small dialog says which draw, how the
entry is made and the rules in one line, and Enter confirms. With a sale just recorded and a
draw that is entered by purchase, the entry is the purchase route tied to that sale; without
one it is the counter route, or the free (no-purchase) route of a draw entered by purchase.
A refusal (the limit reached meanwhile, the draw closed) is told in one sentence and nothing
is written.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from relapp.domain.changes import Change
from relapp.domain.listening.competitions import (
    Competition,
    counter_route,
    enter,
    entrant_name,
    find_competition,
    offered_at_counter,
)
from relapp.errors import RelappError
from relapp.ui.operations import tell_refusal


def competitions_to_offer(contact_id: int) -> list[tuple[int, str]]:
    """(id, name) of the draws open today that this customer may still enter at the counter:
    eligible, under the limit per person, entered at the counter or by purchase."""
    return [(competition.id, competition.name) for competition in offered_at_counter(contact_id)]


def enter_at_counter(
    parent: QWidget,
    competition_id: int,
    contact_id: int,
    staff_id: int | None,
    sale_interaction_id: int | None,
) -> Change | None:
    """Ask, then enter the customer; the Change to publish (the caller publishes it), or None
    when cancelled or refused (the refusal told here)."""
    try:
        competition = find_competition(competition_id)
        route = counter_route(competition, with_sale=sale_interaction_id is not None)
        name = entrant_name(contact_id)
    except RelappError as refusal:
        tell_refusal(parent, str(refusal), parent.tr("Prize draw"))
        return None
    if not CounterEntryDialog.ask(parent, competition, route, name):
        return None
    try:
        entered = enter(
            competition_id,
            contact_id,
            route,
            staff_id=staff_id,
            sale_interaction_id=sale_interaction_id if route == "purchase" else None,
        )
    except RelappError as refusal:
        tell_refusal(parent, str(refusal), parent.tr("Prize draw"))
        return None
    return entered.change


class CounterEntryDialog(QDialog):
    """Which draw, which way, the rules in one line; Enter confirms, Escape does nothing."""

    def __init__(
        self, competition: Competition, route: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enter the prize draw"))
        self.setMinimumWidth(420)
        heading = QLabel(objectName="saleCustomer", wordWrap=True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setText(self.tr("Enter {name} in {draw}?").format(name=name, draw=competition.name))
        how = QLabel(objectName="competitionEntryRoute", wordWrap=True)
        how.setTextFormat(Qt.TextFormat.PlainText)
        how.setText(self._route_text(competition, route))
        rules = QLabel(objectName="settingsHint", wordWrap=True)
        rules.setTextFormat(Qt.TextFormat.PlainText)
        rules.setText(competition.summary or self.tr("No rules written yet."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enter_button = buttons.addButton(
            self.tr("&Enter"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.enter_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(how)
        layout.addWidget(rules)
        layout.addWidget(buttons)

    def _route_text(self, competition: Competition, route: str) -> str:
        closes = competition.ends_text
        if route == "purchase":
            return self.tr("Entry with today's purchase. Closes {closes}.").format(closes=closes)
        if route == "no_purchase":
            return self.tr("Entry without a purchase ({how}). Closes {closes}.").format(
                how=competition.no_purchase_route, closes=closes
            )
        return self.tr("Entry at the counter. Closes {closes}.").format(closes=closes)

    @classmethod
    def ask(cls, parent: QWidget, competition: Competition, route: str, name: str) -> bool:
        """True if the person confirmed the entry (tests may replace this)."""
        dialog = cls(competition, route, name, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted
