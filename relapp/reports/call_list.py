"""A phone campaign's printed call list: who to ring, what to say, and room to note how it went.

* The title names the campaign; a line under it says how many customers are listed (and how
  many were left out for having no phone number) and the date.
* The script: when every customer's merged text is the same it is printed once, at the top,
  in type large enough to read out; when the texts differ (a name or a points balance merged
  in) each customer's own text is printed with them, in small type.
* One block per customer: a box to tick once called, the customer number, the name, the
  phone number as the shop dials it (large and bold, read while dialling), the points; under
  them a printed tick box for each outcome (OUTCOMES) and a line to write notes on.
* A block never breaks across pages (the table's NOSPLIT): a page ends between customers.
  Only a block taller than a whole page, which only a very long script makes, goes on over
  the next: its line, then the script flowing over the pages it needs, then the outcomes, so
  nothing is cut off.
* Names in any script print correctly: the text goes through the tables' and paragraphs'
  helpers (relapp.reports.tables, relapp.reports.text), which set each run in a font that
  draws it.
* Paper, header and "Page n of N" footer, the temporary file and cancelling are the document
  helper's (relapp.reports.document): a cancel raises ReportCancelled and leaves no file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer

from relapp.domain.campaigns.recipients import Message
from relapp.domain.contacts.phones import display_phone
from relapp.i18n import _
from relapp.reports.document import (
    MARGIN,
    TEXT_DARK,
    TEXT_MUTED,
    Cancelled,
    Progress,
    ReportContext,
    build_pdf,
    heading,
    paragraph,
    report_context,
    styles,
)
from relapp.reports.dossier import check_cancelled
from relapp.reports.fonts import BODY, BOLD
from relapp.reports.tables import Fit, section, text_table, widths
from relapp.reports.text import draw_text, para, text_width

TITLE = "Call list"
OUTCOMES = ("Answered", "No answer", "Left message", "Call back", "Not interested")
NAME_SIZE = 11.0  # the block's own line: number, name, points
PHONE_SIZE = 15.0
SCRIPT_SIZE = 11.0  # the script printed once, read out
OWN_SCRIPT_SIZE = 8.0  # a customer's own script, under their name
LABEL_SIZE = 9.0  # the outcomes and "Notes"
CALLED_BOX = 5 * mm
CHOICE_BOX = 3.6 * mm
CHOICE_LINE = 6.5 * mm  # the height of a line of outcome boxes
NOTES_HEIGHT = 8.5 * mm  # the notes line and the room above it to write in
BLOCK_GAP = 4  # points between two customers' blocks
_CELL_PADDING = 6  # the table style's left and right padding together


def call_list(
    messages: Sequence[Message],
    target: Path,
    *,
    campaign_name: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write the call list of a phone campaign's messages to target (a PDF).

    Customers without a phone number are left out (the subtitle says how many); the others
    are listed in the order given.

    Returns:
        How many customers are listed.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    listed = [message for message in messages if message.recipient.phone]
    title = _("{title} · {campaign}").format(title=_(TITLE), campaign=campaign_name)
    bodies = {message.body for message in listed}
    shared = len(bodies) <= 1
    story: list[Flowable] = [
        heading(title, "title"),
        paragraph(_subtitle(len(listed), len(messages) - len(listed), context), "subtitle"),
    ]
    if not listed:
        story.append(paragraph(_("No customer on this list has a phone number.")))
    else:
        if shared and listed[0].body.strip():
            story += _script(listed[0].body)
        story += [
            paragraph(_("Tick the box by a name once you have called, tick what happened, and "
                        "note anything to follow up on the line under it."), "small"),
            Spacer(0, 4),
        ]  # fmt: skip
        columns = _columns(listed, context)
        room = context.paper[1] - 2 * MARGIN - 8 * mm - 12  # build_pdf's frame, less padding
        for message in listed:
            story += _block(message, columns, context, not shared, room)
    build_pdf(Path(target), title, story, context, progress, cancelled)
    return len(listed)


def _subtitle(listed: int, without_phone: int, context: ReportContext) -> str:
    count = (_("1 customer to call") if listed == 1
             else _("{n} customers to call").format(n=context.number(listed)))  # fmt: skip
    line = f"{count} · {context.day(context.generated_at)}"
    if without_phone:
        left_out = (_("1 customer without a phone number left out") if without_phone == 1
                    else _("{n} customers without a phone number left out").format(
                        n=context.number(without_phone)))  # fmt: skip
        line = f"{line} · {left_out}"
    return line


def _script(body: str) -> list[Flowable]:
    """The script every customer is read, a paragraph per blank-line-separated part, its line
    breaks kept."""
    style = ParagraphStyle("script", styles()["body"], fontSize=SCRIPT_SIZE,
                           leading=SCRIPT_SIZE * 1.35, spaceAfter=5)  # fmt: skip
    story: list[Flowable] = [*section(_("Script"))]
    for part in _parts(body):
        story.append(Paragraph("<br/>".join(para(line) for line in part), style))
    story.append(Spacer(0, 6))
    return story


def _parts(body: str) -> list[list[str]]:
    """The text's paragraphs (separated by blank lines), each as its lines."""
    parts: list[list[str]] = [[]]
    for line in body.strip().splitlines():
        if line.strip():
            parts[-1].append(line.rstrip())
        elif parts[-1]:
            parts.append([])
    return [part for part in parts if part]


def _number(message: Message) -> str:
    return _("No. {number}").format(number=message.recipient.contact_id)


def _points(message: Message, context: ReportContext) -> str:
    points = message.recipient.points_balance
    return (_("1 point") if points == 1
            else _("{n} points").format(n=context.number(points)))  # fmt: skip


def _columns(listed: Sequence[Message], context: ReportContext) -> list[float]:
    """Tick box, number, name, phone, points: the phone and the figures as wide as the
    widest of them, the name taking the rest."""
    phones = {display_phone(message.recipient.phone or "") for message in listed}
    phone = max(text_width(text, PHONE_SIZE, bold=True) for text in phones) + _CELL_PADDING + 2
    return widths(
        context,
        Fit(CALLED_BOX + _CELL_PADDING + 2),
        _widest([_number(message) for message in listed]),
        1,
        Fit(phone),
        _widest([_points(message, context) for message in listed]),
    )


def _widest(texts: Sequence[str]) -> Fit:
    """A column for texts of the customer's line: text_table wraps that line as bold (its
    header row) though the number and points are drawn regular."""
    return Fit(max(text_width(text, NAME_SIZE, bold=True) for text in set(texts))
               + _CELL_PADDING + 1)  # fmt: skip


def _block(
    message: Message, columns: list[float], context: ReportContext, own_script: bool, room: float
) -> list[Flowable]:
    """One customer: a shaded line (box, number, name, phone, points), their own script if
    the scripts differ, then the outcome boxes and the notes line; kept on one page unless
    it is taller than a page."""
    recipient = message.recipient
    phone_style = ParagraphStyle("phone", styles()["body"], fontName=BOLD, fontSize=PHONE_SIZE,
                                 leading=PHONE_SIZE * 1.2)  # fmt: skip
    phone = Paragraph(para(display_phone(recipient.phone or ""), bold=True), phone_style)
    line = [_Box(CALLED_BOX), _number(message), recipient.name, phone, _points(message, context)]
    script = _own_script(message.body) if own_script else ""
    outcome = _Outcome([_(outcome) for outcome in OUTCOMES], _("Notes"))
    rows = [["", _script_paragraph(script), "", "", ""]] if script else []
    table = _table(line, [*rows, ["", outcome, "", "", ""]], columns)
    if not script or table.wrap(sum(columns), room)[1] <= room:
        table.setStyle([("NOSPLIT", (0, 0), (-1, -1))])
        return [table]
    # A script longer than a page (a table's row cannot go on over the next page): the line,
    # then the script flowing over the pages it needs, then the outcomes, all indented alike.
    indent = columns[0] + _CELL_PADDING / 2
    return [
        _table(line, [], columns),
        _script_paragraph(script, indent),
        _Outcome(outcome.choices, outcome.notes, indent, _CELL_PADDING / 2),
    ]


def _own_script(body: str) -> str:
    """A customer's own script as Paragraph markup: its lines, blank ones left out."""
    return "<br/>".join(para(text) for part in _parts(body) for text in part)


def _script_paragraph(markup: str, indent: float = 0) -> Paragraph:
    style = ParagraphStyle("own_script", styles()["small"], fontSize=OWN_SCRIPT_SIZE,
                           leading=OWN_SCRIPT_SIZE * 1.25, leftIndent=indent,
                           rightIndent=_CELL_PADDING / 2, spaceBefore=2)  # fmt: skip
    return Paragraph(markup, style)


def _table(line: list[object], rows: list[list[object]], columns: list[float]) -> Flowable:
    """The customer's line and the rows under it, each of those spanning all but the first
    column (the tick box's)."""
    look = [
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("FONTNAME", (1, 0), (1, 0), BODY),
        ("FONTNAME", (4, 0), (4, 0), BODY),
        ("ALIGN", (4, 0), (4, 0), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        *(("SPAN", (1, row), (-1, row)) for row in range(1, len(rows) + 1)),
        # The table style's rule under every row, covered: the shaded line starts a block and
        # the notes line ends it, and a rule under the notes line would read as a second one.
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.white),
    ]
    # The customer's line is the table's first row, which text_table sets bold on a shaded
    # band: that band is what separates one customer from the next at a glance.
    (table,) = text_table(line, rows, columns, size=NAME_SIZE, style=look)
    table.spaceBefore = BLOCK_GAP
    return table


class _Box(Flowable):
    """An empty square to tick."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        _draw_box(self.canv, 0, 0, self.size)


class _Outcome(Flowable):
    """A tick box for each possible outcome of the call, then a line to write notes on.

    The boxes go left to right and onto a further line if a translation makes them too wide.
    indent and right: room left free at either side (none inside a table's cell, which has
    its padding).
    """

    def __init__(
        self, choices: Sequence[str], notes: str, indent: float = 0, right: float = 0
    ) -> None:
        super().__init__()
        self.choices = list(choices)
        self.notes = notes
        self.indent = indent
        self.right = right
        self._lines: list[list[tuple[float, str]]] = []
        self._room = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self._room = available_width - self.indent - self.right
        self._lines = [[]]
        x = 0.0
        gap = 6 * mm
        for choice in self.choices:
            width = CHOICE_BOX + 1.8 * mm + text_width(choice, LABEL_SIZE)
            if x and x + width > self._room:
                self._lines.append([])
                x = 0.0
            self._lines[-1].append((x, choice))
            x += width + gap
        self.height = len(self._lines) * CHOICE_LINE + NOTES_HEIGHT
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.translate(self.indent, 0)
        top = self.height
        for number, line in enumerate(self._lines):
            bottom = top - (number + 1) * CHOICE_LINE + (CHOICE_LINE - CHOICE_BOX) / 2
            for x, choice in line:
                _draw_box(canvas, x, bottom, CHOICE_BOX)
                canvas.setFillColor(TEXT_DARK)
                draw_text(canvas, x + CHOICE_BOX + 1.8 * mm, bottom + 0.6 * mm, choice,
                          LABEL_SIZE)  # fmt: skip
        rule = 1.5 * mm  # the notes line's height above the block's bottom
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, 0, rule + 1, self.notes, LABEL_SIZE)
        start = text_width(self.notes, LABEL_SIZE) + 2 * mm
        canvas.setStrokeColor(TEXT_MUTED)
        canvas.setLineWidth(0.5)
        canvas.line(start, rule, self._room, rule)
        canvas.restoreState()


def _draw_box(canvas: Canvas, x: float, y: float, size: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(TEXT_DARK)
    canvas.setFillColor(colors.white)
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, size, size, stroke=1, fill=1)
    canvas.restoreState()
