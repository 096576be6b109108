"""Actions on many contacts at once: tag, untag, move on the ladder, archive, unarchive.

A selection in the contacts table can hold every customer of a large shop, so each action is
a few set-based statements in one transaction. The ids travel as one JSON array parameter that
SQLite unpacks with json_each (as relapp.db.bulk.insert_rows does): no limit on the number of
SQL variables, and no Python loop per contact. Each action writes one audit row naming what
was done and to whom, and touches only the contacts it actually changes: erased contacts never,
and a contact already in the wanted state is left alone (so repeating an action changes nothing).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contact_editing import clean_tag_name, create_tag, find_tag
from relapp.domain.terms import LADDER_STAGES

# Above this many contacts a Change names none, meaning "possibly all": a view refreshes
# wholesale faster than it checks a huge set.
MAX_NAMED_CONTACTS = 1000

# The chosen contacts that may be changed at all; :chosen is the JSON array of ids.
_CHOSEN = "contact.id IN (SELECT value FROM json_each(:chosen)) AND contact.erased_at IS NULL"


@dataclass(frozen=True)
class BulkResult:
    changed: int  # contacts actually changed (already-tagged, erased, unknown ids are not)
    change: Change


def tag_contacts(ids: Iterable[int], tag_name: str, staff_id: int | None = None) -> BulkResult:
    """Tag the contacts, creating the tag if needed (an existing one in any letter case is used).

    Raises:
        ValueError: the tag name is empty or too long.
    """
    name = clean_tag_name(tag_name)
    chosen = _id_array(ids)
    with database.atomic("IMMEDIATE"):
        tag = find_tag(name)
        if tag is None:
            changed = _ids(f"SELECT id FROM contact WHERE {_CHOSEN}", {"chosen": chosen})
        else:
            name = tag[1]
            changed = _ids(
                f"SELECT id FROM contact WHERE {_CHOSEN} AND NOT EXISTS (SELECT 1 FROM"
                " contact_tag ct WHERE ct.contact_id = contact.id AND ct.tag_id = :tag)",
                {"chosen": chosen, "tag": tag[0]},
            )
        if not changed:
            return BulkResult(0, Change.of())
        tag_id = tag[0] if tag else create_tag(name)
        database.execute_sql(
            "INSERT INTO contact_tag (contact_id, tag_id) SELECT value, ? FROM json_each(?)",
            (tag_id, json.dumps(changed)),
        )
        _finish("contacts tagged", {"tag": name}, changed, staff_id)
    return _result(changed, Entity.CONTACTS, Entity.TAGS)


def untag_contacts(ids: Iterable[int], tag_name: str, staff_id: int | None = None) -> BulkResult:
    """Take the tag off the contacts; the tag itself stays, for later use.

    Raises:
        ValueError: the tag name is empty or too long.
    """
    name = clean_tag_name(tag_name)
    chosen = _id_array(ids)
    with database.atomic("IMMEDIATE"):
        tag = find_tag(name)
        if tag is None:
            return BulkResult(0, Change.of())
        changed = _ids(
            f"SELECT id FROM contact WHERE {_CHOSEN} AND EXISTS (SELECT 1 FROM contact_tag ct"
            " WHERE ct.contact_id = contact.id AND ct.tag_id = :tag)",
            {"chosen": chosen, "tag": tag[0]},
        )
        if not changed:
            return BulkResult(0, Change.of())
        database.execute_sql(
            "DELETE FROM contact_tag WHERE tag_id = ?"
            " AND contact_id IN (SELECT value FROM json_each(?))",
            (tag[0], json.dumps(changed)),
        )
        _finish("contacts untagged", {"tag": tag[1]}, changed, staff_id)
    return _result(changed, Entity.CONTACTS, Entity.TAGS)


def set_ladder_stage(ids: Iterable[int], stage: str, staff_id: int | None = None) -> BulkResult:
    """Put the contacts on one stage of the loyalty ladder.

    Raises:
        ValueError: stage is not one of LADDER_STAGES.
    """
    if stage not in LADDER_STAGES:
        raise ValueError(
            f"{stage!r} is not a stage of the loyalty ladder: use {', '.join(LADDER_STAGES)}."
        )
    return _update(
        ids, "ladder_stage = :stage", "ladder_stage <> :stage", {"stage": stage},
        "contacts moved on the ladder", staff_id,
    )  # fmt: skip


def archive_contacts(ids: Iterable[int], staff_id: int | None = None) -> BulkResult:
    """Hide the contacts from search and lists, reversibly; the first archive time is kept."""
    return _update(
        ids, "archived_at = :now", "archived_at IS NULL", {}, "contacts archived", staff_id
    )


def unarchive_contacts(ids: Iterable[int], staff_id: int | None = None) -> BulkResult:
    """Bring archived contacts back into search and lists.

    A contact merged into another stays archived: its history and points now belong to the
    survivor, and bringing back the empty shell would show the customer twice.
    """
    return _update(
        ids, "archived_at = NULL", "archived_at IS NOT NULL AND merged_into_id IS NULL", {},
        "contacts unarchived", staff_id,
    )  # fmt: skip


def _update(
    ids: Iterable[int],
    assignment: str,
    needs_change: str,
    values: dict[str, object],
    action: str,
    staff_id: int | None,
) -> BulkResult:
    """One UPDATE of the chosen contacts not yet in the wanted state, then the audit row.

    The SQL may use :now (the time of the update) and the named values, which the audit row
    records too.
    """
    now = utc_now()
    params = {"chosen": _id_array(ids), "now": format_timestamp(now), **values}
    with database.atomic("IMMEDIATE"):
        changed = sorted(
            _ids(
                f"UPDATE contact SET updated_at = :now, {assignment}"
                f" WHERE {_CHOSEN} AND {needs_change} RETURNING id",
                params,
            )
        )
        if changed:
            _audit(action, values, changed, staff_id, now)
    return _result(changed, Entity.CONTACTS) if changed else BulkResult(0, Change.of())


def _finish(action: str, details: dict, changed: list[int], staff_id: int | None) -> None:
    """Mark the changed contacts as updated (an open editor then sees a conflict, not a
    silent undo) and write the audit row."""
    now = utc_now()
    database.execute_sql(
        "UPDATE contact SET updated_at = ? WHERE id IN (SELECT value FROM json_each(?))",
        (format_timestamp(now), json.dumps(changed)),
    )
    _audit(action, details, changed, staff_id, now)


def _audit(
    action: str, details: dict, changed: list[int], staff_id: int | None, now: datetime
) -> None:
    write_audit(
        action, "contact", None, {**details, "count": len(changed), "ids": changed}, now, staff_id
    )


def _id_array(ids: Iterable[int]) -> str:
    """The distinct ids as one JSON array; operator.index refuses "12" and 1.5 alike."""
    return json.dumps(sorted({operator.index(contact_id) for contact_id in ids}))


def _ids(sql: str, params: dict[str, object]) -> list[int]:
    return [row[0] for row in database.execute_sql(sql, params)]


def _result(changed: list[int], *entities: Entity) -> BulkResult:
    named = frozenset(changed) if len(changed) <= MAX_NAMED_CONTACTS else frozenset()
    return BulkResult(len(changed), Change.of(*entities, contact_ids=named))
