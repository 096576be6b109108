"""`relapp competition`: prize draws from a script or the owner's terminal.

    relapp competition list [--json]
    relapp competition enter ID CARD|#ID [--route counter|paper|purchase|no_purchase]
                                          [--sale N]      (or --id N instead of CARD|#ID)
    relapp competition draw ID [--seed S] [--json]
    relapp competition verify ID [--json]
    relapp competition pdf ID --out FILE.pdf [--form]

The rules are relapp.domain.listening.competitions'; a refusal is one sentence and exit 1,
nothing written; a usage error exits 2. `verify` runs the recorded draw again from its seed
and entries: exit 0 when it gives the recorded winners, 1 when it does not (and it says so).
The command line runs as the shop owner: no staff PIN is asked (relapp.cli.privacy says why).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from relapp.cli.args import (
    MAX_ID,
    add_customer_argument,
    bounded_int,
    customer_reference,
    find_named_customer,
    print_json,
)

if TYPE_CHECKING:
    from relapp.domain.listening.competitions import Competition
    from relapp.domain.listening.winners import RecordedDraw, Verification

ROUTES = ("counter", "paper", "purchase", "no_purchase")  # as relapp.domain.terms.ENTRY_ROUTES


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    competition = commands.add_parser(
        "competition", help="prize draws: list, enter customers, draw, verify, print",
        description="Competitions with a fair prize draw: entries at the counter, on paper or"
        " by purchase (always with a free way to enter), drawn with a recorded seed so that"
        " anyone can run the draw again.",
    )  # fmt: skip
    actions = competition.add_subparsers(dest="action", required=True, metavar="ACTION")
    number = bounded_int(1, MAX_ID)

    listing = actions.add_parser(
        "list", parents=[database_option], help="every competition: dates, state, entries",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="print JSON for other programs")
    listing.set_defaults(handler=run_list)

    enter = actions.add_parser(
        "enter", parents=[database_option], help="enter a customer in a competition",
        description="Enter a customer in a competition today, as the Counter or the"
        " Competitions page does; refused (exit 1) outside its dates, by a way it does not"
        " allow, over the limit per person or when the customer may not enter.",
    )  # fmt: skip
    enter.add_argument("competition", type=number, metavar="ID", help="the competition's number")
    add_customer_argument(enter)
    enter.add_argument(
        "--route", choices=ROUTES, default=None,
        help="how the entry is made (default: at the counter if the competition takes counter"
        " entries, else on paper, else without a purchase)",
    )  # fmt: skip
    enter.add_argument("--sale", type=number, metavar="N",
                       help="the customer's sale (interaction number) an entry by purchase"
                       " comes with")  # fmt: skip
    enter.add_argument("--json", action="store_true", help="print JSON for other programs")
    enter.set_defaults(handler=run_enter)

    draw = actions.add_parser(
        "draw", parents=[database_option], help="draw the winners (once; after the end)",
        description="Draw the competition's winners from its valid entries and record the"
        " draw; a competition is drawn once, from the day after its end. The seed is random"
        " unless given.",
    )  # fmt: skip
    draw.add_argument("competition", type=number, metavar="ID", help="the competition's number")
    draw.add_argument("--seed", metavar="S", help="the seed (default: 32 random hex digits)")
    draw.add_argument("--json", action="store_true", help="print JSON for other programs")
    draw.set_defaults(handler=run_draw)

    verify = actions.add_parser(
        "verify", parents=[database_option], help="run a recorded draw again and compare",
        description="Run the recorded draw again from its seed and entries: exit 0 if it"
        " gives the recorded winners, 1 if not. Also says if entries were added or removed"
        " since the draw.",
    )  # fmt: skip
    verify.add_argument("competition", type=number, metavar="ID", help="the competition's number")
    verify.add_argument("--json", action="store_true", help="print JSON for other programs")
    verify.set_defaults(handler=run_verify)

    pdf = actions.add_parser(
        "pdf", parents=[database_option], help="the draw's record, or the entry form, as a PDF",
    )  # fmt: skip
    pdf.add_argument("competition", type=number, metavar="ID", help="the competition's number")
    pdf.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF")
    pdf.add_argument(
        "--form", action="store_true",
        help="the paper entry form with the rules, instead of the draw's record",
    )  # fmt: skip
    pdf.set_defaults(handler=run_pdf)


def _open(args: argparse.Namespace) -> None:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))


def _competition_json(competition: Competition) -> dict[str, object]:
    return {
        "id": competition.id, "name": competition.name, "starts_on": competition.starts_on,
        "ends_on": competition.ends_on, "eligibility": competition.eligibility,
        "segment": competition.segment or None, "routes": sorted(competition.routes),
        "no_purchase_route": competition.no_purchase_route or None,
        "limit_per_person": competition.limit_per_person, "winners": competition.winners,
        "rules": competition.rules,
    }  # fmt: skip


def run_list(args: argparse.Namespace) -> int:
    from relapp.domain import clock
    from relapp.domain.listening.competitions import list_competitions
    from relapp.domain.memberships.status import shop_today
    from relapp.domain.shop.formats import format_day

    _open(args)
    today = shop_today(clock.utc_now())
    lines = list_competitions()
    if args.json:
        print_json([
            {**_competition_json(line.competition), "state": line.state(today),
             "entries": line.entries, "drawn_at": line.drawn_at}
            for line in lines
        ])  # fmt: skip
        return 0
    if not lines:
        print("No competitions yet; make one in the window: Listening (Ctrl+8), Competitions.")
        return 0
    for line in lines:
        competition = line.competition
        entries = "1 entry" if line.entries == 1 else f"{line.entries:,} entries"
        print(
            f"{competition.id:>6}  {competition.name}  ·  {format_day(competition.starts_on)} to"
            f" {format_day(competition.ends_on)}  ·  {line.state(today)}  ·  {entries}"
        )
    return 0


def run_enter(args: argparse.Namespace) -> int:
    from relapp.domain.listening.competitions import enter, find_competition

    reference = customer_reference(args)
    _open(args)
    contact_id = find_named_customer(reference)
    competition = find_competition(args.competition)
    route = args.route or _default_route(competition)
    entered = enter(competition.id, contact_id, route, sale_interaction_id=args.sale)
    if args.json:
        print_json({"entry": entered.entry_id, "competition": competition.id,
                    "contact": contact_id, "route": route})  # fmt: skip
        return 0
    print(entered.text)
    return 0


def _default_route(competition: Competition) -> str:
    if competition.by_counter:
        return "counter"
    return "paper" if competition.by_paper else "no_purchase"


def run_draw(args: argparse.Namespace) -> int:
    from relapp.domain.listening.winners import make_draw

    _open(args)
    drawn = make_draw(args.competition, seed=args.seed, as_owner=True).draw
    if args.json:
        print_json(_draw_json(drawn))
        return 0
    competition = drawn.competition
    print(f"Drew {competition.name}: {_entries(len(drawn.valid))} valid, seed {drawn.seed}.")
    for winner in drawn.winners:
        print(f"  {winner.position}. {winner.name} (entry {winner.entry_id})  ·  {winner.reach}")
    print(f"Anyone can check it: relapp competition verify {competition.id}")
    return 0


def _draw_json(drawn: RecordedDraw) -> dict[str, object]:
    return {
        "competition": drawn.competition.id, "name": drawn.competition.name,
        "drawn_at": drawn.drawn_at, "seed": drawn.seed, "entries": len(drawn.valid),
        "excluded": drawn.excluded_counts,
        "winners": [
            {"position": w.position, "entry": w.entry_id, "contact": w.contact_id,
             "name": w.name or None, "told_at": w.told_at}
            for w in drawn.winners
        ],
    }  # fmt: skip


def run_verify(args: argparse.Namespace) -> int:
    from relapp.domain.listening.winners import verify

    _open(args)
    checked = verify(args.competition)
    if args.json:
        print_json({
            **_draw_json(checked.draw), "drawn_again": checked.again,
            "recorded": checked.recorded, "matches": checked.matches,
            "added_since": checked.added, "removed_since": checked.removed,
        })  # fmt: skip
        return 0 if checked.matches else 1
    for line in _verification_lines(checked):
        print(line)
    return 0 if checked.matches else 1


def _verification_lines(checked: Verification) -> list[str]:
    drawn = checked.draw
    lines = [
        f"{drawn.competition.name}: seed {drawn.seed}, {_entries(len(drawn.valid))} valid.",
        f"Drawn again: entries {_ids(checked.again)}.",
        f"Recorded:    entries {_ids(checked.recorded)}.",
        "They match." if checked.matches else "They do NOT match: the record was changed.",
    ]
    if checked.added:
        lines.append(f"{_entries(len(checked.added))} added since the draw (not in it):"
                     f" {_ids(checked.added)}.")  # fmt: skip
    if checked.removed:
        lines.append(f"{_entries(len(checked.removed))} of the draw removed since:"
                     f" {_ids(checked.removed)}.")  # fmt: skip
    return lines


def _ids(ids: list[int]) -> str:
    return ", ".join(str(each) for each in ids) or "none"


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count:,} entries"


def run_pdf(args: argparse.Namespace) -> int:
    _open(args)
    if args.form:
        from relapp.reports.competition_form import entry_form

        written = entry_form(args.out, args.competition)
    else:
        from relapp.reports.competition_draw import draw_report

        written = draw_report(args.out, args.competition)
    print(f"Wrote {written}.")
    return 0
