"""Selling while the shop server is away, and catching up when it is back.

A till on a shop server keeps a small outbox of its own (relapp.db.outbox). When the server
does not answer, a sale (earn only) is kept there with the till's own sale key, committed
before the counter confirms it, and the customer is found through the card index as last
seen. When the server answers again, send_waiting() records each kept sale with its key and
the moment the customer paid: the server's unique sale key makes a second sending of the same
sale a no-op, so a sale is recorded exactly once however often sending is cut short.

Only sales: a redemption, an enrolment or an edit needs the balance and the records as they
are now, so they wait for the server (the caller says so in one sentence).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.location import user_data_dir
from relapp.db.outbox import CardEntry, PendingSale, TillOutbox, outbox_path
from relapp.db.store.contacts import card_holder_rows
from relapp.domain import clock
from relapp.domain.contacts.naming import display_name
from relapp.domain.loyalty.sales import _check_amount, record_sale
from relapp.errors import RelappError, ServerNotAnswering

# The card index is read again from the server when older than this.
CARDS_FRESH_FOR = timedelta(minutes=15)


class CardNotKnownOffline(RelappError):
    """The shop server is away and this till has no copy of that card."""


def till_outbox(server: str) -> TillOutbox:
    """This till's outbox for the shop server (named by its redacted URL)."""
    return TillOutbox(outbox_path(user_data_dir(), server))


def existing_till_outbox(server: str) -> TillOutbox | None:
    """This till's outbox for the server if it has one (it kept a sale or copied the cards
    before); None, without making the file, if not."""
    path = outbox_path(user_data_dir(), server)
    return TillOutbox(path) if path.exists() else None


@dataclass(frozen=True)
class KeptSale:
    """A sale kept on the till for sending later."""

    sale_key: str
    contact_id: int
    name: str
    amount_cents: int
    balance_seen: int  # the balance as last seen, before this sale's points
    seen_at: datetime | None  # when the card index was read (UTC)
    waiting: int  # sales on this till waiting to be sent, this one included


def keep_sale(
    outbox: TillOutbox,
    reference: str,
    amount_cents: int,
    sale_key: str | None = None,
    staff_id: int | None = None,
    summary: str = "",
) -> KeptSale:
    """Keep a sale for the customer whose card (or '#id') is reference, to send later.

    Raises:
        ValueError: an impossible amount.
        CardNotKnownOffline: the card is not in this till's copy of the card index.
    """
    _check_amount(amount_cents)
    return _keep(outbox, _card_for(outbox, reference), amount_cents, sale_key, staff_id, summary)


def keep_sale_for(
    outbox: TillOutbox,
    contact_id: int,
    amount_cents: int,
    sale_key: str | None = None,
    staff_id: int | None = None,
    summary: str = "",
) -> KeptSale:
    """Keep a sale for customer contact_id (the one at the counter), to send later; as
    keep_sale, for a customer already found rather than a card typed.

    Raises:
        ValueError: an impossible amount.
        CardNotKnownOffline: the customer is not in this till's copy of the card index
            (no card, or enrolled since the copy was made).
    """
    _check_amount(amount_cents)
    card = outbox.card_of(contact_id)
    if card is None:
        raise CardNotKnownOffline(
            "The shop server is not answering and this till's copy of the card index does not"
            " have this customer (it holds customers with a card, as last seen). Nothing was"
            " recorded: try again when the server is back."
        )
    return _keep(outbox, card, amount_cents, sale_key, staff_id, summary)


def find_card(outbox: TillOutbox, reference: str) -> CardEntry | None:
    """The customer whose card number (or '#id') is reference, as this till last saw them;
    None if this till's copy of the card index does not have them."""
    reference = reference.strip()
    if reference.startswith("#") and reference[1:].isdigit():
        return outbox.card_of(int(reference[1:]))
    return outbox.card(reference) if reference else None


def cards_seen_at(outbox: TillOutbox) -> datetime | None:
    """When this till last copied the card index from the server (UTC); None: never."""
    seen = outbox.cards_seen_at()
    return None if seen is None else parse_timestamp(seen)


def _keep(
    outbox: TillOutbox,
    card: CardEntry,
    amount_cents: int,
    sale_key: str | None,
    staff_id: int | None,
    summary: str,
) -> KeptSale:
    key = sale_key or f"till-{uuid.uuid4()}"
    outbox.add_sale(
        PendingSale(
            key, card.contact_id, amount_cents, staff_id, summary.strip(),
            format_timestamp(clock.utc_now()), None,
        )
    )  # fmt: skip
    return KeptSale(
        key,
        card.contact_id,
        card.name,
        amount_cents,
        card.balance,
        cards_seen_at(outbox),
        outbox.count_waiting(),
    )


def _card_for(outbox: TillOutbox, reference: str) -> CardEntry:
    card = find_card(outbox, reference)
    if card is None:
        reference = reference.strip()
        raise CardNotKnownOffline(
            f"The shop server is not answering and this till has no copy of {reference!r}"
            " (only customers with a card, as last seen). Nothing was recorded: try again"
            " when the server is back."
        )
    return card


@dataclass(frozen=True)
class Sending:
    sent: int  # recorded on the server now (or found there already: sent before)
    refused: list[tuple[str, str]]  # (sale key, why) the server would not take
    waiting: int  # still on the till (the server went away again)


def send_waiting(outbox: TillOutbox) -> Sending:
    """Send the kept sales to the server the models are bound to, oldest first. Each is
    recorded with its own key, so a sale sent before (and not yet crossed off because the
    answer was lost) is not recorded twice."""
    sent, refused = 0, []
    for sale in outbox.waiting():
        try:
            result = record_sale(
                sale.contact_id,
                sale.amount_cents,
                sale_key=sale.sale_key,
                staff_id=sale.staff_id,
                summary=sale.summary,
                at=parse_timestamp(sale.occurred_at),
            )
        except ServerNotAnswering:
            break  # away again: the rest stay
        except (RelappError, ValueError) as error:
            outbox.mark_refused(sale.sale_key, str(error))
            refused.append((sale.sale_key, str(error)))
            continue
        outbox.sent(sale.sale_key)
        outbox.update_card(sale.contact_id, result.balance)
        sent += 1
    return Sending(sent, refused, outbox.count_waiting())


def refresh_cards(outbox: TillOutbox, force: bool = False) -> int | None:
    """Copy the server's card index to the till if the copy is older than CARDS_FRESH_FOR
    (or force); how many cards, or None if the copy was fresh enough."""
    now = clock.utc_now()
    seen = outbox.cards_seen_at()
    if not force and seen is not None and now - parse_timestamp(seen) < CARDS_FRESH_FOR:
        return None
    cards = (
        CardEntry(card, contact_id, display_name(kind, given, family, organisation), balance)
        for card, contact_id, kind, given, family, organisation, balance in card_holder_rows()
    )
    return outbox.replace_cards(cards, format_timestamp(now))
