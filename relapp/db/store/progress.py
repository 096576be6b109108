"""Where a customer stands in the loyalty program, read in one query for the counter.

It spans the ledger (balance, spend) and the program (rewards, tiers), so it has a module of
its own. The distances (points to the next reward, spend to the next tier) are
relapp.domain.loyalty.progress's to work out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import json_array_agg


@dataclass(frozen=True)
class Standing:
    balance: int
    spend_cents: int  # purchases not refunded in the tier window
    rewards_now: tuple[str, ...]  # active rewards in stock the balance pays for, cheapest first
    # (a member-only reward only for a current member of one of its plans)
    next_reward: str | None  # the cheapest such reward the balance does not reach
    next_reward_cost: int | None
    next_tier: str | None  # the lowest tier above the spend
    next_tier_min_spend_cents: int | None


# One query: the counter reads it for every customer the arrow keys pass. Spend is counted as
# relapp.db.store.ledger.purchase_spend counts it.
def _standing_sql() -> str:
    return f"""
WITH me AS (SELECT points_balance AS balance FROM contact WHERE id = :contact),
spend AS (
    SELECT coalesce(sum(amount_cents), 0) AS cents FROM interaction
    WHERE contact_id = :contact AND kind = 'purchase' AND refunded_at IS NULL
        AND occurred_at >= :start AND occurred_at <= :now
),
offer AS (
    SELECT r.name, r.points_cost FROM reward r WHERE r.active = 1
        AND (r.stock IS NULL OR r.stock > 0)
        AND (NOT EXISTS (SELECT 1 FROM plan_reward pr WHERE pr.reward_id = r.id)
            OR EXISTS (SELECT 1 FROM plan_reward pr
                JOIN membership m ON m.plan_id = pr.plan_id
                WHERE pr.reward_id = r.id AND m.contact_id = :contact
                    AND m.cancelled_at IS NULL AND m.starts_on <= :today
                    AND m.ends_on >= :today))
),
now_affordable AS (
    SELECT {json_array_agg("name")} AS names FROM (
        SELECT offer.name FROM offer, me WHERE offer.points_cost <= me.balance
        ORDER BY offer.points_cost, offer.name
    ) AS affordable
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
    LEFT JOIN next_reward ON true LEFT JOIN next_tier ON true
"""


def standing(
    contact_id: int, window_start: datetime | None, now: datetime, today: str
) -> Standing | None:
    """The contact's standing, spend counted from window_start (None: all time) up to now,
    member-only rewards offered if a membership of theirs is current on today (the shop's
    day, YYYY-MM-DD); None if there is no such contact."""
    row = database.execute_sql(
        _standing_sql(),
        {
            "contact": contact_id,
            "start": "" if window_start is None else format_timestamp(window_start),
            "now": format_timestamp(now),
            "today": today,
        },
    ).fetchone()
    if row is None:
        return None
    balance, spend, rewards_now, reward, reward_cost, tier, tier_spend = row
    return Standing(
        balance, spend, tuple(json.loads(rewards_now)), reward, reward_cost, tier, tier_spend
    )
