"""Pure loyalty arithmetic shared by the counter, the ledger and the demo generator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TierRule:
    id: int
    name: str
    min_spend_cents: int
    multiplier_percent: int


def points_for_purchase(
    amount_cents: int, points_per_unit: int, multiplier_percent: int, member_percent: int = 100
) -> int:
    """Points earned for a purchase: whole currency units x rate x tier multiplier (x a
    current member's plan multiplier), rounded down once.

    Rounding down (never up) means the shop never gives more than its published rate.
    """
    if amount_cents < 0:
        raise ValueError("a purchase amount cannot be negative")
    return amount_cents * points_per_unit * multiplier_percent * member_percent // 1_000_000


def tier_for_spend(spend_cents: int, tiers: Sequence[TierRule]) -> TierRule | None:
    """The highest tier whose threshold the rolling spend reaches (None if there are no tiers)."""
    reached = [tier for tier in tiers if tier.min_spend_cents <= spend_cents]
    return max(reached, key=lambda tier: tier.min_spend_cents, default=None)
