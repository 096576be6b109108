"""The retention summary: are customers coming back? One or two pages for the owner.

relapp.domain.timeline.retention.retention_summary() on paper: the headline figures (customers,
active, repeat-purchase rate, drifting away, lapsed), new and returning customers month by
month as a grouped bar chart, and the tier and ladder-stage mix as bar charts. Each chart has
a small table of the same numbers beside or below it, so every figure is also text that can
be searched and copied from the PDF. The last lines say how each figure is counted.

Charts are reportlab.graphics drawings in the report fonts. Tier names are the shop's own
text: in a chart they are shaped and reordered for right-to-left scripts like any other text
(relapp.reports.text.visual), cut to fit, and drawn in the font that draws the whole name
(a chart label has one font: a name mixing scripts that no one font covers shows boxes for
some letters there, and is whole in the table beside it).

For one shop (a business with several, schema 11): the same page counted from the visits and
purchases made at that shop (retention_summary(shop_id=...), whose docstring has the rules):
its customers are those it has served, a visit or a purchase is one made there, new means
new to that shop, and drifting away is by the customer's rhythm at that shop. The title line
names the shop and the last lines say so. Without a shop, every shop's history together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_percent
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from relapp.domain.shop.shops import Shop
from relapp.domain.terms import LADDER_STAGE_NAMES
from relapp.domain.timeline.retention import (
    ACTIVE_DAYS,
    FIRST_SHOP_ID,
    LAPSED_DAYS,
    MixEntry,
    RetentionSummary,
    retention_summary,
)
from relapp.i18n import _
from relapp.reports.bar_charts import (
    LABEL_SIZE,
    horizontal_bars,
    month_label,
    style_axis,
    value_axis,
)
from relapp.reports.document import (
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
from relapp.reports.tables import HEADER_GREY, Fit, fit, frame_width, section, text_table, widths
from relapp.reports.text import para

NEW_COLOUR = colors.HexColor("#e59c3b")  # amber and teal: told apart in colour-blind vision
RETURNING_COLOUR = colors.HexColor("#2a7f78")
MIX_COLOUR = colors.HexColor("#4f8fbf")
GRID_GREY = colors.HexColor("#dde5e4")
MIX_LABEL_WIDTH = 80  # points for a tier or stage name beside its bar; longer ones are cut
# The summary is most of the work at a million customers (seconds); laying it out the rest.
SUMMARY_SHARE = 0.6


def retention_report(
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    as_of: date | None = None,
    shop: Shop | None = None,
) -> Path:
    """Write the retention summary to out (a PDF) and return out.

    Args:
        as_of: the last day the summary covers (default: today).
        shop: only the visits and purchases made at this shop (module docstring); None: all
            shops.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context()
    summary = retention_summary(as_of, shop_id=None if shop is None else shop.id)
    check_cancelled(cancelled)
    if progress is not None:
        progress(SUMMARY_SHARE)
    day = format_date(summary.as_of, "long", locale=context.locale)
    title = (_("Retention summary") if shop is None else
             _("Retention summary · {shop}").format(shop=shop.name))  # fmt: skip
    story: list[Flowable] = [
        heading(title, "title"),
        paragraph(_("Up to and including {day}").format(day=day), "subtitle"),
        _headline(summary, context),
        *_months(summary, context),
        *_mix(_("Customers by tier"), _("Tier"), _tier_rows(summary.tiers), context),
        *_mix(_("Customers by ladder stage"), _("Stage"), _stage_rows(summary.stages), context),
        *_how_counted(shop),
    ]
    laid_out = None if progress is None else _scaled(progress)
    return build_pdf(out, _("{title} · {day}").format(title=title, day=day), story, context,
                     laid_out, cancelled)  # fmt: skip


def _scaled(progress: Progress) -> Progress:
    """Layout's progress (0 to 1) as the rest of the report's, after the summary's share."""
    return lambda done: progress(SUMMARY_SHARE + (1 - SUMMARY_SHARE) * done)


# ----------------------------------------------------------------------- headline figures


def _headline(summary: RetentionSummary, context: ReportContext) -> Table:
    """Five figures side by side, each a large number over what it counts."""
    rate = summary.repeat.rate
    figures = [
        (context.number(summary.customers), _("customers"),
         _("{n} have visited").format(n=context.number(summary.visited))),
        (context.number(summary.active), _("active"),
         _("visited in the last {n} days").format(n=ACTIVE_DAYS)),
        ("—" if rate is None else _percent(rate, context), _("repeat-purchase rate"),
         _("nobody has bought yet") if rate is None else
         _("{n} of {buyers} buyers bought again").format(
             n=context.number(summary.repeat.repeat_buyers),
             buyers=context.number(summary.repeat.buyers))),
        (context.number(summary.drifting), _("drifting away"),
         _("overdue by their own rhythm")),
        (context.number(summary.lapsed), _("lapsed"),
         _("last visit {n} or more days ago").format(n=LAPSED_DAYS)),
    ]  # fmt: skip
    sheet = styles()
    number = ParagraphStyle("figure", sheet["body"], fontName=BOLD, fontSize=17, leading=21,
                            alignment=TA_CENTER)  # fmt: skip
    label = ParagraphStyle("figure_label", sheet["body"], fontName=BOLD, fontSize=8.5,
                           leading=11, alignment=TA_CENTER)  # fmt: skip
    note = ParagraphStyle("figure_note", sheet["small"], alignment=TA_CENTER)
    cells = [
        [Paragraph(para(value), number), Paragraph(para(name), label), Paragraph(para(text), note)]
        for value, name, text in figures
    ]
    table = Table([cells], colWidths=[frame_width(context) / len(cells)] * len(cells))
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), HEADER_GREY),
        ("LINEAFTER", (0, 0), (-2, -1), 1.5, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))  # fmt: skip
    return table


def _percent(share: float, context: ReportContext) -> str:
    return format_percent(share, "#,##0.0%", locale=context.locale)


# ------------------------------------------------------------------- new and returning


def _months(summary: RetentionSummary, context: ReportContext) -> list[Flowable]:
    story = section(_("New and returning customers, month by month"))
    months = summary.months
    if not any(month.visitors for month in months):
        return [*story, paragraph(_("Nobody visited in these months."))]
    labels = [month_label(month.month, index, context) for index, month in enumerate(months)]
    width = frame_width(context)
    drawing = Drawing(width, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 44, 34, width - 54, 128
    chart.data = [[month.new for month in months], [month.returning for month in months]]
    chart.groupSpacing = 6
    chart.barSpacing = 1
    chart.bars[0].fillColor = NEW_COLOUR
    chart.bars[1].fillColor = RETURNING_COLOUR
    chart.bars.strokeColor = None
    style_axis(chart.categoryAxis)
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.dy = -3
    value_axis(chart.valueAxis, max(max(row) for row in chart.data), context)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID_GREY
    drawing.add(chart)
    pairs = ((NEW_COLOUR, _("New: first visit ever")),
             (RETURNING_COLOUR, _("Returning: had visited before")))  # fmt: skip
    drawing.add(_legend(pairs, width))
    rows = [
        (label.replace("\n", " "), context.number(month.new), context.number(month.returning),
         context.number(month.visitors))
        for label, month in zip(labels, months, strict=True)
    ]  # fmt: skip
    header = [_("Month"), _("New"), _("Returning"), _("Visitors")]
    columns = widths(context, 1, *_fits(header[1:], rows, 1))
    return [*story, drawing, Spacer(0, 4), *text_table(header, rows, columns, numeric=(1, 2, 3))]


def _legend(pairs: Sequence[tuple[colors.Color, str]], width: float) -> Legend:
    legend = Legend()
    legend.colorNamePairs = list(pairs)
    legend.fontName, legend.fontSize = BODY, LABEL_SIZE + 0.5
    legend.x, legend.y = 44, 184
    legend.alignment = "right"
    legend.columnMaximum = 1  # one row, side by side
    legend.deltax = width / 3
    legend.dx = legend.dy = 7
    legend.strokeColor = None
    return legend


# ------------------------------------------------------------------------------- mixes


def _tier_rows(tiers: Sequence[MixEntry]) -> list[tuple[str, int]]:
    return [(entry.name if entry.name is not None else _("No tier"), entry.customers)
            for entry in tiers]  # fmt: skip


def _stage_rows(stages: Sequence[MixEntry]) -> list[tuple[str, int]]:
    return [(_(LADDER_STAGE_NAMES.get(entry.name or "", entry.name or "")), entry.customers)
            for entry in stages]  # fmt: skip


def _mix(
    title: str, column: str, rows: list[tuple[str, int]], context: ReportContext
) -> list[Flowable]:
    """A horizontal bar per tier or stage, with its count, beside a table with the shares."""
    width = frame_width(context)
    total = sum(count for _name, count in rows)
    chart_width = width * 0.56
    header = [column, _("Customers"), _("Share")]
    cells = [(name, context.number(count), _percent(count / total, context) if total else "—")
             for name, count in rows]  # fmt: skip
    numbers = _fits(header[1:], cells, 1)
    name_width = width - chart_width - 12 - sum(number.width for number in numbers)
    table = text_table(header, cells, [name_width, *(number.width for number in numbers)],
                       numeric=(1, 2))  # fmt: skip
    chart = horizontal_bars(
        rows,
        chart_width,
        context,
        colour=MIX_COLOUR,
        label_width=MIX_LABEL_WIDTH,
        bar=16,
        bottom=18,
        right=44,
    )
    side_by_side = Table([[chart, table]],
                         colWidths=[chart_width + 12, width - chart_width - 12])  # fmt: skip
    side_by_side.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))  # fmt: skip
    return [KeepTogether([heading(title), side_by_side])]


# ------------------------------------------------------------------------- shared parts


def _fits(header: Sequence[str], rows: Sequence[Sequence[str]], first: int) -> list[Fit]:
    """Columns just wide enough for their figures, from column `first` on, with room to
    spare so that a header stays over its right-aligned numbers."""
    return [Fit(fit(title, [row[first + index] for row in rows]).width + 12)
            for index, title in enumerate(header)]  # fmt: skip


def _how_counted(shop: Shop | None = None) -> list[Flowable]:
    if shop is None:
        drifting = _("Drifting away: the Today view's list, customers whose last visit is more "
                     "than twice their usual interval ago (and over 30 days).")  # fmt: skip
        first = _("their first visit ever")
    else:
        drifting = _("Drifting away: customers whose last visit to {shop} is more than twice "
                     "their usual interval between visits there ago (and over 30 days)."
                     ).format(shop=shop.name)  # fmt: skip
        first = _("their first visit to {shop}").format(shop=shop.name)
    notes = [] if shop is None else [
        _("{shop} only: its customers are those with anything recorded at {shop} (a visit, "
          "a purchase, a call, a query), and every figure counts the visits and purchases "
          "made there. Tiers and ladder stages are the business's, shared by every "
          "shop.").format(shop=shop.name)
        + ("" if shop.id != FIRST_SHOP_ID else " " + _(
            "History recorded before the business had several shops counts as {shop}'s."
        ).format(shop=shop.name)),
    ]  # fmt: skip
    notes += [
        _("A visit is a visit or a purchase (a refunded one too); a purchase is one not "
          "refunded. Archived and erased customers are left out."),
        _("Active: visited in the last {active} days. Lapsed: has visited, but not in the last "
          "{lapsed} days.").format(active=ACTIVE_DAYS, lapsed=LAPSED_DAYS) + " " + drifting,
        _("Repeat-purchase rate: of the customers who have bought, all time, the share who "
          "bought at least twice. Months are calendar months in local time; the last one "
          "runs to the day of the report. A customer counts once a month, as new in the "
          "month of {first}, as returning in any later month they came.").format(first=first),
    ]  # fmt: skip
    story = section(_("How these are counted"))
    for text in notes:
        story += [paragraph(text, "small"), Spacer(0, 3)]
    return story
