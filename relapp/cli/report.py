"""`relapp report KIND ... --out F.pdf`: the Reports view's reports, for scripts and schedules.

    relapp report customer CARD|#ID --out F.pdf      (or --id N instead of CARD|#ID)
    relapp report cards [--segment NAME | --ids N [N ...]] --out F.pdf
    relapp report segment NAME [--columns name,card,...] --out F.pdf
    relapp report loyalty [--shop NAME] --out F.pdf
    relapp report retention [--shop NAME] --out F.pdf
    relapp report followups [--shop NAME] --out F.pdf
    relapp report members --out F.pdf
    relapp report member-cards [--segment NAME | --ids N [N ...]] --out F.pdf
    relapp report partner [--partner NAME] [--from YYYY-MM-DD] [--to YYYY-MM-DD] --out F.pdf
    relapp report survey ID --out F.pdf
    relapp report draw ID --out F.pdf

A survey's results are split by every saved segment (`relapp survey results ID --pdf F.pdf
--segment NAME` chooses them); a draw's record is of a competition that was drawn (`relapp
competition draw ID`). The numbers are those `relapp survey list` and `relapp competition
list` show.

The partner report covers one partner (every partner without --partner) over the days from
--from to --to, both included; without either, the last full calendar quarter.

--shop runs a shop-wide report for one shop of a business with several (what that means for
each: relapp.reports.catalogue, and each report's docstring); without it, all shops. An
unknown name is refused with one sentence listing the shops.

Prints where the PDF was written and how many pages it has. The file appears complete or not
at all (relapp.reports.document writes beside it and renames).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from relapp.cli.args import (
    MAX_ID,
    add_customer_argument,
    bounded_int,
    customer_reference,
    find_named_customer,
)
from relapp.reports.catalogue import REPORTS, ReportRequest, find_shop, write_report


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report",
        parents=[database_option],
        help="write a PDF report",
        description="Write one of the shop's PDF reports.",
    )
    kinds = report.add_subparsers(title="reports", metavar="KIND", dest="kind", required=True)
    parsers = {
        kind.key: kinds.add_parser(
            kind.key,
            parents=[database_option],
            help=kind.title.lower(),
            description=kind.description,
        )
        for kind in REPORTS
    }
    add_customer_argument(parsers["customer"])
    for cards in ("cards", "member-cards"):
        whose = parsers[cards].add_mutually_exclusive_group(required=True)
        whose.add_argument("--segment", metavar="NAME", help="every customer of a saved segment")
        whose.add_argument("--ids", type=bounded_int(1, MAX_ID), nargs="+", metavar="N",
                           help="customer numbers")  # fmt: skip
    parsers["segment"].add_argument("segment", metavar="NAME", help="a saved segment")
    parsers["segment"].add_argument(
        "--columns", metavar="A,B", help="columns, comma-separated (default: a useful set)"
    )
    number = bounded_int(1, MAX_ID)
    parsers["survey"].add_argument(
        "survey", type=number, metavar="ID", help="the survey's number (relapp survey list)"
    )
    parsers["draw"].add_argument(
        "competition", type=number, metavar="ID",
        help="the competition's number (relapp competition list)",
    )  # fmt: skip
    partner = parsers["partner"]
    partner.add_argument("--partner", metavar="NAME", help="one partner (default: every partner)")
    partner.add_argument(
        "--from",
        dest="since",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the period's first day (default: the last full quarter's)",
    )
    partner.add_argument("--to", dest="until", type=_day, metavar="YYYY-MM-DD",
                         help="the period's last day, included (default: today, or the last"
                         " full quarter's last day without --from)")  # fmt: skip
    for kind in REPORTS:
        if kind.by_shop:
            parsers[kind.key].add_argument(
                "--shop", metavar="NAME", help="one shop only (default: all shops)"
            )
    for parser in parsers.values():
        parser.add_argument("--out", type=Path, required=True, metavar="F.pdf", help="the PDF")
        parser.set_defaults(handler=run_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def run_report(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    reference = customer_reference(args) if args.kind == "customer" else ""
    open_shop(database_target(args))
    if reference:
        # A bare number is a card here as for the till; the report then names the customer.
        reference = f"#{find_named_customer(reference, archived_too=True)}"
    columns = getattr(args, "columns", None)
    shop = getattr(args, "shop", None)
    if shop is not None and not shop.strip():
        find_shop(shop)  # an empty name is no shop: refused with the shops listed, not "all"
    request = ReportRequest(
        kind=args.kind,
        customer=reference,
        ids=tuple(getattr(args, "ids", None) or ()),
        segment=getattr(args, "segment", "") or "",
        columns=tuple(part.strip() for part in columns.split(",") if part.strip())
        if columns
        else (),
        shop=shop or "",
        partner=getattr(args, "partner", None) or "",
        since=getattr(args, "since", None),
        until=getattr(args, "until", None),
        survey=getattr(args, "survey", None),
        competition=getattr(args, "competition", None),
    )
    result = write_report(request, args.out)
    pages = "1 page" if result.pages == 1 else f"{result.pages} pages"
    print(f"Wrote {result.path} ({pages}).")
    if result.note:
        print(result.note)
    return 0
