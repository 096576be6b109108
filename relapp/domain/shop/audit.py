"""Reading the audit log: counts, pages newest first, filters and one-line summaries.

The log only grows (a busy shop can reach a million rows), so nothing here loads it whole. A
listing is pinned to the newest row when it was opened (AuditFilter.newest_id), so rows written
meanwhile do not shift its pages. Pages are found by key where possible:

- after a page already read, the next one is "id < the last id seen" (before_id): one seek;
- unfiltered, with no gaps in the ids (rows are never deleted), position p is id newest - p;
- otherwise by OFFSET in id order, from whichever end is nearer.

There is no index on action, staff or details (only audit_log_time), so a filtered count, the
text search and audit_actions() read the whole table: about 0.1 to 0.3 s on a million rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from relapp.db.fields import parse_timestamp
from relapp.db.store import audit_log

SUMMARY_LENGTH = 160
_LIST_ITEMS_SHOWN = 5


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to list; every condition given must hold (empty means any)."""

    action: str | None = None
    staff_id: int | None = None
    text: str = ""  # in the action, the details or the staff name; "#12" also finds entity 12
    newest_id: int | None = None  # rows up to this id only: pins a listing (see pinned())

    @property
    def selects_everything(self) -> bool:
        """No condition but newest_id: positions map straight to ids when there are no gaps."""
        return self.action is None and self.staff_id is None and not self.text.strip()


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime  # UTC
    staff_name: str | None  # None: done by no one signed in (or the account was removed)
    action: str
    entity: str
    entity_id: int | None
    summary: str  # one line, from the details


def latest_audit_id() -> int:
    """The newest row's id, 0 for an empty log."""
    return audit_log.latest_audit_id()


def pinned(audit_filter: AuditFilter) -> AuditFilter:
    """The same filter, limited to the rows written so far."""
    return AuditFilter(
        audit_filter.action, audit_filter.staff_id, audit_filter.text, latest_audit_id()
    )


def count_audit(audit_filter: AuditFilter) -> int:
    """How many rows the filter selects."""
    if audit_filter.selects_everything:
        return audit_log.count_up_to(audit_filter.newest_id)
    return audit_log.count_selected(audit_filter)


def audit_page(
    audit_filter: AuditFilter,
    offset: int,
    limit: int,
    total: int | None = None,
    before_id: int | None = None,
) -> list[AuditRow]:
    """The rows at positions offset.. of the filtered log, newest (highest id) first.

    Args:
        audit_filter: which rows; pin it with pinned() for a listing that pages.
        offset: position of the first row wanted (0: the newest); with before_id, counted
            from the first row older than before_id.
        limit: how many rows at most.
        total: count_audit(audit_filter), if known: lets a far page be read from the other
            end, and an unfiltered page by id range.
        before_id: start below this id (a key paging on from a page already read).
    """
    offset, limit = max(0, offset), max(0, limit)
    if limit == 0:
        return []
    if before_id is not None:
        return _rows(audit_log.selected_rows_below(audit_filter, before_id, offset, limit))
    if total is not None and offset >= total:
        return []
    if total is not None and audit_filter.selects_everything:
        page = _dense_range(audit_filter, offset, limit, total)
        if page is not None:
            return _rows(audit_log.rows_between(*page))
    descending = True
    if total is not None and offset > total // 2:
        # SQLite skips rows one by one: from the far end the skip is shorter.
        limit = min(limit, total - offset)
        offset, descending = total - offset - limit, False
    return _rows(audit_log.selected_rows(audit_filter, offset, limit, descending))


def audit_actions() -> list[str]:
    """Every action the log holds, alphabetically. Reads the whole log (no index on action)."""
    return audit_log.audit_actions()


def audit_details(audit_id: int) -> dict[str, Any] | None:
    """Everything a row recorded, as stored (None if there is no such row)."""
    stored = audit_log.stored_details(audit_id)
    if stored is None:
        return None
    details = _parse(stored)
    return details if details is not None else {"details": stored}


# ------------------------------------------------------------------------------------ pages


def _dense_range(
    audit_filter: AuditFilter, offset: int, limit: int, total: int
) -> tuple[int, int] | None:
    """The id range of an unfiltered page, if the ids have no gaps (else None)."""
    oldest, newest = audit_log.oldest_and_newest_ids()
    if oldest is None or newest is None:
        return None
    if audit_filter.newest_id is not None:
        newest = min(newest, audit_filter.newest_id)
    if newest - oldest + 1 != total:
        return None
    high = newest - offset
    return max(oldest, high - limit + 1), high


def _rows(rows: list[audit_log.StoredAuditRow]) -> list[AuditRow]:
    """AuditRow for each stored row, with its one-line summary."""
    return [
        AuditRow(
            id=row_id,
            occurred_at=parse_timestamp(occurred_at),
            staff_name=staff_name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summarise(entity, details),
        )
        for row_id, occurred_at, staff_name, action, entity, entity_id, details in rows
    ]


# -------------------------------------------------------------------------------- summaries


def summarise(entity: str, details: str | Mapping[str, object] | None) -> str:
    """One line saying what a row's details hold, e.g. "tag VIP · 3 contacts".

    Known keys read as words ("fields: phone, email", "Sam · counter → manager"); other plain
    values as "key: value"; nested records (old values, merged contacts) are left to the
    details pane.
    """
    if isinstance(details, str) or details is None:
        details = _parse(details or "{}")
        if details is None:
            return ""
    parts: list[str] = []
    for key, value in details.items():
        part = _describe(entity, key, value, details)
        if part:
            parts.append(part)
    line = " · ".join(parts)
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"


def _describe(entity: str, key: str, value: object, details: Mapping[str, object]) -> str:
    if key == "survivor_id" and "merged_id" in details:
        return f"#{details['merged_id']} merged into #{value}"
    if key == "from" and "to" in details:
        return f"{value} → {details['to']}"
    if key in ("survivor_id", "merged_id", "to", "values") or isinstance(value, dict):
        return ""
    if key == "count" and isinstance(value, int):
        return _count(value, entity or "row")
    if key == "ids" and isinstance(value, list):
        return "" if "count" in details else _count(len(value), entity or "row")
    if key == "contact_ids" and isinstance(value, list):
        return _listed("contacts", [f"#{item}" for item in value])
    if key == "fields" and isinstance(value, list):
        return _listed("fields", [str(item) for item in value])
    if key in ("tag", "stage", "card", "role") and not isinstance(value, list):
        return f"{key} {value}"
    if key == "card_number":
        return f"card {value}"
    if key == "name":
        return str(value)
    if key == "as_of":
        return f"as of {value}"
    label = key.replace("_", " ")
    if isinstance(value, list):
        # Row ids mean nothing to a reader; how many there are may.
        if key.endswith(("ids", "entries")) or any(isinstance(i, dict | list) for i in value):
            return f"{label}: {len(value)}"
        return _listed(label, [str(item) for item in value])
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    return f"{label}: {value}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _listed(label: str, items: list[str]) -> str:
    if len(items) > _LIST_ITEMS_SHOWN:
        shown = ", ".join(items[:_LIST_ITEMS_SHOWN])
        return f"{label}: {shown} and {len(items) - _LIST_ITEMS_SHOWN} more"
    return f"{label}: {', '.join(items)}"


def _parse(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
