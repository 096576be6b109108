"""`relapp campaign send` and `relapp campaign outbox`: sending email campaigns from Relapp.

    relapp campaign produce ID --send [--out DIR]   (in relapp.cli.campaign: queue, then send)
    relapp campaign send [--json]
    relapp campaign outbox [--json] [--send-again ID ...] [--mark-sent ID ...]

The mail server, the From address and the opt-out text are set in the window's Settings
(Email), and the password is kept in this computer's password store from there; these
commands use them. The rules are relapp.domain.campaigns.outbox'.
"""

from __future__ import annotations

import argparse
import sys

from relapp.cli.args import MAX_ID, bounded_int, print_json


def add_outbox_commands(actions, database_option: argparse.ArgumentParser) -> None:
    send = actions.add_parser(
        "send", parents=[database_option],
        help="send the emails waiting in the outbox through the shop's mail server",
    )  # fmt: skip
    send.add_argument("--json", action="store_true", help="print JSON for other programs")
    send.set_defaults(handler=run_send)

    outbox = actions.add_parser(
        "outbox", parents=[database_option],
        help="the emails waiting, sent, refused or in doubt, by campaign",
    )  # fmt: skip
    outbox.add_argument(
        "--send-again", nargs="+", type=bounded_int(1, MAX_ID), default=[], metavar="ID",
        help="put these refused or in-doubt emails back in the outbox (an in-doubt one may"
        " then arrive twice: look in the mail account's Sent folder first)",
    )  # fmt: skip
    outbox.add_argument(
        "--mark-sent", nargs="+", type=bounded_int(1, MAX_ID), default=[], metavar="ID",
        help="these in-doubt emails were sent after all (found in the Sent folder)",
    )  # fmt: skip
    outbox.add_argument("--json", action="store_true", help="print JSON for other programs")
    outbox.set_defaults(handler=run_outbox)


def _open(args: argparse.Namespace) -> None:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))


def connect_when_needed():
    """The mail server's connect(), checking the settings and the password only when there
    is something to send."""
    from relapp.domain.campaigns.outbox import check_ready, smtp_connection

    return lambda: smtp_connection(check_ready())()


def send_round(quiet: bool = False):
    """One round of sending, its progress on the terminal; the SendReport."""
    from relapp.domain.campaigns.outbox import send_outbox

    show_progress = sys.stderr.isatty() and not quiet

    def progress(done: int, total: int) -> None:
        if show_progress:
            print(f"\rsending {done:,} of {total:,}", end="", file=sys.stderr, flush=True)

    report = send_outbox(connect_when_needed(), progress=progress)
    if show_progress and (report.sent or report.failed or report.in_doubt):
        print(file=sys.stderr)
    return report


def report_json(report) -> dict:
    return {
        "sent": report.sent, "failed": report.failed, "in_doubt": report.in_doubt,
        "waiting": report.waiting, "stopped": report.stopped,
    }  # fmt: skip


def report_line(report) -> str:
    """ "Sent 3 emails; 1 refused; 0 in doubt; 2 waiting." """
    return (
        f"Sent {report.sent:,} emails; {report.failed:,} refused; {report.in_doubt:,} in doubt;"
        f" {report.waiting:,} waiting."
    )


def run_send(args: argparse.Namespace) -> int:
    _open(args)
    report = send_round(quiet=args.json)
    if args.json:
        print_json(report_json(report))
    elif report.sent or report.failed or report.in_doubt or report.waiting:
        print(report_line(report))
    else:
        print("Nothing waits in the outbox.")
    if (report.failed or report.in_doubt) and not args.json:
        print("See which with `relapp campaign outbox`.")
    if report.stopped is not None:
        print(f"relapp: {report.stopped}", file=sys.stderr)
        return 1
    return 0


STATUS_TITLES = {
    "queued": "waiting",
    "sending": "being sent",
    "sent": "sent",
    "failed": "refused",
    "in_doubt": "in doubt",
}


def run_outbox(args: argparse.Namespace) -> int:
    from relapp.domain.campaigns.outbox import (
        STATUS_WORDS,
        mark_sent,
        messages_needing_the_owner,
        outbox_summary,
        send_again,
    )

    _open(args)
    changed = {}
    if args.send_again:
        changed["sent_again"] = send_again(args.send_again)
    if args.mark_sent:
        changed["marked_sent"] = mark_sent(args.mark_sent)
    summary = outbox_summary()
    needing = messages_needing_the_owner()
    if args.json:
        print_json({
            **changed,
            "totals": summary.totals,
            "campaigns": [
                {"id": c.campaign_id, "name": c.name, **c.counts} for c in summary.campaigns
            ],
            "needing_attention": [
                {"id": m.id, "campaign_id": m.campaign_id, "campaign": m.campaign_name,
                 "contact_id": m.contact_id, "name": m.name, "address": m.recipient,
                 "status": m.status, "attempts": m.attempts, "reason": m.reason}
                for m in needing
            ],
        })  # fmt: skip
        return 0
    if "sent_again" in changed:
        print(f"{changed['sent_again']:,} emails back in the outbox; `relapp campaign send`.")
    if "marked_sent" in changed:
        print(f"{changed['marked_sent']:,} emails marked sent.")
    if summary.empty:
        print("The outbox is empty: no email campaign was sent from Relapp.")
        return 0
    print("Outbox: " + _counts(summary.totals) + ".")
    for campaign in summary.campaigns:
        print(f"  {campaign.name} (campaign {campaign.campaign_id}): {_counts(campaign.counts)}")
    for status, heading in (
        ("in_doubt", f"In doubt ({STATUS_WORDS['in_doubt']}):"),
        ("failed", "Refused by the mail server:"),
    ):
        listed = [message for message in needing if message.status == status]
        if listed:
            print(heading)
        for message in listed:
            reason = "" if status == "in_doubt" else f": {message.reason}"
            print(
                f"  {message.id:>6}  {message.name} <{message.recipient}>"
                f"  ({message.campaign_name}){reason}"
            )
    return 0


def _counts(counts: dict[str, int]) -> str:
    shown = [f"{number:,} {STATUS_TITLES[status]}" for status, number in counts.items() if number]
    return ", ".join(shown) or "nothing"
