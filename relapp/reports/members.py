"""The members report: memberships on paper (relapp.domain.memberships.figures).

Current members and members in grace by plan with each plan's fee; joins, renewals, lapses
and fees collected month by month for the last 12 months, with their totals; and the renewal
rate over the last 365 days, saying how it is worked out. A shop without plans gets a page
saying so rather than empty tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.dates import format_skeleton
from reportlab.platypus import Flowable

from relapp.domain.memberships.figures import MembersFigures, members_figures
from relapp.i18n import _
from relapp.reports.document import (
    TEXT_DARK,
    Cancelled,
    Progress,
    ReportContext,
    build_pdf,
    heading,
    paragraph,
    report_context,
)
from relapp.reports.dossier import check_cancelled
from relapp.reports.fonts import BOLD
from relapp.reports.tables import Fit, fit, section, text_table, widths

TITLE = "Members report"


def members_report(
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    today: date | None = None,
) -> Path:
    """Write the members report to out (a PDF) and return out.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    figures = members_figures(today)
    as_of = _("As of {day}").format(day=context.day(figures.today))
    story: list[Flowable] = [heading(_(TITLE), "title"), paragraph(as_of, "subtitle")]
    if not figures.plans:
        story.append(paragraph(_(
            "The shop has no membership plan yet: a manager adds plans in Loyalty, on the "
            "Memberships tab.")))  # fmt: skip
        return build_pdf(out, _(TITLE), story, context, progress, cancelled)
    story += [
        paragraph(_summary(figures, context)),
        *_by_plan(figures, context),
        *_by_month(figures, context),
        *section(_("How it is counted")),
        paragraph(_(
            "A member is current from the first day of their membership to its last; after it "
            "they are in grace for the plan's grace days, then their membership has lapsed. A "
            "joining or a renewal counts in the month its membership starts; a lapse in the "
            "month after the grace ends, if nothing followed it; fees in the month they were "
            "paid. The renewal rate is the share of the memberships that ended in the last 365 "
            "days that were renewed. Cancelled memberships count nowhere."), "small"),
    ]  # fmt: skip
    return build_pdf(out, _(TITLE), story, context, progress, cancelled)


def _summary(figures: MembersFigures, context: ReportContext) -> str:
    rate = figures.renewal_rate
    renewal = (
        _("No membership ended in the last 365 days, so there is no renewal rate yet.")
        if rate is None
        else _("Renewal rate: {rate} ({renewed} of the {ended} memberships that ended in the "
               "last 365 days were renewed).").format(
            rate=f"{rate:.0%}", renewed=context.number(figures.renewed),
            ended=context.number(figures.ended))
    )  # fmt: skip
    return _("Current members: {current}. Fees collected in the last 12 months: {fees}. "
             "{renewal}").format(current=context.number(figures.current),
                                 fees=context.money(figures.fees_cents),
                                 renewal=renewal)  # fmt: skip


def _by_plan(figures: MembersFigures, context: ReportContext) -> list[Flowable]:
    header = [_("Plan"), _("Fee"), _("Current"), _("In grace")]
    rows = [
        (plan.plan if plan.active else _("{plan} (retired)").format(plan=plan.plan),
         context.money(plan.fee_cents) if plan.fee_cents else _("free"),
         context.number(plan.current), context.number(plan.in_grace))
        for plan in figures.plans
    ]  # fmt: skip
    rows.append((_("Total"), "", context.number(figures.current),
                 context.number(sum(plan.in_grace for plan in figures.plans))))  # fmt: skip
    return [*section(_("Members by plan")), *_figures_table(header, rows, context)]


def _by_month(figures: MembersFigures, context: ReportContext) -> list[Flowable]:
    header = [_("Month"), _("Joined"), _("Renewed"), _("Lapsed"), _("Payments"), _("Fees")]
    locale = context.locale
    rows = [
        (format_skeleton("yMMM", month.month, locale=locale), context.number(month.joins),
         context.number(month.renewals), context.number(month.lapses),
         context.number(month.payments), context.money(month.fees_cents))
        for month in figures.months
    ]  # fmt: skip
    months = figures.months
    rows.append((_("Total"), *(context.number(sum(getattr(month, name) for month in months))
                               for name in ("joins", "renewals", "lapses", "payments")),
                 context.money(figures.fees_cents)))  # fmt: skip
    return [*section(_("The last 12 months")), *_figures_table(header, rows, context)]


def _figures_table(header: list[str], rows: list[tuple[str, ...]], context: ReportContext):
    """The first column taking the room left; figures right-aligned, just wide enough; the
    last row (the total) bold under a rule."""
    figures = [Fit(fit(title, [row[index] for row in rows]).width + 6)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    last = len(rows)
    total = [("FONTNAME", (0, last), (-1, last), BOLD),
             ("LINEABOVE", (0, last), (-1, last), 0.75, TEXT_DARK)]  # fmt: skip
    return text_table(header, rows, widths(context, 1, *figures),
                      numeric=tuple(range(1, len(header))), style=total)  # fmt: skip
