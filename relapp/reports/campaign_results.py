"""A campaign's results on paper: relapp.domain.campaigns.results.campaign_results().

The campaign (channel, segment, when produced, who was sent it, held out and left out by
reason), then for 7, 30 and 60 days after it: who came back and what they spent, those sent
it against the hold-out group, as a chart of the shares and a table with the difference and
its 95% confidence interval; the vouchers given and redeemed; the opt-outs since. A window
that has not ended yet is marked "so far". Without a hold-out group the page says there is
nothing to compare with, rather than printing a difference from nothing.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer

from relapp.db.fields import parse_timestamp
from relapp.db.store import campaigns as campaign_store
from relapp.domain.campaigns.campaigns import CHANNEL_WORDS, REASON_WORDS, campaign_or_error
from relapp.domain.campaigns.results import CampaignResults, WindowResult, campaign_results
from relapp.i18n import _
from relapp.reports.document import (
    TEXT_DARK,
    TEXT_MUTED,
    Cancelled,
    Progress,
    ReportContext,
    build_pdf,
    heading,
    paragraph,
    report_context,
)
from relapp.reports.dossier import check_cancelled
from relapp.reports.fonts import BODY
from relapp.reports.tables import Fit, fit, frame_width, section, text_table, widths

TITLE = "Campaign results"
SENT_COLOUR = colors.HexColor("#1b7f79")
HELD_COLOUR = colors.HexColor("#b8c4c2")
LABEL_SIZE = 7.5


def campaign_results_report(
    campaign_id: int,
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the campaign's results to out (a PDF) and return out.

    Raises:
        CampaignError: no such campaign, or it has not been produced yet.
        ReportCancelled: cancelled() became true; nothing was written.
    """
    check_cancelled(cancelled)
    context = report_context()
    campaign = campaign_or_error(campaign_id)
    results = campaign_results(campaign_id)
    counts = campaign_store.recipient_counts(campaign_id)
    sent = counts.get(("sent", None), 0)
    held = counts.get(("holdout", None), 0)
    produced = context.moment(parse_timestamp(results.produced_at))
    channel = _(CHANNEL_WORDS[campaign.channel])
    about = _(
        "{channel} to the segment {segment}, produced {moment}: {sent} sent, {held} held out "
        "for comparison."
    ).format(channel=channel[0].upper() + channel[1:], segment=campaign.segment_name,
             moment=produced, sent=context.number(sent), held=context.number(held))  # fmt: skip
    left = [
        f"{context.number(count)} {_(REASON_WORDS[reason])}"
        for (role, reason), count in sorted(counts.items(), key=lambda item: str(item[0][1]))
        if role == "left_out" and reason is not None
    ]
    left_line = (
        _("Left out: {reasons}.").format(reasons="; ".join(left))
        if left
        else _("Nobody in the segment was left out.")
    )
    title = _("{title} · {name}").format(title=_(TITLE), name=campaign.name)
    story: list[Flowable] = [
        heading(title, "title"),
        paragraph(about, "subtitle"),
        paragraph(left_line),
        *_came_back(results, context),
        *_others(results, context),
        *section(_("How it is counted")),
        paragraph(
            _(
                "Came back: a visit or purchase after the campaign was produced, within the days "
                "shown; spend: those purchases, refunded ones left out. The hold-out group was "
                "chosen at random among the customers the campaign could reach and got nothing, "
                "so the difference between the two shares is what the campaign brought, within "
                "the 95% confidence interval shown (normal approximation). A window that has not "
                "ended yet counts what happened so far."
            ),
            "small",
        ),
    ]
    return build_pdf(out, title, story, context, progress, cancelled)


def _share(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _came_back(results: CampaignResults, context: ReportContext) -> list[Flowable]:
    story = section(_("Customers who came back"))
    compared = any(window.holdout is not None for window in results.windows)
    rows = [_row(window, context, compared) for window in results.windows]
    header = [_("Within"), _("Sent: came back"), _("Spend")]
    if compared:
        header += [_("Held out: came back"), _("Spend"), _("Difference (95% CI)")]
    figures = [Fit(fit(title, [row[index] for row in rows]).width + 6)
               for index, title in enumerate(header[1:], start=1)]  # fmt: skip
    table = text_table(header, rows, widths(context, 1, *figures),
                       numeric=tuple(range(1, len(header))))  # fmt: skip
    if not compared:
        note = paragraph(_("This campaign had no hold-out group, so there is nothing to "
                           "compare these figures with."), "small")  # fmt: skip
        return [*story, *table, Spacer(0, 4), note]
    return [*story, _chart(results, context), Spacer(0, 6), *table]


def _row(window: WindowResult, context: ReportContext, compared: bool) -> tuple[str, ...]:
    days = _("{days} days").format(days=window.days)
    if not window.complete:
        days = _("{days} (so far)").format(days=days)
    sent = window.sent
    row: tuple[str, ...] = (
        days,
        f"{context.number(sent.came_back)} / {context.number(sent.members)} ({_share(sent.share)})",
        context.money(sent.spend_cents),
    )
    if not compared:
        return row
    held = window.holdout
    if held is None or window.difference is None or window.interval is None:
        return (*row, "-", "-", "-")
    low, high = window.interval
    difference = f"{window.difference * 100:+.1f} ({low * 100:+.1f} to {high * 100:+.1f}) " + _(
        "points"
    )
    return (
        *row,
        f"{context.number(held.came_back)} / {context.number(held.members)} ({_share(held.share)})",
        context.money(held.spend_cents),
        difference,
    )


def _chart(results: CampaignResults, context: ReportContext) -> Drawing:
    """The share who came back in each window: those sent it beside those held out."""
    width = frame_width(context)
    drawing = Drawing(width, 170)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 44, 24, width - 54, 118
    chart.data = [
        [(window.sent.share or 0) * 100 for window in results.windows],
        [((window.holdout.share if window.holdout else 0) or 0) * 100
         for window in results.windows],
    ]  # fmt: skip
    chart.groupSpacing, chart.barSpacing = 24, 2
    chart.bars[0].fillColor, chart.bars[1].fillColor = SENT_COLOUR, HELD_COLOUR
    chart.bars.strokeColor = None
    chart.categoryAxis.categoryNames = [
        _("{days} days").format(days=window.days) for window in results.windows
    ]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = BODY, LABEL_SIZE
        axis.strokeColor = TEXT_MUTED
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(10.0, max(max(row) for row in chart.data) * 1.15)
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.labels.fillColor = TEXT_MUTED
    drawing.add(chart)
    legend = Legend()
    legend.colorNamePairs = [(SENT_COLOUR, _("Sent the campaign")),
                             (HELD_COLOUR, _("Held out (got nothing)"))]  # fmt: skip
    legend.fontName, legend.fontSize = BODY, LABEL_SIZE + 0.5
    legend.x, legend.y = 44, 164
    legend.columnMaximum = 1
    legend.deltax = width / 3
    legend.dx = legend.dy = 7
    legend.strokeColor = None
    legend.fillColor = TEXT_DARK
    drawing.add(legend)
    return drawing


def _others(results: CampaignResults, context: ReportContext) -> list[Flowable]:
    lines = [_("Opted out of this channel since: {n}.").format(n=context.number(results.opted_out))]
    if results.vouchers_issued:
        lines.insert(0, _("Vouchers redeemed: {used} of {given}.").format(
            used=context.number(results.vouchers_redeemed),
            given=context.number(results.vouchers_issued)))  # fmt: skip
    return [*section(_("Vouchers and opt-outs")), *(paragraph(line) for line in lines)]
