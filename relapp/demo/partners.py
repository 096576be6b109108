"""The demo shop's partner businesses and their codes.

Three partners: a bakery and a florist with agreements running, and a café whose agreement
has ended. Each made a batch of codes each way (theirs_here: handed out by the partner, used
here; ours_there: ours, handed out at the partner's). Some new customers came in with one of
those codes and used it at their first purchase: the code names them and when (as
relapp.domain.campaigns.vouchers.redeem_voucher records it, the code as its key), and the
partner is their referral source (relapp.domain.partners.referrals). A partner that is a
customer of the shop too (the florist, a business in the demo's customers) is linked to
that customer's record. Codes are made from the demo's random numbers, so a seed gives the
same codes; each has the voucher alphabet's check character, so the counter accepts it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from relapp.domain.campaigns.vouchers import ALPHABET, RANDOM_LENGTH
from relapp.domain.campaigns.vouchers import _check_character as check_character

DAY = 86_400
MIN_CODES, MAX_CODES = 20, 5_000  # a batch's codes: a hundredth of the customers, within these
REDEEMED_SHARE = 0.35  # of a batch's codes, about this many are used while it is valid


@dataclass(frozen=True)
class DemoPartner:
    id: int
    name: str
    contact_person: str
    phone: str  # as typed: fictional numbers (ACMA's 5550 range, 0491 570)
    email: str
    offers: str
    notes: str
    began_days_ago: int
    ended_days_ago: int | None  # None: no last day yet; negative: that many days ahead


@dataclass(frozen=True)
class DemoBatch:
    partner_id: int
    direction: str
    label: str
    kind: str  # amount or percent: nothing goes through the ledger
    value: int
    min_spend_cents: int
    made_days_ago: int
    valid_days: int


PARTNERS = (
    DemoPartner(
        1, "Crumb Street Bakery", "Nadia Haddad", "(03) 5550 4127",
        "orders@crumbstreet.example.com",
        "Sourdough, pastries and celebration cakes; 10% off a cake order with our code.",
        "They hand our cards out with every cake order.", 430, -300,
    ),
    DemoPartner(
        2, "Fern & Bloom Florist", "Tom Whitfield", "(03) 5550 8812",
        "hello@fernandbloom.example.com", "Seasonal bunches and flowers for events.",
        "A customer of ours too.", 250, None,
    ),
    DemoPartner(
        3, "Little Tram Café", "Giulia Conti", "0491 570 156", "giulia@littletram.example.net",
        "Breakfast and lunch around the corner.",
        "The agreement ended when the café changed hands.", 700, 120,
    ),
)  # fmt: skip
BATCHES = (
    DemoBatch(1, "theirs_here", "Bakery bags", "amount", 500, 3_000, 400, 365),
    DemoBatch(1, "ours_there", "Cake order cards", "percent", 10, 0, 150, 180),
    DemoBatch(2, "theirs_here", "Bouquet tags", "amount", 1_000, 5_000, 240, 365),
    DemoBatch(2, "ours_there", "Counter cards at Fern & Bloom", "percent", 15, 0, 120, 150),
    DemoBatch(3, "theirs_here", "Table cards", "amount", 500, 0, 680, 180),
    DemoBatch(3, "ours_there", "Receipts at the café", "percent", 10, 2_000, 600, 180),
)


@dataclass
class _Codes:
    """One batch's codes as the shop holds them, and who used which."""

    offer_id: int
    batch: DemoBatch
    valid_from: int  # moments, in seconds
    valid_until: int
    first_id: int  # the voucher number of its first code
    codes: list[str]
    chance: float  # that a new customer who could use one of its codes did
    used: list[tuple[int, int, int]] = field(default_factory=list)  # (contact, moment, staff)


class PartnerCodes:
    """The partners' batches: which new customer used which code (module docstring)."""

    def __init__(
        self, rng: random.Random, history_start: int, end: int, customers: int,
        local_morning: Callable[[int], int],
    ) -> None:  # fmt: skip
        self.rng = rng
        count = min(MAX_CODES, max(MIN_CODES, customers // 100))
        taken: set[str] = set()
        self.batches: list[_Codes] = []
        next_id = 1
        history_days = (end - history_start) / DAY
        for offer_id, batch in enumerate(BATCHES, 1):
            valid_from = local_morning(end - batch.made_days_ago * DAY)
            valid_until = valid_from + batch.valid_days * DAY
            # New customers who buy arrive over the first 90% of the history (the rest are
            # prospects: relapp.demo.generator._created_at); enough of them are given the
            # chance to use a code for about REDEEMED_SHARE of the codes to be used.
            buyers_until = history_start + int((end - history_start) * 0.9)
            open_days = max(1.0, (min(valid_until, buyers_until) - valid_from) / DAY)
            arriving = customers * open_days / (history_days * 0.9)
            chance = min(0.5, count * REDEEMED_SHARE / max(arriving, 1.0))
            codes = [self._new_code(taken) for _ in range(count)]
            self.batches.append(
                _Codes(offer_id, batch, valid_from, valid_until, next_id, codes, chance)
            )
            next_id += count

    def _new_code(self, taken: set[str]) -> str:
        while True:
            body = "".join(self.rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
            code = body + check_character(body)
            if code not in taken:
                taken.add(code)
                return code

    def came_with_a_code(
        self, contact_id: int, first_purchase: tuple[int, int], staff: int
    ) -> int | None:
        """The partner whose code a new customer used at their first purchase (moment,
        amount), if they came with one; None if not."""
        moment, amount = first_purchase
        for codes in self.batches:
            batch = codes.batch
            if not codes.valid_from <= moment < codes.valid_until:
                continue
            if amount < batch.min_spend_cents or len(codes.used) == len(codes.codes):
                continue
            if self.rng.random() < codes.chance:
                codes.used.append((contact_id, moment, staff))
                return batch.partner_id
        return None

    def offer_rows(self, stamp: Callable[[int], str]) -> list[tuple]:
        """(id, partner, direction, label, kind, value, least spend, valid from, until)."""
        return [
            (codes.offer_id, codes.batch.partner_id, codes.batch.direction, codes.batch.label,
             codes.batch.kind, codes.batch.value, codes.batch.min_spend_cents,
             stamp(codes.valid_from), stamp(codes.valid_until))
            for codes in self.batches
        ]  # fmt: skip

    def voucher_rows(self, stamp: Callable[[int], str]) -> list[tuple]:
        """(id, offer, code, contact, redeemed_at, redeemed_key, staff) of every code."""
        rows = []
        for codes in self.batches:
            for number, code in enumerate(codes.codes):
                voucher_id = codes.first_id + number
                if number < len(codes.used):
                    contact_id, moment, staff = codes.used[number]
                    rows.append((voucher_id, codes.offer_id, code, contact_id, stamp(moment),
                                 code, staff))  # fmt: skip
                else:
                    rows.append((voucher_id, codes.offer_id, code, None, None, None, None))
        return rows


def partner_rows(
    end: int, local_morning: Callable[[int], int], day_of: Callable[[int], str],
    stamp: Callable[[int], str],
) -> list[tuple]:  # fmt: skip
    """(id, name, contact person, phone, email, offers, from, until, notes, created_at,
    updated_at) of every partner, as the owner entered them a week before the agreement."""
    rows = []
    for partner in PARTNERS:
        began = local_morning(end - partner.began_days_ago * DAY)
        until = None
        if partner.ended_days_ago is not None:
            until = day_of(local_morning(end - partner.ended_days_ago * DAY))
        entered = stamp(began - 7 * DAY)
        rows.append((partner.id, partner.name, partner.contact_person, partner.phone,
                     partner.email, partner.offers, day_of(began), until, partner.notes,
                     entered, entered))  # fmt: skip
    return rows
