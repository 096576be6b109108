"""Gift cards on one shop server from several tills at once: no card below zero, no
redemption lost or doubled, and below the domain the database itself refuses a second spend
of the same money."""

from __future__ import annotations

import multiprocessing
import random
import threading

import pytest

from relapp.db.models import database
from relapp.db.server.connection import ServerDatabase, open_server_database

TILLS = 4
OPERATIONS_PER_TILL = 60
CARDS = 5


def _till(url: str, till: int, codes: list[str], results) -> None:
    """One till: redemptions of a few dollars from the same few cards, as fast as it can."""
    from relapp.domain.giftcards.cards import NotEnoughOnCard
    from relapp.domain.giftcards.ledger import redeem_gift_card

    open_server_database(url)
    rng = random.Random(till)
    taken: list[tuple[str, int]] = []
    refused = 0
    for number in range(OPERATIONS_PER_TILL):
        code, amount = rng.choice(codes), rng.randint(100, 900)
        try:
            redeem_gift_card(code, amount, key=f"till{till}-{number}")
            taken.append((code, amount))
        except NotEnoughOnCard:
            refused += 1  # what is left is less: the till is told so
    results.put((taken, refused))


@pytest.fixture
def shop(server_cluster):
    """A server shop with CARDS gift cards of $50.00 each."""
    from relapp.domain.giftcards.ledger import sell_gift_card

    url = server_cluster.create_database("gift_tills", template="relapp_template")
    open_server_database(url)
    codes = [sell_gift_card(5000).card.code for _ in range(CARDS)]
    database.close()
    yield url, codes
    server_cluster.drop_database("gift_tills")


def test_four_tills_redeeming_at_once_never_overdraw_and_lose_nothing(shop):
    url, codes = shop
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    tills = [context.Process(target=_till, args=(url, till, codes, results))
             for till in range(TILLS)]  # fmt: skip
    for till in tills:
        till.start()
    outcomes = [results.get(timeout=300) for _ in tills]
    for till in tills:
        till.join(timeout=60)
        assert till.exitcode == 0
    open_server_database(url)
    taken = [entry for outcome in outcomes for entry in outcome[0]]
    assert sum(outcome[1] for outcome in outcomes) > 0  # the cards ran dry: a real race
    mismatched = database.execute_sql(
        "SELECT g.id, g.balance_cents, coalesce(sum(e.amount_cents), 0) FROM gift_card g"
        " LEFT JOIN gift_card_entry e ON e.card_id = g.id GROUP BY g.id, g.balance_cents"
        " HAVING g.balance_cents <> coalesce(sum(e.amount_cents), 0) OR g.balance_cents < 0"
    ).fetchall()
    assert mismatched == []
    for code in codes:  # every redemption a till was told of is in the ledger, once
        told = sum(amount for taken_code, amount in taken if taken_code == code)
        balance = database.execute_sql(
            "SELECT balance_cents FROM gift_card WHERE code = ?", (code,)
        ).fetchone()[0]
        assert balance == 5000 - told
    redemptions = database.execute_sql(
        "SELECT count(*) FROM gift_card_entry WHERE kind = 'redeem'"
    ).fetchone()[0]
    assert redemptions == len(taken)


def test_the_database_itself_refuses_two_spends_of_the_same_money(shop):
    """Two connections insert a redemption of the whole balance at the same moment: the
    trigger locks the card's row, so the second waits, sees the first, and is refused."""
    url, codes = shop
    open_server_database(url)
    card_id = database.execute_sql(
        "SELECT id FROM gift_card WHERE code = ?", (codes[0],)
    ).fetchone()[0]
    database.close()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def spend_everything() -> None:
        connection = ServerDatabase(url)
        start.wait()
        try:
            with connection.atomic():
                connection.execute_sql(
                    "INSERT INTO gift_card_entry (card_id, kind, amount_cents, occurred_at)"
                    " VALUES (?, 'redeem', -5000, '2026-12-05 12:00:00')",
                    (card_id,),
                )
            outcomes.append("spent")
        except Exception as error:  # the refused one
            outcomes.append(str(error).splitlines()[0])
        finally:
            connection.close()

    spenders = [threading.Thread(target=spend_everything) for _ in range(2)]
    for spender in spenders:
        spender.start()
    for spender in spenders:
        spender.join()
    assert sorted(outcomes) == [
        "not enough on the gift card: a balance cannot go negative",
        "spent",
    ]
    open_server_database(url)
    balance = database.execute_sql(
        "SELECT balance_cents FROM gift_card WHERE id = ?", (card_id,)
    ).fetchone()[0]
    assert balance == 0


def test_another_till_hears_of_a_card_sold_and_redeemed(shop):
    """The server's notice for gift cards reaches a listening till, which refreshes what
    shows gift cards (the customer panel)."""
    import subprocess
    import sys
    import time

    from relapp.db.server.notifications import ChangeListener
    from relapp.domain.changes import Entity
    from relapp.ui.outside_changes import change_of

    url, codes = shop
    listener = ChangeListener(url)
    try:
        assert listener.wait(0.05) == []  # listening now
        redeemed = subprocess.run(
            [sys.executable, "-m", "relapp", "giftcard", "redeem", codes[1], "--amount", "1",
             "--db", url], capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert redeemed.returncode == 0, redeemed.stderr
        heard: list = []
        deadline = time.monotonic() + 10
        while not heard and time.monotonic() < deadline:
            heard = listener.wait(0.5)
    finally:
        listener.close()
    assert [change.table for change in heard] == ["gift_card"]
    assert change_of(heard).touches(Entity.GIFT_CARDS)


def test_a_shop_file_with_gift_cards_moves_onto_a_server_with_its_balances(new_database, tmp_path):
    """Moving a shop (db/server/copy) copies the cards and their ledgers as they are; on
    the server they go on working: the triggers are back."""
    from relapp.db.connection import open_database
    from relapp.db.server.copy import migrate_shop
    from relapp.domain.giftcards.cards import NotEnoughOnCard, find_gift_card
    from relapp.domain.giftcards.ledger import redeem_gift_card, sell_gift_card

    path = tmp_path / "shop.db"
    shop = open_database(path)
    code = sell_gift_card(5000).card.code
    redeem_gift_card(code, 1250)
    shop.close()
    url = new_database()
    migrate_shop(path, url)
    open_server_database(url)
    assert find_gift_card(code).balance_cents == 3750
    with pytest.raises(NotEnoughOnCard):
        redeem_gift_card(code, 3751)
    assert redeem_gift_card(code, 3750).card.balance_cents == 0
    assert find_gift_card(sell_gift_card(100).card.code).balance_cents == 100  # ids moved on
