"""Each customer's history in one place, newest first; the shop's activity feed; logging,
editing and deleting history entries. Queries, complaints and follow-up tasks: follow_ups.

Rules chosen here:

* Two sources, one order. A timeline holds the customer's interactions and their points
  events from the ledger. A ledger entry is shown once, on one line: an entry tied to an
  interaction of the same contact (a purchase's earn entry, a refund's reversal) is counted in
  that interaction's `points` (their sum; None when there are none); every other entry of the
  contact (bonus, adjust, expire, redeem, opening, transfer, a referrer's bonus tied to the
  referred customer's purchase, the earn entries a merged contact keeps after its purchases
  moved to the survivor) is a line of its own, kind "points", summary = the ledger reason,
  ledger_kind = the entry's kind. So the points shown on a timeline add up to the balance. A
  survivor's purchases moved by a merge show no points: those reached it as transfer lines.
* Order and paging. Newest first by (occurred_at, source, id), where source is 1 for an
  interaction and 0 for a ledger entry: at the same second the interaction comes first, then
  the higher id. TimelineEntry.key is that triple (TimelineKey; the time in its stored text
  form); pass the last entry's key as before= for the next page. Each source is read from
  its own index by key (interaction_contact_time; points_entry_contact for the ledger, whose
  few entries per customer are sorted), at most `limit` rows each, and the two are merged:
  no OFFSET, and rows written meanwhile never shift a page (measured on the 1,000,000-customer
  demo: 4.5 ms a page for a 10,000-line history, 17 ms for 50,000). The activity feed pages
  the same way over interaction_time (interactions only; filtered: see
  relapp.db.store.interactions.filtered_feed_rows).
* Overdue. A query or complaint is overdue while it is open and was opened more than the
  shop's response_target_hours ago (default 24). A first response does not stop that clock;
  resolving does. No other entry is ever overdue.
* Quick log (log_interaction). Purchases are refused: a sale goes through
  relapp.domain.loyalty.points.record_sale with its points. A summary (one line, at most 200
  characters) is required except for a visit or feedback; details are free text (10,000
  characters). Feedback needs a score from 0 to 10, and only feedback has one. A social entry
  needs its network, and only it has one. Calls, emails and messages say whether they came in
  or went out; a campaign goes out (outbound by default, never inbound); a query, complaint or
  feedback comes in unless told otherwise; a visit, note or referral has no direction. A
  query or complaint starts open. An amount (0 to 1,000,000.00) may accompany any entry but
  a purchase's is the only one that counts as spend. occurred_at defaults to now and may be
  backdated, not put in the future (5 minutes of slack for counters whose clocks differ).
  The customer must be live (not archived, not erased; a merged one names its survivor).
* Editing and deleting are for managers (require_manager) and are audited: "history entry
  edited" with the old and new value of each changed field; "history entry deleted" with
  the reason and every stored value of the entry. The kind, status and response times are not
  edited (resolve/reopen in follow_ups; delete and log again for another kind). The same
  checks as the quick log apply to each changed field; a field left alone is kept as stored.
  A query or complaint is not re-dated after its first response or resolution.
* Purchases belong to the ledger. Their amount and time cannot be edited ("refund it and
  record the right amount"): the points earned, the tier spend and the expiry hang on them.
  Their summary and details can. Deleting a purchase refunds it (loyalty.refund_sale: points
  taken back as far as the balance allows, a refund note) and keeps the row, marked refunded,
  as the record of the sale; a refunded purchase cannot be deleted. No other entry has ledger
  entries tied to it, so every other entry is deleted for good (its tasks stay, untied).
* Changes. Writes return Change(INTERACTIONS, the contact); a view showing open_tasks should
  also listen to TASKS and to POINTS (points lines).
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import interactions, tasks
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.fields import MAX_TEXT_LENGTH, ProblemCollector
from relapp.domain.contacts.naming import display_name
from relapp.domain.loyalty.ledger import check_staff, customer, live_customer, writing
from relapp.domain.loyalty.points import refund_sale
from relapp.domain.shop.formats import format_money
from relapp.domain.shop.money import MAX_AMOUNT_CENTS
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.staff import require_manager
from relapp.domain.terms import (
    DEFAULT_DIRECTIONS,
    DIRECTION_REQUIRED_KINDS,
    INTERACTION_KINDS,
    NO_DIRECTION_KINDS,
    OPEN_UNTIL_RESOLVED_KINDS,
    SUMMARY_OPTIONAL_KINDS,
)
from relapp.errors import RelappError

POINTS_KIND = "points"
TIMELINE_KINDS = (*INTERACTION_KINDS, POINTS_KIND)
MAX_PAGE = 1000
MAX_SUMMARY_LENGTH = 200
MAX_DETAILS_LENGTH = MAX_TEXT_LENGTH
MAX_NETWORK_LENGTH = 50
MAX_REASON_LENGTH = 500
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
ENTRY_EDITED = "history entry edited"
ENTRY_DELETED = "history entry deleted"
EDITABLE_FIELDS = (
    "occurred_at", "direction", "summary", "details", "network", "amount_cents",
    "feedback_score",
)  # fmt: skip

_INTERACTION_SOURCE, _POINTS_SOURCE = interactions.INTERACTION_SOURCE, interactions.LEDGER_SOURCE
# Unicode category Cc (C0, DEL, C1) as spaces: a NUL cuts text short in C, an escape sequence
# takes over a terminal. Free text keeps its tabs and line breaks.
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")
_DETAIL_CONTROLS = {code: " " for code in _CONTROLS if chr(code) not in "\t\n"}


class InvalidEntry(RelappError):
    """Some fields of a history entry or task are wrong; problems maps each field to a sentence."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


class EntryNotFound(RelappError):
    """No history entry (or task) with this number."""


class TimelineKey(NamedTuple):
    """Where an entry sits in newest-first order; pass a page's last key as before=."""

    occurred_at: str  # stored form, "YYYY-MM-DD HH:MM:SS" in UTC
    source: int  # 1: an interaction, 0: a ledger entry (after it at the same second)
    id: int


@dataclass(frozen=True)
class TimelineEntry:
    id: int  # the interaction's id, or the ledger entry's for kind "points"
    kind: str  # one of TIMELINE_KINDS
    occurred_at: datetime  # UTC
    direction: str | None
    summary: str
    details: str
    network: str
    amount_cents: int | None
    feedback_score: int | None
    status: str | None  # open or resolved, queries and complaints only
    first_response_at: datetime | None
    resolved_at: datetime | None
    staff_name: str | None
    points: int | None  # see the module docstring
    overdue: bool
    open_tasks: int
    contact_id: int
    ledger_kind: str | None = None  # earn, redeem, bonus... for kind "points"
    refunded_at: datetime | None = None  # a refunded purchase

    @property
    def key(self) -> TimelineKey:
        source = _POINTS_SOURCE if self.kind == POINTS_KIND else _INTERACTION_SOURCE
        return TimelineKey(format_timestamp(self.occurred_at), source, self.id)

    @property
    def response_time(self) -> timedelta | None:
        """From opening to the first response (queries and complaints)."""
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.occurred_at

    @property
    def resolution_time(self) -> timedelta | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at - self.occurred_at


@dataclass(frozen=True)
class ActivityEntry:
    """A line of the shop-wide activity feed: whose entry, and the entry."""

    contact_name: str
    entry: TimelineEntry

    @property
    def key(self) -> TimelineKey:
        return self.entry.key


@dataclass(frozen=True)
class LoggedInteraction:
    id: int
    change: Change


# ------------------------------------------------------------------------------- reading


def timeline_page(
    contact_id: int,
    kinds: frozenset[str] | None = None,
    before: TimelineKey | None = None,
    limit: int = 100,
) -> list[TimelineEntry]:
    """Up to limit entries of the customer's history, newest first, older than before.

    Args:
        kinds: only these kinds (TIMELINE_KINDS; "points" for ledger lines); None: all.
        before: the key of the last entry of the previous page; None: from the newest.

    Raises:
        CustomerNotFound: no such contact, or erased (archived ones have a history too).
        ValueError: an unknown kind (a programming error).
    """
    wanted = _wanted_kinds(kinds, TIMELINE_KINDS)
    limit = min(max(0, limit), MAX_PAGE)
    customer(contact_id)
    if limit == 0 or not wanted:
        return []
    interaction_kinds = wanted - {POINTS_KIND}
    rows: list[tuple[TimelineKey, tuple[Any, ...]]] = []
    if interaction_kinds:
        rows += _interaction_rows(contact_id, interaction_kinds, before, limit)
    ledger: list[tuple[TimelineKey, tuple[Any, ...]]] = []
    if POINTS_KIND in wanted:
        ledger = _ledger_rows(contact_id, before, limit)
    page = list(heapq.merge(rows, ledger, key=lambda row: row[0], reverse=True))[:limit]
    return _entries(page)


def activity_feed(
    kinds: frozenset[str] | None = None,
    staff_id: int | None = None,
    before: TimelineKey | None = None,
    limit: int = 100,
) -> list[ActivityEntry]:
    """The latest interactions across all customers (erased ones aside), newest first.

    Args:
        kinds: interaction kinds (INTERACTION_KINDS) to show; None: all.
        staff_id: only entries this staff member logged.
        before: the key of the last entry of the previous page.
    """
    wanted = _wanted_kinds(kinds, INTERACTION_KINDS)
    limit = min(max(0, limit), MAX_PAGE)
    if limit == 0 or not wanted:
        return []
    if wanted == frozenset(INTERACTION_KINDS) and staff_id is None:
        rows = interactions.feed_rows(before, limit)
    else:
        rows = interactions.filtered_feed_rows(wanted, staff_id, before, limit)
    names = {row[0]: display_name(*row[15:19]) for row in rows}
    page = [(_interaction_key(row), row[:15]) for row in rows]
    return [ActivityEntry(names[entry.id], entry) for entry in _entries(page)]


def local_day(entry: TimelineEntry, tz: tzinfo | None = None) -> date:
    """The calendar day the entry happened on in tz (None: this machine's time zone)."""
    return entry.occurred_at.astimezone(tz).date()


def is_overdue(status: str | None, opened_at: datetime, now: datetime, target_hours: int) -> bool:
    """Whether a query or complaint has been open longer than the response target."""
    return status == "open" and now - opened_at > timedelta(hours=target_hours)


def _wanted_kinds(kinds: Iterable[str] | None, known: tuple[str, ...]) -> frozenset[str]:
    if kinds is None:
        return frozenset(known)
    if isinstance(kinds, str):
        raise ValueError("kinds is a set of kinds, not one string")
    unknown = sorted(set(kinds) - set(known))
    if unknown:
        raise ValueError(f"unknown kinds {unknown}: use {', '.join(known)}")
    return frozenset(kinds)


def _interaction_key(row: tuple[Any, ...]) -> TimelineKey:
    return TimelineKey(row[2], _INTERACTION_SOURCE, row[0])


def _interaction_rows(
    contact_id: int, kinds: frozenset[str], before: TimelineKey | None, limit: int
) -> list[tuple[TimelineKey, tuple[Any, ...]]]:
    only = None if kinds == frozenset(INTERACTION_KINDS) else sorted(kinds)
    rows = interactions.contact_interaction_rows(contact_id, only, before, limit)
    return [(_interaction_key(row), row) for row in rows]


def _ledger_rows(
    contact_id: int, before: TimelineKey | None, limit: int
) -> list[tuple[TimelineKey, tuple[Any, ...]]]:
    """The contact's ledger entries not shown on one of its interactions, newest first."""
    rows = interactions.contact_ledger_rows(contact_id, before, limit)
    return [(TimelineKey(row[1], _POINTS_SOURCE, row[0]), (contact_id, *row)) for row in rows]


def _entries(page: list[tuple[TimelineKey, tuple[Any, ...]]]) -> list[TimelineEntry]:
    """TimelineEntry for each (key, row) of a page: the points and open tasks of its
    interactions are read for the page only."""
    ids = [key.id for key, _ in page if key.source == _INTERACTION_SOURCE]
    points: dict[int, int] = {}
    open_tasks: dict[int, int] = {}
    if ids:
        points = interactions.points_by_interaction(ids)
        open_tasks = tasks.open_tasks_by_interaction(ids)
    now = clock.utc_now()
    target = load_settings().response_target_hours
    entries = []
    for key, row in page:
        if key.source == _POINTS_SOURCE:
            contact_id, entry_id, occurred_at, ledger_kind, entry_points, reason, staff = row
            entries.append(TimelineEntry(
                id=entry_id, kind=POINTS_KIND, occurred_at=parse_timestamp(occurred_at),
                direction=None, summary=reason, details="", network="", amount_cents=None,
                feedback_score=None, status=None, first_response_at=None, resolved_at=None,
                staff_name=staff, points=entry_points, overdue=False, open_tasks=0,
                contact_id=contact_id, ledger_kind=ledger_kind,
            ))  # fmt: skip
            continue
        (entry_id, kind, occurred_at, direction, summary, details, network, amount, score,
         status, responded, resolved, staff, contact_id, refunded) = row  # fmt: skip
        opened = parse_timestamp(occurred_at)
        entries.append(TimelineEntry(
            id=entry_id, kind=kind, occurred_at=opened, direction=direction,
            summary=summary, details=details, network=network, amount_cents=amount,
            feedback_score=score, status=status, first_response_at=_moment(responded),
            resolved_at=_moment(resolved), staff_name=staff, points=points.get(entry_id),
            overdue=is_overdue(status, opened, now, target),
            open_tasks=open_tasks.get(entry_id, 0), contact_id=contact_id,
            refunded_at=_moment(refunded),
        ))  # fmt: skip
    return entries


def _moment(text: str | None) -> datetime | None:
    return None if text is None else parse_timestamp(text)


# ------------------------------------------------------------------------------- logging


def log_interaction(
    contact_id: int,
    kind: str,
    *,
    summary: str,
    details: str = "",
    direction: str | None = None,
    network: str = "",
    amount_cents: int | None = None,
    feedback_score: int | None = None,
    occurred_at: datetime | None = None,
    staff_id: int | None = None,
) -> LoggedInteraction:
    """Add an entry to the customer's history; see the module docstring for the rules.

    Raises:
        InvalidEntry: problems by field name (the argument names, and "kind").
        CustomerNotFound: no such customer (or erased).
        RelappError: the customer is archived (or merged: the message names the survivor).
        NotAllowed: staff_id names no staff member.
    """
    now = clock.utc_now()
    if kind == "purchase":
        raise InvalidEntry(
            {
                "kind": "A purchase is recorded as a sale (Sale at the counter, or relapp sale),"
                " which also gives its points; it cannot be logged here."
            }
        )
    if kind not in INTERACTION_KINDS:
        raise InvalidEntry({"kind": f"{kind!r} is not a kind of history entry."})
    values = {
        "occurred_at": now if occurred_at is None else occurred_at,
        "direction": DEFAULT_DIRECTIONS.get(kind) if direction is None else direction,
        "summary": summary,
        "details": details,
        "network": network,
        "amount_cents": amount_cents,
        "feedback_score": feedback_score,
    }
    clean = _checked(kind, values, now)
    with writing():
        live_customer(contact_id)
        check_staff(staff_id)
        stamp = format_timestamp(now)
        columns = {
            **clean,
            "contact_id": contact_id,
            "kind": kind,
            "status": "open" if kind in OPEN_UNTIL_RESOLVED_KINDS else None,
            "staff_id": staff_id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        interaction_id = interactions.insert_interaction(columns)
    return LoggedInteraction(interaction_id, _changed(contact_id))


def _changed(contact_id: int) -> Change:
    return Change.of(Entity.INTERACTIONS, contact_ids=frozenset({contact_id}))


def _checked(kind: str, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """values in stored form, each checked for an entry of this kind; InvalidEntry if any
    is wrong. Checks only the fields given (an edit leaves the others as stored)."""
    checks = ProblemCollector()
    cleaners: dict[str, Callable[[Any], object]] = {
        "occurred_at": lambda value: _clean_moment(value, now),
        "direction": lambda value: _clean_direction(kind, value),
        "summary": lambda value: _clean_summary(kind, value),
        "details": lambda value: clean_details(value, MAX_DETAILS_LENGTH),
        "network": lambda value: _clean_network(kind, value),
        "amount_cents": _clean_amount,
        "feedback_score": lambda value: _clean_score(kind, value),
    }
    clean = {name: checks.check(name, cleaners[name], value) for name, value in values.items()}
    if checks.problems:
        raise InvalidEntry(checks.problems)
    return clean


def clean_line(text: str, limit: int) -> str:
    """One line of text as stored: controls as spaces, runs of space folded, composed form."""
    if not isinstance(text, str):
        raise ValueError("Text is expected here.")
    line = " ".join(unicodedata.normalize("NFC", text.translate(_CONTROLS)).split())
    if len(line) > limit:
        raise ValueError(f"This is too long: at most {limit:,} characters.")
    return line


def clean_details(text: str, limit: int) -> str:
    """Free text kept as typed, lines and tabs included, without other control characters."""
    if not isinstance(text, str):
        raise ValueError("Text is expected here.")
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_DETAIL_CONTROLS)
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > limit:
        raise ValueError(f"This text is too long: at most {limit:,} characters.")
    return text


def _clean_moment(value: datetime, now: datetime) -> str:
    if not isinstance(value, datetime):
        raise ValueError("Choose when it happened.")
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if moment > now + FUTURE_SLACK:
        raise ValueError("An entry cannot be dated in the future.")
    if moment < EARLIEST:
        raise ValueError("An entry cannot be dated before 1970.")
    return format_timestamp(moment)


def _clean_direction(kind: str, direction: str | None) -> str | None:
    if kind in NO_DIRECTION_KINDS:
        if direction is not None:
            raise ValueError(f"A {kind} has no direction.")
        return None
    if direction is None:
        if kind in DIRECTION_REQUIRED_KINDS:
            raise ValueError(f"Say whether the {kind} came in or went out.")
        return None
    if direction not in ("inbound", "outbound"):
        raise ValueError("A direction is inbound or outbound.")
    if kind == "campaign" and direction != "outbound":
        raise ValueError("A campaign goes out to customers: its direction is outbound.")
    return direction


def _clean_summary(kind: str, text: str) -> str:
    summary = clean_line(text, MAX_SUMMARY_LENGTH)
    if not summary and kind not in SUMMARY_OPTIONAL_KINDS:
        raise ValueError("Say in a few words what happened.")
    return summary


def _clean_network(kind: str, text: str) -> str:
    network = clean_line(text, MAX_NETWORK_LENGTH)
    if kind == "social" and not network:
        raise ValueError("Name the social network (Instagram, Facebook...).")
    if kind != "social" and network:
        raise ValueError("Only a social entry names a network.")
    return network


def _clean_amount(amount: int | None) -> int | None:
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError("An amount is a whole number of cents.")
    if not 0 <= amount <= MAX_AMOUNT_CENTS:
        raise ValueError(
            f"An amount is from {format_money(0)} to {format_money(MAX_AMOUNT_CENTS)}."
        )
    return amount


def _clean_score(kind: str, score: int | None) -> int | None:
    if kind != "feedback":
        if score is not None:
            raise ValueError("Only feedback has a score.")
        return None
    if score is None:
        raise ValueError("Feedback needs a score from 0 to 10.")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError("A feedback score is a whole number from 0 to 10.")
    return score


# ----------------------------------------------------------------------- editing, deleting


def stored_entry(interaction_id: int) -> dict[str, Any]:
    """The interaction's columns as stored; EntryNotFound if there is none."""
    stored = interactions.stored_interaction(interaction_id)
    if stored is None:
        raise EntryNotFound(f"There is no history entry number {interaction_id}.")
    return stored


def edit_interaction(interaction_id: int, changes: dict[str, Any], staff_id: int) -> Change:
    """Change some fields of a history entry (managers only); audited with old and new values.

    Args:
        changes: field name (EDITABLE_FIELDS) -> new value, as log_interaction takes it.

    Raises:
        NotAllowed: staff_id is not an active manager.
        ValueError: a field that cannot be edited (a programming error).
        InvalidEntry: a new value breaks the rules, or a purchase's amount or time.
        EntryNotFound: no such entry.
    """
    require_manager(staff_id, "edit history entries")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValueError(f"cannot edit {unknown}: editable are {', '.join(EDITABLE_FIELDS)}")
    now = clock.utc_now()
    with writing():
        stored = stored_entry(interaction_id)
        kind = stored["kind"]
        if kind == "purchase":
            ledger_fields = {"amount_cents", "occurred_at"} & set(changes)
            if ledger_fields:
                field = min(ledger_fields)  # one sentence, however many fields were tried
                raise InvalidEntry(
                    {
                        field: "A sale's amount and time are part of the points ledger: refund it"
                        " and record the right amount."
                    }
                )
        clean = _checked(kind, changes, now)
        answered = [stored[name] for name in ("first_response_at", "resolved_at") if stored[name]]
        if "occurred_at" in clean and any(clean["occurred_at"] > moment for moment in answered):
            raise InvalidEntry({"occurred_at": "A case cannot be dated after it was answered."})
        differences = {
            name: [stored[name], value] for name, value in clean.items() if stored[name] != value
        }
        if not differences:
            return Change.of()
        interactions.update_interaction(
            interaction_id,
            {name: new for name, (_, new) in differences.items()},
            format_timestamp(now),
        )
        details = {
            "contact_id": stored["contact_id"],
            "kind": kind,
            "fields": sorted(differences),
            "values": differences,
        }
        write_audit(ENTRY_EDITED, "interaction", interaction_id, details, now, staff_id)
    return _changed(stored["contact_id"])


def delete_interaction(interaction_id: int, staff_id: int, reason: str) -> Change:
    """Delete a history entry (managers only, with a reason); a purchase is refunded instead.

    Raises:
        NotAllowed: staff_id is not an active manager.
        InvalidEntry: no reason.
        EntryNotFound: no such entry.
        RelappError: a purchase already refunded.
    """
    require_manager(staff_id, "delete history entries")
    checks = ProblemCollector()
    why = checks.check("reason", clean_line, reason, MAX_REASON_LENGTH)
    if not checks.problems and not why:
        checks.add("reason", "Give a reason for deleting this entry.")
    if checks.problems:
        raise InvalidEntry(checks.problems)
    now = clock.utc_now()
    with writing():
        stored = stored_entry(interaction_id)
        details = {"contact_id": stored["contact_id"], "reason": why, "entry": stored}
        if stored["kind"] == "purchase":
            if stored["refunded_at"] is not None:
                raise RelappError(
                    f"Sale number {interaction_id} was refunded on {stored['refunded_at'][:10]};"
                    " it stays in the history as the record of the sale."
                )
            change = refund_sale(interaction_id, why, staff_id)
            write_audit(ENTRY_DELETED, "interaction", interaction_id,
                  {**details, "kept": "refunded, the row kept"}, now, staff_id)  # fmt: skip
            return change
        if interactions.count_points_entries_tied_to(interaction_id):
            raise RelappError(
                f"History entry {interaction_id} has points tied to it; it cannot be deleted."
            )
        write_audit(ENTRY_DELETED, "interaction", interaction_id, details, now, staff_id)
        interactions.delete_interaction_row(interaction_id)
    return _changed(stored["contact_id"])
