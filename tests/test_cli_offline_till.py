"""A till keeps selling while the shop server is down, and nothing is lost or doubled.

Its own throwaway server (stopped and started in these tests, so the session's is left alone);
the command line as a till's script calls it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pytest

from relapp.cli import main
from relapp.db.models import Contact, database
from relapp.db.server.connection import open_server_database
from relapp.db.server.urls import redact
from tests.factories import add_contact
from tests.server_cluster import ThrowawayCluster

CARDS = ["40001", "40002", "40003", "40004", "40005"]


@pytest.fixture(scope="module")
def cluster():
    # Durable: the session's cluster runs with fsync and synchronous_commit off, which an
    # immediate stop punishes by losing the last commits (seen: 4 of 30 sales gone).
    server = ThrowawayCluster(durable=True).start()
    yield server
    server.remove()


@pytest.fixture
def shop(cluster, tmp_path, monkeypatch, request):
    """A server shop with five card holders; the till's data folder (its outbox) in tmp."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    name = request.node.name[:40].replace("[", "_").replace("]", "_")
    url = cluster.create_database(name)
    open_server_database(url, create=True)
    for number, card in enumerate(CARDS, 1):
        add_contact(f"Customer {number}", "Till", card_number=card)
    database.close()
    yield url
    if not (cluster.data / "postmaster.pid").exists():
        cluster.start()
    cluster.drop_database(name)


def sell(url, card, amount="1.00", key=None, capsys=None):
    args = ["sale", card, "--amount", amount, "--db", url, "--json"]
    if key:
        args += ["--key", key]
    code = main(args)
    out = capsys.readouterr() if capsys else None
    return code, json.loads(out.out) if out and out.out.strip() else None, out


def ledger_is_sound(url):
    open_server_database(url)
    return (
        database.execute_sql(
            "SELECT count(*) FROM contact c WHERE c.points_balance < 0 OR c.points_balance <>"
            " (SELECT coalesce(sum(points), 0) FROM points_entry p WHERE p.contact_id = c.id)"
        ).fetchone()[0]
        == 0
    )


def test_a_stream_of_sales_through_a_server_stop_is_recorded_once_each(shop, cluster, capsys):
    kept = 0
    for number in range(30):
        if number == 10:
            cluster.stop("immediate")  # as a crash or a pulled cable
        if number == 20:
            cluster.start()
        code, answer, _ = sell(shop, CARDS[number % 5], key=f"stream-{number}", capsys=capsys)
        assert code == 0
        kept += bool(answer.get("kept"))
    assert kept == 10  # the ten sold while it was down, kept on the till
    open_server_database(shop)
    keys = [
        row[0]
        for row in database.execute_sql(
            "SELECT sale_key FROM interaction WHERE sale_key LIKE 'stream-%' ORDER BY id"
        )
    ]
    assert sorted(keys) == sorted(f"stream-{n}" for n in range(30))  # each once
    assert ledger_is_sound(shop)
    # Sending again (another command) sends nothing twice.
    assert main(["points", CARDS[0], "--db", shop]) == 0
    assert "sent" not in capsys.readouterr().err


def test_a_kept_sale_keeps_the_moment_the_customer_paid(shop, cluster, capsys):
    sell(shop, CARDS[0], capsys=capsys)  # online: the till copies the card index
    cluster.stop("immediate")
    code, answer, _ = sell(shop, CARDS[1], amount="25.00", key="paid-at-noon", capsys=capsys)
    assert (code, answer["kept"], answer["waiting"]) == (0, True, 1)
    cluster.start()
    assert main(["points", CARDS[1], "--db", shop]) == 0
    assert "sent 1 sale(s)" in capsys.readouterr().err
    kept_at = database.execute_sql(
        "SELECT occurred_at, created_at FROM interaction WHERE sale_key = 'paid-at-noon'"
    ).fetchone()
    assert kept_at[0] <= kept_at[1]  # when the customer paid, not when it was sent


def test_offline_a_card_the_till_never_saw_and_a_redemption_are_refused(shop, cluster, capsys):
    sell(shop, CARDS[0], capsys=capsys)
    cluster.stop("immediate")
    code = main(["sale", "99999", "--amount", "5.00", "--db", shop])
    error = capsys.readouterr().err
    assert code == 1 and "no copy of '99999'" in error and "Traceback" not in error
    code = main(["redeem", CARDS[0], "1", "--db", shop])
    error = capsys.readouterr().err
    assert code == 1 and "redemption needs the balance" in error
    assert error.count("\n") == 1  # one sentence


def _keep_then_die(url: str, data_home: str) -> None:
    """A till process that keeps a sale and is killed the moment keep_sale returns."""
    os.environ["XDG_DATA_HOME"] = data_home
    from relapp.domain.loyalty.offline import keep_sale, till_outbox

    keep_sale(till_outbox(redact(url)), CARDS[2], 1234, "died-after-confirming")
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_kept_sale_survives_the_till_being_killed(shop, cluster, capsys):
    sell(shop, CARDS[0], capsys=capsys)
    cluster.stop("immediate")
    process = multiprocessing.get_context("spawn").Process(
        target=_keep_then_die, args=(shop, os.environ["XDG_DATA_HOME"])
    )
    process.start()
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL
    cluster.start()
    assert main(["points", CARDS[2], "--db", shop]) == 0
    assert "sent 1 sale(s)" in capsys.readouterr().err
    open_server_database(shop)
    contact = Contact.get(Contact.card_number == CARDS[2])
    amount = database.execute_sql(
        "SELECT amount_cents FROM interaction WHERE sale_key = 'died-after-confirming'"
        " AND contact_id = ?",
        (contact.id,),
    ).fetchone()
    assert amount == (1234,)
