"""What the window shows of campaigns: the list, who one reaches and who it leaves out (by
reason), the names in one of those groups, and a preview of a message not saved yet.

Read only. A campaign not produced yet is counted as it would be now (audience()); a produced
one by what was recorded when it was produced, which later changes to the customers (a consent
withdrawn, a tag added) no longer alter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import parse_timestamp
from relapp.db.store import campaigns as store
from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.campaigns import (
    REASON_WORDS,
    Audience,
    campaign_audience,
    messages,
)
from relapp.domain.campaigns.recipients import Message
from relapp.domain.campaigns.templates import check_template
from relapp.domain.campaigns.vouchers import printed, shared_form
from relapp.domain.contacts.listing import contact_rows

# The most names Show names lists: enough to look through, never a six-figure list.
MAX_NAMES = 2_000


@dataclass(frozen=True)
class Reach:
    """How many a campaign sends to (sent, once produced), holds out for comparison, and
    leaves out for each reason (every reason, in REASON_WORDS order, zeros included)."""

    sent: int
    held_out: int
    left_out: dict[str, int]

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


@dataclass(frozen=True)
class Names:
    """The customers of one group, in id order: (customer number, name); total counts them
    all when more than MAX_NAMES were asked for."""

    names: tuple[tuple[int, str], ...]
    total: int


def list_campaigns() -> list[CampaignRow]:
    """Every campaign, the newest first."""
    return store.campaigns()


def moment(stored: str) -> datetime:
    """A campaign's created_at or produced_at as a moment (UTC)."""
    return parse_timestamp(stored)


def planned_reach(found: Audience, holdout_percent: int) -> Reach:
    """The counts of a campaign not produced yet: the hold-out is holdout_percent of those
    reached, rounded down, as produce_campaign chooses it."""
    held = len(found.reached) * holdout_percent // 100
    left = {reason: len(found.left_out.get(reason, ())) for reason in REASON_WORDS}
    return Reach(len(found.reached) - held, held, left)


def campaign_reach(campaign: CampaignRow, *, now: datetime | None = None) -> Reach:
    """Who the campaign reaches: as it would now if not produced, else as recorded."""
    if campaign.produced_at is None:
        return planned_reach(campaign_audience(campaign, now=now), campaign.holdout_percent)
    recorded = store.recipient_counts(campaign.id)
    return Reach(
        recorded.get(("sent", None), 0),
        recorded.get(("holdout", None), 0),
        {reason: recorded.get(("left_out", reason), 0) for reason in REASON_WORDS},
    )


def left_out_names(campaign: CampaignRow, reason: str, *, now: datetime | None = None) -> Names:
    """The customers the campaign leaves out for this reason (a REASON_WORDS key)."""
    if reason not in REASON_WORDS:
        raise ValueError(f"not a reason: {reason!r}")
    if campaign.produced_at is None:
        ids: Sequence[int] = campaign_audience(campaign, now=now).left_out.get(reason, ())
    else:
        ids = store.recipient_ids(campaign.id, "left_out", reason)
    shown = list(ids[:MAX_NAMES])
    rows = {row.id: row.name for row in contact_rows(shown)}
    names = tuple((contact_id, rows[contact_id]) for contact_id in shown if contact_id in rows)
    return Names(names, len(ids))


# What {voucher_code} shows in a preview: each customer gets a code of their own on producing.
SAMPLE_CODE = "K7QM2XPR9BQ4"


def preview_message(
    found: Audience,
    channel: str,
    template: str,
    subject: str = "",
    *,
    voucher: bool = False,
    shared_code: str = "",
) -> Message | None:
    """The message the first customer reached (in id order) would get from a campaign not
    saved yet (with a sample voucher code if it has an offer); None if it reaches nobody.
    Raises TemplateError as create_campaign would."""
    check_template(template)
    subject = subject.strip() if channel == "email" else ""
    if subject:
        check_template(subject)
    if not found.reached:
        return None
    draft = CampaignRow(
        id=0, name="", channel=channel, segment_name="", subject=subject, template=template,
        holdout_percent=0, transactional=False, recent_days=0, holdout_seed=None,
        created_at="", produced_at=None, staff_id=None,
    )  # fmt: skip
    first = found.reached[0]
    code = shared_form(shared_code) or printed(SAMPLE_CODE)
    return messages(draft, [first], {first: code} if voucher else None)[0]


def offer_text(campaign: CampaignRow) -> str | None:
    """What the campaign's voucher gives ("200 bonus points"), None if it has no offer."""
    from relapp.db.store.vouchers import offer_of_campaign
    from relapp.domain.campaigns.vouchers import describe

    offer = offer_of_campaign(campaign.id)
    return None if offer is None else describe(offer)
