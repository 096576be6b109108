"""A partner's code batches: vouchers of the shop's voucher machinery handed out through a
partner, each code a bearer code until a customer redeems it (relapp.domain.campaigns.
vouchers: F6 at the Counter, `relapp voucher redeem`).

Rules chosen here:

* A batch belongs to one partner and goes one way: theirs_here (the partner's codes, handed
  out by the partner, redeemable here) or ours_there (our codes, handed out at the partner's).
  Either way the codes are redeemed here, and the unused ones count in the liability report.
* Its offer is a voucher's (bonus points, an amount off, a percent off or a free reward, a
  least purchase), valid from when the batch is made for 1 to 365 days.
* A batch is 1 to 5,000 codes, each a voucher code of its own (11 random characters and a
  check character), none equal to a code the shop has already; a label (at most 60
  characters) tells batches apart. A manager makes them; each batch is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.store import partners as store
from relapp.db.store.partners import BatchRow
from relapp.db.store.vouchers import OfferRow
from relapp.domain import clock
from relapp.domain.campaigns.campaigns import checked_offer
from relapp.domain.campaigns.vouchers import Offer, describe, new_code, printed
from relapp.domain.changes import Change, Entity
from relapp.domain.partners.partners import PartnerRefused, partner_by_id
from relapp.domain.shop.staff import require_manager
from relapp.domain.terms import PARTNER_DIRECTIONS
from relapp.errors import RelappError

MAX_CODES = 5_000
MAX_LABEL = 60


@dataclass(frozen=True)
class Batch:
    """A batch as the Partners page and the code sheet show it."""

    offer_id: int
    partner: str
    label: str
    direction: str
    offer: str  # "$5.00 off", "200 bonus points"
    min_spend_cents: int
    valid_from: str  # as stored
    valid_until: str
    codes: int
    redeemed: int


@dataclass(frozen=True)
class MadeBatch:
    batch: Batch
    codes: tuple[str, ...]  # as printed: K7QM-2XPR-9BQ4
    change: Change


def _batch(partner: str, row: BatchRow) -> Batch:
    offer = OfferRow(0, 0, row.kind, row.value, None, row.reward_name, 0, "", "")
    return Batch(
        row.offer_id, partner, row.label, row.direction, describe(offer), row.min_spend_cents,
        row.valid_from, row.valid_until, row.codes, row.redeemed,
    )  # fmt: skip


def make_batch(
    partner_id: int,
    direction: str,
    offer: Offer,
    count: int,
    label: str = "",
    *,
    staff_id: int | None = None,
    now: datetime | None = None,
    as_owner: bool = False,
) -> MadeBatch:
    """count new codes of the offer for the partner; raises PartnerRefused, CampaignError
    (the offer) or NotAllowed with one sentence, nothing made. as_owner: the shop owner at
    the command line (relapp.domain.partners.partners.save_partner): no staff check."""
    if not as_owner:
        require_manager(staff_id, "make a partner's codes")
    partner = partner_by_id(partner_id)
    if direction not in PARTNER_DIRECTIONS:
        raise PartnerRefused(f"A batch goes {' or '.join(PARTNER_DIRECTIONS)}, not {direction!r}.")
    if not 1 <= count <= MAX_CODES:
        raise PartnerRefused(f"A batch has 1 to {MAX_CODES:,} codes.")
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise PartnerRefused(f"A batch's label has at most {MAX_LABEL} characters.")
    if offer.shared_code.strip():
        raise PartnerRefused("A partner's codes are each a code of their own, not a shared code.")
    reward_id = checked_offer(offer)
    moment = now or clock.utc_now()
    with write_transaction():
        codes: list[str] = []
        while len(codes) < count:
            fresh = list(dict.fromkeys(new_code() for _ in range(count - len(codes))))
            taken = store.existing_codes(fresh) | set(codes)
            codes += [code for code in fresh if code not in taken]
        offer_id = store.insert_batch_offer(
            partner_id, direction, label, offer.kind, offer.value, reward_id,
            offer.min_spend_cents, format_timestamp(moment),
            format_timestamp(moment + timedelta(days=offer.valid_days)),
        )  # fmt: skip
        store.insert_bearer_codes(offer_id, codes)
        write_audit(
            "partner codes made", "partner", partner_id,
            {"offer_id": offer_id, "direction": direction, "label": label, "codes": count,
             "kind": offer.kind, "value": offer.value, "valid_days": offer.valid_days,
             **({"by": "command line"} if as_owner else {})},
            moment, staff_id,
        )  # fmt: skip
        found = store.batch_row(offer_id)
    assert found is not None
    change = Change.of(Entity.PARTNERS, Entity.CAMPAIGNS)
    return MadeBatch(_batch(partner.name, found[1]), tuple(printed(c) for c in codes), change)


def batches_of(partner_id: int) -> list[Batch]:
    """The partner's batches, the newest first."""
    name = partner_by_id(partner_id).name
    return [_batch(name, row) for row in store.batch_rows(partner_id)]


def batch(offer_id: int) -> Batch:
    found = store.batch_row(offer_id)
    if found is None:
        raise RelappError(f"There is no partner's batch number {offer_id}.")
    partner_id, row = found
    return _batch(partner_by_id(partner_id).name, row)


def batch_codes(offer_id: int) -> list[tuple[str, bool]]:
    """(code as printed, redeemed already) of the batch's codes, in the order made."""
    return [(printed(code), used is not None) for code, used in store.batch_codes(offer_id)]
