"""Gift cards as they are read: the code, a card and its balance, a customer's cards, a card's
ledger, and what the shop owes on them by month of sale.

A code is 15 random characters of Crockford's base 32 and a Luhn mod-32 check character,
printed in groups of four (7KQM-2XPR-9BQ4-HT3W): the voucher codes' alphabet and check
(relapp.domain.campaigns.vouchers), longer, since a gift card is money to whoever holds its
code (75 random bits). Typing is as forgiving as for vouchers (any case, spaces and dashes,
O read as 0, I and L as 1) and a typing mistake is told as such, before any look-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from relapp.db.store import gift_cards as store
from relapp.domain.campaigns.vouchers import new_code, printed, typed_code
from relapp.errors import RelappError

RANDOM_LENGTH = 15
EXAMPLE = "7KQM-2XPR-9BQ4-HT3W"


class GiftCardRefused(RelappError):
    """The card cannot be used so (unknown, expired, a typing mistake...); nothing changed."""


class NotEnoughOnCard(GiftCardRefused):
    """The amount is more than the card's balance; nothing changed."""


@dataclass(frozen=True)
class GiftCard:
    id: int
    code: str  # as stored: 16 characters, no dashes (what its barcodes hold)
    contact_id: int | None  # None: a bearer card, anyone holding it may use it
    sold_at: datetime
    expires_at: datetime | None  # None: never
    balance_cents: int
    sold_cents: int

    @property
    def shown(self) -> str:
        """As printed and read out: 7KQM-2XPR-9BQ4-HT3W."""
        return shown_code(self.code)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class CardEntry:
    id: int
    kind: str  # sale, redeem, reversal or expiry (relapp.domain.terms.GIFT_CARD_ENTRY_NAMES)
    amount_cents: int  # signed: what it did to the balance
    occurred_at: datetime
    balance_cents: int  # after it
    reversed: bool  # a redemption that a later entry reversed
    note: str


@dataclass(frozen=True)
class MonthOwed:
    month: date  # its first day, on this PC's calendar
    cards: int
    cents: int


def shown_code(code: str) -> str:
    """A code as stored, as printed and read out: 7KQM-2XPR-9BQ4-HT3W."""
    return printed(code)


def make_code() -> str:
    """A new code not held by any card (a repeat is as likely as guessing one: never, but
    checked)."""
    while True:
        code = new_code(RANDOM_LENGTH)
        if not store.code_taken(code):
            return code


def read_code(text: str) -> str:
    """The code as stored from what was typed or scanned; GiftCardRefused for something that
    is not one, or a typing mistake."""
    return typed_code(
        text, random_length=RANDOM_LENGTH, noun="gift card", example=EXAMPLE,
        refusal=GiftCardRefused,
    )  # fmt: skip


def as_card(row: store.CardRow) -> GiftCard:
    return GiftCard(
        row.id, row.code, row.contact_id, row.sold_at, row.expires_at, row.balance_cents,
        row.sold_cents,
    )  # fmt: skip


def card_with_code(code: str) -> GiftCard:
    """The card of a code as stored; GiftCardRefused if there is none."""
    row = store.card_by_code(code)
    if row is None:
        raise GiftCardRefused(f"There is no gift card with the code {printed(code)}.")
    return as_card(row)


def find_gift_card(text: str) -> GiftCard:
    """The card whose code was typed or scanned, with its balance now.

    Raises:
        GiftCardRefused: not a code, a typing mistake, or no such card.
    """
    return card_with_code(read_code(text))


def gift_cards_of(contact_id: int) -> list[GiftCard]:
    """The customer's cards, newest first (those used up and expired too)."""
    return [as_card(row) for row in store.cards_of_contact(contact_id)]


def card_statement(card_id: int) -> list[CardEntry]:
    """The card's ledger, oldest first, each line with the balance after it."""
    entries = store.entries_of(card_id)
    reversed_ids = {entry.reverses_id for entry in entries if entry.reverses_id is not None}
    lines, running = [], 0
    for entry in entries:
        running += entry.amount_cents
        lines.append(
            CardEntry(entry.id, entry.kind, entry.amount_cents, entry.occurred_at, running,
                      entry.id in reversed_ids, entry.note)
        )  # fmt: skip
    return lines


def outstanding_by_month() -> list[MonthOwed]:
    """What is left on the cards, by the month (this PC's calendar) they were sold in,
    oldest first; every card with something left counts, the ledger's figure."""
    months: dict[date, tuple[int, int]] = {}
    for sold_at, balance in store.outstanding_cards():
        local = sold_at.astimezone()
        month = date(local.year, local.month, 1)
        cards, cents = months.get(month, (0, 0))
        months[month] = (cards + 1, cents + balance)
    return [MonthOwed(month, cards, cents) for month, (cards, cents) in sorted(months.items())]
