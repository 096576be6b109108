"""How far a customer is from their next reward and their next tier, for the counter.

One query per customer (relapp.db.store.progress; the counter reads it for every customer the
arrow keys pass): the balance, the spend that counts for tiers (as loyalty_ledger.tier_spend
counts it), the active rewards in stock they can have now and the cheapest they cannot yet,
and the lowest tier above their spend. A member-only reward counts only for a current member
of one of its plans, as on F3's list (relapp.domain.loyalty.points.reward_options): a
non-member is never told they can redeem it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from relapp.db.store.progress import standing
from relapp.domain import clock
from relapp.domain.loyalty.ledger import window_start
from relapp.domain.memberships.status import shop_today


@dataclass(frozen=True)
class Progress:
    balance: int
    rewards_now: tuple[str, ...]  # what the balance pays for now, cheapest first
    next_reward: str | None  # the cheapest reward the balance does not reach yet
    points_to_next_reward: int  # 0 without one
    next_tier: str | None  # the lowest tier above the customer's spend
    spend_to_next_tier_cents: int  # 0 without one


def customer_progress(
    contact_id: int, tier_window_months: int, now: datetime | None = None
) -> Progress | None:
    """Where the customer stands (None if there is no such contact).

    tier_window_months: the shop's setting, which the caller holds (no settings read here).
    """
    now = now or clock.utc_now()
    found = standing(
        contact_id, window_start(now, tier_window_months), now, shop_today(now).isoformat()
    )
    if found is None:
        return None
    # Each cost is set whenever its reward or tier is (relapp.db.store.progress.standing).
    return Progress(
        balance=found.balance,
        rewards_now=found.rewards_now,
        next_reward=found.next_reward,
        points_to_next_reward=(
            0 if found.next_reward is None else cast(int, found.next_reward_cost) - found.balance
        ),
        next_tier=found.next_tier,
        spend_to_next_tier_cents=(
            0
            if found.next_tier is None
            else cast(int, found.next_tier_min_spend_cents) - found.spend_cents
        ),
    )
