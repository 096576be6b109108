"""`relapp campaign`: make a campaign from a saved segment, see who it reaches and who it
leaves out (and why), and produce its letters, emails, texts or call list.

    relapp campaign create --name NAME --segment NAME --channel letter|email|sms|call
                           --template FILE [--subject TEXT] [--holdout 10] [--transactional]
    relapp campaign list [--json]
    relapp campaign show ID [--json] [--names REASON]
    relapp campaign produce ID --out DIR [--labels LAYOUT] [--envelopes LAYOUT]
                           [--sender ADDRESS] [--opt-out TEXT] [--send]
    relapp campaign produce ID --send [--out DIR]   (emails: sent from Relapp, the outbox)
    relapp campaign send [--json] | outbox [--json]   (relapp.cli.campaign_outbox)
    relapp campaign results ID [--pdf F.pdf] [--json]
    relapp campaign rules [--json] | approve RULE [--json]   (automatic campaigns)

The rules are relapp.domain.campaigns.campaigns'; this module reads arguments and prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from relapp.cli.args import MAX_ID, bounded_int, print_json
from relapp.cli.offers import parse_offer
from relapp.db.migrations.m0013_campaigns import CHANNELS, REASONS
from relapp.errors import RelappError

MAX_TEMPLATE_BYTES = 100_000


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    campaign = commands.add_parser(
        "campaign",
        help="campaigns: make, preview and produce letters, emails, texts or call lists",
        description="Reach a saved segment by the channel its customers agreed to.",
    )
    actions = campaign.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create", parents=[database_option], help="make a campaign from a saved segment"
    )
    create.add_argument("--name", required=True, help="the campaign's name (unique)")
    create.add_argument("--segment", required=True, help="a saved segment's name")
    create.add_argument("--channel", required=True, choices=CHANNELS)
    create.add_argument(
        "--template", required=True, type=Path, metavar="FILE",
        help="the message, UTF-8 text with merge fields such as {first_name}",
    )  # fmt: skip
    create.add_argument("--subject", default="", help="the email's subject (merge fields too)")
    create.add_argument(
        "--holdout", type=bounded_int(0, 50), default=0, metavar="PERCENT",
        help="customers chosen at random to get nothing, to compare results (default 0)",
    )  # fmt: skip
    create.add_argument(
        "--transactional", action="store_true",
        help="a service message (\"your order is ready\"): not held back by the contact cap",
    )  # fmt: skip
    create.add_argument(
        "--recent-days", type=bounded_int(0, 365), default=14, metavar="DAYS",
        help="leave out customers reached by another campaign in these days (default 14)",
    )  # fmt: skip
    create.add_argument(
        "--voucher", metavar="OFFER",
        help="a code of their own for each customer: points:200, amount:5.00, percent:10"
        " (percent off the purchase) or reward:NAME (a reward of the catalogue, free);"
        " {voucher_code} prints it",
    )  # fmt: skip
    create.add_argument(
        "--voucher-days", type=bounded_int(1, 365), default=30, metavar="DAYS",
        help="how long the vouchers are valid once produced (default 30)",
    )  # fmt: skip
    create.add_argument(
        "--shared-code", default="", metavar="CODE",
        help="one promotion code for anyone, once per customer (e.g. SPRING10), instead of"
        " a code of their own for each customer",
    )  # fmt: skip
    create.add_argument(
        "--min-spend", default="0", metavar="X",
        help="the least purchase a voucher is used with (default none)",
    )  # fmt: skip
    create.add_argument("--json", action="store_true", help="print JSON for other programs")
    create.set_defaults(handler=run_create)

    listing = actions.add_parser("list", parents=[database_option], help="every campaign")
    listing.add_argument("--json", action="store_true", help="print JSON for other programs")
    listing.set_defaults(handler=run_list)

    show = actions.add_parser(
        "show", parents=[database_option],
        help="a campaign: who it reaches and who it leaves out, by reason",
    )  # fmt: skip
    show.add_argument("id", type=bounded_int(1, MAX_ID), metavar="ID")
    show.add_argument(
        "--names", choices=REASONS, metavar="REASON",
        help=f"also list the customers left out for this reason ({', '.join(REASONS)})",
    )  # fmt: skip
    show.add_argument("--json", action="store_true", help="print JSON for other programs")
    show.set_defaults(handler=run_show)

    results = actions.add_parser(
        "results", parents=[database_option],
        help="what a produced campaign brought: customers back and spend, against the hold-out",
    )  # fmt: skip
    results.add_argument("id", type=bounded_int(1, MAX_ID), metavar="ID")
    results.add_argument("--pdf", type=Path, metavar="F.pdf", help="also write them as a PDF")
    results.add_argument("--json", action="store_true", help="print JSON for other programs")
    results.set_defaults(handler=run_results)

    produce = actions.add_parser(
        "produce", parents=[database_option],
        help="write the campaign's files and log each message on the customer's timeline",
    )  # fmt: skip
    produce.add_argument("id", type=bounded_int(1, MAX_ID), metavar="ID")
    produce.add_argument(
        "--out", type=Path, metavar="DIR",
        help="the folder for the files (with --send: also write them)",
    )  # fmt: skip
    produce.add_argument(
        "--send", action="store_true",
        help="emails: send them from Relapp through the mail server set in Settings (they"
        " wait in the outbox until sent; `relapp campaign send` sends what is left)",
    )  # fmt: skip
    produce.add_argument("--labels", metavar="LAYOUT",
                         help="letters: also an address label sheet (e.g. \"A4 3x7\")")  # fmt: skip
    produce.add_argument("--envelopes", metavar="LAYOUT",
                         help="letters: also envelopes (DL, C5 or \"US #10\")")  # fmt: skip
    produce.add_argument("--sender", default="", help="emails: the From address")
    produce.add_argument("--opt-out", default="", help="emails: the text that ends every email")
    produce.add_argument("--json", action="store_true", help="print JSON for other programs")
    produce.set_defaults(handler=run_produce, usage_error=produce.error)

    from relapp.cli.campaign_outbox import add_outbox_commands

    add_outbox_commands(actions, database_option)

    from relapp.cli.campaign_rules import add_rule_commands

    add_rule_commands(actions, database_option)


def _open(args: argparse.Namespace) -> None:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))


def run_create(args: argparse.Namespace) -> int:
    from relapp.db.store.campaigns import campaign_named
    from relapp.domain.campaigns.campaigns import create_campaign

    _open(args)  # first: the template may not be the open database's own file
    template = _read_template(args.template)
    offer = None
    if args.voucher is not None:
        offer = parse_offer(
            args.voucher, option="--voucher",
            examples="points:200, amount:5.00, percent:10 or reward:NAME",
            min_spend=args.min_spend, valid_days=args.voucher_days, shared_code=args.shared_code,
        )  # fmt: skip
    create_campaign(
        args.name, args.segment, args.channel, template, subject=args.subject,
        holdout_percent=args.holdout, transactional=args.transactional,
        recent_days=args.recent_days, offer=offer,
    )  # fmt: skip
    made = campaign_named(args.name)
    assert made is not None
    if args.json:
        print_json({"id": made.id, "name": made.name})
    else:
        print(
            f"Campaign {made.id} made: {made.name} ({made.channel}, segment {made.segment_name})."
        )
        print(f"See who it reaches with `relapp campaign show {made.id}`.")
    return 0


def _read_template(path: Path) -> str:
    from relapp.db.live_files import refuse_database_files

    try:
        data = refuse_database_files(path).read_bytes()
    except OSError as error:
        raise RelappError(f"The template {path} cannot be read ({error.strerror}).") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise RelappError(f"The template {path} is over {MAX_TEMPLATE_BYTES:,} bytes.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RelappError(f"The template {path} is not UTF-8 text.") from None


def run_list(args: argparse.Namespace) -> int:
    from relapp.db.store.campaigns import campaigns

    _open(args)
    rows = campaigns()
    if args.json:
        print_json([_campaign_json(row) for row in rows])
        return 0
    if not rows:
        print("No campaigns yet. Make one with `relapp campaign create`.")
    for row in rows:
        state = f"produced {row.produced_at}" if row.produced_at else "not produced"
        print(
            f"{row.id:>5}  {row.name}  ·  {row.channel}  ·  segment {row.segment_name}  ·  {state}"
        )
    return 0


def _campaign_json(row) -> dict:
    return {
        "id": row.id, "name": row.name, "channel": row.channel, "segment": row.segment_name,
        "holdout_percent": row.holdout_percent, "transactional": row.transactional,
        "recent_days": row.recent_days, "created_at": row.created_at,
        "produced_at": row.produced_at, "holdout_seed": row.holdout_seed,
    }  # fmt: skip


def run_show(args: argparse.Namespace) -> int:
    from relapp.db.store import campaigns as store
    from relapp.db.store.contacts import name_parts
    from relapp.domain.campaigns.campaigns import (
        REASON_WORDS,
        campaign_audience,
        campaign_or_error,
    )
    from relapp.domain.contacts.naming import display_name

    _open(args)
    row = campaign_or_error(args.id)
    if row.produced_at is None:
        reach = campaign_audience(row)
        reached = len(reach.reached)
        held = reached * row.holdout_percent // 100
        counts = {"sent": reached - held, "holdout": held}
        left = {reason: len(ids) for reason, ids in reach.left_out.items()}
        named = list(reach.left_out[args.names]) if args.names else []
    else:
        recorded = store.recipient_counts(row.id)
        counts = {role: recorded.get((role, None), 0) for role in ("sent", "holdout")}
        left = {reason: recorded.get(("left_out", reason), 0) for reason in REASONS}
        named = store.recipient_ids(row.id, "left_out", args.names) if args.names else []
    names = [
        {"id": contact_id, "name": display_name(*parts)}
        for contact_id in named
        if (parts := name_parts(contact_id)) is not None
    ]
    if args.json:
        print_json({**_campaign_json(row), **counts, "left_out": left,
                    **({"names": names} if args.names else {})})  # fmt: skip
        return 0
    state = f"produced {row.produced_at}" if row.produced_at else "not produced yet"
    print(f"Campaign {row.id}: {row.name} ({row.channel}, segment {row.segment_name}, {state})")
    verb = "sent" if row.produced_at else "to send"
    print(f"  {counts['sent']:,} {verb}, {counts['holdout']:,} held out for comparison")
    print(f"  left out: {sum(left.values()):,}")
    for reason in REASONS:
        if left[reason]:
            print(f"    {left[reason]:>8,}  {REASON_WORDS[reason]} ({reason})")
    for each in names:
        print(f"    {each['id']:>8}  {each['name']}")
    return 0


def run_produce(args: argparse.Namespace) -> int:
    from relapp.domain.campaigns.campaigns import produce_campaign
    from relapp.exchange.campaign_output import write_campaign_files

    if args.out is None and not args.send:
        args.usage_error("say where the files go with --out DIR (emails: or --send)")
    if args.envelopes is not None:
        from relapp.reports.campaign_letters import ENVELOPE_LAYOUTS

        if args.envelopes not in ENVELOPE_LAYOUTS:
            raise RelappError(
                f"There is no envelope layout {args.envelopes!r}; the layouts are"
                f" {', '.join(repr(name) for name in ENVELOPE_LAYOUTS)}."
            )
    if args.labels is not None:
        from relapp.reports.campaign_letters import LABEL_LAYOUTS

        if args.labels not in LABEL_LAYOUTS:
            raise RelappError(
                f"There is no label layout {args.labels!r}; the layouts are"
                f" {', '.join(repr(name) for name in LABEL_LAYOUTS)}."
            )
    _open(args)
    started = time.perf_counter()
    show_progress = sys.stderr.isatty()

    def progress(done: int, total: int) -> bool:
        if show_progress:
            print(f"\r{done:,} of {total:,}", end="", file=sys.stderr, flush=True)
        return True

    sender, opt_out, emails = args.sender, args.opt_out, None
    if args.send:
        sender, opt_out, emails = _sending(args)

    def write(campaign, messages, reporting):
        return write_campaign_files(
            campaign, messages, args.out, progress=reporting, sender=sender,
            opt_out=opt_out, labels=args.labels, envelopes=args.envelopes,
        )  # fmt: skip

    produced = produce_campaign(
        args.id, write if args.out is not None else None, emails=emails, progress=progress
    )
    if show_progress:
        print(file=sys.stderr)
    seconds = time.perf_counter() - started
    report, problem = None, None
    if args.send:
        from relapp.cli.campaign_outbox import send_round

        try:
            report = send_round(quiet=args.json)
        except RelappError as error:  # the server or the password: the emails stay queued
            problem = (
                f"{error} The {produced.queued:,} emails wait in the outbox; `relapp campaign"
                " send` sends them."
            )
        else:
            problem = report.stopped
    if args.json:
        from relapp.cli.campaign_outbox import report_json

        print_json({
            "id": produced.campaign_id, "sent": produced.sent, "holdout": produced.held_out,
            "left_out": produced.left_out, "files": [str(path) for path in produced.files],
            "seconds": round(seconds, 2),
            **({"queued": produced.queued} if args.send else {}),
            **({"sending": report_json(report)} if report else {}),
            **({"stopped": problem} if problem else {}),
        })  # fmt: skip
    else:
        left = sum(produced.left_out.values())
        print(
            f"Campaign {produced.campaign_id} produced: {produced.sent:,} messages,"
            f" {produced.held_out:,} held out, {left:,} left out, in {seconds:.1f} s."
        )
        for path in produced.files[:10]:
            print(f"  {path}")
        if len(produced.files) > 10:
            print(f"  ... and {len(produced.files) - 10:,} more files in {args.out}")
        if args.send:
            from relapp.cli.campaign_outbox import report_line

            sent = f" {report_line(report)}" if report is not None else ""
            print(f"{produced.queued:,} emails queued to send from Relapp.{sent}")
    if problem is not None:
        print(f"relapp: {problem}", file=sys.stderr)
        return 1
    return 0


def _sending(args: argparse.Namespace):
    """For --send: the From address and the opt-out text (given, else the shop's), and what
    makes the emails to queue. Refused in one sentence before anything is produced: not an
    email campaign, the mail server not set up, no password kept on this computer."""
    from functools import partial

    from relapp.domain.campaigns.campaigns import campaign_or_error
    from relapp.domain.campaigns.outbox import check_ready
    from relapp.exchange.campaign_output import emails_to_send

    campaign = campaign_or_error(args.id)
    if campaign.channel != "email":
        raise RelappError(
            f"Campaign {campaign.id} is a {campaign.channel} campaign; only emails are sent from"
            " Relapp (leave out --send and give --out DIR)."
        )
    settings = check_ready()
    sender = args.sender or settings.sender
    opt_out = args.opt_out or settings.opt_out
    return sender, opt_out, partial(emails_to_send, sender=sender, opt_out=opt_out)


def run_results(args: argparse.Namespace) -> int:
    import dataclasses

    from relapp.domain.campaigns.results import campaign_results
    from relapp.domain.shop.formats import format_money

    _open(args)
    results = campaign_results(args.id)
    if args.pdf is not None:
        from relapp.reports.campaign_results import campaign_results_report

        written = campaign_results_report(args.id, args.pdf)
        if not args.json:
            print(f"Wrote {written}.")
    if args.json:
        print_json(dataclasses.asdict(results))
        return 0
    print(f"Campaign {results.campaign_id}: {results.name}, produced {results.produced_at}")
    for window in results.windows:
        so_far = "" if window.complete else " (so far)"
        sent = window.sent
        line = (
            f"  within {window.days} days{so_far}: {sent.came_back:,} of {sent.members:,} sent"
            f" came back ({_percent(sent.share)}), spending {format_money(sent.spend_cents)}"
        )
        held = window.holdout
        if held is not None and window.difference is not None and window.interval is not None:
            low, high = window.interval
            line += (
                f"; held out: {held.came_back:,} of {held.members:,} ({_percent(held.share)}),"
                f" spending {format_money(held.spend_cents)}; difference"
                f" {window.difference * 100:+.1f} points (95% CI {low * 100:+.1f} to"
                f" {high * 100:+.1f})"
            )
        print(line)
    if all(window.holdout is None for window in results.windows):
        print("  No hold-out group: nothing to compare with.")
    if results.vouchers_issued:
        print(f"  Vouchers redeemed: {results.vouchers_redeemed:,} of {results.vouchers_issued:,}")
    print(f"  Opted out of this channel since: {results.opted_out:,}")
    return 0


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"
