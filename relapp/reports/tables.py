"""Tables and column widths for reports, quick on thousands of rows.

text_table draws a cell as plain table text wherever one font draws all of it (almost every
cell), which reportlab draws as it is and never reads as markup; any other cell (several
scripts, a word wider than its column) is a Paragraph of para(). Making every cell a
Paragraph took 4.9 s for a table of 5,000 rows of 9 short cells; this takes a fraction
(tests/benchmarks/bench_report_dossier.py). Long tables are many tables of TABLE_CHUNK rows,
each repeating the header: reportlab measures a table whole before splitting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from relapp.reports.document import MARGIN, ReportContext, heading, styles
from relapp.reports.fonts import BODY, BOLD, font_for
from relapp.reports.text import para, text_width, visual

TABLE_CHUNK = 100
SECTION_ROOM = 40 * mm
_DEFAULT_PADDING = 2.5  # above and below a cell's text
HEADER_GREY = colors.HexColor("#e6f0ef")
RULE_GREY = colors.HexColor("#b8c4c2")
TEXT_DARK = colors.HexColor("#1f2d2b")
TABLE_STYLE = TableStyle(
    [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), _DEFAULT_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), _DEFAULT_PADDING),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def section(title: str) -> list[Flowable]:
    """A section's heading, on the next page when too little of this one is left for it and
    the first lines under it: a heading alone at the foot of a page helps nobody."""
    return [CondPageBreak(SECTION_ROOM), heading(title)]


def frame_width(context: ReportContext) -> float:
    """The width flowables have: the page less its margins and the frame's 6 pt padding."""
    return context.paper[0] - 2 * MARGIN - 12


@dataclass(frozen=True)
class Fit:
    """A column exactly as wide as its widest text (see fit)."""

    width: float


def fit(header: str, texts: Iterable[str], size: float = 8.5) -> Fit:
    """A column that holds its header (bold) and every one of texts on one line."""
    widest = max((plain_width(text, size) for text in set(texts)), default=0)
    return Fit(max(widest, text_width(header, size, bold=True)) + 7)  # padding and a hair


def plain_width(text: str, size: float) -> float:
    """text_width, quicker for plain ASCII (thousands of amounts and dates are measured)."""
    if text.isascii() and text.isprintable():
        return stringWidth(text, BODY, size)
    return text_width(text, size)


def widths(context: ReportContext, *columns: float | Fit) -> list[float]:
    """Column widths filling the page: Fit columns as they are, the others sharing the rest
    in proportion to their numbers."""
    rest = frame_width(context) - sum(column.width for column in columns
                                      if isinstance(column, Fit))  # fmt: skip
    shares = sum(column for column in columns if not isinstance(column, Fit))
    return [column.width if isinstance(column, Fit) else rest * column / shares
            for column in columns]  # fmt: skip


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    size: float = 8.5,
    padding: float = _DEFAULT_PADDING,
    style: Sequence[tuple] = (),
) -> list[Flowable]:
    """A table of any length: tables of TABLE_CHUNK rows, each repeating the header.

    A cell that one font draws whole is plain table text, wrapped to its column here; any
    other (several scripts, a word wider than its column) is a Paragraph of para(). A tuple
    of texts is a cell of that many lines (empty ones left out); a Flowable is used as it is.
    Text is in visual order either way (text.visual). `style`: more TableStyle commands, row
    0 being the header.

    For speed on thousands of rows (each measured on the dossier benchmark): a text repeated
    in a column (a kind, an amount) is measured once; an empty cell is an empty list, which
    the table leaves undrawn (an empty string is still a text object in the PDF); the height
    of a row of plain text is given, so the table measures only rows holding Paragraphs; the
    header, drawn again on every page, is plain text too.
    """
    sheet = styles()
    leading = round(size * 1.24, 1)
    cell = ParagraphStyle(f"text_{size}", sheet["cell"], fontSize=size, leading=leading)
    right = ParagraphStyle(f"text_right_{size}", sheet["cell_right"], fontSize=size,
                           leading=leading)  # fmt: skip
    look = TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), BOLD, size, leading),
            ("FONT", (0, 1), (-1, -1), BODY, size, leading),
            ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_DARK),
            *(("ALIGN", (column, 1), (column, -1), "RIGHT") for column in numeric),
            # Each command is applied to every cell of every table and of every piece a table
            # is split into: none is given that would not change anything.
            *(
                (side, (0, 0), (-1, -1), padding)
                for side in ("TOPPADDING", "BOTTOMPADDING")
                if padding != _DEFAULT_PADDING
            ),
            *style,
        ],
        parent=TABLE_STYLE,
    )
    room = [width - 6 for width in widths]  # less the left and right padding
    plain: dict[tuple[object, int, bool], tuple[str, str | None]] = {}

    def line_up(row: Sequence[object], number: int, fonts: list) -> tuple[list, float | None]:
        """The row's cells and its height (None: the table measures it); a cell set in
        another font than the row's adds a command to fonts."""
        bold = number == 0
        cells: list[object] = []
        lines: int | None = 1
        for column, value in enumerate(row):
            if isinstance(value, Flowable):
                cells.append(value)
                lines = None
                continue
            if (value, column, bold) not in plain:
                plain[value, column, bold] = _plain(value, size, room[column], bold)
            font, text = plain[value, column, bold]
            if text is None:
                markup = "<br/>".join(para(piece, bold) for piece in _pieces(value))
                cells.append(Paragraph(markup, right if column in numeric and not bold else cell))
                lines = None
                continue
            if font != (BOLD if bold else BODY):
                fonts.append(("FONTNAME", (column, number), (column, number), font))
            cells.append(text or [])
            if lines is not None:
                lines = max(lines, text.count("\n") + 1)
        return cells, None if lines is None else lines * leading + 2 * padding

    flowables: list[Flowable] = []
    for start in range(0, max(len(rows), 1), TABLE_CHUNK):
        fonts: list[tuple] = []
        chunk = enumerate([header, *rows[start : start + TABLE_CHUNK]])
        lined = [line_up(row, number, fonts) for number, row in chunk]
        table = Table([cells for cells, _ in lined], colWidths=list(widths),
                      rowHeights=[height for _, height in lined], repeatRows=1,
                      style=look)  # fmt: skip
        if fonts:
            table.setStyle(TableStyle(fonts))
        flowables.append(table)
    return flowables


def _plain(value: object, size: float, room: float, bold: bool) -> tuple[str, str | None]:
    """(font, the text wrapped to room) if one font draws the whole value; else (_, None)."""
    fonts: set[str] = set()
    lines: list[str] = []
    for piece in _pieces(value):
        # Printable ASCII needs no reordering, and the body font draws all of it; else each
        # character is looked up once (font_runs would look up each one and build runs).
        if piece.isascii() and piece.isprintable():
            shown = piece
            fonts.add(BOLD if bold else BODY)
        else:
            shown = visual(piece)
            fonts |= {font_for(char, bold) for char in set(shown)}
        if len(fonts) > 1:
            return BODY, None
        font = next(iter(fonts))
        if stringWidth(shown, font, size) <= room:
            lines.append(shown)
            continue
        wrapped = simpleSplit(shown, font, size, room)
        if any(stringWidth(line, font, size) > room for line in wrapped):
            return BODY, None  # a word wider than the column: Paragraph splits it
        lines += wrapped
    return next(iter(fonts), BODY), "\n".join(lines)


def _pieces(value: object) -> list[str]:
    """The lines of a cell's value: a tuple's texts, or the value as text; none empty."""
    pieces = value if isinstance(value, tuple) else (value,)
    return [str(piece) for piece in pieces if piece is not None and str(piece) != ""]
