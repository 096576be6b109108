"""Gift cards: sold for an amount, redeemed in parts, refused with one sentence and nothing
changed, a key making a retry safe, a mistaken redemption reversed by an entry of its own,
what is left going at expiry, a bearer card given to a customer; and the ledger's own rules
enforced by the database, whoever writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from peewee import IntegrityError

from relapp.db.models import Staff, database
from relapp.domain.campaigns.vouchers import ALPHABET
from relapp.domain.changes import Entity
from relapp.domain.giftcards.cards import (
    GiftCardRefused,
    NotEnoughOnCard,
    card_statement,
    find_gift_card,
    gift_cards_of,
    outstanding_by_month,
)
from relapp.domain.giftcards.ledger import (
    attach_gift_card,
    expire_gift_cards,
    redeem_gift_card,
    reverse_redemption,
    sell_gift_card,
)
from relapp.domain.loyalty.daily import run_daily_jobs
from relapp.domain.shop.settings import save_settings
from relapp.errors import RelappError
from tests.factories import FakeClock, add_contact

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    return fake


@pytest.fixture
def sam(db) -> int:
    return Staff.create(name="Sam", role="counter", pin_hash="x", active=True, created_at=START).id


def everything() -> tuple:
    return tuple(
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("gift_card", "gift_card_entry", "audit_log")
    )


def ledger() -> list[tuple[str, int]]:
    return [
        tuple(row)
        for row in database.execute_sql(
            "SELECT kind, amount_cents FROM gift_card_entry ORDER BY id"
        ).fetchall()
    ]


def mistyped(shown: str) -> str:
    """The printed code with its last character one along: the check character catches it."""
    last = shown[-1]
    return shown[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]


def test_a_card_is_sold_redeemed_in_parts_and_shows_its_balance(db, clock, sam):
    ann = add_contact("Ann", "Lee").id
    sold = sell_gift_card(5000, ann, staff_id=sam)
    card = sold.card
    assert (card.balance_cents, card.sold_cents, card.contact_id) == (5000, 5000, ann)
    assert len(card.code) == 16 and card.shown.count("-") == 3  # 7KQM-2XPR-9BQ4-HT3W
    assert sold.change.touches(Entity.GIFT_CARDS) and sold.change.contact_ids == {ann}
    assert card.expires_at is None  # the shop's setting: never

    clock.advance(days=3)
    first = redeem_gift_card(card.shown.lower(), 2000, staff_id=sam)  # typed as people type
    assert (first.card.balance_cents, first.amount_cents, first.duplicate) == (3000, 2000, False)
    clock.advance(days=30)
    second = redeem_gift_card(card.code, 2999)
    assert second.card.balance_cents == 1
    assert find_gift_card(card.shown).balance_cents == 1
    assert ledger() == [("sale", 5000), ("redeem", -2000), ("redeem", -2999)]
    assert [line.balance_cents for line in card_statement(card.id)] == [5000, 3000, 1]
    assert [c.id for c in gift_cards_of(ann)] == [card.id]


def test_a_bearer_card_belongs_to_nobody_and_anyone_holding_it_may_use_it(db, clock):
    card = sell_gift_card(2500).card
    assert card.contact_id is None
    assert redeem_gift_card(card.shown, 500).card.balance_cents == 2000


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        (3001, "has $30.00 left; $30.01 cannot be taken from it."),
        (0, "An amount must be more than zero."),
        (-5, "An amount must be more than zero."),
    ],
)
def test_more_than_the_balance_is_refused_and_nothing_changes(db, clock, amount, said):
    card = sell_gift_card(5000).card
    redeem_gift_card(card.code, 2000)
    before = everything()
    with pytest.raises(GiftCardRefused) as refused:
        redeem_gift_card(card.code, amount)
    assert said in str(refused.value)
    assert everything() == before
    if amount > 0:
        assert isinstance(refused.value, NotEnoughOnCard)
        assert str(refused.value) == f"The gift card {card.shown} {said}"


def test_an_unknown_code_a_typing_mistake_and_not_a_code_are_told_apart(db, clock):
    card = sell_gift_card(5000).card
    before = everything()
    with pytest.raises(GiftCardRefused, match="has a typing mistake"):
        redeem_gift_card(mistyped(card.shown), 100)
    other = "0000-0000-0000-0000"  # checks (all zeros), but nobody's
    with pytest.raises(GiftCardRefused, match="There is no gift card with the code 0000-"):
        redeem_gift_card(other, 100)
    with pytest.raises(GiftCardRefused, match="is not a gift card code"):
        redeem_gift_card("K7QM-2XPR-9BQ4", 100)  # a voucher's length
    assert everything() == before


def test_an_expired_card_is_refused_and_its_remainder_goes_in_the_daily_round(db, clock):
    save_settings(gift_card_expiry_months=36)
    ann = add_contact("Ann", "Lee").id
    card = sell_gift_card(5000, ann).card
    assert card.expires_at == datetime(2029, 3, 10, 9, 30, tzinfo=UTC)
    redeem_gift_card(card.code, 1500)
    clock.moment = datetime(2029, 3, 10, 9, 30, tzinfo=UTC)
    before = everything()
    with pytest.raises(GiftCardRefused, match=r"expired on 10 Mar 2029|expired on Mar 10, 2029"):
        redeem_gift_card(card.code, 100)
    assert everything() == before

    result = run_daily_jobs(now=clock.moment)
    assert result.gift_card_cents_expired == 3500
    assert result.change.touches(Entity.GIFT_CARDS)
    assert ledger()[-1] == ("expiry", -3500)
    assert find_gift_card(card.code).balance_cents == 0
    assert outstanding_by_month() == []
    assert expire_gift_cards(clock.moment) == 0  # a second run: nothing left to take


def test_a_card_sold_before_the_setting_keeps_its_own_expiry(db, clock):
    never = sell_gift_card(1000).card
    save_settings(gift_card_expiry_months=12)
    dated = sell_gift_card(1000).card
    assert never.expires_at is None
    assert dated.expires_at == datetime(2027, 3, 10, 9, 30, tzinfo=UTC)
    clock.advance(days=400)
    assert expire_gift_cards() == 1000
    assert find_gift_card(never.code).balance_cents == 1000


def test_the_same_key_twice_redeems_once(db, clock):
    card = sell_gift_card(5000).card
    first = redeem_gift_card(card.code, 2000, key="till-7")
    again = redeem_gift_card(card.code, 2000, key="till-7")
    assert again.duplicate and again.entry_id == first.entry_id
    assert again.card.balance_cents == 3000 and not again.change.entities
    assert ledger() == [("sale", 5000), ("redeem", -2000)]
    other = sell_gift_card(5000).card
    before = everything()
    for code, amount in ((card.code, 1000), (other.code, 2000)):  # another amount, card
        with pytest.raises(GiftCardRefused, match="'till-7' was used for another"):
            redeem_gift_card(code, amount, key="till-7")
    assert everything() == before


def test_a_sale_with_a_key_is_sold_once(db, clock):
    first = sell_gift_card(5000, key="web-order-12")
    again = sell_gift_card(5000, key="web-order-12")
    assert again.duplicate and again.card.code == first.card.code
    with pytest.raises(GiftCardRefused, match="was used for another"):
        sell_gift_card(4000, key="web-order-12")
    with pytest.raises(GiftCardRefused, match="was used for another"):
        redeem_gift_card(first.card.code, 100, key="web-order-12")
    assert ledger() == [("sale", 5000)]


def test_a_mistaken_redemption_is_reversed_by_an_entry_once(db, clock, sam):
    card = sell_gift_card(5000).card
    wrong = redeem_gift_card(card.code, 4500)
    after = reverse_redemption(wrong.entry_id, staff_id=sam, reason="typed 45 for 4.50")
    assert after.balance_cents == 5000
    assert ledger() == [("sale", 5000), ("redeem", -4500), ("reversal", 4500)]
    lines = card_statement(card.id)
    assert [line.reversed for line in lines] == [False, True, False]
    audit = database.execute_sql(
        "SELECT action, entity, entity_id, staff_id FROM audit_log"
    ).fetchall()
    assert [tuple(row) for row in audit] == [("gift card redemption reversed", "gift_card",
                                               card.id, sam)]  # fmt: skip
    before = everything()
    with pytest.raises(GiftCardRefused, match="was reversed already"):
        reverse_redemption(wrong.entry_id)
    sale_entry = lines[0].id
    with pytest.raises(GiftCardRefused, match="only a redemption can be reversed"):
        reverse_redemption(sale_entry)
    with pytest.raises(GiftCardRefused, match="There is no gift card entry number 999"):
        reverse_redemption(999)
    assert everything() == before


def test_a_bearer_card_is_given_to_a_customer_once(db, clock, sam):
    ann = add_contact("Ann", "Lee").id
    bob = add_contact("Bob", "Ng").id
    card = sell_gift_card(2000).card
    change = attach_gift_card(card.shown, ann, staff_id=sam)
    assert change.contact_ids == {ann}
    assert [c.id for c in gift_cards_of(ann)] == [card.id]
    assert not attach_gift_card(card.code, ann).entities  # theirs already
    before = everything()
    with pytest.raises(GiftCardRefused, match="belongs to another customer"):
        attach_gift_card(card.code, bob)
    assert everything() == before


def test_a_card_for_an_archived_customer_is_refused(db, clock):
    from relapp.domain.clock import utc_now

    gone = add_contact("Old", "Gone", archived_at=utc_now()).id
    with pytest.raises(RelappError, match="archived"):
        sell_gift_card(1000, gone)
    assert everything() == ([], [], [])


def test_outstanding_value_is_grouped_by_month_of_sale(db, clock, time_zone):
    time_zone("UTC")
    sell_gift_card(5000)
    redeem_gift_card(sell_gift_card(2000).card.code, 500)
    clock.moment = datetime(2026, 4, 30, 23, 0, tzinfo=UTC)
    used_up = sell_gift_card(1000).card
    redeem_gift_card(used_up.code, 1000)  # nothing left: owed nothing
    sell_gift_card(700)
    owed = [(row.month.isoformat(), row.cards, row.cents) for row in outstanding_by_month()]
    assert owed == [("2026-03-01", 2, 6500), ("2026-04-01", 1, 700)]


# -- the database's own rules, whoever writes ----------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_nor_the_balance_set_by_hand(db, clock):
    card = sell_gift_card(5000).card
    for statement, said in (
        ("UPDATE gift_card_entry SET amount_cents = 9000", "cannot be changed"),
        ("DELETE FROM gift_card_entry", "cannot be deleted"),
        ("UPDATE gift_card SET balance_cents = 9000", "changes only through its ledger"),
        (f"INSERT INTO gift_card_entry (card_id, kind, amount_cents, occurred_at)"
         f" VALUES ({card.id}, 'redeem', -5001, '2026-03-10 10:00:00')", "cannot go negative"),
        ("INSERT INTO gift_card (code, sold_at, balance_cents)"
         " VALUES ('ABCDEFGHJKMN', '2026-03-10 10:00:00', 100)", "starts empty"),
    ):  # fmt: skip
        with pytest.raises(IntegrityError, match=said), database.atomic():
            database.execute_sql(statement)
    assert find_gift_card(card.code).balance_cents == 5000
    assert ledger() == [("sale", 5000)]


def test_a_multi_row_insert_moves_the_balance_in_order(db, clock):
    """A redemption after a reversal in one statement: checked against the balance the
    reversal left (the server's one BEFORE trigger; SQLite's AFTER trigger runs per row)."""
    card = sell_gift_card(1000).card
    wrong = redeem_gift_card(card.code, 1000)
    database.execute_sql(
        "INSERT INTO gift_card_entry (card_id, kind, amount_cents, occurred_at, reverses_id)"
        " VALUES (?, 'reversal', 1000, '2026-03-10 10:00:00', ?),"
        " (?, 'redeem', -600, '2026-03-10 10:00:01', NULL)",
        (card.id, wrong.entry_id, card.id),
    )
    assert find_gift_card(card.code).balance_cents == 400
