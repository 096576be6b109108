"""`relapp survey ...`: the shop's surveys, their results, and paper forms to print.

    relapp survey list [--json]
    relapp survey results ID [--segment NAME ...] [--json] [--pdf F.pdf]
    relapp survey forms ID --out F.pdf (--segment NAME | --blank [N])

The figures are relapp.domain.listening.results' (its docstring says how each is counted);
the forms relapp.reports.survey_forms'. An unknown survey, segment or file is one sentence
and exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from relapp.cli.args import MAX_ID, bounded_int, print_json

RESULTS_JSON = """\
--json prints one JSON object:
  survey: {id, name, kind (survey or poll), anonymous, active}
  responses, anonymous_responses: every version's (anonymous ones are in no split)
  months: [{month (YYYY-MM), responses}], every month from the first answer to the last
  segments: the saved segments split by; left_out_segments: asked for but gone
  versions: the current first, each {number, current, intro, created_at, responses,
    anonymous_responses, questions}; a question is {id, position, kind (rating, nps,
    choice, choices, yes_no or text), text, options, answers, distribution: [{answer,
    count}] (every possible answer, zeros included; several choices: the answers ticking
    each option), average (rating and nps, else null), nps (nps only: {score, low, high,
    margin, promoters, passives, detractors, answers}; low and high are the 95 %
    interval, in points), months: [{month, answers, average, nps}], by_segment, by_tier,
    by_stage: [{group, answers, distribution, average, nps}] (customers as they are now),
    text_count, texts: [{text, month, answered_at (null if anonymous), customer (null if
    anonymous), source}] (every written answer, newest first)}
"""


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    survey = commands.add_parser("survey", help="surveys: their results and paper forms")
    actions = survey.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[database_option],
                                 help="the shop's surveys and how many answered")  # fmt: skip
    listing.add_argument("--json", action="store_true", help="print JSON for other programs")
    listing.set_defaults(handler=run_list)

    results = actions.add_parser(
        "results",
        parents=[database_option],
        help="what the customers answered: figures, splits and written answers",
        description="A survey's results: per question the answers' distribution, the "
        "average, the NPS with its 95 % interval, the months, the splits by saved segment, "
        "tier and ladder stage, and the written answers.",
        epilog=RESULTS_JSON,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    results.add_argument("survey", type=bounded_int(1, MAX_ID), metavar="ID",
                         help="the survey's number (relapp survey list)")  # fmt: skip
    results.add_argument("--segment", action="append", metavar="NAME",
                         help="split by this saved segment (repeat for several; default: every"
                         " saved segment)")  # fmt: skip
    results.add_argument("--json", action="store_true", help="print one JSON object (below)")
    results.add_argument("--pdf", type=Path, metavar="F.pdf", help="write the results as a PDF")
    results.set_defaults(handler=run_results)

    forms = actions.add_parser(
        "forms",
        parents=[database_option],
        help="paper forms to fill in by hand, each with its QR code",
        description="Print a survey as paper forms: one for each customer of a saved segment "
        "(with the customer's name and QR code), or blank ones. The QR code is scanned when "
        "the answers are typed back (Listening, Paper…).",
    )
    forms.add_argument("survey", type=bounded_int(1, MAX_ID), metavar="ID",
                       help="the survey's number")  # fmt: skip
    forms.add_argument("--out", type=Path, required=True, metavar="F.pdf", help="the PDF")
    whose = forms.add_mutually_exclusive_group(required=True)
    whose.add_argument("--segment", metavar="NAME", help="a form for each of its customers")
    whose.add_argument("--blank", type=bounded_int(1, 500), nargs="?", const=1, metavar="N",
                       help="N blank forms (default 1)")  # fmt: skip
    forms.set_defaults(handler=run_forms)


def run_list(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.listening.surveys import list_surveys

    open_shop(database_target(args))
    surveys = list_surveys()
    if args.json:
        print_json([
            {"id": survey.id, "name": survey.name, "kind": survey.kind,
             "anonymous": survey.anonymous, "active": survey.active,
             "version": survey.version_number, "responses": survey.responses}
            for survey in surveys
        ])  # fmt: skip
        return 0
    if not surveys:
        print("The shop has no survey yet: make one in the app (Listening, Ctrl+8).")
        return 0
    for survey in surveys:
        flags = ", ".join(part for part in (survey.kind, "anonymous" if survey.anonymous else "",
                                            "offered at the counter" if survey.active else "")
                          if part)  # fmt: skip
        print(f"{survey.id:>6}  {survey.name} ({flags})  ·  version {survey.version_number}"
              f"  ·  {survey.responses:,} responses")  # fmt: skip
    return 0


def run_results(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.listening.results import survey_results

    open_shop(database_target(args))
    results = survey_results(args.survey, segments=args.segment, text_limit=None)
    if args.pdf is not None:
        from relapp.reports.catalogue import page_count
        from relapp.reports.survey_results import survey_results_pdf

        written = survey_results_pdf(args.pdf, results)
        pages = page_count(written)
        if not args.json:
            print(f"Wrote {written} ({'1 page' if pages == 1 else f'{pages} pages'}).")
    if args.json:
        print_json(results_json(results))
        return 0
    if args.pdf is None:
        print_results(results)
    return 0


def results_json(results) -> dict[str, Any]:
    """The results as RESULTS_JSON says."""

    def figures(found) -> dict[str, Any]:
        nps = found.nps
        return {
            "answers": found.answers,
            "distribution": [{"answer": bar.label, "count": bar.count} for bar in found.bars],
            "average": found.average,
            "nps": None if nps is None or not nps.answers else {
                "score": nps.score, "low": nps.low, "high": nps.high, "margin": nps.margin,
                "promoters": nps.promoters, "passives": nps.passives,
                "detractors": nps.detractors, "answers": nps.answers,
            },
        }  # fmt: skip

    def groups(found) -> list[dict[str, Any]]:
        return [{"group": group.label, **figures(group.figures)} for group in found]

    def question(found) -> dict[str, Any]:
        overall = figures(found.overall)
        return {
            "id": found.id, "position": found.position, "kind": found.kind,
            "text": found.text, "options": list(found.options), **overall,
            "months": [{"month": month, "answers": each.answers, "average": each.average,
                        "nps": None if each.nps is None or not each.nps.answers
                        else each.nps.score}
                       for month, each in found.months],
            "by_segment": groups(found.by_segment), "by_tier": groups(found.by_tier),
            "by_stage": groups(found.by_stage), "text_count": found.text_count,
            "texts": [{"text": text.text, "month": text.month,
                       "answered_at": text.answered_at, "customer": text.customer,
                       "source": text.source} for text in found.texts],
        }  # fmt: skip

    return {
        "survey": {"id": results.survey_id, "name": results.name, "kind": results.kind,
                   "anonymous": results.anonymous, "active": results.active},
        "responses": results.responses,
        "anonymous_responses": results.anonymous_responses,
        "months": [{"month": month, "responses": count} for month, count in results.months],
        "segments": list(results.segments),
        "left_out_segments": list(results.left_out_segments),
        "versions": [
            {"number": version.number, "current": version.current, "intro": version.intro,
             "created_at": version.created_at, "responses": version.responses,
             "anonymous_responses": version.anonymous_responses,
             "questions": [question(found) for found in version.questions]}
            for version in results.versions
        ],
    }  # fmt: skip


TEXTS_SHOWN = 10  # written answers printed a question (--json and --pdf have them all)


def print_results(results) -> None:
    from relapp.domain.listening.results import headline

    kept = "anonymous" if results.anonymous else "named"
    print(f"{results.name} ({results.kind}, {kept}): {results.responses:,} responses.")
    if not results.responses:
        print("Nobody has answered it yet.")
        return
    print("By month: " + ", ".join(f"{month} {count:,}" for month, count in results.months))
    for version in results.versions:
        state = "current" if version.current else "earlier"
        print(f"\nVersion {version.number} ({state}): {version.responses:,} responses")
        for found in version.questions:
            overall = found.overall
            print(f"\n{found.position}. {found.text} [{found.kind}] {overall.answers:,} answers")
            line = headline(overall, found.kind)
            if line:
                print(f"   {line}")
            for bar in overall.bars:
                share = f"{bar.count / overall.answers:4.0%}" if overall.answers else "   –"
                print(f"   {bar.label:>12.12}  {bar.count:>9,}  {share}")
            for title, groups in (("segment", found.by_segment), ("tier", found.by_tier),
                                  ("stage", found.by_stage)):  # fmt: skip
                for group in groups:
                    figure = headline(group.figures, found.kind) or "no answers"
                    print(f"   {title} {group.label}: {group.figures.answers:,} answers; {figure}")
            for text in found.texts[:TEXTS_SHOWN]:
                who = text.customer or "anonymous"
                print(f"   {text.month}  {who}: {text.text}")
            if found.text_count > TEXTS_SHOWN:
                print(f"   … and {found.text_count - TEXTS_SHOWN:,} more (--json or --pdf: all)")
    if results.anonymous_responses:
        print(f"\n{results.anonymous_responses:,} anonymous responses are in every total and in"
              " no split.")  # fmt: skip


def run_forms(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.reports.survey_forms import survey_forms

    open_shop(database_target(args))
    sheet = survey_forms(args.out, args.survey, segment=args.segment, blank=args.blank or 1)
    forms = "1 form" if sheet.forms == 1 else f"{sheet.forms:,} forms"
    pages = "1 page" if sheet.pages == 1 else f"{sheet.pages:,} pages"
    print(f"Wrote {sheet.path} ({forms}, {pages}).")
    return 0
