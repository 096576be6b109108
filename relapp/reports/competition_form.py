"""The paper entry form of a competition, with its rules printed (the CAP Code wants the terms
where the entrant can read them before entering).

One form a page, to photocopy: the competition and its closing day, the boxes the customer
fills in (name, phone, email, loyalty card if they have one), a line saying the entry is typed
in at the shop and on which page of Relapp, then the rules in full. A draw entered by
purchase says "No purchase necessary" and the free way to enter on the form itself.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from relapp.domain.listening.competitions import find_competition
from relapp.i18n import _
from relapp.reports.document import (
    RULE_GREY,
    TEXT_DARK,
    build_pdf,
    heading,
    paragraph,
    report_context,
)
from relapp.reports.fonts import BOLD
from relapp.reports.tables import frame_width, section

TITLE = "Entry form"
# A segment's name is the shop's own label for a list of customers: not printed for them.
_OPEN_TO = {
    "all": "Open to everyone.",
    "members": "Open to our current members.",
    "segment": "Open to the customers invited to enter.",
}
BOX_HEIGHT = 11 * mm


def entry_form(out: Path, competition_id: int) -> Path:
    """Write the competition's paper entry form to out (a PDF) and return out.

    Raises:
        CompetitionRefused: no such competition.
        RelappError: the file cannot be written.
    """
    competition = find_competition(competition_id)
    context = report_context()
    story: list[Flowable] = [
        heading(_("Prize draw: {name}").format(name=competition.name), "title"),
        paragraph(
            _("Open from {first} to {last}. Entries close at the end of {last}.").format(
                first=context.day(competition.starts_on), last=context.day(competition.ends_on)
            ),
            "subtitle",
        ),
    ]
    if competition.by_purchase:
        story.append(
            paragraph(
                _("No purchase necessary. To enter without buying: {how}").format(
                    how=competition.no_purchase_route
                )
            )
        )
    story += [
        paragraph(_("{who} At most {limit} per person.").format(
            who=_(_OPEN_TO[competition.eligibility]),
            limit=_entries(competition.limit_per_person))),
        Spacer(0, 4 * mm),
        _boxes(
            frame_width(context),
            [_("Your name"), _("Phone"), _("Email"), _("Loyalty card (if you have one)")],
        ),
        Spacer(0, 3 * mm),
        paragraph(
            _(
                "Hand the form in at the counter. We type your entry in and use your details "
                "only to run this draw and to tell you if you win."
            ),
            "small",
        ),
        *section(_("Rules")),
    ]  # fmt: skip
    rules = [line for line in competition.rules.splitlines() if line.strip()]
    story += [paragraph(line) for line in rules] or [
        paragraph(_("The shop has not written the rules of this draw yet."))
    ]
    title = _("{title} · {name}").format(title=_(TITLE), name=competition.name)
    return build_pdf(out, title, story, context)


def _entries(limit: int) -> str:
    return _("1 entry") if limit == 1 else _("{n} entries").format(n=limit)


def _boxes(width: float, labels: list[str]) -> Table:
    """A label and an empty box to write in, for each label."""
    label_width = 62 * mm
    table = Table(
        [[paragraph(label), ""] for label in labels],
        colWidths=[label_width, width - label_width],
        rowHeights=[BOX_HEIGHT] * len(labels),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), BOLD),
                ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_DARK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (1, 0), (1, -1), 0.75, TEXT_DARK),
                ("INNERGRID", (1, 0), (1, -1), 0.75, RULE_GREY),
            ]
        )
    )
    return table
