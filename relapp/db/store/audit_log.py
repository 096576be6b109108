"""Reading the audit log: its newest id, counts, pages of rows by id, the actions and one row's
details. Writing it is relapp.db.audit.write_audit; relapp.domain.shop.audit decides which page to
read and how to show a row.

A selection of rows (AuditSelection) is: rows up to newest_id, of one action, by one staff
member, and whose action, details or staff name contain a text ("#12" also finds entity 12);
each condition given must hold. There is no index on action, staff or details (only
audit_log_time), so a filtered count and the text search read the whole table.

Rows come back as tuples: (id, occurred_at as stored, staff name or None, action, entity,
entity_id, details as stored).
"""

from __future__ import annotations

import json
from typing import Protocol

from relapp.db.models import database
from relapp.db.store.dialect import like_nocase

# id, occurred_at (as stored), staff name, action, entity, entity_id, details (JSON as stored).
StoredAuditRow = tuple[int, str, str | None, str, str, int | None, str]


class AuditSelection(Protocol):
    """Which rows; relapp.domain.shop.audit.AuditFilter is one."""

    @property
    def action(self) -> str | None: ...
    @property
    def staff_id(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def newest_id(self) -> int | None: ...


def latest_audit_id() -> int:
    """The newest row's id, 0 for an empty log."""
    return database.execute_sql("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


def oldest_and_newest_ids() -> tuple[int | None, int | None]:
    """The lowest and the highest id of the log (None, None when it is empty)."""
    oldest, newest = database.execute_sql(
        "SELECT (SELECT min(id) FROM audit_log), (SELECT max(id) FROM audit_log)"
    ).fetchone()
    return oldest, newest


def count_up_to(newest_id: int | None) -> int:
    """How many rows have an id up to newest_id (None: all of them)."""
    # count(*) of a whole table walks its smallest index (fast); "id <= n" would not.
    params: tuple[int, ...]
    if newest_id is None:
        sql, params = "SELECT count(*) FROM audit_log", ()
    else:
        sql = (
            "SELECT (SELECT count(*) FROM audit_log)"
            " - (SELECT count(*) FROM audit_log WHERE id > ?)"
        )
        params = (newest_id,)
    return database.execute_sql(sql, params).fetchone()[0]


def count_selected(selection: AuditSelection) -> int:
    """How many rows the selection holds."""
    where, params = _where(selection)
    return database.execute_sql(
        f"SELECT count(*) FROM audit_log a WHERE {where}", params
    ).fetchone()[0]


def selected_rows_below(
    selection: AuditSelection, below_id: int, offset: int, limit: int
) -> list[StoredAuditRow]:
    """Up to limit selected rows with ids under below_id, newest first, skipping offset."""
    where, params = _where(selection, below=below_id)
    return _rows(
        f"SELECT id FROM audit_log a WHERE {where} ORDER BY a.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )


def rows_between(low_id: int, high_id: int) -> list[StoredAuditRow]:
    """Every row with an id from low_id to high_id, newest first."""
    return _rows(
        "SELECT id FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id DESC", (low_id, high_id)
    )


def selected_rows(
    selection: AuditSelection, offset: int, limit: int, descending: bool = True
) -> list[StoredAuditRow]:
    """Up to limit selected rows, skipping offset in id order (descending: from the newest,
    else from the oldest); returned newest first either way."""
    where, params = _where(selection)
    order = "DESC" if descending else "ASC"
    return _rows(
        f"SELECT id FROM audit_log a WHERE {where} ORDER BY a.id {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )


def audit_actions() -> list[str]:
    """Every action the log holds, alphabetically. Reads the whole log (no index on action)."""
    return [
        row[0]
        for row in database.execute_sql("SELECT DISTINCT action FROM audit_log ORDER BY action")
    ]


def stored_details(audit_id: int) -> str | None:
    """The row's details as stored, None if there is no such row."""
    row = database.execute_sql("SELECT details FROM audit_log WHERE id = ?", (audit_id,)).fetchone()
    return None if row is None else row[0]


def _where(selection: AuditSelection, below: int | None = None) -> tuple[str, tuple[object, ...]]:
    """SQL conditions on audit_log a, and their parameters; below: ids under this one only."""
    conditions: list[str] = ["true"]
    params: list[object] = []
    # One bound on id, not two: given "id <= ? AND id < ?", SQLite cannot tell which of the
    # parameters is tighter, may seek by the looser one and then step over every row between.
    bounds = [selection.newest_id, None if below is None else below - 1]
    highest = min((bound for bound in bounds if bound is not None), default=None)
    if highest is not None:
        conditions.append("a.id <= ?")
        params.append(highest)
    if selection.action is not None:
        conditions.append("a.action = ?")
        params.append(selection.action)
    if selection.staff_id is not None:
        conditions.append("a.staff_id = ?")
        params.append(selection.staff_id)
    text = selection.text.strip()
    if text:
        pattern = _like_pattern(text)
        alternatives = [
            like_nocase("a.action"),
            like_nocase("a.details"),
            f"a.staff_id IN (SELECT id FROM staff WHERE {like_nocase('name')})",
        ]
        params += [pattern, pattern, pattern]
        # Some writers store non-ASCII letters as JSON escapes (Zo\u00eb): look for those too.
        escaped = json.dumps(text)[1:-1]
        if escaped != text:
            alternatives.append(like_nocase("a.details"))
            params.append(_like_pattern(escaped))
        number = text.removeprefix("#")
        if number.isascii() and number.isdigit() and len(number) < 19:
            alternatives.append("a.entity_id = ?")
            params.append(int(number))
        conditions.append(f"({' OR '.join(alternatives)})")
    return " AND ".join(conditions), tuple(params)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _rows(ids_sql: str, params: tuple[object, ...]) -> list[StoredAuditRow]:
    """The rows whose ids ids_sql selects, newest first; the join runs on the page only."""
    return database.execute_sql(
        f"WITH page(id) AS ({ids_sql})"
        " SELECT a.id, a.occurred_at, s.name, a.action, a.entity, a.entity_id, a.details"
        " FROM page JOIN audit_log a ON a.id = page.id"
        " LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id DESC",
        params,
    ).fetchall()
