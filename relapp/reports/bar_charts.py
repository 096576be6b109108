"""The reports' bar charts drawn alike: axes without ticks, counts from 0 in whole numbers
with the shop's separators, and a list of named counts as horizontal bars with each name cut
to fit beside its bar (the retention report's tiers and stages, a survey's answers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.dates import format_date
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from relapp.reports.document import RULE_GREY, TEXT_DARK, TEXT_MUTED, ReportContext
from relapp.reports.fonts import BODY, font_runs
from relapp.reports.text import text_width, visual

LABEL_SIZE = 7.5


def style_axis(axis) -> None:
    axis.labels.fontName, axis.labels.fontSize = BODY, LABEL_SIZE
    axis.labels.fillColor = TEXT_DARK
    axis.strokeColor = RULE_GREY
    for tick in ("tickLeft", "tickRight", "tickUp", "tickDown"):  # no ticks: the grid says it
        if hasattr(axis, tick):
            setattr(axis, tick, 0)


def value_axis(axis, highest: int, context: ReportContext) -> None:
    """Counts from 0 in whole numbers, with the shop's thousands separator."""
    style_axis(axis)
    axis.valueMin = 0
    axis.valueMax = max(highest, 4) * 1.08  # room for the labels; a scale for all zeros too
    axis.labelTextFormat = whole_steps(context)
    axis.labels.fillColor = TEXT_MUTED
    axis.forceZero = True


def whole_steps(context: ReportContext) -> Callable[[float], str]:
    """A label for an axis step: whole steps only (an axis of 0 to 4 has steps of 0.5)."""
    return lambda value: context.number(int(value)) if value == int(value) else ""


def month_label(month: date, index: int, context: ReportContext) -> str:
    """The month's short name (Dec), with the year under the first month and each January."""
    name = format_date(month, "LLL", locale=context.locale)
    return f"{name}\n{month.year}" if index == 0 or month.month == 1 else name


def cut_label(name: str, width: float) -> str:
    """The name as drawn (right-to-left text shaped and reordered), cut to width points
    with an ellipsis where it is read last, which is on the left for right-to-left text."""
    while len(name) > 1 and text_width(name, LABEL_SIZE) > width:
        name = name[:-2].rstrip() + "…"
    return visual(name)


def horizontal_bars(
    rows: list[tuple[str, int]],
    width: float,
    context: ReportContext,
    *,
    colour: colors.Color,
    label_width: float,
    bar: float,
    bottom: float,
    right: float,
) -> Drawing:
    """rows (name, count) as bars, the first at the top, each count written at its bar's end;
    bar: the points each row takes; bottom: room for the value axis; right: for the labels."""
    height = bar * len(rows) + bottom + 6
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width + 6, bottom
    chart.width, chart.height = width - chart.x - right, height - bottom - 4
    rows = rows[::-1]  # drawn from the bottom up: the first row at the top, as in the table
    chart.data = [[count for _name, count in rows]]
    chart.bars[0].fillColor = colour
    chart.bars.strokeColor = None
    chart.barWidth = bar * 0.65
    chart.barLabelFormat = lambda count: context.number(int(count))
    chart.barLabels.fontName, chart.barLabels.fontSize = BODY, LABEL_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    style_axis(chart.categoryAxis)
    chart.categoryAxis.categoryNames = [cut_label(name, label_width) for name, _count in rows]
    for index, (name, _count) in enumerate(rows):
        # A chart label is in one font: the one that draws the name, if one draws all of it.
        fonts = {font for font, _piece in font_runs(visual(name))}
        if len(fonts) == 1:
            chart.categoryAxis.labels[index].fontName = fonts.pop()
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    value_axis(chart.valueAxis, max(chart.data[0], default=0), context)
    drawing.add(chart)
    return drawing
