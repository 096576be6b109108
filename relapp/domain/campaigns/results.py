"""What a produced campaign brought, against its hold-out group.

Rules chosen here:

* Came back: a visit or purchase after the campaign was produced, within 7, 30 and 60 days.
  Spend: the purchases in that window, refunded ones left out. A window that has not ended
  yet is reported as it stands, marked so.
* The comparison is the share who came back among those sent the message against the share
  among the hold-out group (who got nothing), with a 95% confidence interval for the
  difference by the normal approximation (Wald): difference ± 1.96 × sqrt(p1(1-p1)/n1 +
  p2(1-p2)/n2). Without a hold-out group there is nothing to compare with, and no interval.
* Opt-outs: customers sent the message who withdrew consent for its channel afterwards.
* Vouchers: how many codes the campaign gave out, and how many have been redeemed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import campaigns as store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.campaigns import CampaignError, campaign_or_error
from relapp.domain.clock import utc_now

WINDOWS_DAYS = (7, 30, 60)
Z_95 = 1.96


@dataclass(frozen=True)
class GroupOutcome:
    members: int
    came_back: int
    spend_cents: int

    @property
    def share(self) -> float | None:
        return self.came_back / self.members if self.members else None


@dataclass(frozen=True)
class WindowResult:
    days: int
    complete: bool  # the window has ended
    sent: GroupOutcome
    holdout: GroupOutcome | None  # None: the campaign had no hold-out group
    difference: float | None  # share sent - share held out
    interval: tuple[float, float] | None  # its 95% confidence interval


@dataclass(frozen=True)
class CampaignResults:
    campaign_id: int
    name: str
    produced_at: str
    windows: tuple[WindowResult, ...]
    opted_out: int
    vouchers_issued: int
    vouchers_redeemed: int


def difference_interval(
    came_back: int, members: int, held_came_back: int, held_members: int
) -> tuple[float, tuple[float, float]] | None:
    """The difference of two shares and its 95% Wald interval; None if a group is empty."""
    if not members or not held_members:
        return None
    p1, p2 = came_back / members, held_came_back / held_members
    spread = Z_95 * math.sqrt(p1 * (1 - p1) / members + p2 * (1 - p2) / held_members)
    difference = p1 - p2
    return difference, (difference - spread, difference + spread)


def campaign_results(campaign_id: int, now: datetime | None = None) -> CampaignResults:
    campaign = campaign_or_error(campaign_id)
    if campaign.produced_at is None:
        raise CampaignError(f"The campaign {campaign.name!r} has not been produced yet.")
    produced = parse_timestamp(campaign.produced_at)
    moment = now or utc_now()
    untils = [produced + timedelta(days=days) for days in WINDOWS_DAYS]
    outcomes = store.group_outcomes(
        campaign_id, campaign.produced_at, [format_timestamp(until) for until in untils]
    )
    windows = []
    for number, (days, until) in enumerate(zip(WINDOWS_DAYS, untils, strict=True)):
        sent = _outcome(outcomes.get("sent"), number)
        held = _outcome(outcomes["holdout"], number) if "holdout" in outcomes else None
        compared = (
            difference_interval(sent.came_back, sent.members, held.came_back, held.members)
            if held is not None
            else None
        )
        windows.append(
            WindowResult(
                days,
                until <= moment,
                sent,
                held,
                compared[0] if compared else None,
                compared[1] if compared else None,
            )
        )
    opted_out = store.opted_out_after(
        campaign_id, store.CONSENT_CHANNEL[campaign.channel], campaign.produced_at
    )
    issued, redeemed = voucher_store.redeemed_count(campaign_id)
    return CampaignResults(
        campaign.id,
        campaign.name,
        campaign.produced_at,
        tuple(windows),
        opted_out,
        issued,
        redeemed,
    )


def _outcome(found: tuple[int, list[tuple[int, int]]] | None, window: int) -> GroupOutcome:
    if found is None:
        return GroupOutcome(0, 0, 0)
    members, figures = found
    came_back, spend = figures[window]
    return GroupOutcome(members, came_back, spend)
