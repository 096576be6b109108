"""Several tills on one shop server at once: no balance below zero, no entry lost or doubled.

Real processes, each with its own connection, as four tills would be; then the database's
own arithmetic is the judge: every balance equals the sum of its ledger entries, none is
negative, and every sale and redemption a till was told succeeded is in the ledger once.
"""

from __future__ import annotations

import multiprocessing
import random
import threading

import pytest

from relapp.db.models import database
from relapp.db.server.connection import ServerDatabase, open_server_database

TILLS = 4
OPERATIONS_PER_TILL = 300
CUSTOMERS = 20
REWARD_COST = 50


def _till(url: str, till: int, contact_ids: list[int], reward_id: int, results) -> None:
    """One till: sales and redemptions on the same few customers, as fast as it can."""
    from relapp.domain.loyalty.points import redeem_reward
    from relapp.domain.loyalty.sales import record_sale
    from relapp.errors import RelappError

    open_server_database(url)
    rng = random.Random(till)
    sold = redeemed = refused = 0
    for number in range(OPERATIONS_PER_TILL):
        contact_id = rng.choice(contact_ids)
        if rng.random() < 0.5:
            record_sale(contact_id, rng.randint(100, 5000), sale_key=f"till{till}-{number}")
            sold += 1
        else:
            try:
                redeem_reward(contact_id, reward_id)
                redeemed += 1
            except RelappError:
                refused += 1  # not enough points just now: the counter says so
    results.put((sold, redeemed, refused))


@pytest.fixture
def shop(server_cluster):
    """A server shop with CUSTOMERS customers holding a few points each and one reward."""
    from relapp.db.models import Reward
    from relapp.domain.clock import utc_now
    from relapp.domain.loyalty.sales import record_sale
    from tests.factories import add_contact

    url = server_cluster.create_database("tills", template="relapp_template")
    open_server_database(url)
    contact_ids = [add_contact(given_name=f"Customer {n}").id for n in range(CUSTOMERS)]
    for contact_id in contact_ids:
        record_sale(contact_id, 2000)
    reward_id = Reward.create(name="Free coffee", points_cost=REWARD_COST, created_at=utc_now()).id
    database.close()
    yield url, contact_ids, reward_id
    server_cluster.drop_database("tills")


def test_four_tills_selling_and_redeeming_at_once_keep_every_balance_true(shop):
    url, contact_ids, reward_id = shop
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    tills = [
        context.Process(target=_till, args=(url, till, contact_ids, reward_id, results))
        for till in range(TILLS)
    ]
    for till in tills:
        till.start()
    outcomes = [results.get(timeout=300) for _ in tills]
    for till in tills:
        till.join(timeout=60)
        assert till.exitcode == 0
    open_server_database(url)
    sold = sum(outcome[0] for outcome in outcomes)
    redeemed = sum(outcome[1] for outcome in outcomes)
    assert sold + redeemed + sum(outcome[2] for outcome in outcomes) == TILLS * OPERATIONS_PER_TILL
    assert redeemed > 0  # the test raced redemptions, not only sales
    mismatched = database.execute_sql(
        "SELECT c.id, c.points_balance, coalesce(sum(p.points), 0) FROM contact c"
        " LEFT JOIN points_entry p ON p.contact_id = c.id GROUP BY c.id"
        " HAVING c.points_balance <> coalesce(sum(p.points), 0) OR c.points_balance < 0"
    ).fetchall()
    assert mismatched == []
    purchases = database.execute_sql(
        "SELECT count(*) FROM interaction WHERE sale_key LIKE 'till%'"
    ).fetchone()[0]
    redemptions = database.execute_sql(
        "SELECT count(*) FROM points_entry WHERE kind = 'redeem'"
    ).fetchone()[0]
    assert (purchases, redemptions) == (sold, redeemed)


def test_the_database_itself_refuses_two_spends_of_the_same_points(shop):
    """Below the domain: two connections insert a redemption of the whole balance at the same
    moment. The trigger locks the customer's row, so the second waits, sees the first, and is
    refused; the balance never goes below zero."""
    url, contact_ids, reward_id = shop
    open_server_database(url)
    contact_id = contact_ids[0]
    balance = database.execute_sql(
        "SELECT points_balance FROM contact WHERE id = ?", (contact_id,)
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
                    "INSERT INTO points_entry (contact_id, kind, points, occurred_at,"
                    " reward_id, reason) VALUES (?, 'redeem', ?, '2026-12-05 12:00:00', ?, 'x')",
                    (contact_id, -balance, reward_id),
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
        "not enough points: a balance cannot go negative",
        "spent",
    ]
    open_server_database(url)
    assert (
        database.execute_sql(
            "SELECT points_balance FROM contact WHERE id = ?", (contact_id,)
        ).fetchone()[0]
        == 0
    )
