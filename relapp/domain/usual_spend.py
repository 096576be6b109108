"""Whether a sale amount is far outside what is usual, so the counter asks before recording it
(1250 typed for 12.50 is the classic slip; a real 1,250.00 sale is confirmed with one key).

The rule: more than UNUSUAL_FACTOR times the median of the customer's own recent purchases;
for a customer with fewer than OWN_HISTORY_MIN purchases, the median of the shop's recent
purchases instead. With no purchases anywhere there is nothing to compare with and nothing is
asked (relapp.domain.money still refuses more than 1,000,000.00).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_low

from relapp.db.models import database

UNUSUAL_FACTOR = 20
OWN_HISTORY_MIN = 3  # purchases: fewer say too little about what a customer usually spends
OWN_SAMPLE = 50  # the customer's latest purchases compared with
SHOP_SAMPLE = 200  # the shop's latest purchases compared with


@dataclass(frozen=True)
class UnusualAmount:
    amount_cents: int
    usual_cents: int  # the median compared with
    customers_own: bool  # the customer's own purchases (else the shop's)


def unusual_amount(contact_id: int, amount_cents: int) -> UnusualAmount | None:
    """An UnusualAmount if amount_cents is more than UNUSUAL_FACTOR times the usual, else None.

    Two short indexed reads: the customer's latest purchases and, only if they have few, the
    shop's latest.
    """
    own = _amounts(
        "SELECT amount_cents FROM interaction WHERE contact_id = ? AND kind = 'purchase'"
        " AND refunded_at IS NULL AND amount_cents > 0 ORDER BY occurred_at DESC LIMIT ?",
        (contact_id, OWN_SAMPLE),
    )
    customers_own = len(own) >= OWN_HISTORY_MIN
    amounts = own if customers_own else _shop_amounts()
    if not amounts:
        return None
    usual = median_low(amounts)
    if amount_cents <= usual * UNUSUAL_FACTOR:
        return None
    return UnusualAmount(amount_cents, usual, customers_own)


def _shop_amounts() -> list[int]:
    # "+kind": walking interaction_time back from now reads a few hundred rows; through the
    # kind index SQLite would sort every purchase of the shop first (1.7 s at a million).
    return _amounts(
        "SELECT amount_cents FROM interaction WHERE +kind = 'purchase' AND refunded_at IS NULL"
        " AND amount_cents > 0 ORDER BY occurred_at DESC LIMIT ?",
        (SHOP_SAMPLE,),
    )


def _amounts(sql: str, parameters: tuple) -> list[int]:
    return [row[0] for row in database.execute_sql(sql, parameters)]
