"""The window's Counter keeps selling while the shop server is down (issue 16): a scanned card
is found in the till's copy of the card index and shown marked offline, F2 keeps the sale on
the till, the Counter says so with the sales waiting to send, F3 is refused in one sentence,
and once the server answers again the sale is sent, exactly once. Quitting with a sale waiting
asks first.

Its own durable server, stopped and started here (the session's runs with fsync and
synchronous_commit off, which an immediate stop punishes by losing commits; see
tests/test_cli_offline_till.py).
"""

from __future__ import annotations

import gc
import itertools
from datetime import UTC, datetime

import psycopg
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from relapp.db.models import Contact
from relapp.db.server.connection import open_server_database
from relapp.demo.generator import generate_demo_shop
from relapp.ui import till_outbox_status
from tests.flows.harness import Flow, start_server_flow, visible_text

_databases = itertools.count(1)
REDEEM_REFUSED = (
    "The shop server is not answering: a redemption needs the balance as it is now; sales are"
    " kept on this till meanwhile."
)
SENDING_MS = 30_000  # a check each second here (every ten in the shop), a fresh connection


@pytest.fixture(scope="module")
def cluster():
    from tests.server_cluster import ThrowawayCluster, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayCluster(durable=True).start()
    yield server
    server.remove()


def server_is_up(cluster) -> bool:
    return (cluster.data / "postmaster.pid").exists()


@pytest.fixture
def till_flow(qapp, qtbot, tmp_path, cluster, monkeypatch):
    """The real window on a 60-customer demo shop on the module's own server; the till's
    outbox in tmp (its user data folder); the server looked at every second."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(till_outbox_status, "CHECK_EVERY_SECONDS", 1.0)
    name = f"till_window_{next(_databases)}"
    url = cluster.create_database(name)
    shop = open_server_database(url, create=True)
    generate_demo_shop(60, seed=7, as_of=datetime.now(UTC).date())  # up to today: no round due
    shop.close()
    person = start_server_flow(qtbot, tmp_path, url)
    yield person
    if not server_is_up(cluster):
        cluster.start()  # a test that failed half way: its kept sales go before closing
    till = person.window.till
    try:
        qtbot.waitUntil(lambda: till.waiting == 0, timeout=SENDING_MS)
    except Exception:
        person.window.quit_confirmed = True  # not sent: closing must not ask (nobody would answer)
        raise
    finally:
        person.close()
        # The lost connection's exceptions form reference cycles through this test's frames,
        # so the window (Python's to delete) would go whenever the garbage collector next
        # runs: in the middle of the next test's QApplication.setStyleSheet, which then
        # polishes freed widgets (a segmentation fault). It goes now.
        gc.collect()
        cluster.drop_database(name)


def on_the_server(flow: Flow, sql: str, *params):
    """One row read on a connection of its own: what the server holds, committed."""
    with psycopg.connect(str(flow.db_path)) as connection:
        return connection.execute(sql, params).fetchone()


def card_holders(count: int) -> list[Contact]:
    """Customers with a card who can buy (read while the server is up)."""
    return list(
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Contact.id)
        .limit(count)
    )


def sell(flow: Flow, amount: str) -> None:
    """F2 on the customer shown, the amount typed, Enter."""
    flow.in_next_dialog(lambda d: (flow.type(amount), flow.press("Return")), "Record a sale")
    flow.press("F2")
    flow.wait_for_dialogs()


def scan(flow: Flow, card: str) -> None:
    flow.type(card)
    flow.press("Return")


def ready_to_sell(flow: Flow) -> None:
    """Signed in (the demo shop's sales record who made them) and the card index copied to
    the till (the window's first look at the server does it)."""
    flow.sign_in("Sam", "0000")
    flow.wait_until(lambda: flow.window.till.cards_seen is not None, 10_000)
    flow.press("Ctrl+1")


def test_a_sale_while_the_server_is_down_is_kept_then_sent_once(till_flow: Flow, cluster):
    flow = till_flow
    till = flow.window.till
    ready_to_sell(flow)
    counter = flow.current_view()
    ann, bob = card_holders(2)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")

    scan(flow, ann.card_number)
    assert counter.shown_contact_id == ann.id
    sell(flow, "5.00")  # online: recorded on the server at once
    assert "$5.00 recorded" in flow.screen_text()
    assert till.waiting == 0 and "waiting to send" not in flow.screen_text()

    cluster.stop("immediate")  # as a crash or a pulled cable
    flow.type("Smith")  # a name: only cards can be found without the server
    flow.press("Return")
    assert counter.result_count.text() == (
        "The shop server is not answering: only a card can be found until it is back; scan"
        " the customer's card."
    )
    assert not till.online
    assert "Offline: the shop server is not answering." in counter.offline_banner.text()
    assert "Offline: shop server not answering" in flow.window.till_label.text()
    flow.press("Escape")

    scan(flow, bob.card_number)  # found in the till's copy of the cards
    assert counter.shown_contact_id == bob.id
    seen = f"{till.cards_seen.astimezone():%H:%M}"
    screen = flow.screen_text()
    assert f"offline: balance as of {seen}" in screen
    assert f"{bob.points_balance:,}" == counter.panel.points.text()
    name = counter.shown_offline.name

    sell(flow, "12.34")
    text = counter.confirmation.text()
    assert text == (
        f"$12.34 kept on this till for {name}: the shop server is not answering, so the sale is"
        " sent when it is back and its points are added then. Balance as of"
        f" {seen}: {bob.points_balance:,} points."
    )
    assert not counter.confirmation.property("warning")  # done, not refused
    assert till.waiting == 1
    assert "1 sale waiting to send" in counter.offline_banner.text()
    assert "1 sale waiting to send" in flow.window.till_label.text()
    assert flow.window.focusWidget() is counter.search_box  # ready for the next customer

    scan(flow, bob.card_number)
    flow.press("F3")  # a redemption needs the server: one sentence, no dialog
    assert counter.confirmation.text() == REDEEM_REFUSED
    assert counter.confirmation.property("warning")
    assert QApplication.activeModalWidget() is None
    flow.press("Ctrl+N")  # nor can a customer be enrolled
    assert counter.confirmation.text().startswith("The shop server is not answering: enrolling")
    assert QApplication.activeModalWidget() is None

    cluster.start()
    flow.wait_until(lambda: till.online and till.waiting == 0, SENDING_MS)
    assert "waiting to send" not in flow.screen_text()
    assert not flow.window.till_label.isVisible()
    assert not counter.offline_banner.isVisible()
    assert flow.status_text() == "1 sale kept while the shop server was away has been sent."

    count, amount, staff, kept_at = on_the_server(
        flow,
        "SELECT count(*), min(i.amount_cents), min(s.name), min(i.occurred_at) FROM interaction i"
        " JOIN staff s ON s.id = i.staff_id"
        " WHERE i.contact_id = %s AND i.kind = 'purchase' AND i.created_at >= %s",
        bob.id,
        started,
    )
    assert (count, amount) == (1, 1234)  # once, for the amount paid
    assert staff.startswith("Sam") and kept_at >= started
    balance, ledger, earned = on_the_server(
        flow,
        "SELECT c.points_balance, (SELECT sum(points) FROM points_entry WHERE contact_id = c.id),"
        " (SELECT sum(p.points) FROM points_entry p JOIN interaction i ON i.id = p.interaction_id"
        "  WHERE i.contact_id = c.id AND i.created_at >= %s) FROM contact c WHERE c.id = %s",
        started,
        bob.id,
    )
    assert earned > 0 and balance == ledger == bob.points_balance + earned
    # The Counter shows the whole customer again, with the points the sale earned.
    flow.wait_until(lambda: counter.shown_offline is None and counter.shown_profile is not None)
    assert counter.panel.points.text() == f"{balance:,}"
    assert "offline: balance as of" not in flow.screen_text()


def test_quitting_with_a_sale_waiting_asks_first(till_flow: Flow, cluster):
    flow = till_flow
    till = flow.window.till
    ready_to_sell(flow)
    counter = flow.current_view()
    (ann,) = card_holders(1)

    cluster.stop("immediate")
    scan(flow, ann.card_number)
    assert counter.shown_offline is not None
    sell(flow, "7.50")
    assert till.waiting == 1
    asked = {}

    def stay(dialog: QMessageBox) -> None:
        asked["text"] = visible_text(dialog)
        flow.click(dialog.button(QMessageBox.StandardButton.Cancel))

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Quit"))
    flow.in_next_dialog(stay, "Quit with sales waiting to send?")
    flow.press("Alt+F")  # File > Quit
    flow.wait_for_dialogs()
    assert "1 sale kept on this till is waiting to send." in asked["text"]
    assert (
        "It is safe on this PC and is sent the next time Relapp reaches the shop server"
        " from this till." in asked["text"]
    )
    assert flow.window.isVisible()  # Cancel: the window stays
    assert till.waiting == 1

    cluster.start()
    flow.wait_until(lambda: till.waiting == 0, SENDING_MS)
    (count,) = on_the_server(
        flow,
        "SELECT count(*) FROM interaction WHERE contact_id = %s AND amount_cents = 750"
        " AND kind = 'purchase' AND created_at >= %s",
        ann.id,
        datetime.now(UTC).strftime("%Y-%m-%d 00:00:00"),
    )
    assert count == 1


def test_a_sale_whose_server_goes_away_while_the_amount_is_typed_is_kept(till_flow, cluster):
    flow = till_flow
    till = flow.window.till
    ready_to_sell(flow)
    counter = flow.current_view()
    (ann,) = card_holders(1)
    scan(flow, ann.card_number)  # online: the whole profile
    assert counter.shown_profile is not None and till.online
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")

    def pay(dialog) -> None:
        cluster.stop("immediate")  # the cable pulled while the customer pays
        flow.type("9.90")
        flow.press("Return")

    flow.in_next_dialog(pay, "Record a sale")
    flow.press("F2")
    flow.wait_for_dialogs()
    assert counter.confirmation.text().startswith(f"$9.90 kept on this till for {ann.given_name}")
    assert till.waiting == 1 and not till.online
    assert counter.shown_offline is not None  # the customer as the till's copy has them
    assert "offline: balance as of" in flow.screen_text()

    cluster.start()
    flow.wait_until(lambda: till.online and till.waiting == 0, SENDING_MS)
    (count,) = on_the_server(
        flow,
        "SELECT count(*) FROM interaction WHERE contact_id = %s AND amount_cents = 990"
        " AND created_at >= %s",
        ann.id,
        started,
    )
    assert count == 1
