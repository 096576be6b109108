"""A till keeps selling while the shop server is away: the counter keeps a sale for the
customer it has on screen (by id), finds a scanned card in the till's copy of the card index,
and the kept sale reaches the shop's ledger once when sent."""

from __future__ import annotations

import pytest

from relapp.db.models import Contact, Interaction
from relapp.db.outbox import CardEntry, TillOutbox
from relapp.domain.loyalty.offline import (
    CardNotKnownOffline,
    cards_seen_at,
    find_card,
    keep_sale,
    keep_sale_for,
    refresh_cards,
    send_waiting,
)
from tests.domain.test_loyalty import START, set_up_program
from tests.factories import FakeClock, add_contact


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    return fake


@pytest.fixture
def outbox(tmp_path):
    box = TillOutbox(tmp_path / "till-outbox.db")
    yield box
    box.close()


def copy_of_cards(outbox: TillOutbox, *cards: CardEntry) -> None:
    outbox.replace_cards(cards, "2026-03-10 08:15:00")


ANN = CardEntry("270000000017", 7, "Ann Lee", 120)
BOB = CardEntry("270000000025", 8, "Bob Day", 0)


def test_a_sale_is_kept_for_the_customer_at_the_counter_by_id(outbox, clock):
    copy_of_cards(outbox, ANN, BOB)
    kept = keep_sale_for(outbox, ANN.contact_id, 1_250, "till-key-1", staff_id=3, summary=" tea ")

    assert (kept.sale_key, kept.contact_id, kept.name) == ("till-key-1", 7, "Ann Lee")
    assert (kept.amount_cents, kept.balance_seen, kept.waiting) == (1_250, 120, 1)
    assert kept.seen_at == cards_seen_at(outbox)
    assert f"{kept.seen_at:%Y-%m-%d %H:%M}" == "2026-03-10 08:15"
    # Committed when it returns: another connection to the till's file sees it.
    other = TillOutbox(outbox.path)
    try:
        (sale,) = other.waiting()
    finally:
        other.close()
    assert (sale.sale_key, sale.contact_id, sale.amount_cents) == ("till-key-1", 7, 1_250)
    assert (sale.staff_id, sale.summary, sale.occurred_at) == (3, "tea", "2026-03-10 09:30:00")


def test_the_same_key_twice_keeps_one_sale(outbox, clock):
    copy_of_cards(outbox, ANN)
    keep_sale_for(outbox, ANN.contact_id, 500, "same-key")
    again = keep_sale_for(outbox, ANN.contact_id, 500, "same-key")
    assert again.waiting == 1 == outbox.count_waiting()


def test_a_customer_missing_from_the_copy_or_an_impossible_amount_keeps_nothing(outbox, clock):
    copy_of_cards(outbox, ANN)
    with pytest.raises(CardNotKnownOffline, match="does not have this customer"):
        keep_sale_for(outbox, 99, 1_000)
    with pytest.raises(ValueError):
        keep_sale_for(outbox, ANN.contact_id, 0)
    assert outbox.count_waiting() == 0


def test_a_card_or_a_customer_number_is_found_in_the_copy(outbox):
    assert cards_seen_at(outbox) is None  # never copied
    assert find_card(outbox, ANN.card_number) is None
    copy_of_cards(outbox, ANN, BOB)
    assert find_card(outbox, f" {ANN.card_number}\n") == ANN  # as a scanner types it
    assert find_card(outbox, "#8") == BOB
    assert find_card(outbox, "270000000033") is None
    assert find_card(outbox, "Ann") is None  # names are not in the copy
    assert find_card(outbox, "  ") is None
    # keep_sale (by card, the command line's) still refuses what the copy lacks.
    with pytest.raises(CardNotKnownOffline, match="no copy of '270000000033'"):
        keep_sale(outbox, "270000000033", 100)


def test_a_kept_sale_reaches_the_ledger_once(db, outbox, clock):
    set_up_program()
    ann = add_contact("Ann", "Lee", card_number="270000000017")
    add_contact("Archie", "Ved", card_number="270000000025", archived_at=START)
    assert refresh_cards(outbox) == 1  # the archived customer's card is not copied
    assert refresh_cards(outbox) is None  # fresh enough
    assert find_card(outbox, "270000000017") == CardEntry("270000000017", ann.id, "Ann Lee", 0)

    clock.advance(minutes=3)
    kept = keep_sale_for(outbox, ann.id, 2_500, "kept-at-the-counter")
    clock.advance(minutes=20)  # the server is back twenty minutes later
    sending = send_waiting(outbox)
    assert (sending.sent, sending.refused, sending.waiting) == (1, [], 0)
    assert send_waiting(outbox).sent == 0  # nothing left to send twice

    sale = Interaction.get(Interaction.sale_key == kept.sale_key)
    assert (sale.contact_id, sale.amount_cents) == (ann.id, 2_500)
    assert f"{sale.occurred_at:%H:%M}" == "09:33"  # when the customer paid
    assert Interaction.select().where(Interaction.sale_key == kept.sale_key).count() == 1
    balance = Contact.get_by_id(ann.id).points_balance
    assert balance == 25
    assert find_card(outbox, "270000000017").balance == balance  # the copy as sent
