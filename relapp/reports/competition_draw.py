"""A prize draw on paper, for the shop's records (relapp.domain.listening.competitions).

The competition (dates, who could enter and how, the limit per person, the number of
winners, the rules as published), the draw (when, the seed, how many entries counted and from
how many people), the winners, the entries left out counted by reason, and how anyone can run
the draw again: the algorithm in one paragraph, the command that does it, and the recorded
list of valid entries with their anonymous entrant numbers (all that the algorithm needs).
The draw is run again as the page is made, and the page says whether it agrees.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from relapp.domain.listening.competitions import Competition
from relapp.domain.listening.draw import ALGORITHM, EXCLUSION_REASONS
from relapp.domain.listening.winners import Verification, verify
from relapp.domain.terms import DRAW_EXCLUSION_NAMES
from relapp.i18n import _
from relapp.reports.document import (
    Cancelled,
    Progress,
    ReportContext,
    build_pdf,
    heading,
    paragraph,
    report_context,
)
from relapp.reports.dossier import check_cancelled
from relapp.reports.tables import Fit, fit, section, text_table, widths

TITLE = "Prize draw"


def draw_report(
    out: Path,
    competition_id: int,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the record of the competition's draw to out (a PDF) and return out.

    Raises:
        CompetitionRefused: no such competition, or it is not drawn yet.
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    checked = verify(competition_id)  # CompetitionRefused before the draw
    drawn = checked.draw
    competition = drawn.competition
    context = report_context()
    entrants = len({entrant for _entry, entrant in drawn.valid})
    story: list[Flowable] = [
        heading(_("{title}: {name}").format(title=_(TITLE), name=competition.name), "title"),
        paragraph(
            _("{first} to {last} · drawn {when}").format(
                first=context.day(competition.starts_on),
                last=context.day(competition.ends_on),
                when=context.moment(drawn.drawn_at.astimezone()),
            ),
            "subtitle",
        ),
        *section(_("The competition")),
        *_terms(context, competition),
        *section(_("The draw")),
        paragraph(
            _(
                "Entries: {all}, of which {valid} valid, from {people}; {excluded} left out "
                "(below). Winners asked for: {winners}; drawn: {drawn}."
            ).format(
                all=context.number(len(drawn.valid) + len(drawn.excluded)),
                valid=context.number(len(drawn.valid)),
                people=_count(context, entrants, "person", "people"),
                excluded=context.number(len(drawn.excluded)),
                winners=context.number(competition.winners),
                drawn=context.number(len(drawn.winners)),
            )
        ),
        paragraph(_("Seed: {seed}").format(seed=drawn.seed)),
        *section(_("Winners")),
        *_winners(context, checked),
        *section(_("Entries left out")),
        *_excluded(context, drawn.excluded_counts),
        *section(_("How to check it")),
        paragraph(ALGORITHM),
        paragraph(
            _(
                "To run it again: relapp competition verify {id}. It prints the seed, the number "
                "of entries and the winners it draws again, and whether they match these."
            ).format(id=competition.id)
        ),
        paragraph(_check_line(checked)),
        paragraph(
            _(
                "The valid entries, as entry number/entrant number (the same entrant number is "
                "the same person):"
            ),
            "small",
        ),
        paragraph(", ".join(f"{entry}/{entrant}" for entry, entrant in drawn.valid), "small"),
    ]
    title = _("{title} · {name}").format(title=_(TITLE), name=competition.name)
    return build_pdf(out, title, story, context, progress, cancelled)


def _terms(context: ReportContext, competition: Competition) -> list[Flowable]:
    lines = [
        _("Who could enter: {who}.").format(who=competition.eligibility_text),
        _("How: {routes}.").format(routes=competition.routes_text),
    ]
    if competition.by_purchase:
        lines.append(_("No purchase necessary: {how}").format(how=competition.no_purchase_route))
    lines.append(
        _("Entries per person: at most {limit}. Winners: {winners}.").format(
            limit=context.number(competition.limit_per_person),
            winners=context.number(competition.winners),
        )
    )
    story = [paragraph(line) for line in lines]
    if competition.rules:
        story.append(paragraph(_("The rules as published:"), "small"))
        story += [paragraph(line, "small") for line in competition.rules.splitlines() if line]
    return story


def _winners(context: ReportContext, checked: Verification) -> list[Flowable]:
    header = [_("Place"), _("Entry"), _("Winner"), _("Told")]
    rows = [
        (
            context.number(winner.position),
            str(winner.entry_id),
            winner.name or _("(erased since the draw)"),
            context.day(winner.told_at.astimezone()) if winner.told_at else _("not yet"),
        )
        for winner in checked.draw.winners
    ]
    columns = [Fit(fit(header[i], [row[i] for row in rows]).width) for i in (0, 1)]
    told = fit(header[3], [row[3] for row in rows])
    return text_table(header, rows, widths(context, *columns, 1, told), numeric=(0, 1))


def _excluded(context: ReportContext, counts: dict[str, int]) -> list[Flowable]:
    if not counts:
        return [paragraph(_("None: every entry counted."))]
    header = [_("Why left out"), _("Entries")]
    rows = [
        (_(DRAW_EXCLUSION_NAMES[reason]), context.number(counts[reason]))
        for reason in EXCLUSION_REASONS
        if reason in counts
    ]
    figures = fit(header[1], [row[1] for row in rows])
    return text_table(header, rows, widths(context, 1, figures), numeric=(1,))


def _check_line(checked: Verification) -> str:
    if checked.matches:
        line = _("Run again as this page was made: the same winners, in the same order.")
    else:
        line = _("Run again as this page was made: the winners DIFFER from those recorded.")
    changes = []
    if checked.added:
        changes.append(_("{n} entries were added since the draw").format(n=len(checked.added)))
    if checked.removed:
        changes.append(_("{n} entries of the draw are gone").format(n=len(checked.removed)))
    return line + (" " + "; ".join(changes) + "." if changes else "")


def _count(context: ReportContext, value: int, one: str, many: str) -> str:
    return f"{context.number(value)} {_(one) if value == 1 else _(many)}"
