"""Vouchers: a campaign's offer, a code of their own for each customer it was sent to, and
redeeming a code at the counter or from a till's script.

Rules chosen here:

* A code is 11 random characters and a check character from Crockford's base 32 alphabet
  (digits and capitals without I, L, O, U: nothing to misread), printed in groups of four:
  K7QM-2XPR-9BQ4. 55 random bits: guessing one of a shop's codes takes billions of tries.
  The check character is Luhn's mod-N algorithm over that alphabet, so any one mistyped
  character and most swapped neighbours are caught before the code is looked up ("a typing
  mistake", not "no such voucher"). Typing is forgiving: any letter case, spaces and dashes
  ignored, O read as 0 and I or L as 1.
* An offer gives bonus points (into the ledger, expiring as the shop's points do), an amount
  off the purchase, a percent off the purchase (1 to 100), or a reward from the catalogue
  for free (one taken from its stock). It is valid from when the campaign is produced for
  valid_days days, and may need a purchase of at least min_spend.
* A percent off needs the purchase's amount, and says what to take off: the percent of the
  purchase in cents, rounded half up to the cent (10% of $24.45 is $2.445: $2.45 off), in
  whole-number arithmetic. It is told to the cashier, as an amount off is; nothing is
  recorded against the sale.
* A shared promotion code (SPRING10: 4 to 20 letters and digits, chosen by the owner) is
  for anyone, once per customer; it is printed and quoted as it is.
* A code is for the customer it was sent to, once. Refused, with the reason, and nothing
  changed: a typing mistake, no such code, another customer's code, not yet valid, expired,
  used already (when), a purchase under the minimum, a reward out of stock. Of two tills
  redeeming one code at once, one gets it and the other is told it was used.
* A till's key makes a retry safe: the same key again answers as the first time did.
* A partner's code (schema 20, relapp.domain.partners.batches) belongs to nobody until it is
  used: any customer may redeem it, once, and it is theirs from then on. Redeeming one
  records the partner as the customer's referral source if they have none yet (a customer
  not enrolled is enrolled first, then redeems it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import loyalty_program
from relapp.db.store import vouchers as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty.ledger import add_entry, expiry_for, live_customer
from relapp.domain.partners.referrals import record_on_redeeming
from relapp.domain.shop.formats import format_money
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 11
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class VoucherRefused(RelappError):
    """The code cannot be used now, for this customer; nothing was changed."""


class PurchaseNeeded(VoucherRefused):
    """The purchase is missing (a percent off) or under the offer's least; nothing was
    changed."""


@dataclass(frozen=True)
class Offer:
    """What a campaign's voucher gives: kind points (value: points), amount (value: cents),
    percent (value: the percent off, 1 to 100) or reward (reward_name from the catalogue)."""

    kind: str
    value: int = 0
    reward_name: str = ""
    min_spend_cents: int = 0
    valid_days: int = 30
    shared_code: str = ""  # a promotion code for anyone, once each; "": a code per customer


@dataclass(frozen=True)
class Redeemed:
    code: str  # as stored
    shown: str  # as printed: K7QM-2XPR-9BQ4, or the shared code
    contact_id: int
    campaign: str
    kind: str
    value: int
    reward_name: str | None
    text: str  # what the cashier is told: "200 bonus points added", "take $5.00 off"
    change: Change
    off_cents: int | None = None  # a percent off: what to take off the purchase
    came_through: str | None = None  # a partner's code: the partner now their source


def _check_character(body: str) -> str:
    """Luhn mod 32 over ALPHABET: the character that makes the whole code check."""
    factor, total, base = 2, 0, len(ALPHABET)
    for character in reversed(body):
        addend = factor * ALPHABET.index(character)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_code(random_length: int = RANDOM_LENGTH) -> str:
    """random_length random characters and their check character (gift cards take more)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(random_length))
    return body + _check_character(body)


def printed(code: str) -> str:
    """The code in groups of four, as printed and read out: K7QM-2XPR-9BQ4."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def typed_code(
    text: str,
    *,
    random_length: int = RANDOM_LENGTH,
    noun: str = "voucher",
    example: str = "K7QM-2XPR-9BQ4",
    refusal: type[RelappError] = VoucherRefused,
) -> str:
    """The code as stored, from what was typed or scanned; raises refusal (VoucherRefused)
    for something that cannot be one, or a typing mistake. A gift card's code is longer
    (relapp.domain.giftcards.cards): its length, name and example are given."""
    code = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != random_length + 1 or any(character not in ALPHABET for character in code):
        raise refusal(
            f"{text.strip()[:40]!r} is not a {noun} code ({random_length + 1} letters and"
            f" digits, such as {example})."
        )
    if _check_character(code[:-1]) != code[-1]:
        raise refusal(
            f"The code {printed(code)} has a typing mistake (it does not check); type it again."
        )
    return code


def describe(offer: store.OfferRow) -> str:
    if offer.kind == "points":
        return f"{offer.value:,} bonus points"
    if offer.kind == "amount":
        return f"{format_money(offer.value)} off"
    if offer.kind == "percent":
        return f"{offer.value}% off"
    return f"a free {offer.reward_name}"


def percent_off(purchase_cents: int, percent: int) -> int:
    """The cents a percent takes off a purchase, rounded half up to the cent: 10% of 2445
    cents is 244.5, so 245."""
    return (purchase_cents * percent + 50) // 100


def redeem_voucher(
    text: str,
    contact_id: int,
    *,
    purchase_cents: int | None = None,
    key: str | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Redeemed:
    """Redeem the code typed or scanned as text for this customer: a shared promotion code,
    or a code of their own.

    purchase_cents: the purchase it is used with, when the offer needs a least spend, and
    always for a percent off (refused without one).
    Raises VoucherRefused with the reason; nothing is changed then.
    """
    with write_transaction():
        moment = now or clock.utc_now()
        shared = store.offer_with_shared_code(shared_form(text))
        code = _shared_use(shared[0], contact_id) if shared else typed_code(text)
        shown = shared[0].shared_code if shared else printed(code)
        if key is not None and (earlier := store.voucher_with_key(key)) is not None:
            if earlier != (code, contact_id):
                raise VoucherRefused(f"The key {key!r} was used for another voucher already.")
            return _redeemed(
                store.voucher_by_code(code), "redeemed already with this key", purchase_cents
            )
        customer = live_customer(contact_id)
        found = store.voucher_by_code(code)
        if found is None and shared is None:
            raise VoucherRefused(f"There is no voucher with the code {shown}.")
        offer = shared[0] if shared else found.offer  # type: ignore[union-attr]
        if found is not None and found.contact_id not in (None, contact_id):
            raise VoucherRefused(
                f"The voucher {shown} was sent to another customer; it cannot be used"
                f" for {customer.name or customer.label}."
            )
        if found is not None and found.redeemed_at is not None:
            whose = f" by {customer.name or customer.label}" if shared else ""
            raise VoucherRefused(
                f"The voucher {shown} was used already{whose}, on {_when(found.redeemed_at)}."
            )
        if format_timestamp(moment) < offer.valid_from:
            raise VoucherRefused(f"The voucher {shown} is valid from {_when(offer.valid_from)}.")
        if format_timestamp(moment) >= offer.valid_until:
            raise VoucherRefused(f"The voucher {shown} expired on {_when(offer.valid_until)}.")
        if offer.min_spend_cents and (purchase_cents or 0) < offer.min_spend_cents:
            raise PurchaseNeeded(
                f"The voucher {shown} needs a purchase of at least"
                f" {format_money(offer.min_spend_cents)}."
            )
        if offer.kind == "percent" and (purchase_cents or 0) <= 0:
            raise PurchaseNeeded(f"A {offer.value}% voucher needs the purchase's amount.")
        if offer.kind == "reward":
            _take_reward(offer)
        voucher_id = found.id if found else store.insert_voucher(offer.id, contact_id, code)
        if not store.mark_redeemed(
            voucher_id, format_timestamp(moment), key or code, staff_id, contact_id
        ):
            raise VoucherRefused(f"The voucher {shown} was used at another till just now.")
        if offer.kind == "points":
            campaign = shared[1] if shared else found.campaign_name  # type: ignore[union-attr]
            add_entry(
                contact_id, "bonus", offer.value, moment, f"Voucher {shown} ({campaign})",
                expires_at=expiry_for(moment, load_settings().points_expiry_months),
                staff_id=staff_id, occasion=f"voucher:{code}",
            )  # fmt: skip
        came = None
        if offer.partner_id is not None:
            came = record_on_redeeming(contact_id, offer.partner_id, moment, staff_id)
    redeemed = _redeemed(store.voucher_by_code(code), "", purchase_cents)
    if offer.partner_id is None:
        return redeemed
    change = Change.of(*redeemed.change.entities, Entity.PARTNERS,
                       contact_ids=redeemed.change.contact_ids)  # fmt: skip
    if came is None:
        return replace(redeemed, change=change)
    return replace(
        redeemed, text=f"{redeemed.text}; {customer.name or customer.label} is recorded as"
        f" coming through {came}", came_through=came, change=change,
    )  # fmt: skip


def shared_form(text: str) -> str:
    """A shared promotion code as stored: capitals and digits, spaces and dashes dropped."""
    return "".join(text.split()).replace("-", "").upper()


def _shared_use(offer: store.OfferRow, contact_id: int) -> str:
    """The code of one customer's use of a shared code: unique, so once per customer."""
    return f"{offer.shared_code}:{contact_id}"


def _take_reward(offer: store.OfferRow) -> None:
    assert offer.reward_id is not None
    row = loyalty_program.reward_for_redeeming(offer.reward_id)
    if row is None:
        raise VoucherRefused(f"The {offer.reward_name} is no longer in the catalogue.")
    name, _cost, stock, active = row
    if not active:
        raise VoucherRefused(f"The {name} is no longer offered.")
    if stock is not None:
        if stock <= 0:
            raise VoucherRefused(f"The {name} is out of stock.")
        loyalty_program.take_one_from_stock(offer.reward_id)


def _redeemed(found: store.VoucherRow | None, note: str, purchase_cents: int | None) -> Redeemed:
    assert found is not None and found.contact_id is not None  # redeemed: someone's
    offer = found.offer
    off_cents = None
    if offer.kind == "points":
        text = f"{offer.value:,} bonus points added"
    elif offer.kind == "amount":
        text = f"take {format_money(offer.value)} off the purchase"
    elif offer.kind == "percent" and purchase_cents:
        off_cents = percent_off(purchase_cents, offer.value)
        text = (
            f"take {offer.value}% off: {format_money(off_cents)} off the"
            f" {format_money(purchase_cents)} purchase"
        )
    elif offer.kind == "percent":  # a retry with its key, the purchase not given again
        text = f"take {offer.value}% off the purchase"
    else:
        text = f"give a free {offer.reward_name}"
    if note:
        text += f" ({note})"
    entities = [Entity.CAMPAIGNS, Entity.CONTACTS]
    entities += [Entity.POINTS] if offer.kind == "points" else []
    entities += [Entity.REWARDS] if offer.kind == "reward" else []
    shown = offer.shared_code or printed(found.code)
    return Redeemed(
        found.code, shown, found.contact_id, found.campaign_name, offer.kind, offer.value,
        offer.reward_name, text, Change.of(*entities, contact_ids=frozenset({found.contact_id})),
        off_cents,
    )  # fmt: skip


def _when(stored: str) -> str:
    moment = parse_timestamp(stored).astimezone()
    return f"{moment.day} {moment:%b %Y} at {moment:%H:%M}"


@dataclass(frozen=True)
class UnusedVouchers:
    """One campaign's vouchers not used yet and still valid: what the shop may still have to
    give. value_cents is one voucher's worth: the amount off, or the points (a free reward's
    points cost) at the value of 100 points, rounded down to the cent; nothing for a percent
    off, whose worth depends on the purchase it will be used with (its offer says so)."""

    campaign: str
    offer: str  # "200 bonus points", "$5.00 off", "a free Tote bag", "10% off (worth ...)"
    valid_until: str  # as stored
    count: int
    value_cents: int

    @property
    def total_cents(self) -> int:
        return self.value_cents * self.count


def unused_vouchers(now: datetime | None = None) -> list[UnusedVouchers]:
    """The liability of campaign vouchers: those not used yet and still valid, by campaign."""
    per_100 = load_settings().value_of_100_points_cents
    moment = format_timestamp(now or clock.utc_now())
    rows = []
    for campaign, kind, value, reward, cost, until, count in store.unused_by_campaign(moment):
        offer = store.OfferRow(0, 0, kind, value, None, reward, 0, "", until)
        worth = {
            "points": value * per_100 // 100,
            "amount": value,
            "reward": (cost or 0) * per_100 // 100,
            "percent": 0,
        }[kind]
        shown = describe(offer)
        if kind == "percent":
            shown += " (worth depends on the purchase)"
        rows.append(UnusedVouchers(campaign, shown, until, count, worth))
    return rows
