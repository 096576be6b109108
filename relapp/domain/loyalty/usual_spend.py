"""Whether a sale amount is far outside what is usual, so the counter asks before recording it
(1250 typed for 12.50 is the classic slip; a real 1,250.00 sale is confirmed with one key).

The rule: more than UNUSUAL_FACTOR times the median of the customer's own recent purchases;
for a customer with fewer than OWN_HISTORY_MIN purchases, the median of the shop's recent
purchases instead. With no purchases anywhere there is nothing to compare with and nothing is
asked (relapp.domain.shop.money still refuses more than 1,000,000.00).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_low

from relapp.db.store.ledger import recent_purchase_amounts, shop_recent_purchase_amounts

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
    own = recent_purchase_amounts(contact_id, OWN_SAMPLE)
    customers_own = len(own) >= OWN_HISTORY_MIN
    amounts = own if customers_own else shop_recent_purchase_amounts(SHOP_SAMPLE)
    if not amounts:
        return None
    usual = median_low(amounts)
    if amount_cents <= usual * UNUSUAL_FACTOR:
        return None
    return UnusualAmount(amount_cents, usual, customers_own)
