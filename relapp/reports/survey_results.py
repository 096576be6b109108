"""A survey's results on paper (relapp.domain.listening.results).

The responses month by month as a bar chart; then each version's questions, the current
version first: for each question its headline figure (the NPS with its 95 % interval, the
average rating, the most given answer), the distribution as a bar chart with a table of the
same counts and shares beside it (every possible answer, zeros included), the month-by-month
figures, the splits by saved segment, loyalty tier and ladder stage, and every written
answer, newest first. A last section says how each figure is counted, the NPS interval's
method included.

Charts are reportlab.graphics drawings in the report fonts, as in the retention summary; each
has its numbers as text beside or under it, so every figure can be searched and copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from babel.dates import format_skeleton
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from relapp.domain.listening.results import (
    ROUGH_BELOW,
    Figures,
    Group,
    QuestionResults,
    ResultsCancelled,
    SurveyResults,
    VersionResults,
    headline,
    survey_results,
)
from relapp.domain.terms import QUESTION_KIND_NAMES
from relapp.i18n import _
from relapp.reports.bar_charts import horizontal_bars, month_label, style_axis, value_axis
from relapp.reports.document import (
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
from relapp.reports.dossier import check_cancelled
from relapp.reports.fonts import BOLD
from relapp.reports.tables import Fit, fit, frame_width, section, text_table, widths
from relapp.reports.text import para

TITLE = "Survey results"
BAR_COLOUR = colors.HexColor("#2a7f78")
MONTH_COLOUR = colors.HexColor("#4f8fbf")
LABEL_WIDTH = 96  # points for an answer's label beside its bar; longer ones are cut
MAX_OPTION_COLUMNS = 5  # a split shows each option's share up to this many options
OPTION_WIDTH = 62  # points at most for a figure's column of a split (an option's share)
DATA_SHARE = 0.4  # reading the answers is this much of the work; laying out the rest


def survey_results_report(
    out: Path,
    survey_id: int,
    segments: Sequence[str] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the survey's results, every written answer included, to out (a PDF); out.

    Args:
        segments: the saved segments to split by (None: every one).

    Raises:
        SurveyRefused: there is no such survey.
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    try:
        results = survey_results(
            survey_id,
            segments=segments,
            text_limit=None,
            report=None if progress is None else lambda done, total: progress(
                DATA_SHARE * done / total),
            cancelled=cancelled,
        )  # fmt: skip
    except ResultsCancelled:
        raise ReportCancelled("The report was cancelled; no file was written.") from None
    layout = None if progress is None else lambda done: progress(DATA_SHARE + (1 - DATA_SHARE)
                                                                 * done)  # fmt: skip
    return survey_results_pdf(out, results, layout, cancelled)


def survey_results_pdf(
    out: Path,
    results: SurveyResults,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write results already read to out (a PDF); out."""
    context = report_context()
    title = _("{title}: {survey}").format(title=_(TITLE), survey=results.name)
    story: list[Flowable] = [heading(title, "title"), paragraph(_about(results, context),
                                                                 "subtitle")]  # fmt: skip
    if not results.responses:
        story.append(paragraph(_(
            "Nobody has answered this survey yet: its results appear here once customers "
            "answer, at the counter or on paper.")))  # fmt: skip
    else:
        story += _months(results, context)
        for version in results.versions:
            story += _version(version, results, context)
        story += _how_counted(results)
    return build_pdf(out, title, story, context, progress, cancelled)


def _month_name(month: str, context: ReportContext) -> str:
    return format_skeleton("yMMM", date(int(month[:4]), int(month[5:7]), 1),
                           locale=context.locale)  # fmt: skip


def _about(results: SurveyResults, context: ReportContext) -> str:
    kind = _("Poll") if results.kind == "poll" else _("Survey")
    kept = _("anonymous") if results.anonymous else _("answers kept with the customer's name")
    responses = (_("1 response") if results.responses == 1 else _("{n} responses").format(
        n=context.number(results.responses)))  # fmt: skip
    parts = [kind, kept, responses]
    if results.months:
        first, last = results.months[0][0], results.months[-1][0]
        parts.append(_month_name(first, context) if first == last else _("{first} to {last}")
                     .format(first=_month_name(first, context),
                             last=_month_name(last, context)))  # fmt: skip
    return " · ".join(parts)


# --------------------------------------------------------------------------------- months


def _months(results: SurveyResults, context: ReportContext) -> list[Flowable]:
    months = results.months
    story = section(_("Responses month by month"))
    width = frame_width(context)
    drawing = Drawing(width, 128)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 44, 32, width - 54, 88
    chart.data = [[count for _month, count in months]]
    chart.bars[0].fillColor = MONTH_COLOUR
    chart.bars.strokeColor = None
    style_axis(chart.categoryAxis)
    # Every month named when they fit, else every few.
    step = max(1, len(months) // 14 + 1)
    chart.categoryAxis.categoryNames = [
        month_label(date(int(month[:4]), int(month[5:7]), 1), index, context)
        if index % step == 0
        else ""
        for index, (month, _count) in enumerate(months)
    ]
    value_axis(chart.valueAxis, max(count for _month, count in months), context)
    drawing.add(chart)
    return [*story, drawing]


# ------------------------------------------------------------------------------ questions


def _version(
    version: VersionResults, results: SurveyResults, context: ReportContext
) -> list[Flowable]:
    story: list[Flowable] = []
    if len(results.versions) > 1:
        state = _("current questions") if version.current else _("earlier questions")
        story += section(_("Version {number}, {state}: {responses}").format(
            number=version.number, state=state,
            responses=_("1 response") if version.responses == 1 else _("{n} responses").format(
                n=context.number(version.responses))))  # fmt: skip
    for question in version.questions:
        story += _question(question, version, context)
    return story


def _question(
    question: QuestionResults, version: VersionResults, context: ReportContext
) -> list[Flowable]:
    overall = question.overall
    kind = _(QUESTION_KIND_NAMES.get(question.kind, question.kind))
    title = _("{position}. {text}").format(position=question.position, text=question.text)
    answers = _("1 answer") if overall.answers == 1 else _("{n} answers").format(
        n=context.number(overall.answers))  # fmt: skip
    summary = " · ".join(part for part in (kind, answers, _headline(overall, question.kind))
                         if part)  # fmt: skip
    head: list[Flowable] = [heading(title), paragraph(summary)]
    if question.kind == "text":
        return [*head, *_texts(question, context)]
    if overall.nps is not None and overall.nps.answers and overall.nps.rough:
        head.append(paragraph(_(
            "Fewer than {n} answers: the interval is wide and only a rough guide.").format(
            n=ROUGH_BELOW), "small"))  # fmt: skip
    story: list[Flowable] = [KeepTogether([*head, Spacer(0, 4), _distribution(overall, context)])]
    story += _by_month(question, context)
    splits = [(_("Segment"), question.by_segment), (_("Tier"), question.by_tier),
              (_("Ladder stage"), question.by_stage)]  # fmt: skip
    if any(groups for _name, groups in splits):
        story += _splits(question, splits, version, context)
    return story


def _headline(figures: Figures, kind: str) -> str:
    text = headline(figures, kind)
    if figures.nps is not None and figures.nps.answers and figures.average is not None:
        text += " · " + _("average {average:.1f} of 10").format(average=figures.average)
    return text


def _distribution(figures: Figures, context: ReportContext) -> Flowable:
    """A horizontal bar for each possible answer beside a table of counts and shares."""
    width = frame_width(context)
    chart_width = width * 0.56
    header = [_("Answer"), _("Count"), _("Share")]
    rows = [(bar.label, context.number(bar.count), _share(bar.count, figures.answers))
            for bar in figures.bars]  # fmt: skip
    numbers = [Fit(fit(title, [row[index] for row in rows]).width + 12)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    name_width = width - chart_width - 12 - sum(number.width for number in numbers)
    table = text_table(header, rows, [name_width, *(number.width for number in numbers)],
                       numeric=(1, 2))  # fmt: skip
    chart = horizontal_bars([(bar.label, bar.count) for bar in figures.bars], chart_width,
                            context, colour=BAR_COLOUR, label_width=LABEL_WIDTH, bar=13,
                            bottom=16, right=40)  # fmt: skip
    side_by_side = Table([[chart, table]],
                         colWidths=[chart_width + 12, width - chart_width - 12])  # fmt: skip
    side_by_side.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))  # fmt: skip
    return side_by_side


def _share(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else "–"


def _score_cells(figures: Figures, kind: str, context: ReportContext) -> tuple[str, ...]:
    """A row's figures after its answers: the average (and the NPS with its interval)."""
    average = "–" if figures.average is None else f"{figures.average:.1f}"
    if kind != "nps":
        return (average,)
    nps = figures.nps
    if nps is None or not nps.answers:
        return (average, "–", "–")
    return (average, f"{nps.score:+.0f}", f"{nps.low:+.0f} to {nps.high:+.0f}")


def _score_header(kind: str) -> list[str]:
    return [_("Average")] if kind != "nps" else [_("Average"), _("NPS"), _("95 % interval")]


def _by_month(question: QuestionResults, context: ReportContext) -> list[Flowable]:
    months = [(month, figures) for month, figures in question.months]
    if len(months) < 2:
        return []
    scored = question.kind in ("rating", "nps")
    header = [_("Month"), _("Answers"), *(_score_header(question.kind) if scored else ())]
    rows = [
        (_month_name(month, context), context.number(figures.answers),
         *(_score_cells(figures, question.kind, context) if scored else ()))
        for month, figures in months
    ]  # fmt: skip
    return [_subheading(_("Month by month")), *_figures_table(header, rows, context)]


def _splits(
    question: QuestionResults,
    splits: list[tuple[str, tuple[Group, ...]]],
    version: VersionResults,
    context: ReportContext,
) -> list[Flowable]:
    scored = question.kind in ("rating", "nps")
    bars = question.overall.bars
    by_option = not scored and len(bars) <= MAX_OPTION_COLUMNS
    extra = (_score_header(question.kind) if scored else
             [bar.label for bar in bars] if by_option else [_("Most answered")])  # fmt: skip
    header = [_("Customers"), _("Answers"), *extra]
    rows = []
    for name, groups in splits:
        for group in groups:
            figures = group.figures
            if scored:
                cells = _score_cells(figures, question.kind, context)
            elif by_option:
                cells = tuple(_share(bar.count, figures.answers) for bar in figures.bars)
            else:
                cells = (headline(figures, question.kind).removeprefix("Most answered: "),)
            rows.append((f"{name}: {group.label}", context.number(figures.answers), *cells))
    note = []
    if version.anonymous_responses:
        note = [paragraph(_(
            "{n} anonymous answers count above but in no split: they keep no customer.").format(
            n=context.number(version.anonymous_responses)), "small")]  # fmt: skip
    return [_subheading(_("By customer (as they are now)")),
            *_figures_table(header, rows, context, OPTION_WIDTH), *note]  # fmt: skip


def _texts(question: QuestionResults, context: ReportContext) -> list[Flowable]:
    if not question.texts:
        return [paragraph(_("Nobody wrote anything yet."), "small")]
    header = [_("When"), _("Who"), _("Answer")]
    rows = [
        (context.day(answer.answered_at) if answer.answered_at else _month_name(answer.month,
                                                                                context),
         answer.customer or (_("anonymous") if answer.answered_at is None else "–"),
         answer.text)
        for answer in question.texts
    ]  # fmt: skip
    when = fit(header[0], [row[0] for row in rows])
    who = Fit(min(fit(header[1], [row[1] for row in rows]).width, frame_width(context) * 0.3))
    return text_table(header, rows, widths(context, when, who, 1))


def _subheading(text: str) -> Flowable:
    sheet = styles()
    style = ParagraphStyle("subheading", sheet["body"], fontName=BOLD, spaceBefore=6,
                           spaceAfter=2, keepWithNext=1)  # fmt: skip
    return Paragraph(para(text), style)


def _figures_table(
    header: list[str],
    rows: Sequence[tuple[str, ...]],
    context: ReportContext,
    widest: float | None = None,
):
    """The first column taking the room left; figures right-aligned, each column just wide
    enough (at most widest: a long option's name then wraps in its header)."""
    figures = [Fit(min(fit(title, [row[index] for row in rows]).width + 6, widest or 1e9))
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    return text_table(header, rows, widths(context, 1, *figures),
                      numeric=tuple(range(1, len(header))))  # fmt: skip


# ------------------------------------------------------------------------------ shared parts


def _how_counted(results: SurveyResults) -> list[Flowable]:
    notes = [
        _("Every version of the survey is shown, the current questions first: when questions "
          "change after answers were given, the old answers stay with the questions they "
          "answered. A distribution lists every possible answer, those nobody gave included; "
          "for several choices, the share is of the answers that ticked the option."),
        _("NPS (Net Promoter Score): the share of promoters (9 or 10) less the share of "
          "detractors (0 to 6), in points from -100 to +100. The 95 % interval is the usual "
          "normal approximation: with p and d the shares of promoters and detractors among n "
          "answers, the margin is 1.96 x the square root of (p + d - (p - d)²) / n, in points; "
          "it is clipped to -100 and +100. Few answers give a wide interval; under {n} it is "
          "only a rough guide.").format(n=ROUGH_BELOW),
        _("Months are the month an answer was given in. The splits show each customer as they "
          "are now: their tier, their ladder stage and the saved segments they are in today, "
          "not when they answered. Anonymous answers keep no customer: they count in every "
          "total, distribution and month, and in no split."),
    ]  # fmt: skip
    if results.left_out_segments:
        notes.append(_("Segments left out (gone or unreadable): {names}.").format(
            names=", ".join(results.left_out_segments)))  # fmt: skip
    story = section(_("How these are counted"))
    for text in notes:
        story += [paragraph(text, "small"), Spacer(0, 3)]
    return story
