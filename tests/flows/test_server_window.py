"""The window on a shop server (PostgreSQL): started as `relapp --db postgresql://...` starts
it, a cashier finds a customer and records a sale, and the server holds it; Settings shows the
server (never its password) in place of the file's backups."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from urllib.parse import urlsplit

import psycopg
import pytest
from PySide6.QtWidgets import QApplication

from relapp.db.migrations import LATEST_VERSION
from relapp.db.models import Contact
from relapp.db.server.connection import open_server_database
from relapp.demo.generator import generate_demo_shop
from relapp.domain.contacts.naming import person_name
from relapp.ui.settings.backup_box import BackupBox
from relapp.ui.settings.server_box import ServerBox
from relapp.ui.single_instance import server_name
from tests.flows.harness import Flow, start_server_flow, visible_text

PASSWORD = "s3cret-word"
_databases = itertools.count(1)


@pytest.fixture
def server_flow(qapp, qtbot, tmp_path, server_cluster):
    """The real main window on a 60-customer demo shop on a database of its own on the
    session's cluster; the URL carries a password (the cluster trusts everyone, so it is
    only there to be hidden)."""
    name = f"flow_window_{next(_databases)}"
    plain = server_cluster.create_database(name, template="relapp_template")
    url = plain.replace("relapp@", f"relapp:{PASSWORD}@")
    shop = open_server_database(url)
    generate_demo_shop(60, seed=7, as_of=datetime.now(UTC).date())  # up to today: no round due
    shop.close()
    person = start_server_flow(qtbot, tmp_path, url)
    yield person
    person.close()
    server_cluster.drop_database(name)


def on_the_server(flow: Flow, sql: str, *params):
    """One row read on a connection of its own: what the server holds, committed."""
    with psycopg.connect(str(flow.db_path)) as connection:
        return connection.execute(sql, params).fetchone()


def test_find_a_customer_and_record_a_sale_on_the_server(server_flow: Flow):
    flow = server_flow
    flow.sign_in("Sam", "0000")  # the demo shop has staff PINs: a sale says who made it
    live_people = Contact.select().where(
        Contact.kind == "person",
        Contact.erased_at.is_null(),
        Contact.archived_at.is_null(),
        Contact.card_number.is_null(False),
    )
    # keyClicks types ASCII only.
    customer = next(
        c
        for c in live_people.order_by(Contact.id)
        if f"{c.given_name}{c.family_name}".isascii() and c.family_name.isalpha()
    )
    name = f"{customer.given_name} {customer.family_name}"

    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(name)  # the server's search (pg_trgm) finds them by name
    flow.wait_until(lambda: counter.results_model.rowCount() > 0)
    for _ in range(counter.results_model.rowCount()):
        if counter.shown_contact_id == customer.id:
            break
        flow.press("Down")
    flow.press("Return")  # this one
    assert counter.shown_contact_id == customer.id
    assert customer.given_name in flow.screen_text()

    flow.in_next_dialog(lambda d: (flow.type("12.50"), flow.press("Return")), "Record a sale")
    flow.press("F2")

    sale_id, amount, staff = on_the_server(
        flow,
        "SELECT i.id, i.amount_cents, s.name FROM interaction i JOIN staff s ON s.id = i.staff_id"
        " WHERE i.contact_id = %s AND i.kind = 'purchase' ORDER BY i.id DESC LIMIT 1",
        customer.id,
    )
    assert amount == 1250 and staff.startswith("Sam")
    (earned,) = on_the_server(
        flow,
        "SELECT sum(points) FROM points_entry WHERE interaction_id = %s",
        sale_id,
    )
    balance, ledger = on_the_server(
        flow,
        "SELECT c.points_balance, (SELECT sum(points) FROM points_entry WHERE contact_id = c.id)"
        " FROM contact c WHERE c.id = %s",
        customer.id,
    )
    assert earned > 0
    assert balance == customer.points_balance + earned == ledger
    shown = person_name(customer.given_name, customer.family_name)  # 何洋: as its script writes
    assert (
        f"$12.50 recorded: +{earned} points, {shown} now has {balance:,} points."
        in flow.screen_text()
    )  # the demo shop sells in Australian dollars
    assert flow.window.focusWidget() is counter.search_box  # ready for the next customer


def test_settings_show_the_shop_server_and_its_connection(server_flow: Flow):
    flow = server_flow
    shown = str(flow.db_path).replace(PASSWORD, "***")
    assert PASSWORD not in flow.window.status_label.text()
    assert f"shop server {shown}" in flow.window.status_label.text()

    flow.press("Ctrl+6")
    settings = flow.current_view()
    box = settings.findChild(ServerBox)
    assert box is not None and box.isVisible()
    assert settings.findChild(BackupBox) is None  # a server's backups are not the window's
    flow.wait_until(lambda: box.status.text().startswith("Connected"))
    assert box.status.text().startswith("Connected: PostgreSQL ")
    assert box.status.text().endswith(f", schema {LATEST_VERSION}")
    assert box.schema.text() == str(LATEST_VERSION)
    text = visible_text(settings)
    assert shown in text and PASSWORD not in text
    typed = str(flow.db_path).replace(f":{PASSWORD}", "")  # no "***" to type in a command
    assert f"(the password in ~/.pgpass):\nrelapp backup --db {typed}" in text

    flow.click(box.test_button)  # asked again, on a fresh connection
    assert box.status.text() == "Connecting…"
    flow.wait_until(lambda: box.status.text().startswith("Connected"))

    flow.press("Ctrl+6")  # the cursor back in the first field: the shop's name
    assert settings.shop_name.hasFocus()
    flow.press("Ctrl+A")
    flow.type("Corner Shop")
    flow.press("Ctrl+S")  # saved on the server, for every till
    assert on_the_server(flow, "SELECT value FROM setting WHERE key = 'shop_name'") == (
        "Corner Shop",
    )
    assert "Saved." in visible_text(settings)
    assert flow.window.status_label.text() == f"Corner Shop · shop server {shown}"


def test_help_about_names_the_server_without_its_password(server_flow: Flow):
    flow = server_flow
    seen = {}

    def look(dialog):
        seen["text"] = visible_text(dialog)
        flow.press("Escape")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&About"))
    flow.in_next_dialog(look, "About")
    flow.press("Alt+H")
    flow.wait_for_dialogs()
    assert f"Shop server: {str(flow.db_path).replace(PASSWORD, '***')}" in seen["text"]
    assert PASSWORD not in seen["text"]
    assert QApplication.activeModalWidget() is None


def test_one_window_per_server_database_on_this_pc(tmp_path):
    url = "postgresql://relapp@/shop?host=/run/pg"
    # Not a Path: that would turn postgresql:// into postgresql:/ and lose the host's slash.
    assert server_name(url) == server_name("postgres://relapp:other@/shop?host=/run/pg")
    assert server_name(url) != server_name("postgresql://relapp@/other?host=/run/pg")
    assert server_name(url) != server_name(tmp_path / "shop.db")


def test_test_connection_says_in_one_sentence_why_the_server_cannot_be_used(
    server_flow: Flow, server_cluster
):
    flow = server_flow
    flow.press("Ctrl+6")
    box = flow.current_view().findChild(ServerBox)
    flow.wait_until(lambda: box.status.text().startswith("Connected"))

    server_cluster.drop_database(urlsplit(str(flow.db_path)).path.lstrip("/"))  # gone, say
    flow.click(box.test_button)
    flow.wait_until(lambda: box.test_button.isEnabled())
    shown = str(flow.db_path).replace(PASSWORD, "***")
    assert box.status.text() == (
        f"Cannot use the shop server {shown}: that database does not exist on the server."
    )
    assert box.schema.text() == str(LATEST_VERSION)  # what it was when last asked
