"""Queries and complaints until they are resolved, and follow-up tasks with due dates.

Rules chosen here:

* A query or complaint is open from the moment it is logged (timeline.log_interaction).
  respond() records the first response once: a second call keeps the first time. resolve()
  closes it (and counts as the first response if none was recorded); reopen() opens it again,
  keeping its first response. Each of them writes an audit row ("case answered", "case
  resolved", "case reopened") naming the staff member, since the row itself only holds times.
  Doing what is already done (resolving a resolved case) changes nothing and returns an empty
  Change; other kinds of entry are refused.
* Overdue: open, and opened more than the shop's response_target_hours ago (see
  timeline.is_overdue); a reopened case keeps its original opening time.
* The open cases the shop must answer are listed by relapp.domain.timeline.today.open_cases (active
  customers only, oldest first).
* A task has a title (one line, 1 to 200 characters) and a due moment from a day ago (so
  "today" picked at midnight anywhere still passes) to five years ahead. It may be tied to an
  interaction of the same customer. Completing sets done_at; reopening clears it; either one
  when already so changes nothing. A task is overdue while not done and past its due moment.
  Tasks are added for live customers only (not archived, not erased).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import interactions, tasks
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.fields import ProblemCollector
from relapp.domain.loyalty.ledger import check_staff, customer, live_customer, writing
from relapp.domain.terms import OPEN_UNTIL_RESOLVED_KINDS
from relapp.domain.timeline.history import EntryNotFound, InvalidEntry, clean_line
from relapp.errors import RelappError

MAX_TASK_TITLE = 200
TASK_PAST_SLACK = timedelta(days=1)
TASK_HORIZON = timedelta(days=5 * 366)
CASE_ANSWERED = "case answered"
CASE_RESOLVED = "case resolved"
CASE_REOPENED = "case reopened"


@dataclass(frozen=True)
class TaskItem:
    id: int
    contact_id: int
    interaction_id: int | None
    about: str  # the summary of the interaction it is tied to, "" if none
    title: str
    due_at: datetime  # UTC
    staff_name: str | None
    done_at: datetime | None
    created_at: datetime
    overdue: bool


@dataclass(frozen=True)
class AddedTask:
    id: int
    change: Change


# ---------------------------------------------------------------------------------- cases


def respond(interaction_id: int, staff_id: int | None = None) -> Change:
    """Record the first response to a query or complaint (once)."""
    return _update_case(interaction_id, staff_id, CASE_ANSWERED, interactions.record_first_response)


def resolve(interaction_id: int, staff_id: int | None = None) -> Change:
    """Close a query or complaint; a first response is recorded too if there was none."""
    return _update_case(interaction_id, staff_id, CASE_RESOLVED, interactions.mark_resolved)


def reopen(interaction_id: int, staff_id: int | None = None) -> Change:
    """Open a resolved query or complaint again (its first response stays)."""
    return _update_case(interaction_id, staff_id, CASE_REOPENED, interactions.mark_reopened)


def _update_case(
    interaction_id: int, staff_id: int | None, action: str, update: Callable[[int, str], bool]
) -> Change:
    """Run update (the id, now) on a query or complaint; audit it if it changed the row."""
    with writing():
        check_staff(staff_id)
        row = interactions.interaction_contact_and_kind(interaction_id)
        if row is None:
            raise EntryNotFound(f"There is no history entry number {interaction_id}.")
        contact_id, kind = row
        if kind not in OPEN_UNTIL_RESOLVED_KINDS:
            raise RelappError(
                f"Only a query or a complaint is answered and resolved; entry {interaction_id}"
                f" is a {kind}."
            )
        now = clock.utc_now()
        if not update(interaction_id, format_timestamp(now)):
            return Change.of()
        write_audit(action, "interaction", interaction_id, {"contact_id": contact_id, "kind": kind},
              now, staff_id)  # fmt: skip
    return Change.of(Entity.INTERACTIONS, contact_ids=frozenset({contact_id}))


# ---------------------------------------------------------------------------------- tasks


def add_task(
    contact_id: int,
    title: str,
    due_at: datetime,
    staff_id: int | None = None,
    interaction_id: int | None = None,
) -> AddedTask:
    """A follow-up for a customer, due at a moment, optionally tied to one of their entries.

    Raises:
        InvalidEntry: problems by field ("title", "due_at", "interaction_id").
        CustomerNotFound: no such customer (or erased).
        RelappError: the customer is archived (or merged: the message names the survivor).
    """
    now = clock.utc_now()
    checks = ProblemCollector()
    clean_title = checks.check("title", clean_line, title, MAX_TASK_TITLE)
    if not checks.problems and not clean_title:
        checks.add("title", "Say what needs doing.")
    due = checks.check("due_at", _clean_due, due_at, now)
    if checks.problems:
        raise InvalidEntry(checks.problems)
    with writing():
        live_customer(contact_id)
        check_staff(staff_id)
        tied_elsewhere = (
            interaction_id is not None
            and interactions.interaction_contact(interaction_id) != contact_id
        )
        if tied_elsewhere:
            raise InvalidEntry(
                {"interaction_id": "A follow-up is tied to an entry of the same customer."}
            )
        task_id = tasks.insert_task(
            contact_id, interaction_id, clean_title, due, staff_id, format_timestamp(now)
        )
    return AddedTask(task_id, _task_change(contact_id))


def complete_task(task_id: int) -> Change:
    """Mark the task done (now); nothing if it is done already."""
    return _set_done(task_id, done=True)


def reopen_task(task_id: int) -> Change:
    """Mark a done task as not done; nothing if it is open."""
    return _set_done(task_id, done=False)


def _set_done(task_id: int, done: bool) -> Change:
    with writing():
        contact_id = tasks.task_contact(task_id)
        if contact_id is None:
            raise EntryNotFound(f"There is no follow-up number {task_id}.")
        if done:
            changed = tasks.mark_done(task_id, format_timestamp(clock.utc_now()))
        else:
            changed = tasks.mark_not_done(task_id)
        if not changed:
            return Change.of()
    return _task_change(contact_id)


def tasks_for(contact_id: int) -> list[TaskItem]:
    """The customer's follow-ups: open ones by due moment, then done ones, latest done first."""
    customer(contact_id)
    now = clock.utc_now()
    rows = tasks.contact_task_rows(contact_id)
    items = []
    for task_id, interaction_id, about, title, due, staff, done, created in rows:
        due_at = parse_timestamp(due)
        items.append(
            TaskItem(
                id=task_id,
                contact_id=contact_id,
                interaction_id=interaction_id,
                about=about,
                title=title,
                due_at=due_at,
                staff_name=staff,
                done_at=None if done is None else parse_timestamp(done),
                created_at=parse_timestamp(created),
                overdue=done is None and due_at < now,
            )
        )
    return items


def _clean_due(due_at: datetime, now: datetime) -> str:
    if not isinstance(due_at, datetime):
        raise ValueError("Choose when the follow-up is due.")
    due = due_at if due_at.tzinfo is not None else due_at.replace(tzinfo=UTC)
    if due < now - TASK_PAST_SLACK:
        raise ValueError("A follow-up cannot be due in the past.")
    if due > now + TASK_HORIZON:
        raise ValueError("A follow-up can be due at most five years ahead.")
    return format_timestamp(due)


def _task_change(contact_id: int) -> Change:
    return Change.of(Entity.TASKS, contact_ids=frozenset({contact_id}))
