"""Interactions: the customer's history entries, the points entries a timeline shows, the
shop's activity feed, and the writes that log, edit, answer and delete an entry.

Times go in and come out in their stored form ("YYYY-MM-DD HH:MM:SS" in UTC,
relapp.db.fields.format_timestamp). Rows come back as tuples in the order of the columns
named beside each function; the domain (relapp.domain.timeline.history, follow_ups) turns them into
entries and holds every rule.

Timeline keys. A timeline is read newest first by (occurred_at, source, id), where source is
INTERACTION_SOURCE for an interaction and LEDGER_SOURCE for a ledger entry; `before` is the
key of the last entry of the previous page, a (stored time, source, id) tuple, or None.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from relapp.db.models import database
from relapp.db.store.dialect import in_json_list, join_in_this_order, without_index

# At the same second an interaction comes first in newest-first order, then a ledger entry.
INTERACTION_SOURCE, LEDGER_SOURCE = 1, 0

TimelineKeyValues = tuple[str, int, int]  # (occurred_at as stored, source, id)

# The columns of an interaction row: id, kind, occurred_at, direction, summary, details,
# network, amount_cents, feedback_score, status, first_response_at, resolved_at, staff name,
# contact_id, refunded_at.
INTERACTION_COLUMNS = (
    "i.id, i.kind, i.occurred_at, i.direction, i.summary, i.details, i.network,"
    " i.amount_cents, i.feedback_score, i.status, i.first_response_at, i.resolved_at, s.name,"
    " i.contact_id, i.refunded_at"
)

# Every column of the interaction table but its id, as stored_interaction returns them.
STORED_COLUMNS = (
    "contact_id", "kind", "direction", "occurred_at", "summary", "details", "network",
    "amount_cents", "feedback_score", "status", "first_response_at", "resolved_at",
    "staff_id", "created_at", "updated_at", "sale_key", "refunded_at",
)  # fmt: skip


# ------------------------------------------------------------------------------- timelines


def add_before(
    conditions: list[str],
    params: list[object],
    before: TimelineKeyValues | None,
    source: int,
    table: str = "i",
) -> None:
    """The SQL keeping rows of one source that come after before in newest-first order."""
    if before is None:
        return
    stamp, before_source, before_id = before
    if source == before_source:
        # The time bound alone lets SQLite seek in the index; the OR settles the second.
        conditions.append(
            f"{table}.occurred_at <= ? AND ({table}.occurred_at < ? OR {table}.id < ?)"
        )
        params += [stamp, stamp, before_id]
    elif source < before_source:
        conditions.append(f"{table}.occurred_at <= ?")
        params.append(stamp)
    else:
        conditions.append(f"{table}.occurred_at < ?")
        params.append(stamp)


def contact_interaction_rows(
    contact_id: int,
    kinds: Sequence[str] | None,
    before: TimelineKeyValues | None,
    limit: int,
) -> list[tuple[Any, ...]]:
    """Up to limit interactions of the contact (INTERACTION_COLUMNS), newest first, older
    than before; kinds: only these (None: every kind). Read by key from
    interaction_contact_time."""
    conditions = ["i.contact_id = ?"]
    params: list[object] = [contact_id]
    if kinds is not None:
        conditions.append(f"i.kind IN ({', '.join('?' * len(kinds))})")
        params += list(kinds)
    add_before(conditions, params, before, INTERACTION_SOURCE)
    return database.execute_sql(
        f"SELECT {INTERACTION_COLUMNS} FROM interaction i LEFT JOIN staff s ON s.id = i.staff_id"
        f" WHERE {' AND '.join(conditions)} ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()


def contact_ledger_rows(
    contact_id: int, before: TimelineKeyValues | None, limit: int
) -> list[tuple[Any, ...]]:
    """The contact's ledger entries not tied to one of its own interactions, newest first:
    (id, occurred_at, kind, points, reason, staff name)."""
    conditions = ["p.contact_id = ?"]
    params: list[object] = [contact_id]
    add_before(conditions, params, before, LEDGER_SOURCE, table="p")
    return database.execute_sql(
        "SELECT p.id, p.occurred_at, p.kind, p.points, p.reason, s.name FROM points_entry p"
        " LEFT JOIN staff s ON s.id = p.staff_id"
        f" WHERE {' AND '.join(conditions)} AND (p.interaction_id IS NULL OR NOT EXISTS"
        "  (SELECT 1 FROM interaction i WHERE i.id = p.interaction_id"
        "   AND i.contact_id = p.contact_id))"
        " ORDER BY p.occurred_at DESC, p.id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()


def points_by_interaction(interaction_ids: Iterable[int]) -> dict[int, int]:
    """interaction id -> the sum of the ledger entries tied to it for its own contact (only
    interactions that have some)."""
    return dict(
        database.execute_sql(
            "SELECT p.interaction_id, sum(p.points) FROM points_entry p"
            " JOIN interaction i ON i.id = p.interaction_id AND i.contact_id = p.contact_id"
            f" WHERE p.interaction_id {in_json_list()}"
            " GROUP BY p.interaction_id",
            (json.dumps(list(interaction_ids)),),
        ).fetchall()
    )


# ---------------------------------------------------------------------------- activity feed


def feed_rows(before: TimelineKeyValues | None, limit: int) -> list[tuple[Any, ...]]:
    """Interactions of every contact not erased, newest first, older than before:
    INTERACTION_COLUMNS, then the contact's kind, given name, family name, organisation."""
    conditions: list[str] = []
    params: list[object] = []
    add_before(conditions, params, before, INTERACTION_SOURCE)
    return _feed_rows(conditions, params, limit)


def _feed_rows(conditions: list[str], params: list[object], limit: int) -> list[tuple[Any, ...]]:
    """Interactions of contacts not erased, newest first, with the contact's name columns."""
    where = " AND ".join(["c.erased_at IS NULL", *conditions])
    # CROSS JOIN keeps interaction the outer loop: the walk down interaction_time is the order.
    return database.execute_sql(
        f"SELECT {INTERACTION_COLUMNS}, c.kind, c.given_name, c.family_name, c.organisation"
        f" FROM interaction i {join_in_this_order()} contact c ON c.id = i.contact_id"
        " LEFT JOIN staff s ON s.id = i.staff_id"
        f" WHERE {where} ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()


def filtered_feed_rows(
    kinds: Iterable[str],
    staff_id: int | None,
    before: TimelineKeyValues | None,
    limit: int,
) -> list[tuple[Any, ...]]:
    """The feed (as feed_rows) for some kinds or one staff member, by key from
    interaction_kind_staff_time.

    Walking interaction_time and skipping what does not match would read the whole table
    for a kind or a staff member with no entries (30 s on the 1,000,000-customer demo).
    Instead each (kind, staff member) pair is one range of the index: the newest keys of
    every range are read (index only), merged, and the rows fetched for the page. Without a
    staff member that is one range per staff account (and one for entries of nobody) per
    kind: a few dozen short seeks.
    """
    if staff_id is not None:
        staff_groups: list[int | None] = [staff_id]
    else:
        staff_groups = [row[0] for row in database.execute_sql("SELECT id FROM staff")] + [None]
    rows: list[tuple[Any, ...]] = []
    while len(rows) < limit:
        wanted = limit - len(rows)
        ranges = []
        for kind in sorted(kinds):
            for staff in staff_groups:
                conditions = ["i.kind = ?", "i.staff_id IS NULL" if staff is None else
                              "i.staff_id = ?"]  # fmt: skip
                params: list[object] = [kind] if staff is None else [kind, staff]
                add_before(conditions, params, before, INTERACTION_SOURCE)
                ranges.append(
                    database.execute_sql(
                        f"SELECT i.occurred_at, i.id FROM interaction i"
                        f" WHERE {' AND '.join(conditions)}"
                        " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
                        (*params, wanted),
                    ).fetchall()
                )
        keys = list(heapq.merge(*ranges, reverse=True))[:wanted]
        if not keys:
            break
        ids = json.dumps([row_id for _, row_id in keys])
        # Rows of erased contacts drop out here; the loop reads on past them.
        rows += _feed_rows([f"i.id {in_json_list()}"], [ids], wanted)
        if len(keys) < wanted:
            break
        before = (keys[-1][0], INTERACTION_SOURCE, keys[-1][1])
    return rows


# ---------------------------------------------------------------------------------- entries


def insert_interaction(columns: Mapping[str, object]) -> int:
    """A new interaction row from column name -> value; returns its id."""
    return database.execute_sql(
        f"INSERT INTO interaction ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        tuple(columns.values()),
    ).fetchone()[0]


def stored_interaction(interaction_id: int) -> dict[str, object] | None:
    """The interaction's STORED_COLUMNS by name, None if there is no such row."""
    row = database.execute_sql(
        f"SELECT {', '.join(STORED_COLUMNS)} FROM interaction WHERE id = ?", (interaction_id,)
    ).fetchone()
    if row is None:
        return None
    return dict(zip(STORED_COLUMNS, row, strict=True))


def update_interaction(interaction_id: int, values: Mapping[str, object], updated_at: str) -> None:
    """Set these columns (name -> new value) and updated_at on one interaction."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    database.execute_sql(
        f"UPDATE interaction SET {assignments}, updated_at = ? WHERE id = ?",
        (*values.values(), updated_at, interaction_id),
    )


def count_points_entries_tied_to(interaction_id: int) -> int:
    """How many ledger entries name this interaction."""
    return database.execute_sql(
        "SELECT count(*) FROM points_entry WHERE interaction_id = ?", (interaction_id,)
    ).fetchone()[0]


def delete_interaction_row(interaction_id: int) -> None:
    database.execute_sql("DELETE FROM interaction WHERE id = ?", (interaction_id,))


def interaction_contact(interaction_id: int) -> int | None:
    """The contact the interaction belongs to, None if there is no such interaction."""
    row = database.execute_sql(
        "SELECT contact_id FROM interaction WHERE id = ?", (interaction_id,)
    ).fetchone()
    return None if row is None else row[0]


def interaction_contact_and_kind(interaction_id: int) -> tuple[int, str] | None:
    """(contact id, kind) of the interaction, None if there is no such interaction."""
    row = database.execute_sql(
        "SELECT contact_id, kind FROM interaction WHERE id = ?", (interaction_id,)
    ).fetchone()
    return None if row is None else (row[0], row[1])


# ------------------------------------------------------------------ queries and complaints


def record_first_response(interaction_id: int, now: str) -> bool:
    """Set the first response (and updated_at) to now unless there is one; whether it did."""
    return _changed_a_row(
        "UPDATE interaction SET first_response_at = :now, updated_at = :now"
        " WHERE id = :id AND first_response_at IS NULL",
        interaction_id,
        now,
    )


def mark_resolved(interaction_id: int, now: str) -> bool:
    """Resolve an open case at now, recording now as its first response if it had none;
    whether it was open."""
    return _changed_a_row(
        "UPDATE interaction SET status = 'resolved', resolved_at = :now,"
        " first_response_at = coalesce(first_response_at, :now), updated_at = :now"
        " WHERE id = :id AND status = 'open'",
        interaction_id,
        now,
    )


def mark_reopened(interaction_id: int, now: str) -> bool:
    """Open a resolved case again (its first response stays); whether it was resolved."""
    return _changed_a_row(
        "UPDATE interaction SET status = 'open', resolved_at = NULL, updated_at = :now"
        " WHERE id = :id AND status = 'resolved'",
        interaction_id,
        now,
    )


def _changed_a_row(sql: str, interaction_id: int, now: str) -> bool:
    """Run sql (:now, :id); whether it changed a row."""
    return bool(database.execute_sql(sql, {"now": now, "id": interaction_id}).rowcount)


# ---------------------------------------------------------------------------- daily round


def contacts_with_purchases_between(start: str, end: str) -> list[int]:
    """The contacts with a purchase at start or later and before end (each once)."""
    # "+kind": walk the time index over the slice, not every purchase in the kind index.
    return [
        row[0]
        for row in database.execute_sql(
            "SELECT DISTINCT contact_id FROM interaction"
            f" WHERE {without_index('kind')} = 'purchase' AND occurred_at >= ? AND occurred_at < ?",
            (start, end),
        )
    ]
