"""The customer dossier: everything the shop knows about one customer, to print and hand over.

Sections: the name with the loyalty card's QR code, the profile and consent per channel,
preferences and notes, open queries, complaints and follow-ups, the points statement (every
ledger line, oldest first, with its running balance) and the whole history, newest first.

Speed. A busy customer has thousands of history lines and ledger lines: the tables are
relapp.reports.tables.text_table, which draws most cells as plain text. The dossier of a
customer with 5,000 history lines and 3,567 ledger lines (218 pages) takes 1.75 s, against
6.9 s with a Paragraph in every cell (tests/benchmarks/bench_report_dossier.py).

The wording of history entries follows the timeline on screen (relapp.ui.timeline.entry_text),
written again here without Qt, which reports must not import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_skeleton, format_time
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from relapp.db.store.profiles import consent_events
from relapp.domain import clock
from relapp.domain.contacts.editing import ContactDetails, load_contact_details
from relapp.domain.contacts.merged_records import merged_into
from relapp.domain.contacts.profiles import CustomerProfile, customer_profile
from relapp.domain.loyalty.ledger import customer
from relapp.domain.loyalty.points import StatementLine, points_statement
from relapp.domain.partners.partners import partner_links
from relapp.domain.terms import (
    CHANNEL_NAMES,
    CONSENT_CHANNELS,
    DIRECTION_NAMES,
    KIND_NAMES,
    LEDGER_KIND_NAMES,
)
from relapp.domain.timeline.follow_ups import tasks_for
from relapp.domain.timeline.history import MAX_PAGE, TimelineEntry, timeline_page
from relapp.i18n import _
from relapp.labels import duration_text
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
from relapp.reports.tables import Fit, fit, frame_width, plain_width, section, text_table, widths
from relapp.reports.text import para

QR_SIZE = 30 * mm
SECTION_ROOM = 40 * mm
_DEFAULT_PADDING = 2.5  # text_table's, above and below a cell's text
# History details longer than this are cut in the table and printed in full after it: a
# table row must fit on one page.
DETAILS_IN_TABLE = 300


def customer_dossier(
    contact_id: int,
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the customer's dossier to out (a PDF) and return out.

    Raises:
        CustomerNotFound: no such customer, or erased (an archived one has a dossier).
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    customer(contact_id)  # CustomerNotFound before anything else is read
    check_cancelled(cancelled)
    context = report_context()
    profile = customer_profile(contact_id, today=context.generated_at.date())
    details = load_contact_details(contact_id)
    check_cancelled(cancelled)
    story = [
        *_title(profile, details, context),
        *_profile(profile, details, context),
        *_preferences(profile, details, context),
        *_open_work(profile, context),
        *_statement(points_statement(contact_id), profile, context),
        *_history(_whole_history(contact_id, cancelled), context),
    ]
    title = _("Customer dossier · {name}").format(name=_name(profile))
    return build_pdf(out, title, story, context, progress, cancelled)


def _name(profile: CustomerProfile) -> str:
    return profile.name or _("Customer {n} (no name)").format(n=profile.id)


def check_cancelled(cancelled: Cancelled | None) -> None:
    """Stop while the data is gathered, before anything is laid out."""
    if cancelled is not None and cancelled():
        raise ReportCancelled("The report was cancelled; no file was written.")


# ------------------------------------------------------------------------- title and profile


def _title(profile: CustomerProfile, details: ContactDetails, context: ReportContext):
    sheet = styles()
    left: list[Flowable] = [heading(_name(profile), "title")]
    if profile.archived:
        survivor = merged_into(profile.id)
        left.append(paragraph(
            _("Archived") if survivor is None
            else _("Archived: merged into customer number {n}").format(n=survivor),
            "subtitle",
        ))  # fmt: skip
    left.append(facts([
        (_("Customer number"), str(profile.id)),
        (_("Card number"), profile.card_number or _("No loyalty card")),
        (_("Ladder stage"), profile.ladder_stage.title()),
        (_("Tier"), profile.tier or _("None")),
        (_("Points balance"), context.number(profile.points_balance)),
        (_("Customer since"), context.day(details.created_at)),
    ], frame_width(context) - QR_SIZE - 4 * mm))  # fmt: skip
    if profile.card_number:
        right: list[Flowable] = [
            qr_code(profile.card_number, QR_SIZE),
            Paragraph(para(profile.card_number), _centred(sheet["small"])),
        ]
    else:
        right = [Spacer(1, 8 * mm), Paragraph(para(_("No loyalty card")), _centred(sheet["small"]))]
    block = Table([[left, right]], colWidths=[frame_width(context) - QR_SIZE, QR_SIZE])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
    return [block, Spacer(1, 2 * mm)]


def qr_code(payload: str, size: float) -> Drawing:
    """A QR code of payload (with its quiet zone), size points square."""
    widget = QrCodeWidget(payload)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom),
                                             0, 0])  # fmt: skip
    drawing.add(widget)
    return drawing


def _profile(profile: CustomerProfile, details: ContactDetails, context: ReportContext):
    address = ", ".join(
        part for part in (details.street, " ".join(filter(None, (details.locality,
                          details.region, details.postcode))), details.country) if part
    )  # fmt: skip
    referrer = (
        f"{details.referred_by_name} ({details.referred_by_id})" if details.referred_by_id else ""
    )
    last_visit = context.day(profile.last_visit) if profile.last_visit else _("never")
    links = partner_links(profile.id)
    partner = ""
    if links.business_of is not None:
        partner = _("{partner} (this is the partner's own record)").format(
            partner=links.business_of.name)  # fmt: skip
    pairs = [
        (_("Phone"), details.phone),
        (_("Email"), details.email),
        (_("Address"), address),
        (_("Birthday"), _birthday(details, context)),
        (_("Tags"), ", ".join(details.tags)),
        (_("Referred by"), referrer),
        (
            _("Social"),
            ", ".join(f"{network} {handle}" for network, handle in details.social_handles),
        ),
        (_("Source"), details.source),
        *([(_("Came through partner"), links.came_through.name)] if links.came_through else []),
        *([(_("Partner business"), partner)] if partner else []),
        (
            _("Visits"),
            _("{n}, the last on {day}").format(n=context.number(profile.visits), day=last_visit),
        ),
        (_("Contact limit"), profile.contact_pressure.reason),
    ]
    since = _latest_consent_events(profile.id)
    rows = []
    for channel in CONSENT_CHANNELS:
        granted = profile.consent.get(channel)
        moment, method = since.get(channel, (None, ""))
        state = {True: _("Granted"), False: _("Withdrawn"), None: _("Never asked")}[granted]
        rows.append([_(CHANNEL_NAMES[channel]), state,
                     context.day(moment) if moment else "", method])  # fmt: skip
    return [
        *section(_("Profile")),
        facts([(label, value or "—") for label, value in pairs], frame_width(context)),
        *section(_("Consent")),
        *text_table(
            [_("Channel"), _("Consent"), _("Since"), _("How")], rows, widths(context, 2, 2, 2, 5)
        ),
    ]


def _birthday(details: ContactDetails, context: ReportContext) -> str:
    if not (details.birth_month and details.birth_day):
        return ""
    if details.birth_year:
        return context.day(date(details.birth_year, details.birth_month, details.birth_day))
    # No year: the day and month alone (a leap year lets 29 February through).
    return format_skeleton("MMMMd", date(2000, details.birth_month, details.birth_day),
                           locale=context.locale)  # fmt: skip


def _latest_consent_events(contact_id: int) -> dict[str, tuple[datetime, str]]:
    """Each channel's latest consent event: (when, how). The latest decides the state, as
    the profile's consent (profiles.current_consent) reads it from the same log."""
    events = consent_events(contact_id)
    return {event.channel: (event.occurred_at, event.method) for event in events}


def _preferences(profile: CustomerProfile, details: ContactDetails, context: ReportContext):
    notes = [value for kind, value in details.preferences if kind == "note"]
    pairs = [
        (_("Likes"), ", ".join(profile.likes) or "—"),
        (_("Dislikes"), ", ".join(profile.dislikes) or "—"),
        (_("Sizes"), ", ".join(profile.sizes) or "—"),
        *((_("Note"), note) for note in notes),
    ]
    story = [*section(_("Preferences and notes")), facts(pairs, frame_width(context))]
    if details.notes:
        story.append(paragraph(_("Notes"), "small"))
        # One paragraph a line: the notes keep the lines they were typed in.
        story += [paragraph(line) for line in details.notes.splitlines() if line.strip()]
    return story


def facts(pairs: Sequence[tuple[str, str]], width: float) -> Table:
    """Labels and values in two columns of pairs, for a few facts at a glance."""
    sheet = styles()
    cells = [
        [Paragraph(para(label), sheet["small"]), Paragraph(para(value), sheet["body"])]
        for label, value in pairs
    ]
    half = (len(cells) + 1) // 2
    rows = [
        [*left, *(cells[half + index] if half + index < len(cells) else ["", ""])]
        for index, left in enumerate(cells[:half])
    ]
    label = 30 * mm
    value = (width - 2 * label) / 2
    table = Table(rows, colWidths=[label, value, label, value], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING,
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))  # fmt: skip
    return table


_NO_PADDING = [(side, (0, 0), (-1, -1), 0) for side in
               ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]  # fmt: skip


def _centred(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}_centred", style, alignment=1)


# ---------------------------------------------------------------------------------- open work


def _open_work(profile: CustomerProfile, context: ReportContext):
    now = clock.utc_now()
    stamp = _Stamps(context)
    story = section(_("Open queries and complaints ({n})").format(n=len(profile.open_cases)))
    if profile.open_cases:
        rows = [
            [context.day(case.opened_at), _(KIND_NAMES[case.kind]), case.summary,
             duration_text(now - case.opened_at), _("Overdue") if case.overdue else _("Open")]
            for case in profile.open_cases
        ]  # fmt: skip
        story += text_table([_("Opened"), _("Kind"), _("Summary"), _("Age"), _("State")], rows,
                            widths(context, 2.4, 1.8, 6, 1.4, 1.6))  # fmt: skip
    else:
        story.append(paragraph(_("No open queries or complaints.")))
    tasks = [task for task in tasks_for(profile.id) if task.done_at is None]
    story += section(_("Open follow-ups ({n})").format(n=len(tasks)))
    if tasks:
        rows = [
            [stamp.when(task.due_at), task.title, task.about, task.staff_name or "",
             _("Overdue") if task.overdue else ""]
            for task in tasks
        ]  # fmt: skip
        story += text_table(
            [_("Due"), _("Follow-up"), _("About"), _("Staff"), _("State")],
            rows,
            widths(context, stamp.fit(_("Due")), 5, 4, 2, 1.6),
        )
    else:
        story.append(paragraph(_("No open follow-ups.")))
    return story


# --------------------------------------------------------------------------- points and history


def _statement(lines: list[StatementLine], profile: CustomerProfile, context: ReportContext):
    story: list[Flowable] = [
        *section(_("Points statement")),
        paragraph(_("{n} ledger entries, oldest first; balance {balance} points.").format(
            n=context.number(len(lines)), balance=context.number(profile.points_balance)),
            "small"),
    ]  # fmt: skip
    if not lines:
        return [*story, paragraph(_("No points entries yet."))]
    stamp = _Stamps(context)
    rows = [
        [stamp.when(line.occurred_at), _(LEDGER_KIND_NAMES.get(line.kind, line.kind.title())),
         line.reason, stamp.signed(line.points), stamp.number(line.balance),
         stamp.day(line.expires_at) if line.expires_at else ""]
        for line in lines
    ]  # fmt: skip
    header = [_("Date"), _("Kind"), _("Reason"), _("Points"), _("Balance"), _("Expires")]
    columns = widths(
        context,
        stamp.fit(header[0]),
        1,
        2,
        *(fit(header[column], [row[column] for row in rows]) for column in (3, 4, 5)),
    )
    return [*story, *text_table(header, rows, columns, numeric=(3, 4))]


def _whole_history(contact_id: int, cancelled: Cancelled | None) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    page = timeline_page(contact_id, limit=MAX_PAGE)
    while page:
        entries += page
        check_cancelled(cancelled)
        page = timeline_page(contact_id, before=page[-1].key, limit=MAX_PAGE)
    return entries


def _history(entries: list[TimelineEntry], context: ReportContext):
    story: list[Flowable] = [
        *section(_("History")),
        paragraph(_("{n} entries, newest first.").format(n=context.number(len(entries))),
                  "small"),
    ]  # fmt: skip
    if not entries:
        return [*story, paragraph(_("No history yet."))]
    now = clock.utc_now()
    stamp = _Stamps(context)
    long_ones = [entry for entry in entries if len(entry.details) > DETAILS_IN_TABLE]
    # Kind and direction share a cell ("Call · Out"), as do the summary and the details
    # (a line each): nine narrow columns would leave no room for what was said.
    rows = [
        [stamp.when(entry.occurred_at), entry_kind(entry),
         (entry.summary, _short_details(entry.details)),
         stamp.money(entry.amount_cents) if entry.amount_cents is not None else "",
         f"{entry.feedback_score}/10" if entry.feedback_score is not None else "",
         stamp.signed(entry.points) if entry.points else "", entry_status(entry, now)]
        for entry in entries
    ]  # fmt: skip
    header = [_("When"), _("Kind"), _("Summary and details"), _("Amount"), _("Score"),
              _("Points"), _("Status")]  # fmt: skip
    columns = widths(
        context,
        stamp.fit(header[0]),
        1.1,
        2.3,
        *(fit(header[column], [row[column] for row in rows]) for column in (3, 4, 5)),
        1.1,
    )
    story += text_table(header, rows, columns, numeric=(3, 4, 5))
    if long_ones:
        story += section(_("Long details in full"))
        for entry in long_ones:
            story.append(paragraph(f"{stamp.when(entry.occurred_at)} · {entry_kind(entry)}"
                                   f" · {entry.summary}", "small"))  # fmt: skip
            story += [paragraph(line) for line in entry.details.splitlines() if line.strip()]
    return story


def _short_details(details: str) -> str:
    if len(details) <= DETAILS_IN_TABLE:
        return details
    return details[: DETAILS_IN_TABLE - 40].rstrip() + " … " + _("(in full after the history)")


def entry_kind(entry: TimelineEntry) -> str:
    """The kind as the timeline names it: "Call · Out", "Social · Instagram", "Bonus points"."""
    if entry.kind == "points":
        return _(LEDGER_KIND_NAMES.get(entry.ledger_kind or "", "Points"))
    labels = [_(KIND_NAMES.get(entry.kind, entry.kind.title()))]
    if entry.direction:
        labels.append(_(DIRECTION_NAMES[entry.direction]))
    if entry.network:
        labels.append(entry.network)
    return " · ".join(labels)


def entry_status(entry: TimelineEntry, now: datetime) -> str:
    """Open (with its age, overdue), resolved (in how long), refunded, follow-ups."""
    parts = []
    if entry.status == "open":
        parts.append(_("Open {age}").format(age=duration_text(now - entry.occurred_at)))
        if entry.overdue:
            parts.append(_("overdue"))
    elif entry.status == "resolved":
        spent = entry.resolution_time
        parts.append(_("Resolved") if spent is None
                     else _("Resolved in {time}").format(time=duration_text(spent)))  # fmt: skip
    if entry.refunded_at is not None:
        parts.append(_("Refunded"))
    if entry.open_tasks:
        parts.append(_("{n} follow-up(s)").format(n=entry.open_tasks))
    return " · ".join(parts)


class _Stamps:
    """Dates, times and money formatted once each: babel takes tens of microseconds a call,
    and a long history repeats days and amounts."""

    def __init__(self, context: ReportContext) -> None:
        self._context = context
        self._days: dict[date, str] = {}
        self._times: dict[tuple[int, int], str] = {}
        self._money: dict[int, str] = {}
        self._numbers: dict[int, str] = {}

    def day(self, moment: datetime) -> str:
        local = moment.astimezone()
        day = local.date()
        if day not in self._days:
            self._days[day] = self._context.day(day)
        return self._days[day]

    def when(self, moment: datetime) -> str:
        local = moment.astimezone()
        key = (local.hour, local.minute)
        if key not in self._times:
            self._times[key] = format_time(local, "short", locale=self._context.locale)
        return f"{self.day(local)} {self._times[key]}"

    def fit(self, header: str) -> Fit:
        """A column for every day and time written so far: the widest day and the widest
        time, measured apart (far fewer than their pairs)."""

        def widest(texts: Iterable[str]) -> str:
            return max(texts, key=lambda text: plain_width(text, 8.5), default="")

        return fit(header, [f"{widest(self._days.values())} {widest(self._times.values())}"])

    def money(self, cents: int) -> str:
        if cents not in self._money:
            self._money[cents] = self._context.money(cents)
        return self._money[cents]

    def number(self, value: int) -> str:
        if value not in self._numbers:
            self._numbers[value] = self._context.number(value)
        return self._numbers[value]

    def signed(self, points: int) -> str:
        """+12 or −500 (a true minus sign)."""
        return ("+" if points >= 0 else "−") + self.number(abs(points))
