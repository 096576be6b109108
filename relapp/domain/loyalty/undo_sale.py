"""Undoing a sale just made at the counter (a wrong amount, the wrong customer).

An undo is a refund through the ledger (loyalty_sales.refund_sale) with the reason
UNDO_REASON: the purchase stays in the history marked refunded, its points are taken back by
a reversing entry, and the audit log has it. It is offered for UNDO_MINUTES after the sale
was recorded; after that a sale is refunded from the customer's history like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from relapp.db.store.ledger import purchase_recorded_at, refunded_sale
from relapp.domain import clock
from relapp.domain.changes import Change
from relapp.domain.loyalty.sales import refund_sale
from relapp.errors import RelappError

UNDO_MINUTES = 5
UNDO_REASON = "undone at the counter"


class TooLateToUndo(RelappError):
    pass


@dataclass(frozen=True)
class UndoneSale:
    interaction_id: int
    contact_id: int
    amount_cents: int
    points_taken_back: int
    balance: int  # the customer's points after the undo
    change: Change = field(repr=False)


def undo_deadline(recorded_at: datetime) -> datetime:
    """Until when a sale recorded at recorded_at may be undone."""
    return recorded_at + timedelta(minutes=UNDO_MINUTES)


def undo_sale(interaction_id: int, staff_id: int | None = None) -> UndoneSale:
    """Refund a sale recorded less than UNDO_MINUTES ago, with the reason UNDO_REASON.

    Raises:
        TooLateToUndo: the sale is older than that.
        RelappError: no such sale, or it was refunded already (refund_sale's refusals).
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    recorded_at = purchase_recorded_at(interaction_id)
    if recorded_at is None:
        raise RelappError(f"There is no sale number {interaction_id}.")
    if clock.utc_now() > undo_deadline(recorded_at):
        raise TooLateToUndo(
            f"A sale can be undone for {UNDO_MINUTES} minutes only: refund it from the "
            "customer's history instead."
        )
    change = refund_sale(interaction_id, UNDO_REASON, staff_id)
    sale = refunded_sale(interaction_id)
    return UndoneSale(
        interaction_id,
        sale.contact_id,
        sale.amount_cents or 0,
        sale.points_reversed,
        sale.balance,
        change,
    )
