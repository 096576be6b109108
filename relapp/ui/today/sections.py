"""The Today list's sections as lines of text, from the domain's TodayQueue.

Each section is a title, captions for its columns, its lines (a customer each, with what can
be done on it) and notes ("and 12 more"). The widget (work_list) only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QIcon

from relapp.domain.campaigns.automatic import RULES, Waiting
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.timeline.today import TodayQueue
from relapp.ui.timeline.kind_style import kind_icon, kind_name
from relapp.ui.today.texts import (
    birthday_what,
    birthday_when,
    case_age,
    channel_name,
    clock_time,
    duration,
    interval_days,
    plural,
    short_day,
    tr,
)

TASKS, CASES, BIRTHDAYS, DRIFTING, AT_CAP = "tasks", "cases", "birthdays", "drifting", "at_cap"
SECTION_ORDER = (TASKS, CASES, BIRTHDAYS, DRIFTING, AT_CAP)  # always shown
# Memberships (schema 19): shown after BIRTHDAYS in a shop that has set up a plan.
RENEWALS, IN_GRACE = "renewals", "in_grace"
# Prize winners not yet told of their prize (schema 21): shown after CASES while there are
# some; Ctrl+D (Mark done) marks the winner told.
PRIZES = "prizes"
# Automatic campaigns' lists to approve, a line per rule and no customer; shown after CASES
# only while a list waits.
AUTOMATIC = "automatic"
# What Log contact… proposes for each kind of line. At-cap customers may still be logged
# (they may call in; the log dialog warns before another outbound contact), with no kind.
SUGGESTED_KINDS = {TASKS: "call", CASES: "call", BIRTHDAYS: "message", DRIFTING: "call",
                   RENEWALS: "message", IN_GRACE: "call", PRIZES: "call"}  # fmt: skip


@dataclass(frozen=True)
class RowRef:
    """The customer on a line and what the line is about."""

    section: str
    contact_id: int
    task_id: int | None = None
    interaction_id: int | None = None  # a case's
    answered: bool = False  # a case with a first response
    about: str = ""  # a case's summary: what a follow-up added from its line is about
    rule: str = ""  # an automatic campaign's line (contact_id 0): the rule whose list it is
    competition_id: int = 0  # a prize winner's line: the competition and the winner's place
    position: int = 0

    @property
    def is_customer(self) -> bool:
        return not self.rule

    @property
    def key(self) -> tuple[str, int]:
        """Which line this is across refreshes."""
        if self.section == TASKS:
            return (TASKS, self.task_id or 0)
        if self.section == CASES:
            return (CASES, self.interaction_id or 0)
        if self.section == AUTOMATIC:
            return (AUTOMATIC, RULES.index(self.rule))
        if self.section == PRIZES:  # at most 100 winners a competition
            return (PRIZES, self.competition_id * 1000 + self.position)
        return (self.section, self.contact_id)

    @property
    def can_mark_done(self) -> bool:
        return self.section in (TASKS, CASES, PRIZES)

    @property
    def can_mark_answered(self) -> bool:
        return self.section == CASES and not self.answered

    @property
    def log_kind(self) -> str | None:
        return SUGGESTED_KINDS.get(self.section)


@dataclass(frozen=True)
class Line:
    ref: RowRef
    cells: tuple[str, str, str, str]  # customer, what, when, who
    icon: QIcon | None = None
    alert: bool = False  # the when column needs attention (overdue)


@dataclass
class SectionContent:
    key: str
    title: str
    captions: tuple[str, str, str]  # of the what, when and who columns
    empty: str  # said instead of lines when there are none
    lines: list[Line | str] = field(default_factory=list)  # a str is a note


def build_sections(queue: TodayQueue, waiting: Sequence[Waiting] = ()) -> list[SectionContent]:
    """The sections in SECTION_ORDER; automatic campaigns only when a list waits (a shop
    that has turned none on never sees the section)."""
    shop = shop_format()
    return [
        _follow_ups(queue, shop),
        _cases(queue),
        *([_prize_winners(queue)] if queue.prize_winners.total else []),
        *([_automatic(waiting)] if waiting else []),
        _birthdays(queue),
        *(_memberships(queue) if queue.memberships else []),
        _drifting(queue, shop),
        _at_cap(queue),
    ]


def _more(lines: list[Line | str], more: int, one: str, many: str) -> None:
    if more > 0:
        lines.append(plural(more, one, many))


def _follow_ups(queue: TodayQueue, shop: ShopFormat) -> SectionContent:
    overdue, due = queue.overdue_tasks, queue.tasks_due_today
    section = SectionContent(
        TASKS,
        tr("Follow-ups ({n})").format(n=overdue.total + due.total),
        (tr("What"), tr("Due"), tr("Staff")),
        tr("No follow-ups due. Nice."),
    )
    for task in overdue.rows:
        ref = RowRef(TASKS, task.contact_id, task_id=task.task_id)
        late = tr("overdue {time}").format(time=duration(queue.now - task.due_at))
        cells = (task.contact_name, task.title, late, task.staff_name or "")
        section.lines.append(Line(ref, cells, kind_icon("task"), alert=True))
    _more(section.lines, overdue.more, "and {n} more overdue", "and {n} more overdue")
    for task in due.rows:
        ref = RowRef(TASKS, task.contact_id, task_id=task.task_id)
        at = tr("due {time}").format(time=clock_time(task.due_at, shop))
        cells = (task.contact_name, task.title, at, task.staff_name or "")
        section.lines.append(Line(ref, cells, kind_icon("task")))
    _more(section.lines, due.more, "and {n} more due today", "and {n} more due today")
    return section


def _cases(queue: TodayQueue) -> SectionContent:
    cases = queue.open_cases
    # The overdue count is in the header's summary; here the title stays short enough to
    # show whole, and the overdue lines are red.
    section = SectionContent(
        CASES,
        tr("Open queries and complaints ({n})").format(n=cases.total),
        (
            tr("Query or complaint"),
            tr("Open for (target {hours} h)").format(hours=queue.response_target_hours),
            tr("Logged by"),
        ),
        tr("No open queries or complaints. Everyone has had an answer."),
    )
    for case in cases.rows:
        ref = RowRef(CASES, case.contact_id, interaction_id=case.interaction_id,
                     answered=case.answered_at is not None, about=case.summary)  # fmt: skip
        what = f"{kind_name(case.kind)} — {case.summary}" if case.summary else kind_name(case.kind)
        marks = [case_age(case.age_hours)]
        if case.overdue:
            marks.append(tr("overdue"))
        if case.answered_at is not None:
            marks.append(tr("answered"))
        cells = (case.contact_name, what, " · ".join(marks), case.staff_name or "")
        section.lines.append(Line(ref, cells, kind_icon(case.kind), alert=case.overdue))
    _more(section.lines, cases.more, "and {n} more", "and {n} more")
    return section


def _prize_winners(queue: TodayQueue) -> SectionContent:
    winners = queue.prize_winners
    section = SectionContent(
        PRIZES,
        tr("Prize winners to contact ({n})").format(n=winners.total),
        (tr("Won"), tr("Reach them"), ""),
        "",
    )
    for winner in winners.rows:
        ref = RowRef(PRIZES, winner.contact_id, competition_id=winner.competition_id,
                     position=winner.position)  # fmt: skip
        cells = (winner.name, winner.competition, winner.reach, "")
        section.lines.append(Line(ref, cells, kind_icon("call")))
    _more(section.lines, winners.more, "and {n} more", "and {n} more")
    return section


def _automatic(waiting: Sequence[Waiting]) -> SectionContent:
    section = SectionContent(
        AUTOMATIC,
        tr("Automatic campaigns to approve ({n})").format(n=len(waiting)),
        (tr("Today's list"), tr("By"), ""),
        "",
    )
    for listed in waiting:
        rule = listed.rule
        what = (
            plural(listed.count, "{n} customer", "{n} customers")
            + " · "
            + tr(rule.text.number_label).format(n=rule.number)
        )
        cells = (tr(rule.text.title), what, channel_name(rule.channel), "")
        section.lines.append(Line(RowRef(AUTOMATIC, 0, rule=rule.rule), cells,
                                  kind_icon("campaign")))  # fmt: skip
    return section


def _birthdays(queue: TodayQueue) -> SectionContent:
    birthdays = queue.birthdays
    section = SectionContent(
        BIRTHDAYS,
        tr("Birthdays in the next 7 days ({n})").format(n=birthdays.total),
        ("", tr("When"), ""),
        tr("No birthdays in the next 7 days."),
    )
    for birthday in birthdays.rows:
        ref = RowRef(BIRTHDAYS, birthday.contact_id)
        cells = (birthday.name, birthday_what(birthday), birthday_when(birthday), "")
        section.lines.append(Line(ref, cells, kind_icon("message")))
    _more(section.lines, birthdays.more, "and {n} more", "and {n} more")
    return section


def _memberships(queue: TodayQueue) -> list[SectionContent]:
    """Memberships to renew (ending within their plan's reminder days) and members in grace."""
    due = SectionContent(
        RENEWALS,
        tr("Memberships to renew ({n})").format(n=queue.renewals_due.total),
        (tr("Membership"), tr("Ends"), ""),
        tr("No membership ends soon."),
    )
    for member in queue.renewals_due.rows:
        cells = (member.name, tr("{plan} · ends {day}").format(
            plan=member.plan, day=short_day(member.ends_on, queue.today)),
            _days_left(member.days, tr("ends today"), "in {n} day", "in {n} days"), "")  # fmt: skip
        due.lines.append(Line(RowRef(RENEWALS, member.contact_id), cells, kind_icon("message")))
    _more(due.lines, queue.renewals_due.more, "and {n} more", "and {n} more")
    grace = SectionContent(
        IN_GRACE,
        tr("Members in grace ({n})").format(n=queue.members_in_grace.total),
        (tr("Membership"), tr("Grace"), ""),
        tr("No member is in grace: every membership that ended was renewed or has lapsed."),
    )
    for member in queue.members_in_grace.rows:
        cells = (member.name, tr("{plan} · ended {day}").format(
            plan=member.plan, day=short_day(member.ends_on, queue.today)),
            _days_left(member.days, tr("grace ends today"), "{n} day left", "{n} days left"),
            "")  # fmt: skip
        grace.lines.append(Line(RowRef(IN_GRACE, member.contact_id), cells, kind_icon("call"),
                                alert=True))  # fmt: skip
    _more(grace.lines, queue.members_in_grace.more, "and {n} more", "and {n} more")
    return [due, grace]


def _days_left(days: int, today: str, one: str, many: str) -> str:
    return today if days == 0 else plural(days, one, many)


def _drifting(queue: TodayQueue, shop: ShopFormat) -> SectionContent:
    drifting = queue.drifting
    section = SectionContent(
        DRIFTING,
        tr("Drifting away ({n})").format(n=drifting.total),
        (tr("Usually comes"), tr("Last visit"), tr("Away for")),
        tr("No regulars drifting away: they keep coming back."),
    )
    for customer in drifting.rows:
        ref = RowRef(DRIFTING, customer.contact_id)
        rhythm = tr("{every} · {visits}").format(
            every=interval_days(customer.usual_interval_days),
            visits=plural(customer.visits, "{n} visit", "{n} visits"),
        )
        cells = (
            customer.name,
            rhythm,
            shop.day(customer.last_visit_at),
            plural(customer.days_since_visit, "{n} day", "{n} days"),
        )
        section.lines.append(Line(ref, cells, kind_icon("visit")))
    _more(section.lines, drifting.more, "and {n} more", "and {n} more")
    return section


def _at_cap(queue: TodayQueue) -> SectionContent:
    at_cap = queue.at_cap
    section = SectionContent(
        AT_CAP,
        tr("Do not contact yet ({n})").format(n=at_cap.total),
        (tr("Why not"), "", ""),
        tr("Nobody has reached the limit of {cap} contacts in 30 days.").format(
            cap=queue.contact_cap
        ),
    )
    for customer in at_cap.rows:
        ref = RowRef(AT_CAP, customer.contact_id)
        cells = (customer.name, customer.pressure.reason, "", "")
        section.lines.append(Line(ref, cells))
    _more(section.lines, at_cap.more, "and {n} more", "and {n} more")
    return section


def summary_text(queue: TodayQueue, waiting: Sequence[Waiting] = ()) -> str:
    """The header's line: "3 follow-ups overdue · 5 open cases (2 past the 24 h target) · …"."""
    parts = []
    if queue.overdue_tasks.total:
        parts.append(plural(queue.overdue_tasks.total, "{n} follow-up overdue",
                            "{n} follow-ups overdue"))  # fmt: skip
    if queue.tasks_due_today.total:
        parts.append(plural(queue.tasks_due_today.total, "{n} follow-up due today",
                            "{n} follow-ups due today"))  # fmt: skip
    if queue.open_cases.total:
        cases = plural(queue.open_cases.total, "{n} open case", "{n} open cases")
        if queue.overdue_cases:
            cases += " " + tr("({late} past the {hours} h target)").format(
                late=queue.overdue_cases, hours=queue.response_target_hours
            )
        parts.append(cases)
    if queue.prize_winners.total:
        parts.append(plural(queue.prize_winners.total, "{n} prize winner to contact",
                            "{n} prize winners to contact"))  # fmt: skip
    if waiting:
        parts.append(plural(len(waiting), "{n} campaign list to approve",
                            "{n} campaign lists to approve"))  # fmt: skip
    if queue.birthdays.total:
        parts.append(plural(queue.birthdays.total, "{n} birthday this week",
                            "{n} birthdays this week"))  # fmt: skip
    if queue.renewals_due.total:
        parts.append(plural(queue.renewals_due.total, "{n} membership to renew",
                            "{n} memberships to renew"))  # fmt: skip
    if queue.members_in_grace.total:
        parts.append(plural(queue.members_in_grace.total, "{n} member in grace",
                            "{n} members in grace"))  # fmt: skip
    return " · ".join(parts) if parts else tr("Nothing waiting. A quiet day.")
