"""How far a customer is from their next reward and their next tier, for the counter.

One query per customer (the counter reads it for every customer the arrow keys pass): the
balance, the spend that counts for tiers (as loyalty_ledger.tier_spend counts it), the active
rewards in stock they can have now and the cheapest they cannot yet, and the lowest tier above
their spend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.domain import clock
from relapp.domain.loyalty_ledger import window_start


@dataclass(frozen=True)
class Progress:
    balance: int
    rewards_now: tuple[str, ...]  # what the balance pays for now, cheapest first
    next_reward: str | None  # the cheapest reward the balance does not reach yet
    points_to_next_reward: int  # 0 without one
    next_tier: str | None  # the lowest tier above the customer's spend
    spend_to_next_tier_cents: int  # 0 without one


_PROGRESS = """
WITH me AS (SELECT points_balance AS balance FROM contact WHERE id = :contact),
spend AS (
    SELECT coalesce(sum(amount_cents), 0) AS cents FROM interaction
    WHERE contact_id = :contact AND kind = 'purchase' AND refunded_at IS NULL
        AND occurred_at >= :start AND occurred_at <= :now
),
offer AS (
    SELECT name, points_cost FROM reward WHERE active = 1 AND (stock IS NULL OR stock > 0)
),
now_affordable AS (
    SELECT json_group_array(name) AS names FROM (
        SELECT offer.name FROM offer, me WHERE offer.points_cost <= me.balance
        ORDER BY offer.points_cost, offer.name
    )
),
next_reward AS (
    SELECT offer.name, offer.points_cost FROM offer, me WHERE offer.points_cost > me.balance
    ORDER BY offer.points_cost, offer.name LIMIT 1
),
next_tier AS (
    SELECT tier.name, tier.min_spend_cents FROM tier, spend
    WHERE tier.min_spend_cents > spend.cents ORDER BY tier.min_spend_cents LIMIT 1
)
SELECT me.balance, spend.cents, now_affordable.names,
    next_reward.name, next_reward.points_cost, next_tier.name, next_tier.min_spend_cents
FROM me, spend, now_affordable
    LEFT JOIN next_reward ON 1 LEFT JOIN next_tier ON 1
"""


def customer_progress(
    contact_id: int, tier_window_months: int, now: datetime | None = None
) -> Progress | None:
    """Where the customer stands (None if there is no such contact).

    tier_window_months: the shop's setting, which the caller holds (no settings read here).
    """
    now = now or clock.utc_now()
    start = window_start(now, tier_window_months)
    row = database.execute_sql(
        _PROGRESS,
        {
            "contact": contact_id,
            "start": "" if start is None else format_timestamp(start),
            "now": format_timestamp(now),
        },
    ).fetchone()
    if row is None:
        return None
    balance, spend, rewards_now, reward, reward_cost, tier, tier_spend = row
    return Progress(
        balance=balance,
        rewards_now=tuple(json.loads(rewards_now)),
        next_reward=reward,
        points_to_next_reward=0 if reward is None else reward_cost - balance,
        next_tier=tier,
        spend_to_next_tier_cents=0 if tier is None else tier_spend - spend,
    )
