"""The loyalty liability: what the shop owes its customers in points, and what it is worth.

relapp.domain.loyalty.program.loyalty_liability() on paper: outstanding points and their value per
tier with the total, the points that expire within 30 days and their value, the campaign
vouchers not used yet and still valid (relapp.domain.campaigns.vouchers.unused_vouchers) and
what they are worth, what is left on gift cards by the month they were sold in
(relapp.domain.giftcards.cards.outstanding_by_month) with the total, and the value of 100
points the figures are worked out with. One line says how: each value is the points times the
value of 100 points, divided by 100 and rounded down to the cent; the total is worked out from
the total points, so it can be a few cents more than its rows added up.

For one shop (a business with several, schema 11): points are shared across shops (a
customer earns at one and spends at another, one balance), so what is owed is the
business's and the figures are the same as for all shops. The report has no period to count
what that shop issued and redeemed over, so it names the shop in its title line and says in a
line that the points are shared and the figures are the whole business's.
"""

from __future__ import annotations

from pathlib import Path

from babel.dates import format_date
from reportlab.platypus import Flowable, Spacer

from relapp.db.fields import parse_timestamp
from relapp.db.models import database
from relapp.domain.campaigns.vouchers import UnusedVouchers, unused_vouchers
from relapp.domain.giftcards.cards import MonthOwed, outstanding_by_month
from relapp.domain.loyalty.program import EXPIRING_SOON_DAYS, Liability, loyalty_liability
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.shops import Shop
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

TITLE = "Loyalty liability"
NO_TIER = "No tier"  # as loyalty_liability() names the customers without a tier


def liability_report(
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    shop: Shop | None = None,
) -> Path:
    """Write the loyalty liability to out (a PDF) and return out.

    Args:
        shop: asked for one shop: the same figures (points are shared), the shop named and
            the sharing said (module docstring); None: all shops.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    with database.atomic():  # the value of points printed is the one the figures used
        owed = loyalty_liability()
        per_100 = load_settings().value_of_100_points_cents
        vouchers = unused_vouchers()
        gift_cards = outstanding_by_month()
    as_of = _("As of {moment}").format(moment=context.moment(context.generated_at))
    outstanding = _("Outstanding points: {points}, worth {value}, held by {n} customers.").format(
        points=context.number(owed.points),
        value=context.money(owed.value_cents),
        n=context.number(owed.customers_with_points),
    )
    rate = _("Value of 100 points: {value}.").format(value=context.money(per_100))
    how = _(
        "Each value is the points times the value of 100 points, divided by 100 and rounded "
        "down to the cent. The total is worked out from all the points together, so it can be "
        "a few cents more than the rows added up. Every customer with a balance counts, "
        "archived ones too. A campaign voucher is worth its amount off, or its points (a free "
        "reward's points cost) at the same value; a percent off counts as nothing, its worth "
        "depending on the purchase it is used with. Only vouchers not used yet and still valid "
        "count."
    )
    title = _(TITLE)
    if shop is not None:
        title = _("{title} · {shop}").format(title=title, shop=shop.name)
    shared = [] if shop is None else [paragraph(_(
        "Points are shared across shops: a customer earns and spends them at any shop, from "
        "one balance, so these figures are what the whole business owes, not {shop} "
        "alone.").format(shop=shop.name)), Spacer(0, 6)]  # fmt: skip
    story: list[Flowable] = [
        heading(title, "title"),
        paragraph(as_of, "subtitle"),
        *shared,
        paragraph(outstanding),
        paragraph(rate),
        *_by_tier(owed, context),
        *_expiring(owed, per_100, context),
        *_vouchers(vouchers, context),
        *_gift_cards(gift_cards, context),
        *section(_("How the value is worked out")),
        paragraph(how, "small"),
    ]
    return build_pdf(out, title, story, context, progress, cancelled)


def value_of(points: int, value_of_100_points_cents: int) -> int:
    """What points are worth in cents, rounded down, as loyalty_liability() works it out."""
    return points * value_of_100_points_cents // 100


def _by_tier(owed: Liability, context: ReportContext) -> list[Flowable]:
    story = section(_("Outstanding points by tier"))
    if not owed.by_tier:
        return [*story, paragraph(_("No customer holds any points."))]
    header = [_("Tier"), _("Customers"), _("Points"), _("Value")]
    rows = [
        (_(row.tier) if row.tier == NO_TIER else row.tier, context.number(row.customers),
         context.number(row.points), context.money(row.value_cents))
        for row in owed.by_tier
    ]  # fmt: skip
    rows.append((_("Total"), context.number(owed.customers_with_points),
                 context.number(owed.points), context.money(owed.value_cents)))  # fmt: skip
    # Figures in columns just wide enough (bold for the total: a little wider), the tier
    # names taking the rest.
    figures = [Fit(fit(title, [row[index] for row in rows]).width + 6)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    total_row = [("FONTNAME", (0, len(rows)), (-1, len(rows)), BOLD),
                 ("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.75, TEXT_DARK)]  # fmt: skip
    return [*story, *text_table(header, rows, widths(context, 1, *figures), numeric=(1, 2, 3),
                                style=total_row)]  # fmt: skip


def _expiring(owed: Liability, per_100: int, context: ReportContext) -> list[Flowable]:
    points = owed.expiring_soon_points
    line = _("{points} points expire within {days} days, worth {value}.").format(
        points=context.number(points), days=EXPIRING_SOON_DAYS,
        value=context.money(value_of(points, per_100)))  # fmt: skip
    return [*section(_("Expiring soon")), paragraph(line)]


def _vouchers(rows: list[UnusedVouchers], context: ReportContext) -> list[Flowable]:
    story = section(_("Campaign vouchers not used yet"))
    if not rows:
        return [*story, paragraph(_("No campaign voucher is waiting to be used."))]
    header = [_("Campaign"), _("Offer"), _("Valid until"), _("Unused"), _("Value")]
    lines = [
        (row.campaign, row.offer, context.moment(parse_timestamp(row.valid_until)),
         context.number(row.count), context.money(row.total_cents))
        for row in rows
    ]  # fmt: skip
    total = sum(row.total_cents for row in rows)
    lines.append((_("Total"), "", "", context.number(sum(row.count for row in rows)),
                  context.money(total)))  # fmt: skip
    figures = [Fit(fit(title, [line[index] for line in lines]).width + 6)
               for index, title in enumerate(header[2:], start=2)]  # fmt: skip
    total_row = [("FONTNAME", (0, len(lines)), (-1, len(lines)), BOLD),
                 ("LINEABOVE", (0, len(lines)), (-1, len(lines)), 0.75, TEXT_DARK)]  # fmt: skip
    return [*story, *text_table(header, lines, widths(context, 1, 1, *figures),
                                numeric=(3, 4), style=total_row)]  # fmt: skip


def _gift_cards(rows: list[MonthOwed], context: ReportContext) -> list[Flowable]:
    """What is left on the gift cards sold, by the month of sale (local time), and the total:
    the cards' ledger, every card with something left on it."""
    story = section(_("Gift cards"))
    if not rows:
        return [*story, paragraph(_("No gift card has anything left on it."))]
    header = [_("Sold in"), _("Cards"), _("Outstanding")]
    lines = [
        (format_date(row.month, "LLLL yyyy", locale=context.locale), context.number(row.cards),
         context.money(row.cents))
        for row in rows
    ]  # fmt: skip
    lines.append((_("Total"), context.number(sum(row.cards for row in rows)),
                  context.money(sum(row.cents for row in rows))))  # fmt: skip
    figures = [Fit(fit(title, [line[index] for line in lines]).width + 6)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    total_row = [("FONTNAME", (0, len(lines)), (-1, len(lines)), BOLD),
                 ("LINEABOVE", (0, len(lines)), (-1, len(lines)), 0.75, TEXT_DARK)]  # fmt: skip
    note = _(
        "What is left on each card sold, by the month it was sold in; a card counts until "
        "it is used up or expires (the daily round takes what is left at its expiry)."
    )
    return [*story, *text_table(header, lines, widths(context, 1, *figures), numeric=(1, 2),
                                style=total_row), Spacer(0, 4),
            paragraph(note, "small")]  # fmt: skip
