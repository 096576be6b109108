"""Random sequences of gift-card operations against an independent model of the rules.

The model keeps each card's balance, expiry, holder and redemptions in plain Python and says
what each operation should do, or which refusal it should meet. After every step the database
must agree with it, and hold on its own: every card's balance is the sum of its entries and
never negative, no ledger row ever changes, and a refused operation changes nothing at all.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.campaigns.vouchers import ALPHABET
from relapp.domain.giftcards import ledger as gift_cards
from relapp.domain.giftcards.cards import GiftCardRefused, NotEnoughOnCard
from relapp.domain.shop.settings import save_settings
from relapp.errors import RelappError
from tests.domain.test_loyalty_invariants import add_months
from tests.factories import FakeClock, add_contact

START = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)  # a month's end: expiry dates get clamped
EXPIRY_MONTHS = 2
MAX_CENTS = 1_000_000
CUSTOMERS = 3  # the last one is archived: nothing may be sold to or attached to them


@dataclass
class Card:
    id: int
    code: str
    holder: int | None
    expires: datetime
    balance: int
    expired: int = 0


@dataclass
class Redemption:
    entry: int
    card: int  # index into Model.cards
    amount: int
    reversed: bool = False


@dataclass
class Model:
    customers: list[int]
    archived: int
    now: datetime = START
    cards: list[Card] = field(default_factory=list)
    redemptions: list[Redemption] = field(default_factory=list)
    sale_entries: list[int] = field(default_factory=list)
    # key -> ("sale", card index, amount, holder) or ("redeem", card index, amount, redemption)
    keys: dict[str, tuple] = field(default_factory=dict)

    def sell(self, amount: int, holder: int | None, key: str | None) -> tuple:
        self.check_amount(amount)
        if key in self.keys:
            kind, index, first_amount, first_holder = self.keys[key]
            if (kind, first_amount, first_holder) != ("sale", amount, holder):
                raise GiftCardRefused("key used")
            return ("duplicate", index)
        if holder == self.archived:
            raise RelappError("archived")
        return ("sale",)

    def redeem(self, index: int | None, amount: int, key: str | None, typo: bool) -> tuple:
        self.check_amount(amount)
        if typo or index is None:
            raise GiftCardRefused("typing mistake or no such card")
        card = self.cards[index]
        if key in self.keys:
            kind, first_index, first_amount, redemption = self.keys[key]
            if (kind, first_index, first_amount) != ("redeem", index, amount):
                raise GiftCardRefused("key used")
            return ("duplicate", redemption)
        if card.expires <= self.now:
            raise GiftCardRefused("expired")
        if amount > card.balance:
            raise NotEnoughOnCard("over the balance")
        card.balance -= amount
        return ("redeem",)

    def reverse(self, which: int) -> None:
        if which >= len(self.redemptions):
            raise GiftCardRefused("not a redemption")
        redemption = self.redemptions[which]
        card = self.cards[redemption.card]
        if redemption.reversed:
            raise GiftCardRefused("reversed already")
        if card.expires <= self.now:
            raise GiftCardRefused("expired")
        redemption.reversed = True
        card.balance += redemption.amount

    def attach(self, index: int, customer: int) -> bool:
        card = self.cards[index]
        if customer == self.archived:
            raise RelappError("archived")
        if card.holder == customer:
            return False
        if card.holder is not None:
            raise GiftCardRefused("another customer's")
        card.holder = customer
        return True

    def expire(self) -> int:
        total = 0
        for card in self.cards:
            if card.expires <= self.now and card.balance > 0:
                total += card.balance
                card.expired += card.balance
                card.balance = 0
        return total

    @staticmethod
    def check_amount(amount: int) -> None:
        if not 0 < amount <= MAX_CENTS:
            raise GiftCardRefused("amount out of range")


# -- the database side ---------------------------------------------------------------------------


def ledger_rows() -> list[tuple]:
    return database.execute_sql("SELECT * FROM gift_card_entry ORDER BY id").fetchall()


def everything() -> tuple:
    return tuple(
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("gift_card", "gift_card_entry", "audit_log")
    )


def check_invariants(model: Model, ledger_before: list[tuple]) -> list[tuple]:
    rows = ledger_rows()
    assert rows[: len(ledger_before)] == ledger_before, "a ledger row changed or disappeared"
    mismatched = database.execute_sql(
        "SELECT g.id, g.balance_cents, coalesce(sum(e.amount_cents), 0) FROM gift_card g"
        " LEFT JOIN gift_card_entry e ON e.card_id = g.id GROUP BY g.id, g.balance_cents"
        " HAVING g.balance_cents <> coalesce(sum(e.amount_cents), 0) OR g.balance_cents < 0"
    ).fetchall()
    assert mismatched == []
    running = database.execute_sql(
        "SELECT card_id, amount_cents FROM gift_card_entry ORDER BY id"
    ).fetchall()
    balances: dict[int, int] = {}
    for card_id, amount in running:  # never below zero at any point of its history
        balances[card_id] = balances.get(card_id, 0) + amount
        assert balances[card_id] >= 0, card_id
    assert database.execute_sql("SELECT count(*) FROM gift_card").fetchone()[0] == len(model.cards)
    for card in model.cards:
        balance, holder, expires, expired = database.execute_sql(
            "SELECT balance_cents, contact_id, expires_at, (SELECT coalesce(-sum(amount_cents),"
            " 0) FROM gift_card_entry WHERE card_id = gift_card.id AND kind = 'expiry')"
            " FROM gift_card WHERE id = ?",
            (card.id,),
        ).fetchone()
        assert (balance, holder, expired) == (card.balance, card.holder, card.expired), card
        assert expires == card.expires.strftime("%Y-%m-%d %H:%M:%S")
    reversed_ids = {
        row[0]
        for row in database.execute_sql(
            "SELECT reverses_id FROM gift_card_entry WHERE kind = 'reversal'"
        )
    }
    assert reversed_ids == {r.entry for r in model.redemptions if r.reversed}
    return rows


def mistyped(code: str) -> str:
    return code[:-1] + ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]


def apply(model: Model, operation: tuple, clock: FakeClock) -> Model:
    """Run one operation on the model (a copy) and the database; return the model after."""
    kind, *args = operation
    trial = copy.deepcopy(model)
    expected_error: type[Exception] | None = None
    expected = None
    before = everything()
    index = args[0] % len(trial.cards) if kind in ("redeem", "attach") and trial.cards else None
    if kind == "attach" and index is None:
        return model
    try:
        if kind == "sell":
            holder = None if args[1] is None else trial.customers[args[1]]
            expected = trial.sell(args[0], holder, args[2])
        elif kind == "redeem":
            expected = trial.redeem(index, args[1], args[2], args[3])
        elif kind == "reverse":
            trial.reverse(args[0])
        elif kind == "attach":
            expected = trial.attach(index, trial.customers[args[1]])
        elif kind == "advance":
            trial.now += timedelta(days=args[0])
        elif kind == "expire":
            expected = trial.expire()
    except RelappError as error:
        expected_error = type(error)

    try:
        result = run(kind, args, model, index, clock)
    except RelappError as error:
        assert expected_error is not None, f"{operation} refused: {error}"
        assert type(error) is expected_error, (operation, error)
        assert everything() == before, f"{operation} was refused but changed something"
        event(f"{kind}: refused ({type(error).__name__})")
        return model
    event(f"{kind}: done")
    assert expected_error is None, f"{operation} should have been refused"

    if kind == "sell":
        if expected[0] == "duplicate":
            assert result.duplicate and result.card.id == trial.cards[expected[1]].id
            assert everything() == before
        else:
            amount, holder, key = args[0], result.card.contact_id, args[2]
            assert not result.duplicate and result.card.balance_cents == amount
            trial.cards.append(Card(result.card.id, result.card.code, holder,
                                    add_months(trial.now, EXPIRY_MONTHS), amount))  # fmt: skip
            if key is not None:
                trial.keys[key] = ("sale", len(trial.cards) - 1, amount, holder)
    elif kind == "redeem":
        if expected[0] == "duplicate":
            assert result.duplicate and result.entry_id == trial.redemptions[expected[1]].entry
            assert everything() == before
        else:
            assert not result.duplicate
            trial.redemptions.append(Redemption(result.entry_id, index, args[1]))
            if args[2] is not None:
                trial.keys[args[2]] = ("redeem", index, args[1], len(trial.redemptions) - 1)
        assert result.card.balance_cents == trial.cards[index].balance
    elif kind == "attach":
        assert bool(result.entities) == expected
    elif kind == "expire":
        assert result == expected
        assert gift_cards.expire_gift_cards() == 0  # a second run at the same moment: nothing
    return trial


def run(kind: str, args: list, model: Model, index: int | None, clock: FakeClock):
    if kind == "sell":
        holder = None if args[1] is None else model.customers[args[1]]
        return gift_cards.sell_gift_card(args[0], holder, key=args[2])
    if kind == "redeem":
        code = model.cards[index].code if index is not None else "0000-0000-0000-0000"
        return gift_cards.redeem_gift_card(
            mistyped(code) if args[3] else code, args[1], key=args[2]
        )
    if kind == "reverse":
        entries = [r.entry for r in model.redemptions]
        if args[0] < len(entries):
            return gift_cards.reverse_redemption(entries[args[0]])
        # Past the redemptions: a sale's entry, or one that does not exist; neither reverses.
        sales = database.execute_sql(
            "SELECT id FROM gift_card_entry WHERE kind = 'sale' ORDER BY id"
        ).fetchall()
        return gift_cards.reverse_redemption(sales[0][0] if sales else 10**6 + args[0])
    if kind == "attach":
        return gift_cards.attach_gift_card(model.cards[index].code, model.customers[args[1]])
    if kind == "advance":
        return clock.advance(days=args[0])
    if kind == "expire":
        return gift_cards.expire_gift_cards()
    raise AssertionError(kind)


customer = st.integers(0, CUSTOMERS - 1)
# Mostly amounts a shop takes; now and then none, or more than a card may hold.
amounts = st.integers(1, 8_000) | st.sampled_from([0, 1, 500, 2_000, 5_000, MAX_CENTS + 1])
keys = st.sampled_from([None, None, None, "k1", "k2"])
ARGUMENTS = {
    "sell": (st.integers(1, 8_000) | amounts, st.none() | customer, keys),
    "redeem": (st.integers(0, 20), amounts, keys, st.sampled_from([False] * 5 + [True])),
    "reverse": (st.integers(0, 4),),
    "attach": (st.integers(0, 20), customer),
    "advance": (st.sampled_from([1, 20, 45, 62]),),
    "expire": (),
}
KINDS = ["sell"] * 3 + ["redeem"] * 5 + ["reverse"] * 2 + ["attach", "advance", "expire"]
operations = st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), *ARGUMENTS[kind]))
# Sell, redeem in parts, retry with a key, overdraw, reverse twice, expire and reverse after.
STORY = [
    ("sell", 5_000, 0, "k1"),
    ("sell", 5_000, 0, "k1"),
    ("sell", 2_000, None, None),
    ("redeem", 0, 2_000, "k2", False),
    ("redeem", 0, 2_000, "k2", False),
    ("redeem", 0, 3_001, None, False),
    ("redeem", 1, 500, None, True),
    ("reverse", 0),
    ("reverse", 0),
    ("attach", 1, 1),
    ("attach", 1, 0),
    ("redeem", 0, 1_000, None, False),
    ("advance", 62),
    ("redeem", 0, 1, None, False),
    ("reverse", 1),
    ("expire",),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("gift_cards") / "template.db"
    opened = open_database(path)
    save_settings(gift_card_expiry_months=EXPIRY_MONTHS)
    people = [add_contact(name, "Lee").id for name in ("Ann", "Ben")]
    gone = add_contact("Old", "Gone", archived_at=START).id
    opened.close()
    return path, [*people, gone]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=6, max_size=30))
@example(steps=STORY)
def test_random_operations_keep_every_invariant(template, tmp_path, steps):
    template_path, customers = template
    path = tmp_path / f"shop-{next(_copies)}.db"
    shutil.copy(template_path, path)
    clock = FakeClock(START)
    opened = open_database(path)
    try:
        with mock.patch("relapp.domain.clock.utc_now", clock):
            model = Model(customers, archived=customers[-1])
            rows = check_invariants(model, [])
            for step in steps:
                model = apply(model, step, clock)
                assert model.now == clock.moment
                rows = check_invariants(model, rows)
    finally:
        opened.close()


_copies = itertools.count()
