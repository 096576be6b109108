"""What every report shares: paper, styles, the page header and footer, tables, and writing
the file safely.

* Paper comes from the shop's settings (A4 or US Letter); money and dates are formatted for
  the shop's locale and currency (Babel).
* Every page carries the shop's name and the report's title at the top, and the moment it was
  generated and "Page n of N" at the bottom (N is known once all pages are laid out: the
  canvas keeps each page's state and writes the footers at the end).
* Long tables: relapp.reports.tables (many small tables, plain text where it can).
* A report is written to a temporary file beside the target and renamed over it when complete,
  so a failure or a cancel never leaves a half-written PDF under the chosen name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from relapp.db.live_files import refuse_database_files
from relapp.domain import clock
from relapp.domain.shop.formats import ShopFormat, babel_locale
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError
from relapp.reports.fonts import BODY, BOLD, register_fonts
from relapp.reports.text import draw_text, para

PAPER_SIZES = {"A4": A4, "Letter": LETTER}
MARGIN = 18 * mm
RULE_GREY = colors.HexColor("#b8c4c2")
TEXT_DARK = colors.HexColor("#1f2d2b")
TEXT_MUTED = colors.HexColor("#5b6b69")

Progress = Callable[[float], None]  # fraction done, 0 to 1
Cancelled = Callable[[], bool]


class ReportCancelled(RelappError):
    """The report was cancelled before it was complete; no file was written."""


@dataclass(frozen=True)
class ReportContext:
    """The shop's facts every report prints or formats with."""

    shop_name: str
    paper: tuple[float, float]
    locale: str
    currency: str
    generated_at: datetime  # local, aware

    @property
    def shop_format(self) -> ShopFormat:
        """Money and dates as the views write them (relapp.domain.shop.formats)."""
        return ShopFormat(self.locale, self.currency)

    def money(self, cents: int) -> str:
        return self.shop_format.money(cents)

    def number(self, value: float) -> str:
        return self.shop_format.number(value)

    def day(self, moment: datetime | date) -> str:
        return self.shop_format.day(moment)

    def moment(self, moment: datetime) -> str:
        return self.shop_format.moment(moment)


def report_context(now: datetime | None = None) -> ReportContext:
    settings = load_settings()
    return ReportContext(
        shop_name=settings.shop_name,
        paper=PAPER_SIZES.get(settings.paper_size, A4),
        locale=str(babel_locale(settings.locale)),
        currency=settings.currency,
        generated_at=(now or clock.utc_now()).astimezone(),
    )


# -------------------------------------------------------------------------------- styles


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=BODY, fontSize=9.5, leading=12.5, textColor=TEXT_DARK)
    return {
        "title": ParagraphStyle(
            "title", body, fontName=BOLD, fontSize=17, leading=22, spaceAfter=4
        ),
        "subtitle": ParagraphStyle("subtitle", body, textColor=TEXT_MUTED, spaceAfter=10),
        "heading": ParagraphStyle(
            "heading", body, fontName=BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        ),
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8, leading=10, textColor=TEXT_MUTED),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle(
            "cell_right", body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
    }


# --------------------------------------------------------------------------------- pages


def build_pdf(
    target: Path,
    title: str,
    story: list[Flowable],
    context: ReportContext,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Lay out the story on the shop's paper with header and footer and write it to target.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the folder cannot be written.
    """
    register_fonts()
    with atomic_pdf(Path(target)) as temporary:
        document = _Document(temporary, context, title, len(story), progress, cancelled)
        document.build(story, canvasmaker=_numbered_canvas(context, title))
    return Path(target)


@contextmanager
def atomic_pdf(target: Path) -> Iterator[str]:
    """A temporary file beside target, renamed over it if the block completes, else removed.

    The file gets the permissions a new file of this user gets (mkstemp's are owner-only).
    A target that is the shop's database or one of its files is refused before anything.
    """
    target = refuse_database_files(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise RelappError(f"The folder {folder} does not exist.")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except PermissionError as error:
        raise RelappError(f"Cannot write {target}: {error.strerror}.") from error
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except PermissionError as error:
        raise RelappError(f"Cannot write {target}: {error.strerror}.") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


class _Document(SimpleDocTemplate):
    def __init__(self, path, context, title, flowables, progress, cancelled) -> None:
        super().__init__(
            path, pagesize=context.paper, title=title, author=context.shop_name,
            creator="Relapp", leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN + 8 * mm, bottomMargin=MARGIN,
        )  # fmt: skip
        self._total = max(flowables, 1)
        self._done = 0
        self._progress = progress
        self._cancelled = cancelled

    def afterFlowable(self, flowable: Flowable) -> None:
        self._done += 1
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled("The report was cancelled; no file was written.")
        if self._progress is not None:
            self._progress(min(self._done / self._total, 1.0))


def _numbered_canvas(context: ReportContext, title: str):
    """A canvas class that draws every page's header and footer once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _decorate(self, context, title, number, len(self._pages))
                super().showPage()
            super().save()

    return NumberedCanvas


def _decorate(canvas: Canvas, context: ReportContext, title: str, page: int, pages: int) -> None:
    width, height = context.paper
    top = height - MARGIN + 2 * mm
    canvas.saveState()
    canvas.setFillColor(TEXT_DARK)
    draw_text(canvas, MARGIN, top, context.shop_name, 10, bold=True,
              max_width=(width - 2 * MARGIN) / 2)  # fmt: skip
    canvas.setFillColor(TEXT_MUTED)
    draw_text(canvas, width - MARGIN, top, title, 9, align="right",
              max_width=(width - 2 * MARGIN) / 2)  # fmt: skip
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 2.5 * mm, width - MARGIN, top - 2.5 * mm)
    bottom = MARGIN - 8 * mm
    draw_text(canvas, MARGIN, bottom, f"Generated {context.moment(context.generated_at)}", 7.5)
    draw_text(canvas, width - MARGIN, bottom, f"Page {page} of {pages}", 7.5, align="right")
    canvas.restoreState()


def heading(text: str, level: str = "heading") -> Paragraph:
    """A title or heading of user text (a segment's name, a customer's name)."""
    return Paragraph(para(text), styles()[level])


def paragraph(text: str, style: str = "body") -> Paragraph:
    return Paragraph(para(text), styles()[style])
