"""Tasks: follow-ups with a due moment, optionally tied to an interaction of the customer.

Times go in and come out in their stored form (relapp.db.fields.format_timestamp). The rules
(titles, due dates, who may add one) are relapp.domain.timeline.follow_ups'; Today's lists of tasks
due
are in relapp.db.store.today.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from relapp.db.models import database
from relapp.db.store.dialect import in_json_list


def insert_task(
    contact_id: int,
    interaction_id: int | None,
    title: str,
    due_at: str,
    staff_id: int | None,
    created_at: str,
) -> int:
    """A new task, not done; returns its id."""
    return database.execute_sql(
        "INSERT INTO task (contact_id, interaction_id, title, due_at, staff_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (contact_id, interaction_id, title, due_at, staff_id, created_at),
    ).fetchone()[0]


def task_contact(task_id: int) -> int | None:
    """The contact the task is for, None if there is no such task."""
    row = database.execute_sql("SELECT contact_id FROM task WHERE id = ?", (task_id,)).fetchone()
    return None if row is None else row[0]


def mark_done(task_id: int, done_at: str) -> bool:
    """Mark the task done at done_at unless it is done already; whether it changed."""
    return bool(
        database.execute_sql(
            "UPDATE task SET done_at = ? WHERE id = ? AND done_at IS NULL", (done_at, task_id)
        ).rowcount
    )


def mark_not_done(task_id: int) -> bool:
    """Mark a done task as not done; whether it was done."""
    return bool(
        database.execute_sql(
            "UPDATE task SET done_at = NULL WHERE id = ? AND done_at IS NOT NULL", (task_id,)
        ).rowcount
    )


def contact_task_rows(
    contact_id: int,
) -> list[tuple[int, int | None, str, str, str, str | None, str | None, str]]:
    """The contact's tasks, open ones by due moment, then done ones, latest done first: (id,
    interaction_id, the tied interaction's summary or "", title, due_at, staff name, done_at,
    created_at)."""
    return database.execute_sql(
        "SELECT t.id, t.interaction_id, coalesce(i.summary, ''), t.title, t.due_at, s.name,"
        " t.done_at, t.created_at FROM task t"
        " LEFT JOIN interaction i ON i.id = t.interaction_id"
        " LEFT JOIN staff s ON s.id = t.staff_id WHERE t.contact_id = ?"
        " ORDER BY t.done_at IS NOT NULL, CASE WHEN t.done_at IS NULL THEN t.due_at END,"
        " t.done_at DESC, t.id",
        (contact_id,),
    ).fetchall()


def open_tasks_by_interaction(interaction_ids: Iterable[int]) -> dict[int, int]:
    """interaction id -> how many tasks tied to it are not done (only those with some)."""
    return dict(
        database.execute_sql(
            "SELECT interaction_id, count(*) FROM task"
            f" WHERE interaction_id {in_json_list()} AND done_at IS NULL"
            " GROUP BY interaction_id",
            (json.dumps(list(interaction_ids)),),
        ).fetchall()
    )
