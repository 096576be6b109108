"""Sending email campaigns from the real window: the owner sets the mail server up in Settings
(the password reaching the password store, never the database) and sends a test email; an
email campaign produced "Send from Relapp" reaches a real SMTP server on 127.0.0.1, once per
customer; the Outbox (Campaigns, Alt+B) shows what was sent, refused and in doubt, sends an
in-doubt email again after asking, and marks another sent; emails left waiting go when the
window starts again, and a computer without a password store is told, not a failed start."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store import outbox as outbox_store
from relapp.db.store.campaigns import campaign_named
from relapp.domain.campaigns.campaigns import audience, create_campaign, produce_campaign
from relapp.domain.campaigns.outbox import STALE_AFTER, save_password
from relapp.domain.clock import utc_now
from relapp.domain.shop.settings import save_settings
from relapp.exchange.campaign_output import emails_to_send
from relapp.ui.app import start_main_window
from tests.flows.harness import Flow
from tests.mail_server import (
    OPT_OUT,
    SENDER,
    TYPED_PASSWORD,
    USER,
    MailServer,
    MemoryKeyring,
    mail_settings,
    password_store,
)

SEGMENT = "Email newsletter"
TEMPLATE = "Hello {first_name}, spring is here at {shop_name}!"


@pytest.fixture
def keys():
    with password_store(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def server():
    with MailServer(TYPED_PASSWORD) as running:
        yield running


def set_up_sending(server: MailServer) -> None:
    save_settings(**mail_settings(server.port))
    save_password("127.0.0.1", USER, TYPED_PASSWORD)


def queue_campaign(name: str = "Spring mail") -> list[str]:
    """An email campaign produced to send from Relapp, nothing sent yet; its recipients."""
    create_campaign(name, SEGMENT, "email", TEMPLATE, subject="Spring at {shop_name}")
    made = campaign_named(name)
    emails = partial(emails_to_send, sender=SENDER, opt_out=OPT_OUT)
    produce_campaign(made.id, None, emails=emails)
    return [row[0] for row in database.execute_sql("SELECT recipient FROM email_outbox")]


def statuses() -> dict[str, str]:
    return dict(database.execute_sql("SELECT recipient, status FROM email_outbox").fetchall())


def reopen(flow: Flow) -> Flow:
    """Close the window and start it again on the same shop, as the owner does tomorrow."""
    flow.close()
    running = start_main_window(flow.db_path)
    flow.qtbot.addWidget(running.window)
    flow.qtbot.waitExposed(running.window)
    return Flow(flow.qtbot, running, flow.db_path)


def button(box, text: str):
    return next(each for each in box.buttons() if each.text() == text)


def file_dump(path: Path) -> str:
    """Everything the shop file holds, as SQL text (read by a connection of its own)."""
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def test_the_mail_server_is_set_in_settings_and_a_test_email_goes(flow: Flow, keys, server):
    flow.press("Ctrl+6")
    settings = flow.current_view()
    flow.qtbot.mouseClick(settings.shop_name, Qt.MouseButton.LeftButton)
    box = settings.email
    assert box.password_state.text() == "A password is asked for only with a user name."
    flow.press("Alt+G")  # Outgoing mail server
    assert box.host.hasFocus()
    flow.type("127.0.0.1")
    flow.press("Tab")
    flow.press("Ctrl+A")
    flow.type(str(server.port))
    flow.press("Tab")
    assert box.security.hasFocus()
    flow.type("N")  # None: a server on this network
    assert box.security.currentData() == "none"
    assert box.port.value() == server.port  # a port typed stays
    flow.press("Tab")
    flow.type(USER)
    flow.press("Tab")
    assert box.password.hasFocus()
    flow.type(TYPED_PASSWORD)
    flow.press("Alt+D")  # Sender (From)
    flow.type(SENDER)
    flow.press("Alt+X")  # Opt-out text
    flow.type(OPT_OUT)
    flow.press("Ctrl+S")
    assert settings.saved_note.text() == "Saved."

    assert keys.passwords == {("relapp-smtp", f"{USER}@127.0.0.1"): TYPED_PASSWORD}
    assert box.password.text() == ""  # never shown again
    assert box.password_state.text().startswith("A password is saved on this computer")
    dump = file_dump(flow.db_path)
    assert "smtp_host" in dump and "shop@lantern.example" in dump and OPT_OUT in dump
    assert TYPED_PASSWORD not in dump and "s3cret" not in dump
    stored = dict(database.execute_sql("SELECT key, value FROM setting").fetchall())
    assert {key: stored[key] for key in ("smtp_host", "smtp_port", "smtp_security")} == {
        "smtp_host": "127.0.0.1", "smtp_port": str(server.port), "smtp_security": "none",
    }  # fmt: skip
    seen = {}

    def address(dialog):
        seen["default"] = dialog.textValue()
        flow.press("Return")

    def told(box_dialog):
        seen["told"] = box_dialog.text()
        flow.press("Return")

    flow.in_next_dialog(address, "Send a test email")
    flow.in_next_dialog(told, "Send a test email")
    flow.click(box.test_button)
    flow.wait_for_dialogs()
    assert seen["default"] == "shop@lantern.example"
    assert seen["told"] == "The mail server took a test email to shop@lantern.example."
    [received] = server.received
    assert received.rcpt_tos == ["shop@lantern.example"]
    assert OPT_OUT in received.email().get_content()

    flow.press("Alt+X")
    flow.press("Ctrl+S")
    assert settings.saved_note.text() == "Nothing to save."


def test_a_wrong_setting_or_no_password_store_saves_nothing(flow: Flow, server):
    flow.press("Ctrl+6")
    settings = flow.current_view()
    box = settings.email
    box.host.setFocus()
    flow.type("smtp example com")  # spaces: not a server's name
    flow.press("Ctrl+S")
    assert settings.problems.isVisible()
    assert "A mail server is a name such as smtp.example.com" in settings.problems.text()
    assert "Every email must end with a way to opt out" in settings.problems.text()

    with password_store(fail.Keyring()):
        box.host.setFocus()
        flow.press("Ctrl+A")
        flow.type("127.0.0.1")
        box.username.setFocus()
        flow.type(USER)
        box.password.setFocus()
        flow.type(TYPED_PASSWORD)
        flow.press("Alt+D")
        flow.type(SENDER)
        flow.press("Alt+X")
        flow.type(OPT_OUT)
        flow.press("Ctrl+S")
        assert settings.problems.text().startswith(
            "This computer has no password store Relapp can use (a keyring)"
        )
    stored = dict(database.execute_sql("SELECT key, value FROM setting").fetchall())
    assert "smtp_host" not in stored  # nothing was saved
    assert TYPED_PASSWORD not in file_dump(flow.db_path)


def test_produce_an_email_campaign_sending_it_from_relapp_then_see_the_outbox(
    flow: Flow, keys, server
):
    set_up_sending(server)
    create_campaign("Spring mail", SEGMENT, "email", TEMPLATE, subject="Spring at {shop_name}")
    reached = len(audience(SEGMENT, "email").reached)
    assert reached > 5, "the demo shop has customers who agreed to email"
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")
    view = flow.current_view()
    seen = {}

    def how(dialog):
        seen["send"] = (dialog.send.isChecked(), dialog.send.text())
        seen["from"] = dialog.sender.text()
        flow.press("Return")  # Produce

    def told(box):
        seen["told"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(how, "Produce Spring mail")
    flow.in_next_dialog(told, "Campaign produced")
    flow.press("Alt+P")
    flow.wait_for_dialogs(60_000)

    assert seen["send"] == (True, "&Send from Relapp through 127.0.0.1")  # the default
    assert seen["from"] == SENDER  # the shop's Email settings
    assert f"{reached:,} emails went into the outbox." in seen["told"]
    assert f"Sent {reached:,} emails." in seen["told"]
    addresses = [received.rcpt_tos[0] for received in server.received]
    queued = [row[0] for row in database.execute_sql("SELECT recipient FROM email_outbox")]
    assert len(queued) == reached and sorted(addresses) == sorted(queued)  # each one once
    for email in server.emails()[:5]:
        assert email.get_content().rstrip().endswith(OPT_OUT)
        assert email["List-Unsubscribe"] == "<https://lantern.example/stop>"
        assert email["Subject"] == "Spring at Lantern Lane"
    assert set(statuses().values()) == {"sent"}

    def outbox(dialog):
        seen["summary"] = dialog.summary.text()
        table = dialog.campaigns
        seen["row"] = [table.item(0, column).text() for column in range(table.columnCount())]
        seen["attention"] = dialog.attention_title.text()
        seen["send enabled"] = dialog.send_button.isEnabled()
        flow.press("Escape")

    flow.in_next_dialog(outbox, "Outbox")
    flow.press("Alt+B")
    flow.wait_for_dialogs()
    assert seen["summary"] == f"{reached:,} sent."
    assert seen["row"] == ["Spring mail", "0", "0", f"{reached:,}", "0", "0"]
    assert seen["attention"] == "Nothing refused or in doubt."
    assert not seen["send enabled"]  # nothing waits
    assert view.outbox_button.text() == "Out&box…"


def test_the_outbox_tells_refused_and_in_doubt_emails_and_acts_on_them(flow: Flow, keys, server):
    set_up_sending(server)
    recipients = queue_campaign()
    refused, doubtful, found_sent = recipients[0], recipients[1], recipients[2]
    server.rcpt_replies[refused] = "550 5.1.1 No such user here"
    # Two emails were on their way when the power went, long enough ago to be in doubt.
    long_ago = format_timestamp(utc_now() - STALE_AFTER - timedelta(minutes=1))
    with write_transaction():
        for address in (doubtful, found_sent):
            [message_id] = database.execute_sql(
                "SELECT id FROM email_outbox WHERE recipient = ?", (address,)
            ).fetchone()
            assert outbox_store.claim(message_id, long_ago)
    flow.press("Ctrl+7")
    seen = {}

    def act(dialog):
        seen["before"] = dialog.summary.text()
        flow.press("Alt+S")  # Send now
        flow.wait_until(lambda: dialog.result.isVisible(), 60_000)
        seen["result"] = dialog.result.text()
        seen["rows"] = {
            dialog.messages.item(row, 1).text(): (
                dialog.messages.item(row, 3).text(), dialog.messages.item(row, 4).text()
            )
            for row in range(dialog.messages.rowCount())
        }  # fmt: skip
        # The in-doubt email the owner did not find in the Sent folder: send it again.
        choose(dialog, doubtful)
        flow.in_next_dialog(lambda box: flow.click(button(box, "Send again")), "Send again?")
        flow.press("Alt+A")  # a mnemonic clicks its button a moment later
        flow.wait_until(lambda: dialog.result.text().endswith("Send now sends them."))
        seen["again"] = dialog.result.text()
        # The one found in the Sent folder: marked sent.
        choose(dialog, found_sent)
        flow.press("Alt+M")
        flow.wait_until(lambda: dialog.result.text().endswith("marked sent."))
        seen["marked"] = dialog.result.text()
        flow.press("Alt+S")
        flow.wait_until(lambda: dialog.result.text().startswith("Sent 1 emails."), 30_000)
        seen["after"] = dialog.summary.text()
        flow.press("Escape")

    def choose(dialog, address):
        table = dialog.messages
        table.setFocus()
        for row in range(table.rowCount()):
            if table.item(row, 1).text() == address:
                table.selectRow(row)
                return
        raise AssertionError(f"{address} is not listed")

    flow.in_next_dialog(act, "Outbox")
    flow.press("Alt+B")
    flow.wait_for_dialogs(90_000)

    total = len(recipients)
    assert seen["before"] == f"{total - 2:,} waiting, 2 in doubt."
    assert seen["result"].startswith(f"Sent {total - 3:,} emails. 1 refused by the mail server.")
    assert seen["rows"][refused] == ("Refused", "550 5.1.1 No such user here")
    assert seen["rows"][doubtful][0] == "In doubt"
    assert "check the Sent folder of the mail account" in seen["rows"][doubtful][1]
    assert seen["again"] == "1 emails are back in the outbox; Send now sends them."
    assert seen["marked"] == "1 emails marked sent."
    assert seen["after"] == f"{total - 1:,} sent, 1 refused."
    delivered = [received.rcpt_tos[0] for received in server.received]
    assert delivered.count(doubtful) == 1 and found_sent not in delivered
    assert refused not in delivered
    assert statuses()[found_sent] == "sent" and statuses()[refused] == "failed"


def test_emails_left_waiting_go_when_the_window_starts_again(flow: Flow, keys, server):
    set_up_sending(server)
    recipients = queue_campaign()
    again = reopen(flow)
    try:
        again.wait_until(lambda: len(server.received) == len(recipients), 60_000)
        view = again.window.views["campaigns"]
        again.wait_until(lambda: not view.outbox_resume.is_sending())
        again.wait_until(lambda: again.status_text().startswith("Sent "))
        assert again.status_text() == f"Sent {len(recipients):,} emails."
        assert set(statuses().values()) == {"sent"}
    finally:
        again.close()


def test_a_start_without_a_password_store_says_so_and_keeps_the_emails(flow: Flow, server):
    with password_store(MemoryKeyring()):
        set_up_sending(server)
        queue_campaign()
    with password_store(fail.Keyring()):
        again = reopen(flow)
        try:
            view = again.window.views["campaigns"]
            again.wait_until(lambda: "no password store" in again.status_text(), 10_000)
            again.wait_until(lambda: not view.outbox_resume.is_sending())
            assert again.status_text().startswith(
                "Campaign emails not sent: This computer has no password store"
            )
            seen = {}

            def outbox(dialog):
                seen["server"] = dialog.server.text()
                seen["send enabled"] = dialog.send_button.isEnabled()
                again.press("Escape")

            again.press("Ctrl+7")
            again.in_next_dialog(outbox, "Outbox")
            again.press("Alt+B")
            again.wait_for_dialogs()
        finally:
            again.close()
    assert seen["server"].startswith("This computer has no password store")
    assert not seen["send enabled"]
    assert set(statuses().values()) == {"queued"} and server.received == []
