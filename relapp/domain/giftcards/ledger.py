"""Gift cards at the counter and from a till's script: sell, redeem, reverse, attach, expire.

A gift card's value is money the shop owes whoever holds it, kept in an append-only ledger of
its own (schema 18) with the points ledger's guarantees, which the database enforces on both
engines: entries are never changed or deleted, the card's balance is the sum of its entries
and never below zero. The rules here:

* Selling. A card is sold for an amount above 0 and at most MAX_CARD_CENTS; it gets a new code
  (relapp.domain.giftcards.cards) and one 'sale' entry of the amount. Sold to the customer
  shown (a live one: not archived, merged or erased) it is theirs; sold with nobody it is a
  bearer card. It expires gift_card_expiry_months after the sale (the shop's setting at the
  time of sale; 0: never).
* Redeeming takes an amount above 0 from the card whose code is typed or scanned, anyone
  holding it (a gift card is like cash). Refused with one sentence, nothing changed: not a
  code or a typing mistake (the check character), no such card, expired, more than the
  balance ("The gift card ... has $30.00 left; $40.00 cannot be taken from it.").
* A key makes a retry safe: an operation whose key was stored already answers as the first
  time did (duplicate=True, the balance as it is now) and writes nothing; the same key for a
  different card, amount or kind of operation is refused. The key is unique in the ledger,
  so two tills racing with one key are caught by the database too.
* Two tills at once. Every write runs in the shop's one write transaction
  (relapp.db.busy.write_transaction: BEGIN IMMEDIATE on a file, an advisory lock on a
  server), so the balance a redemption is checked against is the one it takes from; the
  database's trigger refuses an overdraw besides, whoever writes.
* A mistaken redemption is undone by a 'reversal' entry that puts its amount back, once (not
  on an expired card); the original stays. Audited ("gift card redemption reversed").
* Expiry: at expires_at whatever is left goes by an 'expiry' entry (the daily round), so the
  liability drops; redeeming an expired card is refused even before that entry is written.
* Attaching: a bearer card may be given to a live customer (then their panel shows it); a
  card held by someone else is refused. Audited ("gift card attached").

Every write returns a Change naming GIFT_CARDS (and CONTACTS with the holder, whose panel
shows the balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.busy import TakingTurns, write_transaction
from relapp.db.store import gift_cards as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.giftcards.cards import (
    GiftCard,
    GiftCardRefused,
    NotEnoughOnCard,
    as_card,
    card_with_code,
    make_code,
    read_code,
)
from relapp.domain.loyalty.ledger import add_months, check_staff, live_customer
from relapp.domain.shop.formats import format_day, format_money
from relapp.domain.shop.settings import load_settings

MAX_CARD_CENTS = 1_000_000  # 10,000.00: a gift card above this is a typing slip
MAX_KEY_LENGTH = 100
EXPIRY_BATCH = 200  # cards expired per transaction: the counter waits for none for long
REVERSED = "gift card redemption reversed"
ATTACHED = "gift card attached"


@dataclass(frozen=True)
class GiftCardSale:
    card: GiftCard
    duplicate: bool  # the key was used for this sale before: nothing new was written
    change: Change


@dataclass(frozen=True)
class GiftCardRedemption:
    card: GiftCard  # as it is after
    amount_cents: int
    entry_id: int
    duplicate: bool
    change: Change


def sell_gift_card(
    amount_cents: int,
    contact_id: int | None = None,
    *,
    staff_id: int | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> GiftCardSale:
    """A new card worth amount_cents, the customer's or (contact_id None) the bearer's.

    Raises:
        GiftCardRefused: the amount is out of range, or the key was used for something else.
        CustomerNotFound, RelappError: the customer is unknown, erased, archived or merged.
    """
    _check_amount(amount_cents, MAX_CARD_CENTS)
    _check_key(key)
    with write_transaction():
        moment = now or clock.utc_now()
        if key is not None and (earlier := store.entry_with_key(key)) is not None:
            row = store.card_by_id(earlier.card_id)
            assert row is not None
            if (earlier.kind, earlier.amount_cents, row.contact_id) != (
                "sale", amount_cents, contact_id
            ):  # fmt: skip
                raise GiftCardRefused(_key_used(key))
            return GiftCardSale(as_card(row), True, Change.of())
        if contact_id is not None:
            live_customer(contact_id)
        check_staff(staff_id)
        months = load_settings().gift_card_expiry_months
        expires = add_months(moment, months) if months > 0 else None
        card_id = store.insert_card(make_code(), contact_id, moment, expires, staff_id)
        store.insert_entry(card_id, "sale", amount_cents, moment, key=key, staff_id=staff_id)
        row = store.card_by_id(card_id)
    assert row is not None
    return GiftCardSale(as_card(row), False, _change(contact_id))


def redeem_gift_card(
    text: str,
    amount_cents: int,
    *,
    key: str | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> GiftCardRedemption:
    """Take amount_cents from the card whose code was typed or scanned as text.

    Raises:
        NotEnoughOnCard: more than the balance.
        GiftCardRefused: not a code, a typing mistake, no such card, expired, an amount out of
            range, or the key used for something else. Nothing was changed.
    """
    _check_amount(amount_cents, MAX_CARD_CENTS)
    _check_key(key)
    code = read_code(text)
    with write_transaction():
        moment = now or clock.utc_now()
        card = card_with_code(code)
        if key is not None and (earlier := store.entry_with_key(key)) is not None:
            if (earlier.kind, earlier.card_id, earlier.amount_cents) != (
                "redeem", card.id, -amount_cents
            ):  # fmt: skip
                raise GiftCardRefused(_key_used(key))
            return GiftCardRedemption(card, amount_cents, earlier.id, True, Change.of())
        _refuse_expired(card, moment)
        if amount_cents > card.balance_cents:
            raise NotEnoughOnCard(
                f"The gift card {card.shown} has {format_money(card.balance_cents)} left;"
                f" {format_money(amount_cents)} cannot be taken from it."
            )
        check_staff(staff_id)
        entry_id = store.insert_entry(
            card.id, "redeem", -amount_cents, moment, key=key, staff_id=staff_id
        )
        after = card_with_code(code)
    return GiftCardRedemption(after, amount_cents, entry_id, False, _change(after.contact_id))


def reverse_redemption(
    entry_id: int,
    *,
    staff_id: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> GiftCard:
    """Put a mistaken redemption back on its card by a reversal entry; the card after.

    Raises:
        GiftCardRefused: no such entry, not a redemption, reversed already, or the card has
            expired. Nothing was changed.
    """
    with write_transaction():
        moment = now or clock.utc_now()
        entry = store.entry(entry_id)
        if entry is None:
            raise GiftCardRefused(f"There is no gift card entry number {entry_id}.")
        if entry.kind != "redeem":
            raise GiftCardRefused(
                f"Entry {entry_id} is not a redemption; only a redemption can be reversed."
            )
        if store.reversal_of(entry_id) is not None:
            raise GiftCardRefused(f"The redemption {entry_id} was reversed already.")
        row = store.card_by_id(entry.card_id)
        assert row is not None
        card = as_card(row)
        _refuse_expired(card, moment)
        check_staff(staff_id)
        reversal = store.insert_entry(
            card.id, "reversal", -entry.amount_cents, moment, reverses_id=entry_id,
            staff_id=staff_id, note=reason.strip(),
        )  # fmt: skip
        details = {
            "code": card.code, "entry_id": entry_id, "reversal_id": reversal,
            "amount_cents": -entry.amount_cents, "reason": reason.strip(),
        }  # fmt: skip
        write_audit(REVERSED, "gift_card", card.id, details, moment, staff_id)
        after = card_with_code(card.code)
    return after


def attach_gift_card(
    text: str, contact_id: int, *, staff_id: int | None = None, now: datetime | None = None
) -> Change:
    """Give the bearer card whose code was typed to the customer; an empty Change if it is
    theirs already.

    Raises:
        GiftCardRefused: not a code, no such card, or it belongs to someone else.
        CustomerNotFound, RelappError: the customer is unknown, erased, archived or merged.
    """
    code = read_code(text)
    with write_transaction():
        moment = now or clock.utc_now()
        card = card_with_code(code)
        live_customer(contact_id)
        if card.contact_id == contact_id:
            return Change.of()
        if card.contact_id is not None or not store.attach_to(card.id, contact_id):
            raise GiftCardRefused(f"The gift card {card.shown} belongs to another customer.")
        details = {"code": card.code, "contact_id": contact_id}  # no name: erasure finds none
        write_audit(ATTACHED, "gift_card", card.id, details, moment, staff_id)
    return _change(contact_id)


def expire_gift_cards(now: datetime | None = None, turns: TakingTurns | None = None) -> int:
    """Whatever is left on every card whose expiry has come goes, by one 'expiry' entry each;
    the cents expired. A second run finds nothing. In batches of EXPIRY_BATCH cards, turns
    taken between them (the daily round's)."""
    moment = now or clock.utc_now()
    due = store.cards_due_to_expire(moment)
    expired = 0
    for start in range(0, len(due), EXPIRY_BATCH):
        with write_transaction():
            for card_id in due[start : start + EXPIRY_BATCH]:
                row = store.card_by_id(card_id)  # read again under the lock
                if row is None or row.balance_cents <= 0 or not as_card(row).expired(moment):
                    continue
                note = f"Expired on {format_day(row.expires_at or moment)}"
                store.insert_entry(card_id, "expiry", -row.balance_cents, moment, note=note)
                expired += row.balance_cents
        if turns is not None:
            turns.turn()
    return expired


def _refuse_expired(card: GiftCard, now: datetime) -> None:
    if card.expired(now):
        assert card.expires_at is not None
        raise GiftCardRefused(
            f"The gift card {card.shown} expired on {format_day(card.expires_at)}."
        )


def _check_amount(amount_cents: int, highest: int) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise GiftCardRefused("An amount must be more than zero.")
    if amount_cents > highest:
        raise GiftCardRefused(f"A gift card holds at most {format_money(highest)}.")


def _check_key(key: str | None) -> None:
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise GiftCardRefused(f"A key has 1 to {MAX_KEY_LENGTH} characters.")


def _key_used(key: str) -> str:
    return f"The key {key!r} was used for another gift card operation already."


def _change(contact_id: int | None) -> Change:
    if contact_id is None:
        return Change.of(Entity.GIFT_CARDS)
    return Change.of(Entity.GIFT_CARDS, Entity.CONTACTS, contact_ids=frozenset({contact_id}))
