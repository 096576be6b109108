"""The partner report: for a quarterly review with a partner business, on paper
(relapp.domain.partners.figures).

Per partner: the agreement and what they offer; the customers who came through them and
joined in the period, how many bought and what they spent to date; who came back within 3, 6
and 12 months of joining (of those whose months are over); the codes issued and redeemed both
ways (their codes redeemed here, our codes handed out there); the partner-offer campaigns and
how many customers agree to partner offers. Without a partner named, one section per partner,
each on its own page. A line at the end says how each figure is counted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.platypus import Flowable, PageBreak

from relapp.domain.partners.figures import PartnerFigures, partner_figures
from relapp.domain.partners.partners import Partner, list_partners
from relapp.domain.terms import PARTNER_DIRECTION_NAMES
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

TITLE = "Partner report"


def partner_report(
    out: Path,
    partners: list[Partner] | None,
    since: date,
    until: date,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    today: date | None = None,
) -> Path:
    """Write the partner report over [since, until] (shop days, both included) to out (a PDF)
    for these partners (None: every partner) and return out.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the period ends before it begins; the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    chosen = partners if partners is not None else [line.partner for line in list_partners()]
    period = _("{first} to {last}").format(first=context.day(since), last=context.day(until))
    title = _(TITLE) if len(chosen) != 1 else _("{title} · {partner}").format(
        title=_(TITLE), partner=chosen[0].name)  # fmt: skip
    story: list[Flowable] = []
    if not chosen:
        story += [
            heading(_(TITLE), "title"),
            paragraph(period, "subtitle"),
            paragraph(_("The shop has no partner yet: add partners in Campaigns, Partners.")),
        ]
        return build_pdf(out, title, story, context, progress, cancelled)
    for number, partner in enumerate(chosen):
        check_cancelled(cancelled)
        figures = partner_figures(partner, since, until, today)
        if number:
            story.append(PageBreak())
        story += _partner_section(figures, period, context)
    story += [*section(_("How it is counted")), paragraph(_(
        "A customer came through a partner when the partner is recorded as their referral "
        "source: set in the customer's details, or on the first partner's code they redeemed. "
        "Acquired: such customers whose record was made in the period. Spend: their purchases, "
        "refunds left out, from joining to the day of this report. Came back within 3, 6 or 12 "
        "months: a visit or purchase on a later day than the one they joined on, within that "
        "many months; only customers whose months are over count, so a recent period shows "
        "few. Codes issued: codes of the partner's batches made in the period; redeemed: the "
        "partner's codes used here in the period, whenever they were made. Partner offers go "
        "only to customers who agreed to partner offers."), "small")]  # fmt: skip
    return build_pdf(out, title, story, context, progress, cancelled)


def _partner_section(
    figures: PartnerFigures, period: str, context: ReportContext
) -> list[Flowable]:
    partner = figures.partner
    story: list[Flowable] = [
        heading(_("{title}: {partner}").format(title=_(TITLE), partner=partner.name), "title"),
        paragraph(period, "subtitle"),
    ]
    about = [_agreement(partner, context)]
    if partner.contact_person or partner.phone or partner.email:
        who = " · ".join(part for part in (partner.contact_person, partner.phone, partner.email)
                         if part)  # fmt: skip
        about.append(_("Contact: {who}").format(who=who))
    if partner.offers:
        about.append(_("What they offer: {offers}").format(offers=partner.offers))
    story += [paragraph(line) for line in about]
    average = figures.average_spend_cents
    story += [
        *section(_("Customers who came through {partner}").format(partner=partner.name)),
        paragraph(
            _(
                "Customers who joined in the period: {acquired}. Of them, {buyers} bought, "
                "spending {spend} to date{average}."
            ).format(
                acquired=context.number(figures.acquired),
                buyers=context.number(figures.buyers),
                spend=context.money(figures.spend_cents),
                average=""
                if average is None
                else _(" ({each} a customer on average)").format(each=context.money(average)),
            )
        ),
        *_retention(figures, context),
        *section(_("Codes, both ways")),
        *_codes(figures, context),
        *section(_("Partner offers to our customers")),
        paragraph(
            _(
                "Partner-offer campaigns produced in the period: {campaigns}, with {sent} "
                "messages sent and {vouchers} vouchers given ({redeemed} redeemed). Customers who "
                "agree to partner offers now: {consenting}."
            ).format(
                campaigns=context.number(figures.campaigns),
                sent=context.number(figures.offers_sent),
                vouchers=context.number(figures.campaign_vouchers),
                redeemed=context.number(figures.campaign_redeemed),
                consenting=context.number(figures.consenting),
            )
        ),
    ]
    return story


def _agreement(partner: Partner, context: ReportContext) -> str:
    start, end = partner.agreement_from, partner.agreement_until
    if start and end:
        return _("Agreement from {start} to {end}.").format(
            start=context.day(start), end=context.day(end))  # fmt: skip
    if start:
        return _("Agreement from {start}, with no end date.").format(start=context.day(start))
    if end:
        return _("Agreement until {end}.").format(end=context.day(end))
    return _("No agreement dates recorded.")


def _retention(figures: PartnerFigures, context: ReportContext) -> list[Flowable]:
    header = [_("Came back within"), _("Customers whose months are over"), _("Came back"),
              _("Share")]  # fmt: skip
    rows = [
        (_("{months} months").format(months=line.months), context.number(line.eligible),
         context.number(line.came_back),
         "–" if line.rate is None else f"{line.rate:.0%}")
        for line in figures.retention
    ]  # fmt: skip
    return _figures_table(header, rows, context)


def _codes(figures: PartnerFigures, context: ReportContext) -> list[Flowable]:
    header = [_("Way"), _("Codes issued"), _("Redeemed here")]
    rows = [
        (_(PARTNER_DIRECTION_NAMES[line.direction]), context.number(line.issued),
         context.number(line.redeemed))
        for line in figures.codes
    ]  # fmt: skip
    rows.append((_("Total"), context.number(sum(line.issued for line in figures.codes)),
                 context.number(sum(line.redeemed for line in figures.codes))))  # fmt: skip
    return _figures_table(header, rows, context, total=True)


def _figures_table(
    header: list[str], rows: list[tuple[str, ...]], context: ReportContext, total: bool = False
):
    """The first column taking the room left; figures right-aligned, just wide enough; total:
    the last row is a total, bold under a rule."""
    last = len(rows)
    style = [("FONTNAME", (0, last), (-1, last), BOLD),
             ("LINEABOVE", (0, last), (-1, last), 0.75, TEXT_DARK)] if total else []  # fmt: skip
    figures = [Fit(fit(title, [row[index] for row in rows]).width + 6)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    return text_table(header, rows, widths(context, 1, *figures),
                      numeric=tuple(range(1, len(header))), style=style)  # fmt: skip
