"""The contacts table: filters, sort orders and pages of rows, all in SQL.

A shop can hold a million contacts, so nothing here loads them all. The table asks how many
rows a filter matches, then for pages of rows by position in a sort order; the queries are
relapp.db.store.segments', each served by a covering index (migration 4).

A ContactFilter is also what a saved segment stores (as JSON), so reports and exports select
the same customers as the table does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from enum import Enum
from typing import Any

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import segments, tags
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.search import match_expression, search_terms
from relapp.domain.terms import CONSENT_CHANNELS, LADDER_STAGES
from relapp.errors import RelappError

ARCHIVED_CHOICES = ("active", "archived", "all")
MAX_SEGMENT_NAME = 80


@dataclass(frozen=True)
class ContactFilter:
    """Which contacts to list; every condition given must hold (empty means any)."""

    text: str = ""  # as the counter search: name, phone, email or card fragments
    tags: tuple[str, ...] = ()  # has every one of these tags
    stages: tuple[str, ...] = ()  # on any of these ladder stages
    tiers: tuple[str, ...] = ()  # in any of these tiers
    consent: str | None = None  # has currently granted consent on this channel
    archived: str = "active"  # active, archived or all
    segment: str | None = None  # and matches this saved segment's filter

    def __post_init__(self) -> None:
        if self.archived not in ARCHIVED_CHOICES:
            raise ValueError(f"archived must be one of {ARCHIVED_CHOICES}, not {self.archived!r}")
        if self.consent is not None and self.consent not in CONSENT_CHANNELS:
            raise ValueError(f"unknown consent channel {self.consent!r}")
        unknown = set(self.stages) - set(LADDER_STAGES)
        if unknown:
            raise ValueError(f"unknown ladder stages: {', '.join(sorted(unknown))}")

    def to_json(self) -> str:
        """The filter as a segment stores it: only the conditions that are set."""
        defaults = ContactFilter()
        stored = {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
            if value != getattr(defaults, name)
        }
        return json.dumps(stored, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ContactFilter:
        """A stored filter; unknown keys (from a newer version) are ignored."""
        stored = json.loads(text or "{}")
        if not isinstance(stored, dict):
            raise ValueError("a segment filter must be a JSON object")
        known = {item.name for item in fields(cls)}
        values: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in stored.items()
            if name in known
        }
        return cls(**values)


class SortKey(Enum):
    """Sortable columns. Each has a covering index named contact_by_<value> (migration 4)."""

    NAME = "name"
    CARD = "card"
    STAGE = "stage"
    TIER = "tier"
    POINTS = "points"
    SINCE = "since"


# The stage sort order's SQL (the ladder's order), for the tests that check its index.
STAGE_RANK_SQL = segments.STAGE_RANK_SQL


@dataclass(frozen=True)
class ContactRow:
    """One line of the contacts table."""

    id: int
    name: str
    phone: str | None
    email: str | None
    card_number: str | None
    ladder_stage: str
    tier: str | None
    points_balance: int
    last_visit: datetime | None
    created_at: datetime
    archived: bool
    tags: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ContactQuery:
    filter: ContactFilter = ContactFilter()
    sort: SortKey = SortKey.NAME
    descending: bool = False


class UnknownSegment(RelappError):
    pass


class DamagedSegment(RelappError):
    pass


def count_contacts(contact_filter: ContactFilter) -> int:
    return segments.count_selected(_selection(contact_filter))


def contact_ids_page(
    query: ContactQuery, offset: int, limit: int, total: int | None = None
) -> list[int]:
    """The ids at positions offset.. of the sorted, filtered list.

    Given the list's length (total), a page in its second half is read from the far end in
    the reverse order: SQLite skips rows one by one, so this halves the longest skip.
    """
    offset, limit = max(0, offset), max(0, limit)
    descending = query.descending
    if total is not None and offset > total // 2:
        limit = max(0, min(limit, total - offset))
        offset, descending = max(0, total - offset - limit), not descending
    ids = segments.selected_ids(
        _selection(query.filter), query.sort.value, descending, limit, offset
    )
    return ids[::-1] if descending != query.descending else ids


def contact_rows(ids: list[int]) -> list[ContactRow]:
    """The table lines for these contacts, in the order given (missing ones left out)."""
    if not ids:
        return []
    found = {}
    for line in segments.list_lines(ids):
        found[line.id] = ContactRow(
            id=line.id,
            name=display_name(line.kind, line.given_name, line.family_name, line.organisation),
            phone=line.phone,
            email=line.email,
            card_number=line.card_number,
            ladder_stage=line.ladder_stage,
            tier=line.tier,
            points_balance=line.points_balance,
            last_visit=parse_timestamp(line.last_visit_at) if line.last_visit_at else None,
            created_at=parse_timestamp(line.created_at),
            archived=line.archived,
            tags=line.tags,
        )
    return [found[contact_id] for contact_id in ids if contact_id in found]


def filter_where(contact_filter: ContactFilter) -> tuple[str, tuple[object, ...]]:
    """The SQL condition on contact and its parameters for a filter, a segment's conditions
    included (the exporter reads the contacts it selects)."""
    return segments.selection_where(_selection(contact_filter))


def _selection(contact_filter: ContactFilter) -> segments.Selection:
    """The filter's conditions as the store takes them, a segment's conditions included."""
    filters = [contact_filter]
    if contact_filter.segment is not None:
        filters.append(segment_filter(contact_filter.segment))
    return segments.Selection(contact_filter.archived, tuple(map(_conditions, filters)))


def _conditions(contact_filter: ContactFilter) -> segments.Conditions:
    terms = search_terms(contact_filter.text)
    return segments.Conditions(
        match=match_expression(terms) if terms else None,
        tags=contact_filter.tags,
        stages=contact_filter.stages,
        tiers=contact_filter.tiers,
        consent=contact_filter.consent,
    )


# -- saved segments ---------------------------------------------------------------------------


def segment_filter(name: str) -> ContactFilter:
    """A saved segment's filter by name (as reports and exports name segments)."""
    text = segments.segment_filter_json(name)
    if text is None:
        raise UnknownSegment(f"There is no saved segment called {name!r}.")
    try:
        stored = ContactFilter.from_json(text)
    except (ValueError, TypeError) as error:
        raise DamagedSegment(f"The saved segment {name!r} cannot be read ({error}).") from None
    # A segment never refers to another one: that could loop.
    return replace(stored, segment=None)


def save_segment(name: str, contact_filter: ContactFilter) -> Change:
    """Save a filter under a name, replacing the segment of that name if there is one."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("A segment needs a name.")
    if len(name) > MAX_SEGMENT_NAME:
        raise ValueError(f"A segment name can have at most {MAX_SEGMENT_NAME} characters.")
    stored = replace(contact_filter, segment=None).to_json()
    now = format_timestamp(utc_now())
    with database.atomic():
        if not segments.update_segment(name, stored, now):
            segments.insert_segment(name, stored, now)
    return Change.of(Entity.SEGMENTS)


def delete_segment(name: str) -> Change:
    """Forget a saved segment; the contacts in it are not touched. A segment a competition
    is limited to stays: who may enter must not change under the entries already made."""
    limited = segments.competitions_limited_to(name)
    if limited:
        stored = limited[0][0]
        competitions = " and ".join(competition for _segment, competition in limited)
        raise RelappError(
            f"The segment {stored} decides who may enter {competitions}; change"
            " who may enter in Listening > Competitions before deleting it."
        )
    segments.delete_segment(name)
    return Change.of(Entity.SEGMENTS)


@dataclass(frozen=True)
class FilterChoices:
    """What the contacts table's filter lists offer."""

    segments: tuple[str, ...]
    tags: tuple[str, ...]
    tiers: tuple[str, ...]  # from the lowest up


def filter_choices() -> FilterChoices:
    return FilterChoices(
        segments=segments.segment_names(),
        tags=tags.tag_names(),
        tiers=segments.tier_names(),
    )
