"""User text made safe and legible in a PDF: escaped, in the right fonts, in visual order.

* Escaped: reportlab's Paragraph reads markup, so a name like `Ann <b>` or `</para>` would
  change the layout, raise, or (with `<img src=...>`) read a local file. Every piece of user
  text goes through para() (for Paragraphs) or draw_text() (for the canvas), never raw.
* Fonts: each run of characters is set in the font that draws it (relapp.reports.fonts).
* Right-to-left: reportlab lays text out left to right and does not join Arabic letters.
  Text holding Hebrew or Arabic is shaped (arabic-reshaper: contextual letter forms) and
  reordered for display (python-bidi, the Unicode bidirectional algorithm) before layout.
  This is done for the text as a whole, so a right-to-left text that wraps onto a second
  line keeps its words but reads its lines top to bottom in left-to-right line order; names
  and one-line fields, the usual case, are exact.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_display
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from relapp.reports.fonts import BODY, font_runs, has_glyph

_RTL_CLASSES = frozenset({"R", "AL"})
# Control characters would end up in the PDF's text as garbage; tabs and line breaks are kept
# by the callers that want them.
_CONTROLS = {code: " " for code in [*range(0x20), *range(0x7F, 0xA0)]}


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(character) in _RTL_CLASSES for character in text)


def visual(text: str) -> str:
    """The text as it is drawn left to right: right-to-left runs shaped and reordered."""
    clean = text.translate(_CONTROLS)
    if not has_rtl(clean):
        return clean
    return get_display(_reshaper().reshape(clean))


@cache
def _reshaper() -> ArabicReshaper:
    """Arabic shaping with only the ligatures the body font can draw: the reshaper would
    otherwise write "الله" as U+FDF2, which DejaVu Sans lacks (a box in every عبدالله)."""
    missing = {
        name: False
        for name, (_letters, forms) in LIGATURES
        if not all(has_glyph(BODY, form) for form in forms if form)
    }
    return ArabicReshaper(configuration=missing)


def para(text: object, bold: bool = False) -> str:
    """Paragraph markup that shows text literally, each run in the font that draws it.

    Runs are named by font rather than wrapped in <b>: inside <b> reportlab would swap a run
    back to the bold font even where the bold font lacks its characters.
    """
    shown = visual("" if text is None else str(text))
    pieces = []
    for font, piece in font_runs(shown, bold):
        safe = escape(piece)
        pieces.append(safe if font == BODY and not bold else f'<font name="{font}">{safe}</font>')
    return "".join(pieces)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide the text is drawn (in points)."""
    return _width(visual(text), size, bold)


def _width(shown: str, size: float, bold: bool) -> float:
    """The width of text already in visual order."""
    return sum(stringWidth(piece, font, size) for font, piece in font_runs(shown, bold))


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    bold: bool = False,
    align: str = "left",
    max_width: float | None = None,
) -> None:
    """Draw one line of user text at (x, y): left, centre or right aligned to x.

    Text wider than max_width is drawn smaller (down to 60 %) and then cut with an ellipsis,
    so that a long name never runs off a card or into the next column.
    """
    shown = visual(text)
    width = _width(shown, size, bold)
    if max_width is not None and width > max_width:
        size = max(size * 0.6, size * max_width / width)
        width = _width(shown, size, bold)
        # A hair of tolerance: the shrunk size is computed to fit exactly, and rounding must not
        # then cut a text that fits.
        while width > max_width + 0.01 and len(shown) > 1:
            shown = shown[:-2] + "…"
            width = _width(shown, size, bold)
    start = {"left": x, "centre": x - width / 2, "right": x - width}[align]
    for font, piece in font_runs(shown, bold):
        canvas.setFont(font, size)
        canvas.drawString(start, y, piece)
        start += stringWidth(piece, font, size)
