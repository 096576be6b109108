"""The contacts table: filters, sort orders and pages of rows, all in SQL.

A shop can hold a million contacts, so nothing here loads them all. The table asks how many
rows a filter matches, then for pages of rows by position in a sort order. Each sort order has
a covering index (migration 4) that also carries the archived, erased, stage and tier columns,
so counting and skipping to any position walk one index without touching the table.

A ContactFilter is also what a saved segment stores (as JSON), so reports and exports select
the same customers as the table does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from enum import Enum

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts import display_name
from relapp.domain.search import match_expression, search_terms
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
        values = {
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


# The ladder in its own order, not alphabetical; the index is on this same expression.
STAGE_RANK_SQL = (
    "CASE ladder_stage "
    + " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(LADDER_STAGES))
    + " ELSE 99 END"
)
SORT_COLUMNS: dict[SortKey, tuple[str, ...]] = {
    SortKey.NAME: ("family_name", "given_name", "id"),
    SortKey.CARD: ("card_number", "id"),
    SortKey.STAGE: (STAGE_RANK_SQL, "id"),
    # Tiers are created from the lowest up, so their ids follow the ladder of spend.
    SortKey.TIER: ("tier_id", "id"),
    SortKey.POINTS: ("points_balance", "id"),
    SortKey.SINCE: ("created_at", "id"),
}


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
    where, params = _where(contact_filter)
    return database.execute_sql(f"SELECT count(*) FROM contact WHERE {where}", params).fetchone()[0]


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
    where, params = _where(query.filter)
    direction = " DESC" if descending else ""
    order = ", ".join(column + direction for column in SORT_COLUMNS[query.sort])
    ids = [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM contact WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
    ]
    return ids[::-1] if descending != query.descending else ids


def contact_rows(ids: list[int]) -> list[ContactRow]:
    """The table lines for these contacts, in the order given (missing ones left out)."""
    if not ids:
        return []
    found = {}
    for row in database.execute_sql(
        "SELECT c.id, c.kind, c.given_name, c.family_name, c.organisation, c.phone, c.email,"
        " c.card_number, c.ladder_stage, t.name, c.points_balance, c.created_at,"
        " c.archived_at IS NOT NULL,"
        " (SELECT max(occurred_at) FROM interaction i"
        "   WHERE i.contact_id = c.id AND i.kind IN ('visit', 'purchase')),"
        " (SELECT group_concat(name, char(31)) FROM"
        "   (SELECT g.name FROM contact_tag ct JOIN tag g ON g.id = ct.tag_id"
        "    WHERE ct.contact_id = c.id ORDER BY g.name COLLATE NOCASE))"
        " FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        " WHERE c.id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    ):
        (contact_id, kind, given, family, organisation, phone, email, card, stage, tier, points,
         created, archived, last_visit, tags) = row  # fmt: skip
        found[contact_id] = ContactRow(
            id=contact_id,
            name=display_name(kind, given, family, organisation),
            phone=phone,
            email=email,
            card_number=card,
            ladder_stage=stage,
            tier=tier,
            points_balance=points,
            last_visit=parse_timestamp(last_visit) if last_visit else None,
            created_at=parse_timestamp(created),
            archived=bool(archived),
            tags=tuple(tags.split("\x1f")) if tags else (),
        )
    return [found[contact_id] for contact_id in ids if contact_id in found]


def _where(contact_filter: ContactFilter) -> tuple[str, tuple]:
    """The SQL condition and its parameters for a filter, a segment's conditions included."""
    conditions = ["erased_at IS NULL"]
    params: list = []
    if contact_filter.archived == "active":
        conditions.append("archived_at IS NULL")
    elif contact_filter.archived == "archived":
        conditions.append("archived_at IS NOT NULL")
    filters = [contact_filter]
    if contact_filter.segment is not None:
        filters.append(segment_filter(contact_filter.segment))
    for each in filters:
        _add_conditions(each, conditions, params)
    return " AND ".join(conditions), tuple(params)


def _add_conditions(contact_filter: ContactFilter, conditions: list[str], params: list) -> None:
    terms = search_terms(contact_filter.text)
    if terms:
        conditions.append("id IN (SELECT rowid FROM contact_search WHERE contact_search MATCH ?)")
        params.append(match_expression(terms))
    for tag in contact_filter.tags:
        conditions.append(
            "id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag g ON g.id = ct.tag_id"
            " WHERE g.name = ? COLLATE NOCASE)"
        )
        params.append(tag)
    if contact_filter.stages:
        conditions.append(f"ladder_stage IN ({', '.join('?' for _ in contact_filter.stages)})")
        params.extend(contact_filter.stages)
    if contact_filter.tiers:
        conditions.append(
            "tier_id IN (SELECT id FROM tier WHERE name COLLATE NOCASE IN"
            f" ({', '.join('?' for _ in contact_filter.tiers)}))"
        )
        params.extend(contact_filter.tiers)
    if contact_filter.consent is not None:
        # consent_current holds each log's latest event per channel (migration 4). Consent is
        # usually given by a large share of the shop: "+id" makes SQLite walk the sort index
        # and test each row against the set, instead of sorting the whole set every page.
        conditions.append(
            "+id IN (SELECT contact_id FROM consent_current WHERE channel = ? AND granted = 1)"
        )
        params.append(contact_filter.consent)


# -- saved segments ---------------------------------------------------------------------------


def segment_filter(name: str) -> ContactFilter:
    """A saved segment's filter by name (as reports and exports name segments)."""
    row = database.execute_sql(
        "SELECT filter FROM segment WHERE name = ? COLLATE NOCASE", (name,)
    ).fetchone()
    if row is None:
        raise UnknownSegment(f"There is no saved segment called {name!r}.")
    try:
        stored = ContactFilter.from_json(row[0])
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
        updated = database.execute_sql(
            "UPDATE segment SET filter = ?, updated_at = ? WHERE name = ? COLLATE NOCASE",
            (stored, now, name),
        ).rowcount
        if not updated:
            database.execute_sql(
                "INSERT INTO segment (name, filter, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (name, stored, now, now),
            )
    return Change.of(Entity.SEGMENTS)


def delete_segment(name: str) -> Change:
    """Forget a saved segment; the contacts in it are not touched."""
    database.execute_sql("DELETE FROM segment WHERE name = ? COLLATE NOCASE", (name,))
    return Change.of(Entity.SEGMENTS)


@dataclass(frozen=True)
class FilterChoices:
    """What the contacts table's filter lists offer."""

    segments: tuple[str, ...]
    tags: tuple[str, ...]
    tiers: tuple[str, ...]  # from the lowest up


def filter_choices() -> FilterChoices:
    def names(sql: str) -> tuple[str, ...]:
        return tuple(row[0] for row in database.execute_sql(sql))

    return FilterChoices(
        segments=names("SELECT name FROM segment ORDER BY name COLLATE NOCASE"),
        tags=names("SELECT name FROM tag ORDER BY name COLLATE NOCASE"),
        tiers=names("SELECT name FROM tier ORDER BY min_spend_cents"),
    )
