"""A campaign on paper: one letter per recipient in one PDF, and address-label sheets.

* A letter is one A4 or US Letter page (the shop's paper unless told otherwise): the shop's
  name, address and logo at the top, the recipient's address where a windowed DL envelope
  shows it, the date, the merged text, and the voucher (its code as text, Code128 and QR)
  when the campaign has an offer. The address sits in the DIN 5008 form B field, 20 mm from
  the left and 45 mm from the top, 85 x 45 mm, with a small return-address line above it:
  that is where a DL envelope's window (DIN 680: 90 x 45 mm, 20 mm from the left) lies once
  the page is folded at the marks printed in the left margin (105 and 210 mm on A4, thirds on
  US Letter, both fit a DL envelope). The same millimetres are used on both papers.
* Nothing is cut off. The address is drawn smaller until it fits its window; the text is
  wrapped to the page width, a blank line kept as a paragraph break, and drawn a little
  smaller (down to MIN_BODY_SIZE) to stay on one sheet; a text longer than that goes on
  over further pages at the normal size, each saying whose letter it is and which page.
  The return value counts pages, so a caller sees when a letter took more than one.
* Speed, for a mailing of 100,000 letters: everything that is the same on every page (the
  letterhead, the date, the fold marks, the voucher panel's frame) is drawn once into a PDF
  form and placed by reference; the page draws only what is its own. User text is measured
  and split into font runs once per distinct word and line (relapp.reports.text and fonts do
  the work; the results are cached here), so the paragraphs every letter shares cost a
  dictionary look-up; all text of a page goes out in one text object. Code128 and QR are
  drawn as one filled path each, as on the loyalty cards (relapp.reports.cards); the QR
  code's mask is chosen several times faster than reportlab does it (relapp.reports.barcodes).
  Measured with tests/benchmarks/bench_campaign_letters.py: 100,000 letters, a third with
  a voucher, take about 68 s of one core. reportlab keeps every page in memory until the
  file is written, about 15 KB a letter: 1.5 GB for 100,000.
* Right-to-left text: a paragraph is wrapped in logical order and each line is then put in
  visual order on its own (relapp.reports.text.visual), so a wrapped Arabic or Hebrew
  paragraph reads its lines top to bottom; such a line is aligned right. Address blocks stay
  aligned left, as the envelope window expects.
* Address labels: the sheet's layout is the label maker's (LABEL_LAYOUTS: Avery's published
  margins and pitches), labels filled left to right, top down; nothing is printed between
  labels, so a sheet fed a little askew shows no stray lines. An address is drawn smaller
  until it fits its label, never cut.
* Cancelling: progress(fraction) is called after each letter or label; a progress that
  raises ReportCancelled stops the work and nothing is written (atomic_pdf).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from relapp.db.store.shops import till_shop_id
from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.shop.formats import babel_locale
from relapp.domain.shop.logo import logo_png
from relapp.domain.shop.shops import list_shops
from relapp.errors import RelappError
from relapp.reports.barcodes import draw_qr
from relapp.reports.document import (
    TEXT_DARK,
    TEXT_MUTED,
    Progress,
    ReportContext,
    atomic_pdf,
    report_context,
)
from relapp.reports.fonts import BODY, BOLD, font_runs, has_glyph, register_fonts
from relapp.reports.text import visual

LETTERS_TITLE = "Campaign letters"
LABELS_TITLE = "Address labels"
NO_LETTERS = "There are no letters to print."
NO_LABELS = "There are no addresses to print."

# The letter, in distances from the page's top left corner (DIN 5008 form B).
LEFT, RIGHT_MARGIN = 25 * mm, 20 * mm
HEADER_TOP = 14 * mm
LOGO_BOX = (60 * mm, 22 * mm)  # width, height; top right, level with HEADER_TOP
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 20 * mm, 45 * mm, 85 * mm, 45 * mm
RETURN_LINE = WINDOW_TOP + 5 * mm  # the sender in small print, read through the window
ADDRESS_TOP = WINDOW_TOP + 9 * mm  # top of the first address line's letters
ADDRESS_BOTTOM = WINDOW_TOP + WINDOW_HEIGHT - 2 * mm  # clear of the window's lower edge
ADDRESS_RIGHT = WINDOW_LEFT + WINDOW_WIDTH - 2 * mm
ADDRESS_SIZE = 10.5
BODY_TOP = 103 * mm  # top of the text's first line, below the address field
BOTTOM_MARGIN = 18 * mm
CONTINUED_TOP = 30 * mm  # the text's top on a continuation page, below its slug line
PAGE_NUMBER_SIZE = 7.5  # at the foot of each page of a letter of several
BODY_SIZE, MIN_BODY_SIZE = 10.5, 8.0
LEADING = 1.4  # line distance as a multiple of the font size
SIZE_STEP = 0.5
UNIFORM_SHRINK = 0.8  # an address is drawn smaller as a whole down to this share of its size

# The voucher panel, across the text width at the foot of the letter.
PANEL_HEIGHT, PANEL_PADDING, PANEL_GAP = 36 * mm, 6 * mm, 6 * mm
CODE_SIZE = 16
QR_SIZE, QR_QUIET = 24 * mm, 4  # the symbol without its quiet zone (4 modules, ISO 18004)
BAR_WIDTH, MIN_BAR_WIDTH, BAR_HEIGHT, BAR_QUIET = 0.4 * mm, 0.25 * mm, 11 * mm, 10

# How far letters reach above and below the baseline, per point of size: DejaVu Sans's
# accented capitals and descenders; the CJK and Korean fonts' boxes reach no further
# (0.90 and 0.80 up, 0.24 and 0.20 down), so a block sized with these is never clipped.
ASCENT, DESCENT = 0.93, 0.24

TEAL = colors.HexColor("#0f766e")
PANEL_FILL = colors.HexColor("#f1f7f6")
FOLD_GREY = colors.HexColor("#9aa8a6")


# ------------------------------------------------------------------------------ letters


def campaign_letters(
    messages: Sequence[Message],
    target: Path,
    *,
    paper: tuple[float, float] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write one letter per message, in the order given, to target (one PDF); the number of
    pages written (one per letter, more for a letter whose text needs more than a sheet).

    paper is (width, height) in points; the shop's paper (Settings) if None.

    Raises:
        RelappError: there are no messages (nothing is written), or target cannot be written.
        ReportCancelled: progress raised it (nothing is written).
    """
    if not messages:
        raise RelappError(NO_LETTERS)
    register_fonts()
    context = report_context()
    page = _LetterPage(paper or context.paper)
    pages = 0
    with atomic_pdf(Path(target)) as temporary:
        canvas = _new_canvas(temporary, page.paper, LETTERS_TITLE, context.shop_name)
        letterhead = _Letterhead(context, _sender_address(), _logo())
        page.define_forms(canvas, letterhead)
        for done, message in enumerate(messages, start=1):
            pages += page.draw_letter(canvas, message, context.shop_name)
            if progress is not None:
                progress(done / len(messages))
        canvas.save()
    return pages


@dataclass(frozen=True)
class _Letterhead:
    context: ReportContext
    address: list[str]
    logo: ImageReader | None

    def date(self) -> str:
        """The day, written out as a letter writes it ("22 November 2026")."""
        moment: datetime = self.context.generated_at
        return format_date(moment.date(), "long", locale=babel_locale(self.context.locale))


class _LetterPage:
    """Where everything goes on a letter of this paper size; draws the letters."""

    def __init__(self, paper: tuple[float, float]) -> None:
        self.paper = paper
        self.width, self.height = paper
        self.right = self.width - RIGHT_MARGIN
        self.text_width = self.right - LEFT
        # The layout is the A4 and US Letter one; paper much smaller has no room for it.
        if self.text_width < 120 * mm or self.height < BODY_TOP + 2 * PANEL_HEIGHT + BOTTOM_MARGIN:
            raise RelappError("The paper is too small for a letter.")

    def y(self, from_top: float) -> float:
        return self.height - from_top

    # The parts every letter shares, drawn once.

    def define_forms(self, canvas: Canvas, letterhead: _Letterhead) -> None:
        canvas.beginForm("letterhead")
        self._draw_letterhead(canvas, letterhead)
        canvas.endForm()
        canvas.beginForm("voucher_panel")
        self._draw_voucher_panel(canvas)
        canvas.endForm()

    def _draw_letterhead(self, canvas: Canvas, letterhead: _Letterhead) -> None:
        shop = letterhead.context.shop_name
        name_right = self.right
        if letterhead.logo is not None:
            _draw_logo(canvas, letterhead.logo, self.right, self.y(HEADER_TOP), *LOGO_BOX)
            name_right = self.right - LOGO_BOX[0] - 6 * mm
        # The shop's name and address in the room left of the logo, above the window.
        text = canvas.beginText()
        text.setFillColor(TEAL)
        room = WINDOW_TOP - 6 * mm - HEADER_TOP
        scale = _height_scale([16.0] + [9.0] * len(letterhead.address), room)
        name_size, size = 16 * scale, 9 * scale
        baseline = self.y(HEADER_TOP) - ASCENT * name_size
        name_size = _size_to_fit(shop, name_size, name_right - LEFT, bold=True)
        _add_line(text, shop, LEFT, baseline, name_size, bold=True)
        text.setFillColor(TEXT_MUTED)
        for line in letterhead.address:
            baseline -= size * LEADING
            _add_line(text, line, LEFT, baseline, _size_to_fit(line, size, name_right - LEFT))
        # The return address, read through the window above the recipient's.
        back = " · ".join([shop, *letterhead.address])
        back_size = _size_to_fit(back, 7.0, ADDRESS_RIGHT - LEFT)
        _add_line(text, back, LEFT, self.y(RETURN_LINE), back_size)
        # The date, right aligned, level with the first line of the address.
        text.setFillColor(TEXT_DARK)
        date = letterhead.date()
        date_width = _measure(date).width * ADDRESS_SIZE
        date_baseline = self.y(ADDRESS_TOP) - ASCENT * ADDRESS_SIZE
        _add_line(text, date, self.right - date_width, date_baseline, ADDRESS_SIZE)
        canvas.drawText(text)
        canvas.setStrokeColor(FOLD_GREY)
        canvas.setLineWidth(0.3)
        back_rule = self.y(RETURN_LINE) - 1.2 * mm
        canvas.line(LEFT, back_rule, LEFT + _measure(back).width * back_size, back_rule)
        canvas.lines([(3 * mm, self.y(mark), 8 * mm, self.y(mark)) for mark in self._folds()])

    def _folds(self) -> list[float]:
        """Fold marks (from the top) for a DL envelope, and the hole punch mark."""
        if (round(self.width), round(self.height)) == (round(A4[0]), round(A4[1])):
            return [105 * mm, 210 * mm, self.height / 2]
        return [self.height / 3, self.height * 2 / 3, self.height / 2]

    def _panel_rect(self) -> tuple[float, float, float, float]:
        return LEFT, BOTTOM_MARGIN, self.text_width, PANEL_HEIGHT

    def _draw_voucher_panel(self, canvas: Canvas) -> None:
        x, y, width, height = self._panel_rect()
        canvas.setFillColor(PANEL_FILL)
        canvas.setStrokeColor(TEAL)
        canvas.setLineWidth(0.8)
        canvas.roundRect(x, y, width, height, 3 * mm, stroke=1, fill=1)
        text = canvas.beginText()
        text.setFillColor(TEAL)
        _add_line(text, "Your voucher code", x + PANEL_PADDING, y + height - 9 * mm, 9, True)
        canvas.drawText(text)

    # One letter.

    def draw_letter(self, canvas: Canvas, message: Message, shop: str) -> int:
        """Draw the letter's pages; how many there are."""
        voucher = (message.voucher_code or "").strip()
        size, pages = self._pages(message.body, bool(voucher))
        for number, page_lines in enumerate(pages, start=1):
            last = number == len(pages)
            text = canvas.beginText()
            if number == 1:
                canvas.doForm("letterhead")
                text.setFillColor(TEXT_DARK)
                self._add_address(text, message.recipient.address_lines())
            else:
                self._add_continued(text, shop, message.recipient.name, number, len(pages))
            if len(pages) > 1:
                self._add_page_number(text, number, len(pages))
            text.setFillColor(TEXT_DARK)
            self._add_body(text, page_lines, BODY_TOP if number == 1 else CONTINUED_TOP, size)
            if voucher and last:
                canvas.doForm("voucher_panel")
                self._add_voucher_code(text, voucher)
            canvas.drawText(text)
            if voucher and last:
                self._draw_voucher_symbols(canvas, voucher)
            canvas.showPage()
        return len(pages)

    def _pages(self, body: str, voucher: bool) -> tuple[float, list[list[str]]]:
        """The text's size and its lines on each page: one sheet if the text fits at
        MIN_BODY_SIZE or larger, else pages at BODY_SIZE, the voucher panel on the last."""
        bottom = self.height - BOTTOM_MARGIN  # from the top, as the tops are
        panel = PANEL_HEIGHT + PANEL_GAP if voucher else 0.0
        fitted = _fit_body(body, self.text_width, BODY_TOP, bottom - panel)
        if fitted is not None:
            return fitted[0], [fitted[1]]
        size, rest = BODY_SIZE, _wrap_text(body, self.text_width / BODY_SIZE)
        reserved = math.ceil(panel / (size * LEADING))  # lines the panel takes
        pages: list[list[str]] = []
        while True:
            room = _lines_that_fit(CONTINUED_TOP if pages else BODY_TOP, bottom, size)
            if len(rest) <= room - reserved:
                return size, [*pages, rest]
            # What fits without the panel goes on this page; if all of it would, all but the
            # lines that then go with the panel on the next one.
            take = room if len(rest) > room else max(1, room - reserved)
            pages.append(rest[:take])
            rest = rest[take:]

    def _add_address(self, text: PDFTextObject, lines: list[str]) -> None:
        size, sizes = _fit_lines(lines, ADDRESS_SIZE, ADDRESS_RIGHT - LEFT,
                                 ADDRESS_BOTTOM - ADDRESS_TOP)  # fmt: skip
        baseline = self.y(ADDRESS_TOP) - ASCENT * size
        for line, line_size in zip(lines, sizes, strict=True):
            _add_line(text, line, LEFT, baseline, line_size)
            baseline -= size * LEADING

    def _add_continued(
        self, text: PDFTextObject, shop: str, name: str, number: int, pages: int
    ) -> None:
        text.setFillColor(TEXT_MUTED)
        slug = f"{shop} · {name} · page {number} of {pages}"
        size = _size_to_fit(slug, 8.0, self.text_width)
        _add_line(text, slug, LEFT, self.y(HEADER_TOP) - ASCENT * 8, size)

    def _add_page_number(self, text: PDFTextObject, number: int, pages: int) -> None:
        text.setFillColor(TEXT_MUTED)
        label = f"Page {number} of {pages}"
        width = _measure(label).width * PAGE_NUMBER_SIZE
        _add_line(text, label, self.right - width, (BOTTOM_MARGIN - 8 * mm), PAGE_NUMBER_SIZE)

    def _add_body(self, text: PDFTextObject, lines: list[str], top: float, size: float) -> None:
        baseline = self.y(top) - ASCENT * size
        for line in lines:
            if line:
                measured = _measure(line)
                x = self.right - measured.width * size if measured.rtl else LEFT
                _add_measured(text, measured, x, baseline, size)
            baseline -= size * LEADING

    def _add_voucher_code(self, text: PDFTextObject, code: str) -> None:
        x, y, width, height = self._panel_rect()
        room = width - 2 * PANEL_PADDING - QR_SIZE - 8 * mm
        size = _size_to_fit(code, CODE_SIZE, room, bold=True)
        _add_line(text, code, x + PANEL_PADDING, y + height - 17 * mm, size, bold=True)

    def _draw_voucher_symbols(self, canvas: Canvas, code: str) -> None:
        """The QR code at the panel's right, the Code128 left of it, each clear of the
        other's quiet zone (a code either cannot carry is left out; the text stays)."""
        x, y, width, _height = self._panel_rect()
        qr_left = x + width - PANEL_PADDING - QR_SIZE
        module = draw_qr(canvas, code, qr_left, y + PANEL_PADDING, QR_SIZE)
        bars_end = x + width - PANEL_PADDING if module is None else qr_left - QR_QUIET * module
        if _code128_can_carry(code):
            bars_room = bars_end - 4 * mm - (x + PANEL_PADDING)
            _draw_code128(canvas, code, x + PANEL_PADDING, y + PANEL_PADDING, bars_room)


def _lines_that_fit(top: float, bottom: float, size: float) -> int:
    """How many lines of this size fit between top and bottom (both from the page's top)."""
    room = bottom - top - (ASCENT + DESCENT) * size
    return max(1, int(room // (size * LEADING)) + 1)


def _fit_body(body: str, width: float, top: float, bottom: float) -> tuple[float, list[str]] | None:
    """The largest size from BODY_SIZE down to MIN_BODY_SIZE at which the text fits between
    top and bottom (from the page's top), and its lines; None if it does not fit at all."""
    size = BODY_SIZE
    while size >= MIN_BODY_SIZE:
        lines = _wrap_text(body, width / size)
        if len(lines) <= _lines_that_fit(top, bottom, size):
            return size, lines
        size -= SIZE_STEP
    return None


def _sender_address() -> list[str]:
    """The lines of the sending shop's address: this till's shop on a shop server, else the
    first shop that has an address (a shop file's own shop, shop 1, is made without one;
    an address is given to a shop when it is added)."""
    shops = sorted(list_shops(), key=lambda shop: shop.id)
    here = till_shop_id()
    chosen = [shop for shop in shops if shop.id == here] or [s for s in shops if s.address.strip()]
    if not chosen:
        return []
    return [line.strip() for line in chosen[0].address.splitlines() if line.strip()]


# ------------------------------------------------------------------------ address labels


@dataclass(frozen=True)
class LabelLayout:
    """A sheet of labels as its maker lays it out; distances in points, from the sheet's top
    left corner to the first label's, and from one label to the next (the pitch)."""

    stock: str  # the label products this layout fits
    paper: tuple[float, float]
    columns: int
    rows: int
    label_width: float
    label_height: float
    left_margin: float
    top_margin: float
    column_pitch: float
    row_pitch: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def label_origin(self, slot: int) -> tuple[float, float]:
        """The lower left corner of the label in this slot, filled left to right, top down."""
        row, column = divmod(slot, self.columns)
        top = self.paper[1] - self.top_margin - row * self.row_pitch
        return self.left_margin + column * self.column_pitch, top - self.label_height


LABEL_LAYOUTS: dict[str, LabelLayout] = {
    "A4 3x7": LabelLayout("Avery L7160, J8160", A4, 3, 7, 63.5 * mm, 38.1 * mm,
                          7.21 * mm, 15.15 * mm, 66.04 * mm, 38.1 * mm),
    "A4 3x8": LabelLayout("Avery L7159, J8159", A4, 3, 8, 63.5 * mm, 33.9 * mm,
                          7.21 * mm, 12.9 * mm, 66.04 * mm, 33.9 * mm),
    "A4 2x7": LabelLayout("Avery L7163, J8163", A4, 2, 7, 99.1 * mm, 38.1 * mm,
                          4.65 * mm, 15.15 * mm, 101.6 * mm, 38.1 * mm),
    "Letter 30-up": LabelLayout("Avery 5160, 8160", LETTER, 3, 10, 2.625 * inch, 1 * inch,
                                0.1875 * inch, 0.5 * inch, 2.75 * inch, 1 * inch),
}  # fmt: skip
LABEL_SIZE = 10.0
# Inside each label: room for a sheet fed a little askew and for the rounded corners.
LABEL_PADDING_X, LABEL_PADDING_Y = 4 * mm, 3 * mm


def address_labels(
    recipients: Sequence[Recipient],
    target: Path,
    layout: LabelLayout,
    *,
    progress: Progress | None = None,
) -> int:
    """Write an address label for each recipient, in the order given, on sheets of this
    layout to target (a PDF); the number of labels written.

    Raises:
        RelappError: there are no recipients (nothing is written), or target cannot be written.
        ReportCancelled: progress raised it (nothing is written).
    """
    if not recipients:
        raise RelappError(NO_LABELS)
    register_fonts()
    context = report_context()
    with atomic_pdf(Path(target)) as temporary:
        canvas = _new_canvas(temporary, layout.paper, LABELS_TITLE, context.shop_name)
        for done, recipient in enumerate(recipients, start=1):
            slot = (done - 1) % layout.per_sheet
            if slot == 0 and done > 1:
                canvas.showPage()
            _draw_label(canvas, layout, slot, recipient.address_lines())
            if progress is not None:
                progress(done / len(recipients))
        canvas.showPage()
        canvas.save()
    return len(recipients)


def label_text_sizes(lines: Sequence[str], layout: LabelLayout) -> tuple[float, list[float]]:
    """The size an address is printed at on this layout's labels, and each line's: LABEL_SIZE,
    or smaller so that the lines fit inside the label's padding (a line too wide for the
    label is drawn smaller on its own)."""
    room_width = layout.label_width - 2 * LABEL_PADDING_X
    room_height = layout.label_height - 2 * LABEL_PADDING_Y
    return _fit_lines(lines, LABEL_SIZE, room_width, room_height)


def _draw_label(canvas: Canvas, layout: LabelLayout, slot: int, lines: list[str]) -> None:
    """The address centred top to bottom in its label, lines aligned left."""
    if not lines:
        return
    x, y = layout.label_origin(slot)
    size, _sizes = label_text_sizes(lines, layout)
    block = (ASCENT + DESCENT) * size + (len(lines) - 1) * size * LEADING
    _draw_lines(
        canvas, lines, x + LABEL_PADDING_X, y + (layout.label_height + block) / 2, LABEL_SIZE,
        layout.label_width - 2 * LABEL_PADDING_X, layout.label_height - 2 * LABEL_PADDING_Y,
    )  # fmt: skip


# ------------------------------------------------------------------------------ envelopes


@dataclass(frozen=True)
class EnvelopeLayout:
    """An envelope fed into the printer as a page of its own size (landscape); distances in
    points from its top left corner. The address field is where the post's machines read
    it: right of centre, below the sender's line, clear of the stamp in the top right."""

    size: tuple[float, float]  # width, height
    address_left: float
    address_top: float
    address_width: float
    address_height: float


ENVELOPE_LAYOUTS: dict[str, EnvelopeLayout] = {
    # DL and C5 (ISO 269): the address as a windowed DL envelope places it, 90 mm in.
    "DL": EnvelopeLayout((220 * mm, 110 * mm), 95 * mm, 45 * mm, 115 * mm, 55 * mm),
    "C5": EnvelopeLayout((229 * mm, 162 * mm), 100 * mm, 65 * mm, 120 * mm, 75 * mm),
    # US No. 10 (9.5 x 4.125 in): USPS reads the address in the lower middle.
    "US #10": EnvelopeLayout((9.5 * inch, 4.125 * inch), 4 * inch, 1.9 * inch,
                             5.25 * inch, 2 * inch),
}  # fmt: skip
ENVELOPES_TITLE = "Envelopes"
ENVELOPE_SIZE = 12.0  # the address's size, made smaller when a long one must fit
SENDER_SIZE = 8.0
SENDER_MARGIN = 10 * mm


def envelopes(
    recipients: Sequence[Recipient],
    target: Path,
    layout: EnvelopeLayout,
    *,
    progress: Progress | None = None,
) -> int:
    """Write an envelope for each recipient, in the order given, one a page of the
    envelope's size, to target (a PDF): the shop's name and address small in the top left,
    the customer's address in the address field. The number written.

    Raises:
        RelappError: there are no recipients (nothing is written), or target cannot be written.
        ReportCancelled: progress raised it (nothing is written).
    """
    if not recipients:
        raise RelappError(NO_LABELS)
    register_fonts()
    context = report_context()
    sender = [context.shop_name, *_sender_address()]
    width, height = layout.size
    with atomic_pdf(Path(target)) as temporary:
        canvas = _new_canvas(temporary, layout.size, ENVELOPES_TITLE, context.shop_name)
        for done, recipient in enumerate(recipients, start=1):
            _draw_lines(canvas, sender, SENDER_MARGIN, height - SENDER_MARGIN, SENDER_SIZE,
                        width / 2 - SENDER_MARGIN, height / 3)  # fmt: skip
            top = height - layout.address_top
            _draw_lines(canvas, recipient.address_lines(), layout.address_left, top,
                        ENVELOPE_SIZE, layout.address_width, layout.address_height)  # fmt: skip
            canvas.showPage()
            if progress is not None:
                progress(done / len(recipients))
        canvas.save()
    return len(recipients)


def _draw_lines(
    canvas: Canvas, lines: Sequence[str], x: float, top: float, size: float, width: float,
    height: float,
) -> None:  # fmt: skip
    """Lines aligned left from top (the first line's top), as large as size allows within
    width and height (a line too wide drawn smaller on its own)."""
    if not lines:
        return
    size, sizes = _fit_lines(lines, size, width, height)
    baseline = top - ASCENT * size
    text = canvas.beginText()
    text.setFillColor(TEXT_DARK)
    for line, line_size in zip(lines, sizes, strict=True):
        _add_line(text, line, x, baseline, line_size)
        baseline -= size * LEADING
    canvas.drawText(text)


# -------------------------------------------------------------------------- text on canvas


@dataclass(frozen=True)
class _Measured:
    """A line of user text ready to draw: its font runs in visual order, and widths per
    point of size (widths scale with size, so one measurement serves every size)."""

    runs: tuple[tuple[str, str], ...]  # (font, text)
    width: float
    rtl: bool


@cache
def _plain_characters() -> frozenset[str]:
    """Characters both body fonts draw that need no reordering: a line of only these is one
    run in one font, without going through the script machinery (the common case, fast)."""
    plain = []
    for code in range(0x20, 0x3000):
        character = chr(code)
        if (
            character.isprintable()
            and unicodedata.bidirectional(character) not in ("R", "AL")
            and has_glyph(BODY, character)
            and has_glyph(BOLD, character)
        ):
            plain.append(character)
    return frozenset(plain)


@lru_cache(maxsize=65_536)
def _measure(line: str, bold: bool = False) -> _Measured:
    if _plain_characters().issuperset(line):
        font = BOLD if bold else BODY
        return _Measured(((font, line),), stringWidth(line, font, 1), False)
    shown = visual(line)
    runs = tuple(font_runs(shown, bold))
    width = sum(stringWidth(piece, font, 1) for font, piece in runs)
    return _Measured(runs, width, _starts_rtl(line))


def _starts_rtl(line: str) -> bool:
    """Whether the line's first strongly directional character is right to left."""
    for character in line:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _add_line(
    text: PDFTextObject, line: str, x: float, y: float, size: float, bold: bool = False
) -> None:
    _add_measured(text, _measure(line, bold), x, y, size)


def _add_measured(
    text: PDFTextObject, measured: _Measured, x: float, y: float, size: float
) -> None:
    text.setTextOrigin(x, y)
    for font, piece in measured.runs:
        text.setFont(font, size)
        text.textOut(piece)


def _size_to_fit(line: str, size: float, room: float, bold: bool = False) -> float:
    """size, or the smaller size at which the line is room wide."""
    width = _measure(line, bold).width
    return min(size, room / width) if width else size


def _height_scale(sizes: Sequence[float], height: float) -> float:
    """The scale (at most 1) at which lines of these sizes, LEADING apart, fit the height
    from the first line's ascent to the last line's descent."""
    tall = ASCENT * sizes[0] + DESCENT * sizes[-1] + sum(size * LEADING for size in sizes[1:])
    return min(1.0, height / tall)


def _fit_lines(
    lines: Sequence[str], size: float, width: float, height: float
) -> tuple[float, list[float]]:
    """Lines of one size fitted in a box: the size that fits the height (LEADING apart), and
    each line's size. The block is drawn smaller as a whole for its widest line down to
    UNIFORM_SHRINK of its size; a line wider still is drawn smaller on its own, so that one
    long street does not make the whole address hard to read."""
    if not lines:
        return size, []
    widest = max(_measure(line).width for line in lines)
    size = min(size * _height_scale([size] * len(lines), height),
               max(size * UNIFORM_SHRINK, width / widest if widest else size))  # fmt: skip
    return size, [_size_to_fit(line, size, width) for line in lines]


def _wrap_text(body: str, ems: float) -> list[str]:
    """The body's lines at a width of ems (the width over the font size): each line of the
    text wrapped at spaces, a blank line kept as an empty one."""
    lines: list[str] = []
    for paragraph in body.splitlines():
        lines.extend(_wrap_paragraph(paragraph, round(ems, 3)) if paragraph.strip() else [""])
    while lines and not lines[-1]:
        lines.pop()
    return lines


@lru_cache(maxsize=16_384)
def _wrap_paragraph(paragraph: str, ems: float) -> tuple[str, ...]:
    """One line of the text wrapped to ems (cached: letters of a campaign share most lines).

    Lines break at spaces; a word longer than a whole line (a link, or Chinese and Japanese,
    written without spaces) is broken between characters instead."""
    space = _measure(" ").width
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    for word in paragraph.split():
        width = _measure(word).width
        if width > ems:
            if words:
                lines.append(" ".join(words))
            pieces = _break_word(word, ems)
            lines.extend(pieces[:-1])
            words, used = [pieces[-1]], _measure(pieces[-1]).width
        elif words and used + space + width > ems:
            lines.append(" ".join(words))
            words, used = [word], width
        else:
            used += (space if words else 0.0) + width
            words.append(word)
    if words:
        lines.append(" ".join(words))
    return tuple(lines)


def _break_word(word: str, ems: float) -> list[str]:
    pieces, piece = [], ""
    for character in word:
        if piece and _measure(piece + character).width > ems:
            pieces.append(piece)
            piece = ""
        piece += character
    pieces.append(piece)
    return pieces


# ------------------------------------------------------------------------------- symbols


def _code128_can_carry(code: str) -> bool:
    return code.isascii() and code.isprintable()


def _draw_code128(canvas: Canvas, code: str, x: float, y: float, room: float) -> None:
    """The Code128 of the code with its bars starting at x, within room (its right quiet
    zone included), thinner for a long code; left out if even MIN_BAR_WIDTH bars would not
    fit: bars thinner than that do not scan (the QR code and the text still carry it)."""
    modules = Code128(code, barWidth=1, quiet=0).width
    bar_width = min(BAR_WIDTH, room / (modules + BAR_QUIET))
    if bar_width < MIN_BAR_WIDTH:
        return
    barcode = Code128(code, barWidth=bar_width, barHeight=BAR_HEIGHT, quiet=0)
    canvas.setFillColor(colors.black)
    barcode.drawOn(canvas, x, y)


# ---------------------------------------------------------------------------- the document


def _new_canvas(path: str, paper: tuple[float, float], title: str, shop: str) -> Canvas:
    """The canvas every campaign PDF is drawn on (the temporary file of atomic_pdf)."""
    canvas = Canvas(path, pagesize=paper, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(shop)
    canvas.setCreator("Relapp")
    return canvas


def _logo() -> ImageReader | None:
    """The shop's logo, read once: the letterhead form holds it, so it is stored once."""
    data = logo_png()
    if data is None:
        return None
    try:
        logo = ImageReader(BytesIO(data))
        logo.getSize()
    except Exception:  # a damaged picture should not stop the letters; print them without it
        return None
    return logo


def _draw_logo(
    canvas: Canvas, logo: ImageReader, right: float, top: float, box_width: float, box_height: float
) -> None:
    """The logo fitted in the box whose top right corner is given, aspect kept."""
    pixels_wide, pixels_high = logo.getSize()
    scale = min(box_width / pixels_wide, box_height / pixels_high)
    width, height = pixels_wide * scale, pixels_high * scale
    canvas.drawImage(logo, right - width, top - height, width, height, mask="auto")
