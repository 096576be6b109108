"""Benchmark: sending a campaign's emails from the outbox, one claimed and recorded at a time.

Run: python tests/benchmarks/bench_outbox.py [--emails N] [--server URL]
Makes an email campaign of N customers (default 5,000) in a new shop file (or a fresh shop
server database given by URL), produces it "Send from Relapp" (the emails queued in the
recording transaction), then sends them to an SMTP server on 127.0.0.1 that accepts and
discards everything (aiosmtpd, in this process), and prints the time to queue and to send,
and emails a second. Each email costs two committed transactions (the claim and the record):
that, not the mail server, is what this measures.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from aiosmtpd.controller import Controller

    from relapp.db.connection import open_database
    from relapp.db.models import Contact
    from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
    from relapp.domain.campaigns.listing import list_campaigns
    from relapp.domain.campaigns.outbox import send_outbox, smtp_connection
    from relapp.domain.clock import utc_now
    from relapp.domain.contacts.bulk_actions import tag_contacts
    from relapp.domain.contacts.editing import record_consent
    from relapp.domain.contacts.listing import ContactFilter, save_segment
    from relapp.domain.shop.settings import save_settings
    from relapp.exchange.campaign_output import emails_to_send

    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=5_000)
    parser.add_argument("--server", help="a fresh shop server database's URL")
    args = parser.parse_args()

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    if args.server:
        from relapp.db.server.connection import open_server_database

        db = open_server_database(args.server, create=True)
    else:
        db = open_database(Path(tempfile.mkdtemp()) / "outbox-bench.db")
    now = utc_now()
    ids = []
    for number in range(args.emails):
        contact = Contact.create(given_name=f"Customer{number}", family_name="Bench",
                                 email=f"c{number}@example.com", created_at=now,
                                 updated_at=now)  # fmt: skip
        ids.append(contact.id)
    tag_contacts(ids, "Bench")
    for contact_id in ids:
        record_consent(contact_id, "email", True, "in person")
    save_segment("Bench", ContactFilter(tags=("Bench",)))
    sender, opt_out = "Shop <shop@example.com>", "Reply STOP to opt out."
    save_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                  smtp_sender=sender, email_opt_out=opt_out)  # fmt: skip
    create_campaign("Bench", "Bench", "email", "Hello {first_name}, see you at {shop_name}.",
                    subject="News for {first_name}")  # fmt: skip
    [campaign] = list_campaigns()

    def emails(row, messages, progress):
        return emails_to_send(row, messages, progress, sender=sender, opt_out=opt_out)

    started = time.perf_counter()
    produced = produce_campaign(campaign.id, None, emails=emails)
    queued = time.perf_counter() - started
    started = time.perf_counter()
    report = send_outbox(smtp_connection())
    sending = time.perf_counter() - started
    controller.stop()
    db.close()
    engine = "server" if args.server else "file"
    print(
        f"{engine}: {produced.queued:,} emails queued in {queued:.2f} s;"
        f" {report.sent:,} sent in {sending:.2f} s ({report.sent / sending:,.0f} a second)"
    )


if __name__ == "__main__":
    main()
