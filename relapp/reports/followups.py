"""Today's follow-up list, to print and tick off with a pen at the counter.

The Today view's work (relapp.domain.timeline.today.today_queue) on paper: follow-ups overdue and
due
today, open queries and complaints (oldest first, with their age), birthdays in the next 7
days and the first customers drifting away. Each line has a box to tick, the customer's name
and phone, what to do and when; the type is larger than in other reports (11 pt) and the
rows are tall enough to tick and jot beside. Each section says how many there are, and an
empty one says so in a line.

For one shop (a business with several, schema 11): the follow-ups are that shop's tasks (each
task carries the shop it was set at; shop 1's include those set before there were shops), and
everything else is the whole business's, as customers are shared: open queries and
complaints, birthdays and drifting customers. The title line names the shop and a line under
it says which sections are the shop's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from babel.dates import format_date, format_skeleton, format_time
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from relapp.db.store.reports import phones_of
from relapp.domain.contacts.phones import display_phone
from relapp.domain.shop.shops import Shop
from relapp.domain.terms import KIND_NAMES
from relapp.domain.timeline.today import TodayQueue, today_queue, today_queue_at_shop
from relapp.i18n import _
from relapp.labels import duration_text
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
from relapp.reports.tables import fit, section, text_table, widths
from relapp.reports.text import para

DRIFTING_SHOWN = 50
TYPE_SIZE = 11
ROW_PADDING = 6  # above and below the text: a row at least 9 mm high, room for a pen
TICK_BOX = "☐"  # U+2610 BALLOT BOX; DejaVu Sans, the body font, draws it


def followup_list(
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    now: datetime | None = None,
    shop: Shop | None = None,
) -> Path:
    """Write today's follow-up list to out (a PDF) and return out.

    Args:
        now: the moment the list is for (default: the clock); the shop's day is its date.
        shop: only this shop's follow-ups, the other sections for all (module docstring);
            None: all shops.

    Raises:
        ReportCancelled: cancelled() became true; nothing was written.
        RelappError: the file cannot be written.
    """
    check_cancelled(cancelled)
    context = report_context(now)
    queue = today_queue(now=now) if shop is None else today_queue_at_shop(shop.id, now=now)
    lists = _Lists(context, queue)
    day = format_date(queue.today, "full", locale=context.locale)
    name = (_("Follow-up list") if shop is None else
            _("Follow-up list · {shop}").format(shop=shop.name))  # fmt: skip
    which = [] if shop is None else [paragraph(_(
        "Follow-ups: {shop}'s only. Open queries and complaints, birthdays and customers "
        "drifting away: every shop's, as customers are shared.").format(shop=shop.name),
        "small")]  # fmt: skip
    story: list[Flowable] = [
        heading(name, "title"),
        paragraph(_("{day} · as of {time} · tick each line when it is done").format(
            day=day, time=format_time(queue.now.astimezone(), "short", locale=context.locale)),
            "subtitle"),
        *which,
        *lists.overdue_tasks(),
        *lists.tasks_due_today(),
        *lists.open_cases(),
        *lists.birthdays(),
        *lists.drifting(),
    ]  # fmt: skip
    title = _("{name} · {day}").format(name=name, day=day)
    return build_pdf(out, title, story, context, progress, cancelled)


class _Lists:
    """The sections of the list, each a heading with its count and a table (or a line)."""

    def __init__(self, context: ReportContext, queue: TodayQueue) -> None:
        self.context = context
        self.queue = queue
        self.phones = _phones(queue)
        sheet = styles()
        self.box = ParagraphStyle("tick_box", sheet["body"], fontSize=18, leading=18)
        self.header = [_("Done"), _("Customer"), _("Phone"), _("To do"), _("When")]
        # The box and a phone number are not cut across lines: their columns fit them.
        box = fit(self.header[0], [], size=TYPE_SIZE)
        phone = fit(self.header[2], self.phones.values(), size=TYPE_SIZE)
        self.columns = widths(context, box, 2.8, phone, 3.8, 3.4)

    def overdue_tasks(self) -> list[Flowable]:
        found = self.queue.overdue_tasks
        rows = [
            self._row(task.contact_id, task.contact_name, (task.title, _staff(task.staff_name)),
                      (_("Due {day}").format(day=self._day(task.due_at)),
                       _("{age} late").format(age=duration_text(self.queue.now - task.due_at))))
            for task in found.rows
        ]  # fmt: skip
        return self._section(_("Overdue follow-ups"), found.total, rows,
                             _("No follow-up is overdue."))  # fmt: skip

    def tasks_due_today(self) -> list[Flowable]:
        found = self.queue.tasks_due_today
        rows = [
            self._row(task.contact_id, task.contact_name, (task.title, _staff(task.staff_name)),
                      _("Due at {time}").format(time=self._time(task.due_at)))
            for task in found.rows
        ]  # fmt: skip
        return self._section(_("Follow-ups due today"), found.total, rows,
                             _("No follow-up is due later today."))  # fmt: skip

    def open_cases(self) -> list[Flowable]:
        found = self.queue.open_cases
        rows = []
        for case in found.rows:
            state = [_("answered")] if case.answered_at else []
            if case.overdue:
                state.append(_("overdue"))
            rows.append(self._row(
                case.contact_id, case.contact_name,
                f"{_(KIND_NAMES[case.kind])}: {case.summary}",
                (_("Open {age}").format(age=duration_text(timedelta(hours=case.age_hours))),
                 ", ".join(state)),
            ))  # fmt: skip
        return self._section(_("Open queries and complaints, oldest first"), found.total,
                             rows, _("No query or complaint is open."))  # fmt: skip

    def birthdays(self) -> list[Flowable]:
        found = self.queue.birthdays
        rows = []
        for birthday in found.rows:
            days = {0: _("Today"), 1: _("Tomorrow")}.get(
                birthday.days_until, _("In {n} days").format(n=birthday.days_until)
            )
            todo = (_("Birthday: turns {age}").format(age=birthday.turning)
                    if birthday.turning else _("Birthday"))  # fmt: skip
            when = (days, format_date(birthday.on, "EEE d MMM", locale=self.context.locale))
            rows.append(self._row(birthday.contact_id, birthday.name, todo, when))
        return self._section(_("Birthdays in the next 7 days"), found.total, rows,
                             _("No birthday in the next 7 days."))  # fmt: skip

    def drifting(self) -> list[Flowable]:
        found = self.queue.drifting
        rows = [
            self._row(customer.contact_id, customer.name,
                      _("Win back: usually visits every {n} days").format(
                          n=self.context.number(round(customer.usual_interval_days))),
                      (_("Last visit {day}").format(day=self._day(customer.last_visit_at)),
                       _("{n} days ago").format(n=self.context.number(customer.days_since_visit))))
            for customer in found.rows[:DRIFTING_SHOWN]
        ]  # fmt: skip
        return self._section(_("Customers drifting away"), found.total, rows,
                             _("No customer is drifting away."))  # fmt: skip

    def _row(self, contact_id: int, name: str, todo: object, when: object) -> list[object]:
        who = (name or _("(no name)"), _("No. {n}").format(n=contact_id))
        return [Paragraph(para(TICK_BOX), self.box), who, self.phones.get(contact_id, "—"),
                todo, when]  # fmt: skip

    def _section(self, title: str, total: int, rows: Sequence[list[object]], empty: str):
        story = section(_("{title} ({n})").format(title=title, n=self.context.number(total)))
        if not rows:
            return [*story, paragraph(empty)]
        story += text_table(self.header, rows, self.columns, size=TYPE_SIZE,
                            padding=ROW_PADDING,
                            style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")])  # fmt: skip
        if total > len(rows):
            story.append(paragraph(_("… and {n} more: see the Today view.").format(
                n=self.context.number(total - len(rows))), "small"))  # fmt: skip
        return story

    def _day(self, moment: datetime) -> str:
        """The day, without its year in the current year: "18 Jan", "3 Dec 2025"."""
        day = moment.astimezone().date()
        if day.year != self.queue.today.year:
            return self.context.day(day)
        return format_skeleton("MMMd", day, locale=self.context.locale)

    def _time(self, moment: datetime) -> str:
        return format_time(moment.astimezone(), "short", locale=self.context.locale)


def _staff(name: str | None) -> str:
    return _("for {name}").format(name=name) if name else ""


def _phones(queue: TodayQueue) -> dict[int, str]:
    """Each listed customer's phone, as shown to people (+61 412 345 678)."""
    ids = {
        *(task.contact_id for task in queue.overdue_tasks.rows),
        *(task.contact_id for task in queue.tasks_due_today.rows),
        *(case.contact_id for case in queue.open_cases.rows),
        *(birthday.contact_id for birthday in queue.birthdays.rows),
        *(customer.contact_id for customer in queue.drifting.rows[:DRIFTING_SHOWN]),
    }
    return {
        contact_id: display_phone(phone) for contact_id, phone in phones_of(sorted(ids)).items()
    }
