"""Printable loyalty cards: credit-card size, laid out on the shop's paper, ready to cut.

* Cards are ISO/IEC 7810 ID-1 size (85.6 x 54 mm), as many as the paper holds in a grid
  centred on the page (2 x 5 on A4 and on US Letter). Cards touch each other, so one
  guillotine cut separates two rows or columns; crop marks in the margin continue every cut
  line, so each card corner has its marks outside every card. The design has white edges
  (no bleed), so a cut a little off the line shows no colour from the neighbouring card.
* Each card carries the shop's name and logo, the customer's name, the card number in digits,
  as a Code128 barcode (what a USB counter scanner reads) and as a QR code (phones and camera
  scanners); the payload of both is exactly the card number. Every symbol keeps its quiet
  zone (10 bar widths for Code128, 4 modules for QR) clear inside the card.
* The cards are drawn on the canvas directly (no flowables): the page count is known
  beforehand, so each page gets its slug line (shop, "Page n of N", generated time) as it
  is drawn, along the left margin where it clears the crop marks on either paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from relapp.db.store.reports import card_details
from relapp.domain.contacts.listing import segment_filter
from relapp.domain.contacts.naming import display_name
from relapp.domain.shop.logo import logo_png
from relapp.errors import RelappError
from relapp.reports.barcodes import draw_qr
from relapp.reports.document import (
    TEXT_DARK,
    TEXT_MUTED,
    Cancelled,
    Progress,
    ReportCancelled,
    ReportContext,
    atomic_pdf,
    report_context,
)
from relapp.reports.fonts import register_fonts
from relapp.reports.segment_list import member_id_pages
from relapp.reports.text import draw_text, text_width

TITLE = "Loyalty cards"
CARD_WIDTH, CARD_HEIGHT = 85.6 * mm, 54 * mm
# The least margin around the grid: room for the crop marks. (US Letter is 5 cards and
# 9.4 mm tall; its top and bottom marks then end 0.7 mm from the edge.)
# Room outside the grid for the crop marks (MARK_GAP + MARK_LENGTH) inside the margin most
# printers cannot print (about 5 mm): A4 then holds 2 × 5 cards, US Letter 2 × 4.
MIN_MARGIN = 9 * mm
MARK_GAP, MARK_LENGTH = 1 * mm, 3 * mm  # crop marks start this far from the cut
PADDING = 5 * mm  # inside each card; also wider than every quiet zone that reaches the edge
TEAL = colors.HexColor("#0f766e")
OUTLINE = colors.HexColor("#d5dcdb")
NO_CARDS = "None of these customers has a loyalty card number."

# Code128: narrow bar 0.4 mm, quiet zone 10 bars. The longest card number the database
# allows (32 digits) needs bars of 0.24 mm to fit beside the QR code; still easy to scan.
BAR_WIDTH, MIN_BAR_WIDTH, BAR_HEIGHT, BAR_QUIET = 0.4 * mm, 0.2 * mm, 9.5 * mm, 10
QR_SIZE, QR_QUIET = 19 * mm, 4  # the symbol without its quiet zone (4 modules, ISO 18004)


@dataclass(frozen=True)
class CardSheet:
    path: Path
    printed: int
    skipped: tuple[tuple[int, str], ...]  # (contact id, why it has no card)


@dataclass(frozen=True)
class _Card:
    name: str
    number: str
    contact_id: int = 0
    caption: str = "Loyalty card"  # under the name: what the card is
    highlight: bool = False  # the caption in the shop's colour (a membership card's plan)


@dataclass(frozen=True)
class CardGrid:
    columns: int
    rows: int
    left: float
    bottom: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, slot: int) -> tuple[float, float]:
        """The lower left corner of the card in this slot, filled left to right, top down."""
        row, column = divmod(slot, self.columns)
        return self.left + column * CARD_WIDTH, self.bottom + (self.rows - 1 - row) * CARD_HEIGHT


def card_grid(paper: tuple[float, float]) -> CardGrid:
    """As many cards as fit inside MIN_MARGIN, the grid centred on the page."""
    width, height = paper
    columns = int((width - 2 * MIN_MARGIN) // CARD_WIDTH)
    rows = int((height - 2 * MIN_MARGIN) // CARD_HEIGHT)
    if columns < 1 or rows < 1:
        raise RelappError("The paper is too small for a loyalty card.")
    return CardGrid(
        columns, rows, (width - columns * CARD_WIDTH) / 2, (height - rows * CARD_HEIGHT) / 2
    )


def card_ids_for_segment(name: str) -> list[int]:
    """Every contact of the saved segment, in name order (archived ones only if it says so).

    Raises:
        UnknownSegment: there is no saved segment of that name.
    """
    return [contact_id for ids in member_id_pages(segment_filter(name)) for contact_id in ids]


def loyalty_cards(
    contact_ids: Sequence[int],
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> CardSheet:
    """Write a sheet of loyalty cards for these contacts, in the order given, to out (a PDF).

    A contact that is unknown, erased or has no card number gets no card; the sheet says
    which and why.

    Raises:
        RelappError: none of them can have a card (nothing is written), or out cannot be
            written.
        ReportCancelled: cancelled() became true (nothing is written).
    """
    cards, skipped = printable_cards(contact_ids)
    return write_card_sheet(cards, skipped, out, TITLE, progress, cancelled)


def write_card_sheet(
    cards: Sequence[_Card],
    skipped: Sequence[tuple[int, str]],
    out: Path,
    title: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    nothing: str = NO_CARDS,
) -> CardSheet:
    """Write these cards on the shop's paper (loyalty_cards' layout) to out; `nothing`: the
    refusal when there is no card to print (RelappError, nothing written). Shared with the
    membership cards (relapp.reports.membership_cards)."""
    if not cards:
        raise RelappError(nothing)
    register_fonts()
    context = report_context()
    grid = card_grid(context.paper)
    pages = math.ceil(len(cards) / grid.per_page)
    logo = read_logo()
    with atomic_pdf(Path(out)) as temporary:
        canvas = Canvas(temporary, pagesize=context.paper, pageCompression=1)
        canvas.setTitle(title)
        canvas.setAuthor(context.shop_name)
        canvas.setCreator("Relapp")
        for start in range(0, len(cards), grid.per_page):
            page_cards = cards[start : start + grid.per_page]
            for slot, card in enumerate(page_cards):
                if cancelled is not None and cancelled():
                    raise ReportCancelled("The report was cancelled; no file was written.")
                _draw_card(canvas, *grid.origin(slot), card, context.shop_name, logo)
                if progress is not None:
                    progress((start + slot + 1) / len(cards))
            draw_cut_guides(canvas, grid)
            _draw_slug(canvas, grid, context, start // grid.per_page + 1, pages, title)
            canvas.showPage()
        canvas.save()
    return CardSheet(Path(out), len(cards), tuple(skipped))


# ------------------------------------------------------------------------------ the cards


def printable_cards(contact_ids: Sequence[int]) -> tuple[list[_Card], list[tuple[int, str]]]:
    """The cards to print, in the order given, and the contacts skipped with the reason."""
    contact_ids = [int(contact_id) for contact_id in contact_ids]
    found = card_details(contact_ids)
    cards, skipped = [], []
    for contact_id in contact_ids:
        if contact_id not in found:
            skipped.append((contact_id, "no such customer"))
            continue
        holder = found[contact_id]
        number = holder.card_number
        if holder.erased:
            skipped.append((contact_id, "erased"))
        elif not (number or "").strip():
            skipped.append((contact_id, "no loyalty card number"))
        else:
            name = display_name(
                holder.kind, holder.given_name, holder.family_name, holder.organisation
            )
            cards.append(_Card(name, number.strip(), contact_id))
    return cards, skipped


def read_logo() -> ImageReader | None:
    """The shop's logo, read once: the canvas embeds it once and reuses it on every card."""
    data = logo_png()
    if data is None:
        return None
    try:
        logo = ImageReader(BytesIO(data))
        logo.getSize()  # reads the picture now, not halfway through the sheet
    except Exception:  # a damaged picture should not stop the cards; print them without it
        return None
    return logo


def _draw_card(
    canvas: Canvas, x: float, y: float, card: _Card, shop: str, logo: ImageReader | None
) -> None:
    """One card with its lower left corner at (x, y)."""
    inner = CARD_WIDTH - 2 * PADDING
    top = y + CARD_HEIGHT - PADDING
    canvas.saveState()
    # Header: the shop's name on the left, its logo (if any) in a box on the right.
    logo_box = (24 * mm, 9 * mm)
    name_room = inner
    if logo is not None:
        name_room -= logo_box[0] + 3 * mm
        draw_logo(canvas, logo, x + CARD_WIDTH - PADDING, top, *logo_box)
    canvas.setFillColor(TEAL)
    draw_text(canvas, x + PADDING, top - 5.6 * mm, shop, 10, bold=True, max_width=name_room)
    canvas.setStrokeColor(TEAL)
    canvas.setLineWidth(0.8)
    canvas.line(x + PADDING, top - 11 * mm, x + CARD_WIDTH - PADDING, top - 11 * mm)
    # The customer, over the full width: the symbols below start lower.
    canvas.setFillColor(TEXT_DARK)
    draw_text(canvas, x + PADDING, top - 18 * mm, card.name, 12.5, bold=True, max_width=inner)
    if card.highlight:  # a membership card: the plan and its end, in the shop's colour
        canvas.setFillColor(TEAL)
        draw_text(canvas, x + PADDING, top - 23 * mm, card.caption, 8.5, bold=True,
                  max_width=inner)  # fmt: skip
    else:
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, x + PADDING, top - 22.5 * mm, card.caption, 7)
    # QR code bottom right, Code128 bottom left in what is left beside the QR's quiet zone.
    qr_left = x + CARD_WIDTH - PADDING - QR_SIZE
    module = draw_qr(canvas, card.number, qr_left, y + PADDING, QR_SIZE)
    assert module is not None  # a card number (32 digits at most) always fits a QR code
    bars_room = qr_left - QR_QUIET * module - (x + PADDING)
    bars_width = draw_code128(canvas, card.number, x + PADDING, y + PADDING + 4 * mm, bars_room)
    # The digits under the bars, set smaller if a long number is wider than its bars. (Sized
    # here: draw_text shrinks text to exactly max_width, and a rounding error then cuts it.)
    size = min(8.5, 8.5 * bars_width / text_width(card.number, 8.5))
    canvas.setFillColor(TEXT_DARK)
    draw_text(canvas, x + PADDING + bars_width / 2, y + PADDING, card.number, size, align="centre")
    canvas.restoreState()


def draw_logo(
    canvas: Canvas, logo: ImageReader, right: float, top: float, box_width: float, box_height: float
) -> None:
    """The logo fitted in the box whose top right corner is given, aspect kept."""
    pixels_wide, pixels_high = logo.getSize()
    scale = min(box_width / pixels_wide, box_height / pixels_high)
    width, height = pixels_wide * scale, pixels_high * scale
    canvas.drawImage(
        logo,
        right - width,
        top - box_height + (box_height - height) / 2,
        width,
        height,
        mask="auto",
    )


def draw_code128(canvas: Canvas, number: str, x: float, y: float, room: float) -> float:
    """The Code128 of the number with its bars starting at x, within room (its right quiet
    zone included); returns the width of the bars."""
    modules = Code128(number, barWidth=1, quiet=0).width
    bar_width = max(MIN_BAR_WIDTH, min(BAR_WIDTH, room / (modules + BAR_QUIET)))
    barcode = Code128(number, barWidth=bar_width, barHeight=BAR_HEIGHT, quiet=0)
    canvas.setFillColor(colors.black)
    barcode.drawOn(canvas, x, y)
    return modules * bar_width


# ----------------------------------------------------------------------- around the cards


def draw_cut_guides(canvas: Canvas, grid: CardGrid) -> None:
    """Crop marks in the margin on every cut line, and a light hairline along the cuts."""
    right = grid.left + grid.columns * CARD_WIDTH
    top = grid.bottom + grid.rows * CARD_HEIGHT
    cuts_x = [grid.left + column * CARD_WIDTH for column in range(grid.columns + 1)]
    cuts_y = [grid.bottom + row * CARD_HEIGHT for row in range(grid.rows + 1)]
    canvas.saveState()
    canvas.setLineWidth(0.25)
    canvas.setStrokeColor(OUTLINE)
    canvas.lines(
        [(cut, grid.bottom, cut, top) for cut in cuts_x]
        + [(grid.left, cut, right, cut) for cut in cuts_y]
    )
    canvas.setStrokeColor(colors.black)
    marks = []
    for cut in cuts_x:
        marks.append((cut, grid.bottom - MARK_GAP, cut, grid.bottom - MARK_GAP - MARK_LENGTH))
        marks.append((cut, top + MARK_GAP, cut, top + MARK_GAP + MARK_LENGTH))
    for cut in cuts_y:
        marks.append((grid.left - MARK_GAP, cut, grid.left - MARK_GAP - MARK_LENGTH, cut))
        marks.append((right + MARK_GAP, cut, right + MARK_GAP + MARK_LENGTH, cut))
    canvas.lines(marks)
    canvas.restoreState()


def _draw_slug(
    canvas: Canvas, grid: CardGrid, context: ReportContext, page: int, pages: int, title: str
) -> None:
    """The page's line of facts, read bottom to top in the left margin beside the marks."""
    line = (
        f"{context.shop_name} · {title} · Page {page} of {pages}"
        f" · Generated {context.moment(context.generated_at)}"
    )
    height = grid.rows * CARD_HEIGHT
    canvas.saveState()
    canvas.translate(grid.left - MARK_GAP - MARK_LENGTH - 3 * mm, grid.bottom + height / 2)
    canvas.rotate(90)
    canvas.setFillColor(TEXT_MUTED)
    draw_text(canvas, 0, 0, line, 7, align="centre", max_width=height)
    canvas.restoreState()
