"""The segment list: every customer of a saved segment, in name order, as a table.

A segment can hold a large share of the shop, so nothing here holds it all as reportlab
objects: ids are read a page (PAGE_IDS) at a time and kept as plain text rows, and each table
of TABLE_CHUNK rows becomes Paragraphs only when the layout reaches it (a _Deferred flowable);
laid-out tables are dropped from the story as the document is built. A Paragraph costs tens
of kilobytes while it lives, so 100,000 customers made eagerly would need gigabytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

from reportlab.platypus import Flowable

from relapp.domain.contacts.listing import (
    ContactFilter,
    ContactQuery,
    ContactRow,
    SortKey,
    contact_ids_page,
    contact_rows,
    count_contacts,
    segment_filter,
)
from relapp.domain.contacts.phones import display_phone
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.terms import LADDER_STAGES
from relapp.reports.document import (
    MARGIN,
    Cancelled,
    Progress,
    ReportCancelled,
    ReportContext,
    build_pdf,
    heading,
    paragraph,
    report_context,
    styles,
)
from relapp.reports.tables import TABLE_CHUNK, text_table
from relapp.reports.text import text_width

PAGE_IDS = 1_000
# Reading the customers is this share of the progress bar; laying out the PDF is the rest.
READING_SHARE = 0.3

SEGMENT_COLUMNS: dict[str, str] = {
    "name": "Name",
    "card": "Card number",
    "phone": "Phone",
    "email": "Email",
    "stage": "Stage",
    "tier": "Tier",
    "points": "Points",
    "last_visit": "Last visit",
    "since": "Customer since",
    "tags": "Tags",
}
DEFAULT_COLUMNS: tuple[str, ...] = (
    "name",
    "card",
    "phone",
    "email",
    "tier",
    "points",
    "last_visit",
)

# Column widths start from a typical value of each column, so card numbers, phones, dates
# and amounts do not wrap mid-value and names and emails get a fair line; what is left of
# the page width goes to the columns of free text, by these weights. Columns that do not
# fit across a portrait page are laid out on the page turned to landscape (all ten fit).
_TYPICAL: dict[str, Callable[[ReportContext], list[str]]] = {
    "name": lambda context: ["Alexandra Richardson"],
    "card": lambda context: [card_number_for(1)],
    "phone": lambda context: ["+61 400 000 000", "+91 81234 56789"],
    "email": lambda context: ["alexandra.r@example.com"],
    "stage": lambda context: [stage.capitalize() for stage in LADDER_STAGES],
    "tier": lambda context: ["Platinum"],
    "points": lambda context: [context.number(99_999)],
    "last_visit": lambda context: [context.day(date(2026, month, 28)) for month in range(1, 13)],
    "since": lambda context: [context.day(date(2026, month, 28)) for month in range(1, 13)],
    "tags": lambda context: ["regular, newsletter"],
}
_WEIGHTS = {"name": 3.0, "email": 3.0, "tags": 2.0, "tier": 1.0, "phone": 0.5}
CELL_PADDING = 6.0  # the table style's left and right padding together
_NUMERIC = frozenset({"points"})
_CELLS: dict[str, Callable[[ContactRow, ReportContext], str]] = {
    "name": lambda row, context: row.name,
    "card": lambda row, context: row.card_number or "",
    "phone": lambda row, context: display_phone(row.phone) if row.phone else "",
    "email": lambda row, context: row.email or "",
    "stage": lambda row, context: row.ladder_stage.capitalize(),
    "tier": lambda row, context: row.tier or "",
    "points": lambda row, context: context.number(row.points_balance),
    "last_visit": lambda row, context: context.day(row.last_visit) if row.last_visit else "",
    "since": lambda row, context: context.day(row.created_at),
    "tags": lambda row, context: ", ".join(row.tags),
}


def segment_report(
    segment: str,
    out: Path,
    columns: Sequence[str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the list of a saved segment's customers to out (a PDF) and return its path.

    Raises:
        ValueError: a column is not one of SEGMENT_COLUMNS.
        UnknownSegment: there is no saved segment of that name (nothing is written).
        ReportCancelled: cancelled() became true (nothing is written).
    """
    columns = tuple(DEFAULT_COLUMNS if columns is None else columns)
    unknown = [column for column in columns if column not in SEGMENT_COLUMNS]
    if unknown or not columns:
        raise ValueError(
            (f"Unknown columns: {', '.join(unknown)}." if unknown else "No columns chosen.")
            + f" Choose from {', '.join(SEGMENT_COLUMNS)}."
        )
    contact_filter = segment_filter(segment)
    context = report_context()
    total = count_contacts(contact_filter)
    rows: list[tuple[str, ...]] = []
    for ids in member_id_pages(contact_filter, total):
        if cancelled is not None and cancelled():
            raise ReportCancelled("The report was cancelled; no file was written.")
        rows += [tuple(_CELLS[key](row, context) for key in columns) for row in contact_rows(ids)]
        if progress is not None:
            progress(READING_SHARE * len(rows) / max(total, 1))

    title = f"Segment: {segment}"
    header = [SEGMENT_COLUMNS[key] for key in columns]
    context, widths = _layout(columns, context)
    numeric = [position for position, key in enumerate(columns) if key in _NUMERIC]
    story: list[Flowable] = [
        heading(title, "title"),
        paragraph(_subtitle(len(rows), contact_filter, context), "subtitle"),
    ]
    story += _deferred_tables(rows, header, widths, numeric, progress)
    written = build_pdf(Path(out), title, story, context, None, cancelled)
    if progress is not None:
        progress(1.0)
    return written


def _deferred_tables(
    rows: list[tuple[str, ...]],
    header: list[str],
    widths: list[float],
    numeric: list[int],
    progress: Progress | None,
) -> list[Flowable]:
    """The rows as tables of TABLE_CHUNK rows, each made when the layout reaches it.

    The layout reaches them in order, so making one tells how far it is (build_pdf's own
    count runs ahead: it counts the pieces of split tables against the story's length).
    """

    def table(start: int) -> list[Flowable]:
        if progress is not None:
            progress(READING_SHARE + (1 - READING_SHARE) * start / max(len(rows), 1))
        return text_table(header, rows[start : start + TABLE_CHUNK], widths, numeric)

    return [_Deferred(partial(table, start)) for start in range(0, max(len(rows), 1), TABLE_CHUNK)]


def member_id_pages(contact_filter: ContactFilter, total: int | None = None) -> Iterator[list[int]]:
    """The ids of the contacts the filter selects, in name order, PAGE_IDS at a time."""
    total = count_contacts(contact_filter) if total is None else total
    query = ContactQuery(filter=contact_filter, sort=SortKey.NAME)
    for offset in range(0, total, PAGE_IDS):
        ids = contact_ids_page(query, offset, PAGE_IDS, total)
        if not ids:
            return
        yield ids


def _layout(columns: Sequence[str], context: ReportContext) -> tuple[ReportContext, list[float]]:
    """The paper (portrait, or landscape if the columns need it) and the column widths."""
    size = styles()["cell"].fontSize
    least = []
    for key in columns:
        words = [text_width(word, size, bold=True) for word in SEGMENT_COLUMNS[key].split()]
        values = [text_width(value, size) for value in _TYPICAL[key](context)]
        least.append(max(words + values) + CELL_PADDING)
    portrait_width, portrait_height = min(context.paper), max(context.paper)
    if sum(least) > portrait_width - 2 * MARGIN:
        context = replace(context, paper=(portrait_height, portrait_width))
    available = context.paper[0] - 2 * MARGIN
    spare = available - sum(least)
    if spare < 0:  # cannot happen with SEGMENT_COLUMNS on A4 or Letter, but be safe
        return context, [width * available / sum(least) for width in least]
    weights = [_WEIGHTS.get(key, 0.0) for key in columns]
    if not sum(weights):  # only fixed-format columns: spread the room evenly
        weights = [1.0] * len(columns)
    share = spare / sum(weights)
    return context, [width + share * weight for width, weight in zip(least, weights, strict=True)]


def _subtitle(count: int, contact_filter: ContactFilter, context: ReportContext) -> str:
    """How many customers, and the segment's conditions in words."""
    people = f"{context.number(count)} customer{'' if count == 1 else 's'}"
    conditions = []
    if contact_filter.text.strip():
        conditions.append(f"matching “{contact_filter.text.strip()}”")
    if contact_filter.tags:
        conditions.append(f"tagged {' and '.join(contact_filter.tags)}")
    if contact_filter.stages:
        conditions.append(f"at stage {' or '.join(contact_filter.stages)}")
    if contact_filter.tiers:
        conditions.append(f"in tier {' or '.join(contact_filter.tiers)}")
    if contact_filter.consent:
        conditions.append(f"consenting to {contact_filter.consent}")
    if contact_filter.archived == "archived":
        conditions.append("archived only")
    elif contact_filter.archived == "all":
        conditions.append("archived included")
    return f"{people}: {', '.join(conditions)}" if conditions else f"{people}: everyone"


class _Deferred(Flowable):
    """A table made from its rows only when the layout reaches it, then let go of."""

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self._make = make
        self._table: Flowable | None = None

    def _built(self) -> Flowable:
        if self._table is None:
            (self._table,) = self._make()  # rows of at most TABLE_CHUNK: one table
        return self._table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self._built().wrap(available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return self._built().split(available_width, available_height)

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:
        self._built().drawOn(canvas, x, y, _sW)
