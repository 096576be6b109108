"""Actions on many contacts at once: tag, untag, move on the ladder, archive, unarchive.

A selection in the contacts table can hold every customer of a large shop, so each action is
a few set-based statements in one transaction (relapp.db.store.contacts and tags: the ids
travel as one parameter, with no Python loop per contact). Each action writes one audit row
naming what was done and to whom, and touches only the contacts it actually changes: erased
contacts never, and a contact already in the wanted state is left alone (so repeating an
action changes nothing).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.fields import format_timestamp
from relapp.db.store import contacts, tags
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.editing import clean_tag_name, create_tag, find_tag
from relapp.domain.terms import LADDER_STAGES

# Above this many contacts a Change names none, meaning "possibly all": a view refreshes
# wholesale faster than it checks a huge set.
MAX_NAMED_CONTACTS = 1000


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
    chosen = _chosen_ids(ids)
    with lock_first():
        tag = find_tag(name)
        if tag is None:
            changed = contacts.unerased_among(chosen)
        else:
            name = tag[1]
            changed = tags.unerased_without_tag(chosen, tag[0])
        if not changed:
            return BulkResult(0, Change.of())
        tag_id = tag[0] if tag else create_tag(name)
        tags.add_tag_to_contacts(tag_id, changed)
        _finish("contacts tagged", {"tag": name}, changed, staff_id)
    return _result(changed, Entity.CONTACTS, Entity.TAGS)


def untag_contacts(ids: Iterable[int], tag_name: str, staff_id: int | None = None) -> BulkResult:
    """Take the tag off the contacts; the tag itself stays, for later use.

    Raises:
        ValueError: the tag name is empty or too long.
    """
    name = clean_tag_name(tag_name)
    chosen = _chosen_ids(ids)
    with lock_first():
        tag = find_tag(name)
        if tag is None:
            return BulkResult(0, Change.of())
        changed = tags.unerased_with_tag(chosen, tag[0])
        if not changed:
            return BulkResult(0, Change.of())
        tags.remove_tag_from_contacts(tag[0], changed)
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
        ids,
        lambda chosen, now: contacts.move_to_stage(chosen, stage, now),
        {"stage": stage},
        "contacts moved on the ladder",
        staff_id,
    )


def archive_contacts(ids: Iterable[int], staff_id: int | None = None) -> BulkResult:
    """Hide the contacts from search and lists, reversibly; the first archive time is kept."""
    return _update(ids, contacts.archive_unarchived, {}, "contacts archived", staff_id)


def unarchive_contacts(ids: Iterable[int], staff_id: int | None = None) -> BulkResult:
    """Bring archived contacts back into search and lists.

    A contact merged into another stays archived: its history and points now belong to the
    survivor, and bringing back the empty shell would show the customer twice.
    """
    return _update(ids, contacts.unarchive_unmerged, {}, "contacts unarchived", staff_id)


def _update(
    ids: Iterable[int],
    update: Callable[[list[int], str], list[int]],
    values: dict[str, object],
    action: str,
    staff_id: int | None,
) -> BulkResult:
    """Change the chosen contacts not yet in the wanted state, then write the audit row.

    update(chosen ids, the time of the update in stored form) makes the change and returns
    the ids it changed; the audit row records values (what they were changed to).
    """
    now = utc_now()
    chosen = _chosen_ids(ids)
    with lock_first():
        changed = sorted(update(chosen, format_timestamp(now)))
        if changed:
            _audit(action, values, changed, staff_id, now)
    return _result(changed, Entity.CONTACTS) if changed else BulkResult(0, Change.of())


def _finish(
    action: str, details: dict[str, object], changed: list[int], staff_id: int | None
) -> None:
    """Mark the changed contacts as updated (an open editor then sees a conflict, not a
    silent undo) and write the audit row."""
    now = utc_now()
    contacts.mark_updated(changed, format_timestamp(now))
    _audit(action, details, changed, staff_id, now)


def _audit(
    action: str, details: dict[str, object], changed: list[int], staff_id: int | None, now: datetime
) -> None:
    write_audit(
        action, "contact", None, {**details, "count": len(changed), "ids": changed}, now, staff_id
    )


def _chosen_ids(ids: Iterable[int]) -> list[int]:
    """The distinct ids in order; operator.index refuses "12" and 1.5 alike."""
    return sorted({operator.index(contact_id) for contact_id in ids})


def _result(changed: list[int], *entities: Entity) -> BulkResult:
    named = frozenset(changed) if len(changed) <= MAX_NAMED_CONTACTS else frozenset()
    return BulkResult(len(changed), Change.of(*entities, contact_ids=named))
