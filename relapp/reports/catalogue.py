"""Every report the shop can print, what each needs, and one way to write any of them.

The command line (`relapp report KIND ...`) and the Reports view both go through
write_report(), so a report and its checks are the same wherever it is asked for.

A business with several shops (schema 11) can run the shop-wide reports for one shop
(ReportKind.by_shop; each report's docstring says what one shop's report counts); the reports
about customers (dossier, cards, segment list) are the same whichever shop asks, customers
being shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from relapp.domain.loyalty.points import find_customer
from relapp.domain.shop.shops import Shop, list_shops
from relapp.errors import RelappError

if TYPE_CHECKING:  # reportlab is loaded when a report is written, not for every command
    from relapp.reports.document import Cancelled, Progress

CUSTOMER, CUSTOMERS, SEGMENT, NOTHING = "customer", "customers", "segment", ""
PARTNER = "partner"  # a partner (or all of them) and a period
SURVEY, DRAW = "survey", "draw"  # a survey; a competition that was drawn


@dataclass(frozen=True)
class ReportKind:
    key: str  # as the command line names it
    title: str
    # CUSTOMER, CUSTOMERS (ids or a segment), SEGMENT, PARTNER, SURVEY, DRAW or NOTHING
    needs: str
    description: str
    by_shop: bool = False  # can be run for one shop (ReportRequest.shop)


REPORTS = (
    ReportKind("customer", "Customer dossier", CUSTOMER,
               "Everything about one customer: profile, consent, preferences, points statement "
               "with running balance, history, open queries and follow-ups, card QR code."),
    ReportKind("cards", "Loyalty cards", CUSTOMERS,
               "Credit-card-size cards with name, card number, barcode and QR code, with crop "
               "marks, for one customer, a selection or a segment."),
    ReportKind("segment", "Segment list", SEGMENT,
               "The customers of a saved segment, with the chosen columns."),
    ReportKind("loyalty", "Loyalty liability", NOTHING,
               "Outstanding points and their value per tier, points expiring soon, unused "
               "vouchers and what is left on gift cards.",
               by_shop=True),
    ReportKind("retention", "Retention summary", NOTHING,
               "Active customers, repeat purchases, new and returning customers by month, tier "
               "and ladder mix, drifting and lapsed customers, with charts.", by_shop=True),
    ReportKind("followups", "Today's follow-up list", NOTHING,
               "Follow-ups, open queries, birthdays and drifting customers, to tick off at the "
               "counter.", by_shop=True),
    ReportKind("members", "Members report", NOTHING,
               "Current members by plan; joins, renewals, lapses and fees by month for 12 "
               "months; the renewal rate."),
    ReportKind("member-cards", "Membership cards", CUSTOMERS,
               "Loyalty cards with the member's plan and the day the membership runs to, for "
               "one member, a selection or a segment."),
    ReportKind("partner", "Partner report", PARTNER,
               "For a quarterly review with a partner: customers who came through them, their "
               "spend and who came back after 3, 6 and 12 months, codes issued and redeemed "
               "both ways."),
    ReportKind("survey", "Survey results", SURVEY,
               "What customers answered a survey: each question's figures (the NPS with its "
               "margin, the average rating, the most given answer) with charts, the months, "
               "the splits by segment, tier and stage, and every written answer."),
    ReportKind("draw", "Prize draw record", DRAW,
               "For the shop's records: a competition's terms, its draw (the seed, the entries "
               "counted and left out), the winners, and how anyone can run the draw again."),
)  # fmt: skip
REPORTS_BY_KEY = {kind.key: kind for kind in REPORTS}


@dataclass(frozen=True)
class ReportRequest:
    kind: str  # a ReportKind key
    customer: str = ""  # customer number or card number (dossier)
    ids: tuple[int, ...] = ()  # customers (cards)
    segment: str = ""  # a saved segment (cards, segment list)
    columns: tuple[str, ...] = ()  # segment list columns; empty: the defaults
    shop: str = ""  # one shop's name (any letter case), for a by_shop report; empty: all shops
    partner: str = ""  # a partner's name (any letter case), for the partner report; empty: all
    since: date | None = None  # the partner report's period (shop days, both included);
    until: date | None = None  # None: the last full quarter
    survey: int | None = None  # the survey results' survey (its number)
    competition: int | None = None  # the prize draw record's competition (its number)


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: int
    note: str = ""  # e.g. "3 customers without a card were skipped"


def write_report(
    request: ReportRequest,
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ReportResult:
    """Write the requested report to out.

    Raises:
        RelappError: a sentence for the user (unknown customer or segment, nothing to print,
            the folder cannot be written); ReportCancelled if cancelled.
    """
    if request.kind not in REPORTS_BY_KEY:
        raise RelappError(f"There is no report called {request.kind!r}.")
    note = ""
    writer = _WRITERS[request.kind]
    if request.shop.strip():
        kind = REPORTS_BY_KEY[request.kind]
        if not kind.by_shop:
            raise RelappError(f"The {kind.title.lower()} is the same for every shop: leave out "
                              "the shop.")  # fmt: skip
        outcome = writer(request, Path(out), progress, cancelled, find_shop(request.shop))
    else:
        outcome = writer(request, Path(out), progress, cancelled)
    if isinstance(outcome, tuple):
        path, note = outcome
    else:
        path = outcome
    return ReportResult(path, page_count(path), note)


def find_shop(name: str) -> Shop:
    """The shop called name (as typed, else in any letter case).

    Raises:
        RelappError: no shop is called that; the sentence lists the shops.
    """
    shops = list_shops()
    wanted = name.strip()
    found = next((shop for shop in shops if shop.name == wanted), None) or next(
        (shop for shop in shops if shop.name.casefold() == wanted.casefold()), None
    )
    if found is not None:
        return found
    names = ", ".join(repr(shop.name) for shop in shops)
    raise RelappError(f"There is no shop called {wanted!r}; the shops are {names}.")


def page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def _customer(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.dossier import customer_dossier

    if not request.customer.strip():
        raise RelappError("Say which customer: their number or card number.")
    contact_id = find_customer(request.customer, archived_too=True)
    return customer_dossier(contact_id, out, progress, cancelled)


def _cards(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.cards import card_ids_for_segment, loyalty_cards

    if request.segment:
        ids = card_ids_for_segment(request.segment)
    elif request.ids:
        ids = list(request.ids)
    else:
        raise RelappError("Say whose cards to print: customer numbers or a segment.")
    sheet = loyalty_cards(ids, out, progress, cancelled)
    note = ""
    if sheet.skipped:
        note = (
            f"{len(sheet.skipped)} customer skipped: {sheet.skipped[0][1]}"
            if len(sheet.skipped) == 1
            else f"{len(sheet.skipped)} customers skipped (no card number, or gone)."
        )
    return sheet.path, note


def _segment(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.segment_list import segment_report

    if not request.segment.strip():
        raise RelappError("Say which saved segment to list.")
    try:
        return segment_report(request.segment, out, request.columns or None, progress, cancelled)
    except ValueError as error:  # an unknown column: the message lists the valid ones
        raise RelappError(str(error)) from error


def _loyalty(request: ReportRequest, out: Path, progress, cancelled, shop: Shop | None = None):
    from relapp.reports.liability import liability_report

    return liability_report(out, progress, cancelled, shop=shop)


def _retention(request: ReportRequest, out: Path, progress, cancelled, shop: Shop | None = None):
    from relapp.reports.retention import retention_report

    return retention_report(out, progress, cancelled, shop=shop)


def _followups(request: ReportRequest, out: Path, progress, cancelled, shop: Shop | None = None):
    from relapp.reports.followups import followup_list

    return followup_list(out, progress, cancelled, shop=shop)


def _members(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.members import members_report

    return members_report(out, progress, cancelled)


def _member_cards(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.membership_cards import membership_cards

    ids = _card_ids(request)
    sheet = membership_cards(ids, out, progress, cancelled)
    note = ""
    if sheet.skipped:
        note = (
            f"{len(sheet.skipped)} customer skipped: {sheet.skipped[0][1]}"
            if len(sheet.skipped) == 1
            else f"{len(sheet.skipped)} customers skipped (no current membership or card"
            " number, or gone)."
        )
    return sheet.path, note


def _card_ids(request: ReportRequest) -> list[int]:
    from relapp.reports.cards import card_ids_for_segment

    if request.segment:
        return card_ids_for_segment(request.segment)
    if request.ids:
        return list(request.ids)
    raise RelappError("Say whose cards to print: customer numbers or a segment.")


def _partner(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.domain.memberships.status import shop_today
    from relapp.domain.partners.figures import last_quarter, quarter_of
    from relapp.domain.partners.partners import find_partner
    from relapp.reports.partner_report import partner_report

    partners = [find_partner(request.partner)] if request.partner.strip() else None
    # Neither day: the last full quarter; a first day alone: to today; a last day alone:
    # from the first day of its quarter.
    since, until = request.since, request.until
    if since is None and until is None:
        since, until = last_quarter()
    elif until is None:
        until = shop_today()
    elif since is None:
        since = quarter_of(until)[0]
    assert since is not None and until is not None
    return partner_report(out, partners, since, until, progress, cancelled)


def _survey(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.reports.survey_results import survey_results_report

    if request.survey is None:
        raise RelappError("Say which survey: its number (relapp survey list).")
    # Split by every saved segment, as `relapp survey results` does without --segment.
    return survey_results_report(out, request.survey, None, progress, cancelled)


def _draw(request: ReportRequest, out: Path, progress, cancelled):
    from relapp.domain.listening.competitions import find_competition
    from relapp.domain.listening.winners import recorded_draw
    from relapp.reports.competition_draw import draw_report

    if request.competition is None:
        raise RelappError("Say which competition: its number (relapp competition list).")
    if recorded_draw(request.competition) is None:  # refused if there is no such competition
        name = find_competition(request.competition).name
        raise RelappError(f"{name} has not been drawn yet, so there is no draw to print.")
    return draw_report(out, request.competition, progress, cancelled)


_WRITERS: dict[str, Callable] = {
    "customer": _customer,
    "cards": _cards,
    "segment": _segment,
    "loyalty": _loyalty,
    "retention": _retention,
    "followups": _followups,
    "members": _members,
    "member-cards": _member_cards,
    "partner": _partner,
    "survey": _survey,
    "draw": _draw,
}
