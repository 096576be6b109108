"""A partner's code batch on paper: the list of codes to hand over, each with a box to tick
when given out, under what they give, how long they last and the words to say with them."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from relapp.db.fields import parse_timestamp
from relapp.domain.partners.batches import Batch, batch_codes
from relapp.domain.terms import PARTNER_DIRECTION_NAMES
from relapp.i18n import _
from relapp.reports.document import (
    Cancelled,
    Progress,
    build_pdf,
    heading,
    paragraph,
    report_context,
)
from relapp.reports.dossier import check_cancelled
from relapp.reports.tables import Fit, fit, text_table, widths

TITLE = "Partner codes"
SIZE = 11  # the codes are read out and typed: larger than a report's tables


def batch_sheet(
    batch: Batch, out: Path, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> Path:
    """Write the batch's codes to out (a PDF) and return out.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    codes = batch_codes(batch.offer_id)
    until = context.day(parse_timestamp(batch.valid_until).astimezone())
    offer = batch.offer
    if batch.min_spend_cents:
        offer = _("{offer} on a purchase of {least} or more").format(
            offer=offer, least=context.money(batch.min_spend_cents))  # fmt: skip
    name = batch.partner if not batch.label else f"{batch.partner}, {batch.label}"
    story: list[Flowable] = [
        heading(_("{title}: {name}").format(title=_(TITLE), name=name), "title"),
        paragraph(_(PARTNER_DIRECTION_NAMES[batch.direction]), "subtitle"),
        paragraph(
            _(
                "Each code gives {offer} at {shop}, once, until {until}. Redeem it at the "
                "counter with Use voucher (F6), for the customer using it; a new customer "
                "is enrolled first."
            ).format(offer=offer, shop=context.shop_name, until=until)
        ),
    ]
    header = ["", _("Code"), _("Given out"), _("Used")]
    rows = [(str(number), code, "☐", _("used") if used else "")
            for number, (code, used) in enumerate(codes, start=1)]  # fmt: skip
    columns = [fit(title, [row[index] for row in rows], size=SIZE)
               for index, title in enumerate(header)]  # fmt: skip
    story += text_table(header, rows, widths(context, columns[0], Fit(columns[1].width + 30),
                                              columns[2], 1), numeric=(0,), size=SIZE)  # fmt: skip
    title = _("{title} · {name}").format(title=_(TITLE), name=name)
    return build_pdf(out, title, story, context, progress, cancelled)
