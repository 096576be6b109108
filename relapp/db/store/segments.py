"""Saved segments, and the contacts table's queries: how many contacts a filter matches, the
ids at any position of a sort order, and the lines shown for them.

A filter arrives as plain conditions (Selection); relapp.domain.contacts.listing turns a
ContactFilter, with the saved segment it names, into one, and holds every rule about filters
and segments.

A shop can hold a million contacts, so nothing here loads them all. Each sort order has a
covering index (migration 4) that also carries the archived, erased, stage and tier columns,
so counting and skipping to any position walk one index without touching the table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import (
    character,
    equal_nocase,
    in_json_list,
    in_nocase,
    joined,
    nocase,
    ordered,
    without_index,
)
from relapp.db.store.search import contacts_matching_text

# The ladder in its own order, not alphabetical: word for word the expression the index
# contact_by_stage is built on (migration 4), so that SQLite sorts by walking that index.
STAGE_RANK_SQL = (
    "CASE ladder_stage WHEN 'prospect' THEN 0 WHEN 'customer' THEN 1 WHEN 'client' THEN 2"
    " WHEN 'supporter' THEN 3 WHEN 'advocate' THEN 4 WHEN 'partner' THEN 5 ELSE 99 END"
)
# The columns of each sort order (by relapp.domain.contacts.listing.SortKey value); each order
# has a covering index named contact_by_<key> (migration 4).
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("family_name", "given_name", "id"),
    "card": ("card_number", "id"),
    "stage": (STAGE_RANK_SQL, "id"),
    # Tiers are created from the lowest up, so their ids follow the ladder of spend.
    "tier": ("tier_id", "id"),
    "points": ("points_balance", "id"),
    "since": ("created_at", "id"),
}
_ARCHIVED = {"active": "archived_at IS NULL", "archived": "archived_at IS NOT NULL", "all": None}
# A character no tag name holds (clean names have no controls): the unit separator.
_TAG_SEPARATOR = 31


@dataclass(frozen=True)
class Conditions:
    """One filter's conditions; every one given must hold (empty means any)."""

    match: str | None = None  # the engine's text query (relapp.db.store.search.match_expression)
    tags: tuple[str, ...] = ()  # has every one of these tags, in any (ASCII) letter case
    stages: tuple[str, ...] = ()  # on any of these ladder stages
    tiers: tuple[str, ...] = ()  # in any of these tiers, in any (ASCII) letter case
    consent: str | None = None  # consent on this channel currently granted


@dataclass(frozen=True)
class Selection:
    """The unerased contacts that are active, archived or all, and meet every Conditions."""

    archived: str = "active"  # active, archived or all
    conditions: tuple[Conditions, ...] = ()


@dataclass(frozen=True)
class ListLine:
    """One line of the contacts table, as stored."""

    id: int
    kind: str
    given_name: str
    family_name: str
    organisation: str
    phone: str | None
    email: str | None
    card_number: str | None
    ladder_stage: str
    tier: str | None
    points_balance: int
    created_at: str
    archived: bool
    last_visit_at: str | None  # the latest visit or purchase
    tags: tuple[str, ...]  # in alphabetical order without regard to (ASCII) letter case


# ------------------------------------------------------------------------- the contacts list


def selection_where(selection: Selection) -> tuple[str, tuple[object, ...]]:
    """The SQL condition on the contact table, and its parameters, for a selection."""
    conditions = ["erased_at IS NULL"]
    params: list[object] = []
    archived = _ARCHIVED[selection.archived]
    if archived is not None:
        conditions.append(archived)
    for each in selection.conditions:
        _add_conditions(each, conditions, params)
    return " AND ".join(conditions), tuple(params)


def _add_conditions(wanted: Conditions, conditions: list[str], params: list[object]) -> None:
    if wanted.match is not None:
        conditions.append(f"id IN ({contacts_matching_text()})")
        params.append(wanted.match)
    for tag in wanted.tags:
        conditions.append(
            "id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag g ON g.id = ct.tag_id"
            f" WHERE {equal_nocase('g.name')})"
        )
        params.append(tag)
    if wanted.stages:
        conditions.append(f"ladder_stage IN ({', '.join('?' for _ in wanted.stages)})")
        params.extend(wanted.stages)
    if wanted.tiers:
        conditions.append(
            f"tier_id IN (SELECT id FROM tier WHERE {in_nocase('name', len(wanted.tiers))})"
        )
        params.extend(wanted.tiers)
    if wanted.consent is not None:
        # consent_current holds each log's latest event per channel (migration 4). Consent is
        # usually given by a large share of the shop: "+id" makes SQLite walk the sort index
        # and test each row against the set, instead of sorting the whole set every page.
        conditions.append(
            f"{without_index('id')} IN"
            " (SELECT contact_id FROM consent_current WHERE channel = ? AND granted = 1)"
        )
        params.append(wanted.consent)


def count_selected(selection: Selection) -> int:
    where, params = selection_where(selection)
    return database.execute_sql(f"SELECT count(*) FROM contact WHERE {where}", params).fetchone()[0]


def selected_ids(
    selection: Selection, sort: str, descending: bool, limit: int, offset: int
) -> list[int]:
    """The ids at positions offset.. of the selection in the sort order (a SORT_COLUMNS key),
    the last column first if descending."""
    where, params = selection_where(selection)
    order = ", ".join(ordered(column, descending) for column in SORT_COLUMNS[sort])
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM contact WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
    ]


def list_lines(ids: Sequence[int]) -> list[ListLine]:
    """The table lines of these contacts, in no particular order (missing ones left out)."""
    rows = database.execute_sql(
        "SELECT c.id, c.kind, c.given_name, c.family_name, c.organisation, c.phone, c.email,"
        " c.card_number, c.ladder_stage, t.name, c.points_balance, c.created_at,"
        " c.archived_at IS NOT NULL,"
        " (SELECT max(occurred_at) FROM interaction i"
        "   WHERE i.contact_id = c.id AND i.kind IN ('visit', 'purchase')),"
        f" (SELECT {joined('name', character(_TAG_SEPARATOR))} FROM"
        "   (SELECT g.name FROM contact_tag ct JOIN tag g ON g.id = ct.tag_id"
        f"    WHERE ct.contact_id = c.id ORDER BY {nocase('g.name')}) AS names)"
        " FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        f" WHERE c.id {in_json_list()}",
        (json.dumps(list(ids)),),
    )
    return [_list_line(row) for row in rows]


# ListLine's columns up to created_at, then archived (0 or 1), last_visit_at and the tag
# names joined by _TAG_SEPARATOR (None for none).
_ListLineRow = tuple[
    int, str, str, str, str, str | None, str | None, str | None, str, str | None, int, str,
    int, str | None, str | None,
]  # fmt: skip


def _list_line(row: _ListLineRow) -> ListLine:
    archived, last_visit_at, tags = row[12:]
    names = tuple(tags.split(chr(_TAG_SEPARATOR))) if tags else ()
    return ListLine(*row[:12], bool(archived), last_visit_at, names)


def tier_names() -> tuple[str, ...]:
    """Every tier's name, from the lowest spend threshold up (what the tier filter offers)."""
    rows = database.execute_sql("SELECT name FROM tier ORDER BY min_spend_cents")
    return tuple(row[0] for row in rows)


# ---------------------------------------------------------------------------- saved segments
# A segment's name is matched without regard to (ASCII) letter case, as it is unique.


def segment_filter_json(name: str) -> str | None:
    """The stored filter (JSON) of the segment with this name; None if there is none."""
    row = database.execute_sql(
        f"SELECT filter FROM segment WHERE {equal_nocase('name')}", (name,)
    ).fetchone()
    return None if row is None else row[0]


def update_segment(name: str, filter_json: str, now: str) -> bool:
    """Store a new filter for the segment with this name; whether there was one."""
    return bool(
        database.execute_sql(
            f"UPDATE segment SET filter = ?, updated_at = ? WHERE {equal_nocase('name')}",
            (filter_json, now, name),
        ).rowcount
    )


def insert_segment(name: str, filter_json: str, now: str) -> None:
    database.execute_sql(
        "INSERT INTO segment (name, filter, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (name, filter_json, now, now),
    )


def competitions_limited_to(name: str) -> tuple[tuple[str, str], ...]:
    """(segment name as stored, competition name) of the competitions only this segment's
    members may enter (they keep it from deletion)."""
    rows = database.execute_sql(
        "SELECT segment.name, competition.name FROM competition JOIN segment"
        f" ON segment.id = competition.segment_id WHERE {equal_nocase('segment.name')}"
        " ORDER BY competition.name",
        (name,),
    )
    return tuple((row[0], row[1]) for row in rows)


def delete_segment(name: str) -> None:
    database.execute_sql(f"DELETE FROM segment WHERE {equal_nocase('name')}", (name,))


def segment_names() -> tuple[str, ...]:
    """Every segment's name, in alphabetical order without regard to letter case."""
    rows = database.execute_sql(f"SELECT name FROM segment ORDER BY {nocase('name')}")
    return tuple(row[0] for row in rows)
