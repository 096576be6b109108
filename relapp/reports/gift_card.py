"""A gift card to print and hand over: credit-card size on the shop's paper, ready to cut.

The card (ISO/IEC 7810 ID-1, as the loyalty cards: relapp.reports.cards) carries the shop's
name and logo, its value, whom it is for if it was sold to a customer, until when it is valid,
and its code three ways: as text in groups of four (to type), as a Code128 barcode (a USB
counter scanner) and as a QR code (phones and camera scanners); both symbols hold the code
without its dashes, which is what the Counter's gift card dialog reads. Crop marks outside the
card, and a line under it with the sale for the shop's records.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from relapp.domain.giftcards.cards import GiftCard
from relapp.domain.loyalty.ledger import customer
from relapp.errors import RelappError
from relapp.reports.barcodes import draw_qr
from relapp.reports.cards import (
    CARD_HEIGHT,
    CARD_WIDTH,
    MIN_MARGIN,
    PADDING,
    QR_QUIET,
    QR_SIZE,
    TEAL,
    CardGrid,
    draw_code128,
    draw_cut_guides,
    draw_logo,
    read_logo,
)
from relapp.reports.document import TEXT_DARK, TEXT_MUTED, ReportContext, atomic_pdf, report_context
from relapp.reports.fonts import register_fonts
from relapp.reports.text import draw_text, text_width

TITLE = "Gift card"


def gift_card_pdf(card: GiftCard, out: Path) -> Path:
    """Write the card, to print and cut, to out (a PDF); returns out.

    Raises:
        RelappError: out cannot be written.
    """
    register_fonts()
    context = report_context()
    width, height = context.paper
    grid = CardGrid(1, 1, (width - CARD_WIDTH) / 2, height - 2 * MIN_MARGIN - CARD_HEIGHT)
    holder = _holder(card)
    with atomic_pdf(Path(out)) as temporary:
        canvas = Canvas(temporary, pagesize=context.paper, pageCompression=1)
        canvas.setTitle(f"{TITLE} {card.shown}")
        canvas.setAuthor(context.shop_name)
        canvas.setCreator("Relapp")
        _draw_card(canvas, grid.left, grid.bottom, card, holder, context, read_logo())
        draw_cut_guides(canvas, grid)
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, width / 2, grid.bottom - 12 * mm, _record_line(card, holder, context),
                  8, align="centre", max_width=width - 2 * MIN_MARGIN)  # fmt: skip
        canvas.showPage()
        canvas.save()
    return Path(out)


def _holder(card: GiftCard) -> str:
    """The customer's name if the card is theirs (not if they were erased since)."""
    if card.contact_id is None:
        return ""
    try:
        return customer(card.contact_id).name
    except RelappError:
        return ""


def _valid_text(card: GiftCard, context: ReportContext) -> str:
    if card.expires_at is None:
        return "no expiry date"
    return f"valid until {context.day(card.expires_at)}"


def _record_line(card: GiftCard, holder: str, context: ReportContext) -> str:
    who = f"to {holder}" if holder else "as a bearer card"
    return (
        f"{context.shop_name} · {TITLE} {card.shown} · sold {context.day(card.sold_at)} for"
        f" {context.money(card.sold_cents)} {who}, {_valid_text(card, context)}"
        f" · Printed {context.moment(context.generated_at)}"
    )


def _draw_card(
    canvas: Canvas,
    x: float,
    y: float,
    card: GiftCard,
    holder: str,
    context: ReportContext,
    logo: ImageReader | None,
) -> None:
    """The card with its lower left corner at (x, y)."""
    inner = CARD_WIDTH - 2 * PADDING
    top = y + CARD_HEIGHT - PADDING
    canvas.saveState()
    # The shop's name on the left, its logo (if any) on the right, a rule under them.
    logo_box = (24 * mm, 9 * mm)
    name_room = inner
    if logo is not None:
        name_room -= logo_box[0] + 3 * mm
        draw_logo(canvas, logo, x + CARD_WIDTH - PADDING, top, *logo_box)
    canvas.setFillColor(TEAL)
    draw_text(canvas, x + PADDING, top - 5.6 * mm, context.shop_name, 10, bold=True,
              max_width=name_room)  # fmt: skip
    canvas.setStrokeColor(TEAL)
    canvas.setLineWidth(0.8)
    canvas.line(x + PADDING, top - 11 * mm, x + CARD_WIDTH - PADDING, top - 11 * mm)
    # What it is worth, large; beside the QR code's column, what it is and until when.
    qr_left = x + CARD_WIDTH - PADDING - QR_SIZE
    text_room = qr_left - 2 * mm - (x + PADDING)
    canvas.setFillColor(TEXT_DARK)
    draw_text(canvas, x + PADDING, top - 18.5 * mm, context.money(card.sold_cents), 17,
              bold=True, max_width=text_room)  # fmt: skip
    canvas.setFillColor(TEAL)
    draw_text(canvas, x + CARD_WIDTH - PADDING, top - 18.5 * mm, TITLE.upper(), 8, bold=True,
              align="right")  # fmt: skip
    canvas.setFillColor(TEXT_MUTED)
    about = f"For {holder} · {_valid_text(card, context)}" if holder else _valid_text(card, context)
    draw_text(canvas, x + PADDING, top - 23 * mm, about[:1].upper() + about[1:], 7,
              max_width=text_room)  # fmt: skip
    # QR code bottom right, Code128 bottom left beside its quiet zone, the code under the bars.
    module = draw_qr(canvas, card.code, qr_left, y + PADDING, QR_SIZE)
    assert module is not None  # 16 characters always fit a QR code
    bars_room = qr_left - QR_QUIET * module - (x + PADDING)
    bars_width = draw_code128(canvas, card.code, x + PADDING, y + PADDING + 4.5 * mm, bars_room)
    size = min(9, 9 * bars_width / text_width(card.shown, 9, bold=True))
    canvas.setFillColor(TEXT_DARK)
    draw_text(canvas, x + PADDING + bars_width / 2, y + PADDING, card.shown, size, bold=True,
              align="centre")  # fmt: skip
    canvas.restoreState()
