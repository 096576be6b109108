"""Sales and refunds at the counter, with their points; the rules are in
relapp.domain.loyalty.points.

Import from relapp.domain.loyalty.points, which re-exports everything public here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.store import ledger
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty.ledger import (
    Customer,
    add_entry,
    apply_tier,
    balance_of,
    check_staff,
    customer,
    expire_contact,
    expiry_for,
    live_customer,
    spendable,
    tier_by_id,
    tier_spend,
    tiers,
)
from relapp.domain.loyalty.rules import TierRule, points_for_purchase, tier_for_spend
from relapp.domain.memberships.members import member_rate
from relapp.domain.shop.money import MAX_AMOUNT_CENTS, format_amount
from relapp.domain.shop.settings import ShopSettings, load_settings
from relapp.errors import RelappError

MAX_SALE_KEY_LENGTH = 100
SALE_REFUNDED = "sale refunded"


@dataclass(frozen=True)
class SalePreview:
    contact_id: int
    amount_cents: int
    points: int
    tier: str | None
    multiplier_percent: int
    balance_after: int


@dataclass(frozen=True)
class SaleResult:
    interaction_id: int
    points: int
    bonus_points: int  # the referral bonus this sale gave the customer's referrer
    balance: int
    tier: str | None
    duplicate: bool
    change: Change


# -- sales -------------------------------------------------------------------------------------


def preview_sale(contact_id: int, amount_cents: int) -> SalePreview:
    """What record_sale() would give now, writing nothing."""
    _check_amount(amount_cents)
    found = live_customer(contact_id)
    settings = load_settings()
    now = clock.utc_now()
    rules = tiers()
    tier = tier_for_spend(tier_spend(contact_id, now, settings.tier_window_months), rules)
    multiplier = 100 if tier is None else tier.multiplier_percent
    member = member_rate(contact_id, now)
    points = points_for_purchase(
        amount_cents, settings.points_per_unit, multiplier, 100 if member is None else member[1]
    )
    return SalePreview(
        contact_id,
        amount_cents,
        points,
        None if tier is None else tier.name,
        multiplier,
        spendable(contact_id, found.balance, now) + points,
    )


def record_sale(
    contact_id: int,
    amount_cents: int,
    sale_key: str | None = None,
    staff_id: int | None = None,
    summary: str = "",
    at: datetime | None = None,
) -> SaleResult:
    """Record a purchase and the points it earns; see the module docstring for the rules.

    at: when the customer paid, if not now (a sale a till kept while the shop server was
    away, sent later: relapp.domain.loyalty.offline); points, tier and expiry as of then.

    Raises:
        ValueError: the amount is not more than 0 or above 1,000,000.00; a malformed key.
        CustomerNotFound: no such customer (or erased).
        RelappError: an archived customer, or a key already used for a different sale.
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    _check_amount(amount_cents)
    key = _clean_sale_key(sale_key)
    if key is not None:
        earlier = _earlier_sale(key, contact_id, amount_cents)
        if earlier is not None:
            return earlier
    try:
        with write_transaction():
            if key is not None:
                earlier = _earlier_sale(key, contact_id, amount_cents)
                if earlier is not None:
                    return earlier
            return _record_sale(contact_id, amount_cents, key, staff_id, summary, at)
    except IntegrityError as error:
        # Another connection recorded this key between our check and our insert.
        earlier = None if key is None else _earlier_sale(key, contact_id, amount_cents)
        if earlier is None or "sale_key" not in str(error):
            raise
        return earlier


def _record_sale(
    contact_id: int,
    amount_cents: int,
    key: str | None,
    staff_id: int | None,
    summary: str,
    at: datetime | None = None,
) -> SaleResult:
    now = clock.utc_now() if at is None else at
    found = live_customer(contact_id)
    check_staff(staff_id)
    settings = load_settings()
    expire_contact(contact_id, now)
    changes = [apply_tier(contact_id, now, settings.tier_window_months)]
    rules = tiers()
    tier = _current_tier(contact_id, rules)
    multiplier = 100 if tier is None else tier.multiplier_percent
    # A current member's plan multiplies the tier's (relapp.domain.memberships.members).
    member = member_rate(contact_id, now)
    points = points_for_purchase(
        amount_cents, settings.points_per_unit, multiplier, 100 if member is None else member[1]
    )
    reason = f"Purchase of {format_amount(amount_cents)}"
    if member is not None:
        reason += f" ({member[0]} member: points ×{member[1] / 100:g})"
    first_purchase = not ledger.has_purchase(contact_id)
    interaction_id = ledger.insert_purchase(
        contact_id, now, summary.strip(), amount_cents, staff_id, key
    )
    if points > 0:
        add_entry(
            contact_id,
            "earn",
            points,
            now,
            reason,
            expires_at=expiry_for(now, settings.points_expiry_months),
            interaction_id=interaction_id,
            staff_id=staff_id,
        )
    touched = {contact_id}
    bonus = 0
    if first_purchase:
        referrer = _referral_bonus(found, interaction_id, settings, now, staff_id)
        if referrer is not None:
            touched.add(referrer)
            bonus = settings.referral_bonus_points
    changes.append(apply_tier(contact_id, now, settings.tier_window_months))
    changes.append(
        Change.of(
            Entity.POINTS, Entity.INTERACTIONS, Entity.CONTACTS, contact_ids=frozenset(touched)
        )
    )
    tier = _current_tier(contact_id, rules)
    return SaleResult(
        interaction_id,
        points,
        bonus,
        balance_of(contact_id),
        None if tier is None else tier.name,
        False,
        Change.union(*(change for change in changes if change is not None)),
    )


def _current_tier(contact_id: int, rules: list[TierRule]) -> TierRule | None:
    return tier_by_id(ledger.tier_id_of(contact_id), rules)


def _referral_bonus(
    found: Customer,
    interaction_id: int,
    settings: ShopSettings,
    now: datetime,
    staff_id: int | None,
) -> int | None:
    """Credit the referrer of a customer making a first purchase; return the referrer's id."""
    points = settings.referral_bonus_points
    if found.referred_by_id is None or points <= 0:
        return None
    occasion = f"referral #{found.id}"
    given = ledger.occasion_used(occasion)
    referrer_present = ledger.contact_not_erased(found.referred_by_id)
    if given or not referrer_present:
        return None
    add_entry(
        found.referred_by_id,
        "bonus",
        points,
        now,
        f"Referral bonus: {found.label} made a first purchase",
        expires_at=expiry_for(now, settings.points_expiry_months),
        interaction_id=interaction_id,
        staff_id=staff_id,
        occasion=occasion,
    )
    return found.referred_by_id


def _earlier_sale(key: str, contact_id: int, amount_cents: int) -> SaleResult | None:
    """The result of the sale already recorded under this key, if any."""
    row = ledger.sale_by_key(key)
    if row is None:
        return None
    interaction_id, owner, amount = row
    if (owner, amount) != (contact_id, amount_cents):
        raise RelappError(
            f"Sale key {key} was already used for sale number {interaction_id} (customer number "
            f"{owner}, {format_amount(amount or 0)}); nothing was recorded."
        )
    earned, bonus = ledger.sale_points(interaction_id)
    found = customer(owner)
    tier = tier_by_id(found.tier_id, tiers())
    return SaleResult(
        interaction_id,
        earned,
        bonus,
        found.balance,
        None if tier is None else tier.name,
        True,
        Change.of(),
    )


def refund_sale(interaction_id: int, reason: str, staff_id: int | None = None) -> Change:
    """Refund a sale: take back its points as far as the balance allows; see the rules above.

    Raises:
        ValueError: no reason given.
        RelappError: no such sale, or it was refunded already.
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for the refund.")
    with write_transaction():
        now = clock.utc_now()
        check_staff(staff_id)
        sale = ledger.interaction_for_refund(interaction_id)
        if sale is None or sale.kind != "purchase":
            raise RelappError(f"There is no sale number {interaction_id}.")
        contact_id, amount_cents = sale.contact_id, sale.amount_cents
        if sale.refunded_at is not None:
            raise RelappError(
                f"Sale number {interaction_id} was already refunded on {sale.refunded_at[:10]}."
            )
        settings = load_settings()
        customer(contact_id)
        expire_contact(contact_id, now)
        amount = format_amount(amount_cents or 0)
        earn = ledger.earn_entry_of(interaction_id)
        earned, reversed_points, reversal_id, lapsed = 0, 0, None, False
        if earn is not None:
            earn_id, earned, expires_at = earn.id, earn.points, earn.expires_at
            lapsed = expires_at is not None and expires_at <= now
            reversed_points = 0 if lapsed else min(earned, balance_of(contact_id))
            if reversed_points > 0:
                reversal_id = add_entry(
                    contact_id,
                    "reversal",
                    -reversed_points,
                    now,
                    f"Refund of {amount}: {reason}",
                    interaction_id=interaction_id,
                    reverses_id=earn_id,
                    staff_id=staff_id,
                )
        marked = ledger.mark_refunded(interaction_id, now)
        if marked != 1:  # unreachable under the write lock; never refund twice regardless
            raise RelappError(f"Sale number {interaction_id} was already refunded.")
        note_id = ledger.insert_note(
            contact_id, now, f"Refund of {amount} (sale #{interaction_id}): {reason}", staff_id
        )
        shortfall = earned - reversed_points
        details = {
            "contact_id": contact_id,
            "amount_cents": amount_cents,
            "reason": reason,
            "points_earned": earned,
            "points_reversed": reversed_points,
            "shortfall": shortfall,
            "reversal_entry_id": reversal_id,
            "note_interaction_id": note_id,
        }
        if shortfall:
            details["shortfall_because"] = (
                "the points of this sale had passed their expiry (spent or expired)"
                if lapsed
                else "points already spent; the customer keeps what they took"
            )
        write_audit(SALE_REFUNDED, "interaction", interaction_id, details, now, staff_id)
        tier_change = apply_tier(contact_id, now, settings.tier_window_months)
    ids = frozenset({contact_id})
    return Change.union(
        Change.of(Entity.POINTS, Entity.INTERACTIONS, Entity.CONTACTS, contact_ids=ids),
        *([tier_change] if tier_change else []),
    )


def _check_amount(amount_cents: int) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValueError("A sale amount is a whole number of cents.")
    if amount_cents <= 0:
        raise ValueError("A sale amount must be more than 0.00.")
    if amount_cents > MAX_AMOUNT_CENTS:
        raise ValueError(f"A sale amount can be at most {format_amount(MAX_AMOUNT_CENTS)}.")


def _clean_sale_key(sale_key: str | None) -> str | None:
    if sale_key is None:
        return None
    key = sale_key.strip()
    if not key:
        return None
    if len(key) > MAX_SALE_KEY_LENGTH:
        raise ValueError(f"A sale key has at most {MAX_SALE_KEY_LENGTH} characters.")
    return key
