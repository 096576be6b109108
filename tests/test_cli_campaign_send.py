"""`relapp campaign produce --send`, `relapp campaign send` and `relapp campaign outbox` as a
script or the owner would run them, against a real SMTP server on 127.0.0.1, including the
mistakes: one sentence and exit 1, exit 2 for a usage error, nothing produced when sending
cannot happen.

In-process, through relapp.cli.main, so errors go through the same one-line handling.
"""

from __future__ import annotations

import json

import pytest
from keyring.backends import fail

from relapp import cli
from relapp.db.models import Interaction, database
from relapp.db.store.campaigns import campaign
from relapp.domain.campaigns.outbox import save_password
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.shop.settings import save_settings
from tests.factories import add_contact
from tests.mail_server import (
    OPT_OUT,
    PASSWORD,
    USER,
    MailServer,
    MemoryKeyring,
    mail_settings,
    password_store,
)


@pytest.fixture
def keys():
    with password_store(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def server():
    with MailServer() as running:
        yield running


@pytest.fixture
def shop(db, db_path, tmp_path, keys, server):
    """Zoë and Ann agreed to email, Bob to nothing; the shop sends through the test server."""
    zoe = add_contact("Zoë", "O'Brien", email="zoe@example.com")
    ann = add_contact("Ann", "Lee", email="ann@example.net")
    bob = add_contact("Bob", "Ng", email="bob@example.org")
    tag_contacts([zoe.id, ann.id, bob.id], "Regulars")
    for contact in (zoe, ann):
        record_consent(contact.id, "email", True, "in person")
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    save_settings(**mail_settings(server.port))
    save_password("127.0.0.1", USER, PASSWORD)
    template = tmp_path / "message.txt"
    template.write_text("Hi {first_name}, {points} points waiting at {shop_name}!\n")
    return db_path, template


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = cli.main(["campaign", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def create(capsys, path, template, channel="email", name="Newsletter") -> int:
    code, out, err = run(
        capsys, "create", "--db", str(path), "--name", name, "--segment", "Regulars",
        "--channel", channel, "--template", str(template), "--subject", "For {first_name}",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out)["id"]


def statuses() -> list[str]:
    return [row[0] for row in database.execute_sql("SELECT status FROM email_outbox ORDER BY id")]


def test_produce_send_queues_and_sends_each_email_once_with_no_files(shop, capsys, server,
                                                                     tmp_path):  # fmt: skip
    path, template = shop
    number = create(capsys, path, template)
    code, out, err = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 0, err
    assert out.startswith(f"Campaign {number} produced: 2 messages, 0 held out, 1 left out")
    assert out.rstrip().endswith(
        "2 emails queued to send from Relapp. Sent 2 emails; 0 refused; 0 in doubt; 0 waiting."
    )
    assert sorted(received.rcpt_tos[0] for received in server.received) == [
        "ann@example.net", "zoe@example.com",
    ]  # fmt: skip
    for email in server.emails():
        assert email.get_content().rstrip().endswith(OPT_OUT)  # the shop's opt-out text
        assert email["List-Unsubscribe"] == "<https://lantern.example/stop>"
    assert list(tmp_path.glob("*.eml")) == [] and list(tmp_path.glob("*.csv")) == []
    assert Interaction.select().where(Interaction.kind == "campaign").count() == 2

    code, out, _ = run(capsys, "send", "--db", str(path))
    assert (code, out) == (0, "Nothing waits in the outbox.\n")
    assert len(server.received) == 2
    code, out, _ = run(capsys, "outbox", "--db", str(path), "--json")
    data = json.loads(out)
    assert data["totals"]["sent"] == 2 and data["needing_attention"] == []
    assert data["campaigns"] == [{"id": number, "name": "Newsletter", "queued": 0, "sending": 0,
                                  "sent": 2, "failed": 0, "in_doubt": 0}]  # fmt: skip


def test_produce_send_with_out_also_writes_the_files(shop, capsys, server, tmp_path):
    path, template = shop
    number = create(capsys, path, template)
    out_dir = tmp_path / "mail"
    code, out, err = run(
        capsys, "produce", str(number), "--db", str(path), "--send", "--out", str(out_dir),
        "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["queued"] == 2 and data["sending"]["sent"] == 2
    assert len(list((out_dir / f"newsletter-{number}-emails").glob("*.eml"))) == 2


def test_a_temporary_refusal_is_one_sentence_and_the_next_send_finishes(shop, capsys, server):
    path, template = shop
    number = create(capsys, path, template)
    server.rcpt_replies["ann@example.net"] = "451 4.3.0 Try again later"
    code, out, err = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 1
    assert "Sent 1 emails; 0 refused; 0 in doubt; 1 waiting." in out
    assert err == (
        "relapp: The mail server asked Relapp to try again later (451 4.3.0 Try again later);"
        " the emails not sent wait in the outbox and go with the next round.\n"
    )
    assert statuses() == ["sent", "queued"]
    del server.rcpt_replies["ann@example.net"]
    code, out, err = run(capsys, "send", "--db", str(path), "--json")
    assert code == 0, err
    assert json.loads(out) == {"sent": 1, "failed": 0, "in_doubt": 0, "waiting": 0,
                               "stopped": None}  # fmt: skip
    assert statuses() == ["sent", "sent"]


def test_the_outbox_lists_refused_emails_and_sends_again_on_request(shop, capsys, server):
    path, template = shop
    number = create(capsys, path, template)
    server.rcpt_replies["ann@example.net"] = "550 5.1.1 No such user"
    code, out, _ = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 0 and "Sent 1 emails; 1 refused" in out
    code, out, _ = run(capsys, "outbox", "--db", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Outbox: 1 sent, 1 refused."
    assert lines[1] == f"  Newsletter (campaign {number}): 1 sent, 1 refused"
    assert lines[2] == "Refused by the mail server:"
    refused_id = int(lines[3].split()[0])
    assert lines[3].endswith("Ann Lee <ann@example.net>  (Newsletter): 550 5.1.1 No such user")

    del server.rcpt_replies["ann@example.net"]  # the owner had the mailbox made
    code, out, _ = run(capsys, "outbox", "--db", str(path), "--send-again", str(refused_id))
    assert out.startswith("1 emails back in the outbox")
    code, out, _ = run(capsys, "send", "--db", str(path))
    assert (code, out.splitlines()[0]) == (0, "Sent 1 emails; 0 refused; 0 in doubt; 0 waiting.")
    assert statuses() == ["sent", "sent"]


def test_sending_that_cannot_happen_is_refused_before_anything_is_produced(
    shop, capsys, server, tmp_path
):
    path, template = shop
    number = create(capsys, path, template)
    texts = create(capsys, path, template, "sms", "Texts")

    with pytest.raises(SystemExit) as usage:  # a usage error, as argparse tells one
        run(capsys, "produce", str(number), "--db", str(path))
    assert usage.value.code == 2 and "--out DIR" in capsys.readouterr().err

    code, _, err = run(capsys, "produce", str(texts), "--db", str(path), "--send")
    assert code == 1 and "only emails are sent from Relapp" in err and "Traceback" not in err

    with password_store(fail.Keyring()):
        code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 1
    assert err.startswith("relapp: This computer has no password store Relapp can use")
    assert len(err.splitlines()) == 1

    save_settings(smtp_host="")
    code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 1 and "needs the shop's mail server; set it up in Settings" in err

    assert campaign(number).produced_at is None
    assert Interaction.select().where(Interaction.kind == "campaign").count() == 0
    assert statuses() == [] and server.received == []


def test_a_wrong_password_keeps_the_emails_queued(shop, capsys, server):
    path, template = shop
    number = create(capsys, path, template)
    save_password("127.0.0.1", USER, "wrong")
    code, out, err = run(capsys, "produce", str(number), "--db", str(path), "--send")
    assert code == 1
    assert err.startswith("relapp: The mail server 127.0.0.1 refused the user name or password")
    assert statuses() == ["queued", "queued"]  # produced and queued; sent once it is right
    save_password("127.0.0.1", USER, PASSWORD)
    code, out, _ = run(capsys, "send", "--db", str(path))
    assert code == 0 and out.startswith("Sent 2 emails")
