"""Paper survey forms to hand out and fill in by hand: blank, or one for each customer of a
saved segment.

Each form starts on a page of its own, on the shop's paper (A4 or US Letter): the shop's name
and logo, the survey's name and intro, then each question with what to tick or write: boxes
numbered 1 to 5 for a rating, 0 to 10 for a recommend score (with what the ends mean), a
numbered box for each option of a choice ("tick one" or "tick all that apply"), yes and no,
or lines to write on. In the top right corner a QR code holds the form's code
(relapp.domain.listening.paper: the survey, the version of its questions and the customer,
with a check), printed small under it too, so the cashier who types the answers back scans
it and gets the right survey and customer. A per-customer form names the customer; a blank
one of a named survey has a line for the customer's name or card number, a blank one of an
anonymous survey says to write no name. A form longer than a page goes on, with its name
and code, on the next. The numbers beside the boxes are what the cashier types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from relapp.domain.listening.paper import (
    FormCustomer,
    PaperRefused,
    form_code,
    form_customers,
    per_customer_refusal,
)
from relapp.domain.listening.surveys import Question, SurveyForm, survey_form
from relapp.i18n import _
from relapp.reports.barcodes import draw_qr
from relapp.reports.cards import draw_logo, read_logo
from relapp.reports.document import (
    MARGIN,
    RULE_GREY,
    TEXT_DARK,
    TEXT_MUTED,
    Cancelled,
    Progress,
    ReportCancelled,
    ReportContext,
    atomic_pdf,
    report_context,
    styles,
)
from relapp.reports.fonts import register_fonts
from relapp.reports.text import draw_text, para

TITLE = "Survey form"
QR_SIZE = 24 * mm
LOGO_BOX = (32 * mm, 14 * mm)
BOX = 4.2 * mm  # a box to tick
WRITING_LINES = 3
LINE_GAP = 8 * mm
QUESTION_GAP = 5 * mm
TEAL = colors.HexColor("#0f766e")
MAX_BLANK = 500


@dataclass(frozen=True)
class FormsSheet:
    path: Path
    forms: int
    pages: int


def survey_forms(
    out: Path,
    survey_id: int,
    *,
    segment: str | None = None,
    blank: int = 1,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> FormsSheet:
    """Write the survey's forms to out (a PDF): one for each customer of the saved segment,
    or `blank` blank ones without a segment.

    Raises:
        SurveyRefused: there is no such survey.
        PaperRefused: per-customer forms of an anonymous survey, an unknown or empty segment,
            or a segment too big for one print run; a number of blank forms out of range.
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    form = survey_form(survey_id)
    customers: Sequence[FormCustomer | None]
    if segment is not None:
        refusal = per_customer_refusal(form)
        if refusal:
            raise PaperRefused(refusal)
        customers = form_customers(segment)
    else:
        if not 1 <= blank <= MAX_BLANK:
            raise PaperRefused(f"Print 1 to {MAX_BLANK} blank forms at a time.")
        customers = [None] * blank
    register_fonts()
    context = report_context()
    logo = read_logo()
    story: list[Flowable] = []
    for customer in customers:
        layout = _Layout(context, form, customer, logo)
        story += [_FormPage(layout, questions, number == 0)
                  for number, questions in enumerate(layout.pages())]  # fmt: skip
    pages = len(story)  # the document takes the story's flowables as it lays them out
    with atomic_pdf(Path(out)) as temporary:
        _FormsDocument(temporary, context, f"{_(TITLE)}: {form.name}", pages, progress,
                       cancelled).build(story)  # fmt: skip
    return FormsSheet(Path(out), len(customers), pages)


class _FormsDocument(BaseDocTemplate):
    """Pages drawn whole by their flowables: no margins, header or footer of the document's."""

    def __init__(self, path, context, title, pages, progress, cancelled) -> None:
        width, height = context.paper
        super().__init__(path, pagesize=context.paper, title=title, author=context.shop_name,
                         creator="Relapp", pageCompression=1)  # fmt: skip
        whole = Frame(0, 0, width, height, leftPadding=0, bottomPadding=0, rightPadding=0,
                      topPadding=0)  # fmt: skip
        self.addPageTemplates([PageTemplate("form", [whole])])
        self._pages, self._done = max(pages, 1), 0
        self._progress, self._cancelled = progress, cancelled

    def afterFlowable(self, flowable: Flowable) -> None:
        self._done += 1
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled("The forms were cancelled; no file was written.")
        if self._progress is not None:
            self._progress(self._done / self._pages)


class _Layout:
    """One form's measures: where its questions go, page by page."""

    def __init__(
        self,
        context: ReportContext,
        form: SurveyForm,
        customer: FormCustomer | None,
        logo: ImageReader | None,
    ) -> None:
        self.context, self.form, self.customer, self.logo = context, form, customer, logo
        self.width, self.height = context.paper
        self.left, self.right = MARGIN, self.width - MARGIN
        self.code = form_code(form.survey_id, form.version_number,
                              None if customer is None else customer.contact_id)  # fmt: skip
        sheet = styles()
        self.question_style = ParagraphStyle("question", sheet["body"], fontSize=10.5,
                                             leading=13.5)  # fmt: skip
        self.intro_style = ParagraphStyle("intro", sheet["body"], fontSize=10, leading=13)
        self.top = self.height - MARGIN

    def intro(self) -> Paragraph | None:
        return Paragraph(para(self.form.intro), self.intro_style) if self.form.intro else None

    def header_bottom(self, first: bool) -> float:
        """Where the rule under a page's header is (the questions start under it)."""
        y = self.top - (LOGO_BOX[1] if self.logo is not None and first else 8 * mm) - 12 * mm
        y = min(y - 6 * mm, self.top - QR_SIZE - 8 * mm)
        intro = self.intro()
        if first and intro is not None:
            y -= intro.wrap(self.right - self.left, self.height)[1] + 3 * mm
        return y

    def question(self, number: int, question: Question) -> tuple[Paragraph, float]:
        """The question's text and the height of the question with its answer."""
        paragraph = Paragraph(para(f"{number}. {question.text}"), self.question_style)
        text_height = paragraph.wrap(self.right - self.left, self.height)[1]
        return paragraph, text_height + 2 * mm + _answer_height(question) + QUESTION_GAP

    def pages(self) -> list[list[tuple[int, Question]]]:
        """The numbered questions on each page; a question never splits."""
        pages: list[list[tuple[int, Question]]] = [[]]
        y = self.header_bottom(first=True) - 5 * mm
        for number, question in enumerate(self.form.questions, start=1):
            _paragraph, needed = self.question(number, question)
            if y - needed < MARGIN + 10 * mm and pages[-1]:
                pages.append([])
                y = self.header_bottom(first=False) - 5 * mm
            pages[-1].append((number, question))
            y -= needed
        return pages


class _FormPage(Flowable):
    """A page of a form, drawn whole: its header with the code, questions and foot."""

    def __init__(self, layout: _Layout, questions: list[tuple[int, Question]], first: bool):
        super().__init__()
        self.layout, self.questions, self.first = layout, questions, first
        self.y = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.layout.width, self.layout.height

    def draw(self) -> None:
        layout, canvas = self.layout, self.canv
        self._header()
        self.y = layout.header_bottom(self.first) - 5 * mm
        for number, question in self.questions:
            paragraph, _needed = layout.question(number, question)
            text_height = paragraph.wrap(layout.right - layout.left, layout.height)[1]
            paragraph.drawOn(canvas, layout.left, self.y - text_height)
            self.y -= text_height + 2 * mm
            self._answer(question)
            self.y -= QUESTION_GAP
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, layout.left, MARGIN - 6 * mm,
                  _("Please hand this form back at the counter. Thank you!"), 8)  # fmt: skip
        draw_text(canvas, layout.right, MARGIN - 6 * mm, layout.code, 7, align="right")

    # -- the page's top ----------------------------------------------------------------------

    def _header(self) -> None:
        layout, canvas, first = self.layout, self.canv, self.first
        top = layout.top
        qr_left = layout.right - QR_SIZE
        draw_qr(canvas, layout.code, qr_left, top - QR_SIZE, QR_SIZE)
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, layout.right - QR_SIZE / 2, top - QR_SIZE - 3.2 * mm, layout.code, 6,
                  align="centre", max_width=QR_SIZE + 8 * mm)  # fmt: skip
        text_right = qr_left - 6 * mm
        x = layout.left
        if layout.logo is not None and first:
            draw_logo(canvas, layout.logo, layout.left + LOGO_BOX[0], top, *LOGO_BOX)
            x = layout.left + LOGO_BOX[0] + 4 * mm
        canvas.setFillColor(TEXT_DARK)
        draw_text(canvas, x, top - 5 * mm, layout.context.shop_name, 11, bold=True,
                  max_width=text_right - x)  # fmt: skip
        y = top - (LOGO_BOX[1] if layout.logo is not None and first else 8 * mm) - 5 * mm
        title = layout.form.name if first else _("{survey} (continued)").format(
            survey=layout.form.name)  # fmt: skip
        canvas.setFillColor(TEAL)
        draw_text(canvas, layout.left, y, title, 16 if first else 12, bold=True,
                  max_width=text_right - layout.left)  # fmt: skip
        y -= 7 * mm
        canvas.setFillColor(TEXT_DARK)
        draw_text(canvas, layout.left, y, self._who(), 10, max_width=text_right - layout.left)
        y = min(y - 6 * mm, top - QR_SIZE - 8 * mm)
        intro = layout.intro()
        if first and intro is not None:
            height = intro.wrap(layout.right - layout.left, layout.height)[1]
            intro.drawOn(canvas, layout.left, y - height)
            y -= height + 3 * mm
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.6)
        canvas.line(layout.left, y, layout.right, y)

    def _who(self) -> str:
        customer, form = self.layout.customer, self.layout.form
        if customer is not None:
            card = customer.card_number
            return (_("For {name}, card {card}").format(name=customer.name, card=card)
                    if card else _("For {name}").format(name=customer.name))  # fmt: skip
        if form.anonymous:
            return _("Anonymous: please do not write your name.")
        return _("Your name or card number: ") + "_" * 34

    # -- answers -----------------------------------------------------------------------------

    def _answer(self, question: Question) -> None:
        canvas = self.canv
        if question.kind == "text":
            canvas.setStrokeColor(RULE_GREY)
            canvas.setLineWidth(0.5)
            for _line in range(WRITING_LINES):
                self.y -= LINE_GAP
                canvas.line(self.layout.left + 5 * mm, self.y, self.layout.right, self.y)
            return
        if question.kind in ("rating", "nps", "yes_no"):
            self._row_of_boxes(question)
            return
        hint = _("Tick one.") if question.kind == "choice" else _("Tick all that apply.")
        canvas.setFillColor(TEXT_MUTED)
        draw_text(canvas, self.layout.left + 5 * mm, self.y - 3 * mm, hint, 8.5)
        self.y -= 6.5 * mm
        left, room = self.layout.left + 5 * mm, self.layout.right - self.layout.left - 20 * mm
        for number, option in enumerate(question.options, start=1):
            self._box(left, self.y - BOX, f"{number}")
            canvas.setFillColor(TEXT_DARK)
            draw_text(canvas, left + BOX + 7 * mm, self.y - BOX + 1.2 * mm, option, 10,
                      max_width=room)  # fmt: skip
            self.y -= 6.5 * mm

    def _row_of_boxes(self, question: Question) -> None:
        canvas = self.canv
        if question.kind == "yes_no":
            labels = [(_("Yes"), 1), (_("No"), 0)]
        elif question.kind == "rating":
            labels = [(str(value), value) for value in range(1, 6)]
        else:
            labels = [(str(value), value) for value in range(11)]
        step = {"yes_no": 20 * mm, "rating": 13 * mm}.get(question.kind, 12.5 * mm)
        x = self.layout.left + 5 * mm
        for label, _value in labels:
            self._box(x, self.y - BOX, label)
            x += step
        self.y -= 8 * mm
        if question.kind == "nps":
            canvas.setFillColor(TEXT_MUTED)
            draw_text(
                canvas, self.layout.left + 5 * mm, self.y - 1 * mm, _("Not at all likely"), 7.5
            )
            draw_text(canvas, x - step + BOX, self.y - 1 * mm, _("Extremely likely"), 7.5,
                      align="right")  # fmt: skip
            self.y -= 5 * mm
        elif question.kind == "rating":
            canvas.setFillColor(TEXT_MUTED)
            draw_text(canvas, x + 2 * mm, self.y + 8 * mm - BOX + 1.2 * mm,
                      _("1 poor, 5 excellent"), 8)  # fmt: skip

    def _box(self, x: float, y: float, label: str) -> None:
        """A box to tick with its lower left corner at (x, y), its label to the right."""
        canvas = self.canv
        canvas.setStrokeColor(TEXT_DARK)
        canvas.setLineWidth(0.8)
        canvas.rect(x, y, BOX, BOX, stroke=1, fill=0)
        canvas.setFillColor(TEXT_DARK)
        draw_text(canvas, x + BOX + 1.5 * mm, y + 1.2 * mm, label, 10)


def _answer_height(question: Question) -> float:
    """The room a question's boxes or lines take under its text."""
    if question.kind == "text":
        return WRITING_LINES * LINE_GAP
    if question.kind in ("choice", "choices"):
        return (len(question.options) + 1) * 6.5 * mm
    if question.kind == "nps":
        return 13 * mm
    return 8 * mm
