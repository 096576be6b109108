"""Sending a campaign's emails from Relapp through the outbox, to a real SMTP server on
127.0.0.1: queued with the campaign in one transaction, each sent at most once (a second
round, a crash between claiming and recording, two senders at once), refusals told as the
server said them, the password only ever in the password store."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from functools import partial

import pytest
from keyring.backends import fail, null

from relapp.db.busy import write_transaction
from relapp.db.models import database
from relapp.db.store import campaigns as campaign_store
from relapp.db.store import outbox as store
from relapp.domain.campaigns.campaigns import CampaignError, create_campaign, produce_campaign
from relapp.domain.campaigns.outbox import (
    STALE_AFTER,
    STATUS_WORDS,
    NoPasswordStore,
    OutboxError,
    check_ready,
    mark_sent,
    messages_needing_the_owner,
    outbox_summary,
    save_password,
    send_again,
    send_outbox,
    send_test_email,
    smtp_connection,
)
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.contacts.privacy import erase_person, person_data
from relapp.domain.shop.settings import save_settings
from relapp.exchange.campaign_output import emails_to_send
from tests.factories import FakeClock, add_contact
from tests.mail_server import (
    OPT_OUT,
    PASSWORD,
    SENDER,
    USER,
    MailServer,
    MemoryKeyring,
    mail_settings,
    password_store,
)

TEMPLATE = "Hello {first_name}, spring is here at {shop_name}."


@pytest.fixture
def keys():
    with password_store(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def server():
    with MailServer() as running:
        yield running


@pytest.fixture
def shop(db, keys, server):
    """Three customers who agreed to email (Zoë, Ann, Bob), one who did not (Dee); the shop
    sends through the test server, its password in the password store."""
    people = {
        "zoe": add_contact("Zoë", "O'Brien", email="zoe@example.com"),
        "ann": add_contact("Ann", "Lee", email="ann@example.net"),
        "bob": add_contact("Bob", "Ng", email="bob@example.org"),
        "dee": add_contact("Dee", "Ray", email="dee@example.org"),
    }
    tag_contacts([person.id for person in people.values()], "Regulars")
    for name in ("zoe", "ann", "bob"):
        record_consent(people[name].id, "email", True, "in person")
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    save_settings(**mail_settings(server.port))
    save_password("127.0.0.1", USER, PASSWORD)
    return {name: person.id for name, person in people.items()}


def produce(name: str = "Spring", **options) -> int:
    create_campaign(name, "Regulars", "email", TEMPLATE, subject="For {first_name}")
    made = campaign_store.campaign_named(name)
    emails = partial(emails_to_send, sender=SENDER, opt_out=OPT_OUT)
    produce_campaign(made.id, None, emails=emails, **options)
    return made.id


def rows() -> list[tuple]:
    return database.execute_sql(
        "SELECT contact_id, recipient, status, attempts, last_error FROM email_outbox ORDER BY id"
    ).fetchall()


def statuses() -> dict[int, str]:
    return {contact_id: status for contact_id, _r, status, _a, _e in rows()}


def test_producing_queues_one_email_per_customer_in_the_campaign_s_transaction(shop, server):
    campaign_id = produce()
    assert [(contact_id, address, status) for contact_id, address, status, _a, _e in rows()] == [
        (shop["zoe"], "zoe@example.com", "queued"),
        (shop["ann"], "ann@example.net", "queued"),
        (shop["bob"], "bob@example.org", "queued"),
    ]
    assert campaign_store.campaign(campaign_id).produced_at is not None
    assert server.received == []  # queued, not sent yet
    summary = outbox_summary()
    assert summary.totals["queued"] == 3
    assert [(c.name, c.counts["queued"]) for c in summary.campaigns] == [("Spring", 3)]


def test_a_failure_recording_the_campaign_queues_nothing(shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(campaign_store, "record_production", broken)
    with pytest.raises(RuntimeError):
        produce()
    assert rows() == []
    assert campaign_store.campaign_named("Spring").produced_at is None


def test_a_wrong_sender_is_told_before_anything_is_recorded(shop):
    create_campaign("Spring", "Regulars", "email", TEMPLATE)
    made = campaign_store.campaign_named("Spring")
    emails = partial(emails_to_send, sender="not an address", opt_out=OPT_OUT)
    with pytest.raises(Exception, match="not"):
        produce_campaign(made.id, None, emails=emails)
    assert rows() == [] and campaign_store.campaign(made.id).produced_at is None
    sms = partial(emails_to_send, sender=SENDER, opt_out=OPT_OUT)
    create_campaign("Texts", "Regulars", "sms", TEMPLATE)
    texts = campaign_store.campaign_named("Texts")
    with pytest.raises(CampaignError, match="Only an email campaign"):
        produce_campaign(texts.id, None, emails=sms)


def test_sending_delivers_each_email_once_with_the_opt_out_and_a_second_round_sends_nothing(
    shop, server
):
    produce()
    queued_ids = {
        recipient: message.split("Message-ID: ", 1)[1].split("\r\n", 1)[0]
        for recipient, message in database.execute_sql(
            "SELECT recipient, message FROM email_outbox"
        ).fetchall()
    }
    seen = []
    report = send_outbox(smtp_connection(), progress=lambda done, total: seen.append((done, total)))
    assert (report.sent, report.failed, report.in_doubt, report.waiting) == (3, 0, 0, 0)
    assert report.stopped is None and seen[-1] == (3, 3)
    assert server.logins == [USER.encode()] * 1
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(queued_ids)
    assert {r.mail_from for r in server.received} == {"shop@lantern.example"}
    for received in server.received:
        email = received.email()
        (address,) = received.rcpt_tos
        assert email["Message-ID"] == queued_ids[address]  # made once, when queued
        assert email.get_content().rstrip().endswith(OPT_OUT)
        assert email["List-Unsubscribe"] == "<https://lantern.example/stop>"
        assert email["From"] == SENDER
    zoe = next(r.email() for r in server.received if r.rcpt_tos == ["zoe@example.com"])
    assert zoe["Subject"] == "For Zoë"
    assert zoe.get_content().startswith("Hello Zoë, spring is here at My shop.")
    assert set(statuses().values()) == {"sent"}
    assert outbox_summary().totals["sent"] == 3

    again = send_outbox(smtp_connection())
    assert (again.sent, again.waiting) == (0, 0)
    assert len(server.received) == 3


def test_a_message_claimed_and_never_recorded_is_in_doubt_and_never_sent_by_itself(shop, server):
    produce()
    clock = FakeClock(utc_now())
    crashed = store.next_queued()
    with write_transaction():  # the claim is committed, then the power goes
        assert store.claim(crashed, clock().strftime("%Y-%m-%d %H:%M:%S"))

    report = send_outbox(smtp_connection(), now=clock)  # at once: it may still be going
    assert report.sent == 2
    assert statuses() == {shop["zoe"]: "sending", shop["ann"]: "sent", shop["bob"]: "sent"}
    assert messages_needing_the_owner(now=clock()) == []

    clock.advance(seconds=STALE_AFTER.total_seconds() + 1)
    assert send_outbox(smtp_connection(), now=clock).sent == 0
    assert statuses()[shop["zoe"]] == "in_doubt"
    assert [r.rcpt_tos for r in server.received].count(["zoe@example.com"]) == 0
    [doubt] = messages_needing_the_owner(now=clock())
    assert (doubt.name, doubt.recipient, doubt.status) == ("Zoë O'Brien", "zoe@example.com",
                                                          "in_doubt")  # fmt: skip
    assert doubt.reason == STATUS_WORDS["in_doubt"]
    assert "check the Sent folder" in doubt.reason
    assert outbox_summary(now=clock()).totals["in_doubt"] == 1

    # The owner looked: not in the Sent folder, so it goes again, once.
    assert send_again([doubt.id], now=clock()) == 1
    assert send_outbox(smtp_connection(), now=clock).sent == 1
    assert [r.rcpt_tos for r in server.received].count(["zoe@example.com"]) == 1
    assert set(statuses().values()) == {"sent"}


def test_an_in_doubt_message_the_owner_found_sent_is_marked_sent(shop, server):
    produce()
    clock = FakeClock(utc_now() - STALE_AFTER - timedelta(minutes=1))
    crashed = store.next_queued()
    with write_transaction():
        store.claim(crashed, clock().strftime("%Y-%m-%d %H:%M:%S"))
    # Not swept yet, but already shown in doubt: it was claimed long ago.
    [doubt] = messages_needing_the_owner()
    assert doubt.status == "in_doubt"
    assert mark_sent([doubt.id]) == 1
    assert statuses()[shop["zoe"]] == "sent"
    send_outbox(smtp_connection())
    assert [r.rcpt_tos for r in server.received].count(["zoe@example.com"]) == 0


def test_the_connection_breaking_while_a_message_goes_leaves_it_in_doubt(shop, server):
    produce()
    server.data_delay = 2.0  # the server takes the message, but answers after the client gave up
    report = send_outbox(smtp_connection(timeout=0.5))
    assert report.in_doubt == 1 and report.sent == 0
    assert report.stopped.startswith("The connection to the mail server broke while the email")
    assert "may have been sent" in report.stopped
    assert statuses() == {shop["zoe"]: "in_doubt", shop["ann"]: "queued", shop["bob"]: "queued"}
    server.data_delay = 0
    assert send_outbox(smtp_connection()).sent == 2
    assert statuses()[shop["zoe"]] == "in_doubt"  # never again by itself


def test_a_temporary_refusal_leaves_the_message_queued_and_stops_the_round(shop, server):
    produce()
    server.rcpt_replies["ann@example.net"] = "450 4.2.1 Mailbox busy, try later"
    report = send_outbox(smtp_connection())
    assert (report.sent, report.waiting) == (1, 2)
    assert report.stopped == (
        "The mail server asked Relapp to try again later (450 4.2.1 Mailbox busy, try later);"
        " the emails not sent wait in the outbox and go with the next round."
    )
    [_zoe, ann, bob] = rows()
    assert ann[2:] == ("queued", 1, "450 4.2.1 Mailbox busy, try later")
    assert bob[2:4] == ("queued", 0)

    del server.rcpt_replies["ann@example.net"]
    assert send_outbox(smtp_connection()).sent == 2  # Bob first: fewer attempts
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "ann@example.net", "bob@example.org", "zoe@example.com",
    ]  # fmt: skip


def test_a_refused_recipient_fails_with_the_server_s_reason_and_the_others_go(shop, server):
    produce()
    server.rcpt_replies["ann@example.net"] = "550 5.1.1 No such user here"
    report = send_outbox(smtp_connection())
    assert (report.sent, report.failed, report.stopped) == (2, 1, None)
    assert statuses()[shop["ann"]] == "failed"
    [refused] = messages_needing_the_owner()
    assert (refused.name, refused.recipient, refused.reason) == (
        "Ann Lee", "ann@example.net", "550 5.1.1 No such user here",
    )  # fmt: skip
    assert outbox_summary().totals == {"queued": 0, "sending": 0, "sent": 2, "failed": 1,
                                       "in_doubt": 0}  # fmt: skip


def test_a_refused_message_fails_with_the_reason(shop, server):
    produce()
    server.data_reply = "554 5.7.1 Message rejected as spam"
    report = send_outbox(smtp_connection())
    assert report.failed == 3 and report.sent == 0
    assert {error for *_rest, error in rows()} == {"554 5.7.1 Message rejected as spam"}


def test_a_wrong_password_stops_with_one_sentence_and_changes_nothing(shop, server, keys):
    produce()
    save_password("127.0.0.1", USER, "wrong")
    with pytest.raises(OutboxError) as refused:
        send_outbox(smtp_connection())
    assert str(refused.value).startswith(
        "The mail server 127.0.0.1 refused the user name or password (535"
    )
    assert str(refused.value).endswith("check them in Settings, under Email.")
    assert [(status, attempts) for _c, _r, status, attempts, _e in rows()] == [("queued", 0)] * 3
    assert server.received == []


def test_a_server_that_does_not_answer_is_told_and_nothing_changes(shop, server):
    produce()
    save_settings(smtp_port=1)  # nothing listens there
    with pytest.raises(OutboxError, match=r"^The mail server 127\.0\.0\.1:1 cannot be reached"):
        send_outbox(smtp_connection())
    assert set(statuses().values()) == {"queued"}


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_without_a_password_store_the_password_is_kept_nowhere(shop, backend):
    produce()
    with password_store(backend()):
        with pytest.raises(NoPasswordStore) as refused:
            save_password("127.0.0.1", USER, "another")
        assert str(refused.value).startswith(
            "This computer has no password store Relapp can use (a keyring)"
        )
        with pytest.raises(NoPasswordStore):
            send_outbox(smtp_connection())
        with pytest.raises(NoPasswordStore):
            check_ready()
    assert set(statuses().values()) == {"queued"}
    assert "another" not in dump()


def test_two_senders_at_once_send_each_message_exactly_once(db, keys, server, engine):
    people = [add_contact(f"Person{n}", "Lee", email=f"p{n}@example.com") for n in range(40)]
    tag_contacts([person.id for person in people], "Regulars")
    for person in people:
        record_consent(person.id, "email", True, "in person")
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    save_settings(**mail_settings(server.port))
    save_password("127.0.0.1", USER, PASSWORD)
    produce()
    start = threading.Barrier(2)
    reports, errors = [], []

    def sender() -> None:
        try:
            start.wait()
            reports.append(send_outbox(smtp_connection()))
        except BaseException as error:  # handed to the test
            errors.append(error)
        finally:
            database.close()  # this thread's own connection

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(report.sent for report in reports) == 40
    delivered = sorted(received.rcpt_tos[0] for received in server.received)
    assert delivered == sorted(f"p{n}@example.com" for n in range(40))  # each once
    assert set(statuses().values()) == {"sent"}


def test_of_two_claims_of_one_message_at_once_only_one_wins(shop):
    """The claim alone, without the shop's write lock: the second UPDATE waits for the first
    to commit, then finds the row no longer queued (READ COMMITTED on the server, the write
    lock's wait on a file)."""
    produce()
    message_id = store.next_queued()
    claimed, results = threading.Event(), {}

    def first() -> None:
        try:
            with database.atomic():
                results["first"] = store.claim(message_id, "2026-12-06 10:00:00")
                claimed.set()
                time.sleep(0.5)  # the second claim is waiting meanwhile
        finally:
            database.close()

    def second() -> None:
        try:
            claimed.wait(10)
            with database.atomic():
                results["second"] = store.claim(message_id, "2026-12-06 10:00:01")
        finally:
            database.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"first": True, "second": False}
    assert database.execute_sql(
        "SELECT status, claimed_at FROM email_outbox WHERE id = ?", (message_id,)
    ).fetchone() == ("sending", "2026-12-06 10:00:00")


def test_the_password_is_in_the_password_store_and_in_no_table(shop, keys, server):
    produce()
    send_outbox(smtp_connection())
    assert keys.passwords == {("relapp-smtp", f"{USER}@127.0.0.1"): PASSWORD}
    text = dump()
    assert "127.0.0.1" in text and USER in text  # the dump does hold the settings
    assert PASSWORD not in text


def dump() -> str:
    """Every value of every table, as text."""
    if database.obj.__class__.__name__ == "ServerDatabase":
        tables = [
            name
            for (name,) in database.execute_sql(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
    else:
        tables = [
            name
            for (name,) in database.execute_sql(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
            ).fetchall()
        ]
    values = []
    for table in tables:
        for row in database.execute_sql(f'SELECT * FROM "{table}"').fetchall():
            values += [str(value) for value in row]
    return "\n".join(values)


def test_a_test_email_reaches_the_address_typed(shop, server):
    send_test_email(smtp_connection(), "owner@lantern.example")
    [received] = server.received
    assert received.rcpt_tos == ["owner@lantern.example"]
    email = received.email()
    assert email["Subject"] == "Relapp test email from My shop"
    assert OPT_OUT in email.get_content()
    with pytest.raises(OutboxError, match="is not an email address"):
        send_test_email(smtp_connection(), "owner at lantern")


def test_sending_needs_the_server_the_sender_and_the_opt_out(shop):
    check_ready()
    save_settings(email_opt_out="")
    with pytest.raises(OutboxError, match=r"^Sending emails from Relapp needs the shop's mail"):
        check_ready()


def test_erasing_a_customer_deletes_their_emails_and_their_export_holds_them(shop, tmp_path):
    produce()
    send_outbox(smtp_connection())
    exported = person_data(shop["zoe"])
    [email] = exported["emails"]
    assert (email["campaign_name"], email["recipient"], email["status"]) == (
        "Spring", "zoe@example.com", "sent",
    )  # fmt: skip
    assert "Hello Zo" in email["message"] and email["sent_at"].endswith("+00:00")
    erase_person(shop["zoe"], None, backup_folder=tmp_path, as_owner=True)
    assert sorted(statuses()) == sorted([shop["ann"], shop["bob"]])
    assert "zoe@example.com" not in dump()


def test_an_email_that_waited_carries_the_date_it_was_sent_and_the_message_id_it_was_queued_with(
    shop, server
):
    produce()
    (queued,) = database.execute_sql(
        "SELECT message FROM email_outbox WHERE recipient = 'zoe@example.com'"
    ).fetchone()
    later = utc_now() + timedelta(days=3)
    report = send_outbox(smtp_connection(), now=lambda: later)
    assert report.sent == 3
    zoe = next(r.email() for r in server.received if r.rcpt_tos == ["zoe@example.com"])
    assert zoe["Date"].datetime == later.replace(microsecond=0)
    assert zoe["Message-ID"] in queued
    assert zoe.get_content().startswith("Hello Zoë")
