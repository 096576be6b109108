"""Today's lists: tasks due, open queries and complaints, birthdays coming up, each counted
in full and read for its first rows; and the birthdays of a day, for the daily round.

Times go in and come out in their stored form (relapp.db.fields.format_timestamp). The rules
(what is due, what is overdue, which day a 29 February birthday is kept on) are
relapp.domain.timeline.today's and relapp.domain.loyalty.daily's.

Archived and erased customers are in no list. Counts leave them out with "contact_id NOT IN
(the inactive contacts)" read from the index contact_inactive, so a count reads its own index
only, without contact rows (schema 7).
"""

from __future__ import annotations

from collections.abc import Sequence

from relapp.db.models import database
from relapp.db.store.dialect import count_true
from relapp.db.store.shops import of_shop

# Fragments shared with relapp.db.store.contacts (drifting customers, the frequency cap) and
# relapp.db.store.retention. The inactive contacts, as the index contact_inactive holds them:
INACTIVE_CONTACTS_SQL = (
    "(SELECT id FROM contact WHERE archived_at IS NOT NULL OR erased_at IS NOT NULL)"
)
# The name columns of contact c, in the order display_name takes them.
NAME_COLUMNS = "c.kind, c.given_name, c.family_name, c.organisation"
LIVE_SQL = "c.archived_at IS NULL AND c.erased_at IS NULL"
# id, contact_id, title, due_at, interaction_id, staff_id, staff name, then the NAME_COLUMNS.
TaskDueRow = tuple[int, int, str, str, int | None, int | None, str | None, str, str, str, str]
# id, contact_id, kind, summary, occurred_at, first_response_at, staff_id, staff name, then
# the NAME_COLUMNS.
OpenCaseRow = tuple[int, int, str, str, str, str | None, int | None, str | None, str, str, str, str]


# ---------------------------------------------------------------------------------- tasks


def _due_where(due_before: str, due_from: str | None, shop_id: int | None) -> tuple[str, list[str]]:
    """Tasks not done, due before due_before and (if given) from due_from on, (if given)
    of that shop."""
    bounds = [due_before]
    where = "t.done_at IS NULL AND t.due_at < ?"
    if due_from is not None:
        where += " AND t.due_at >= ?"
        bounds.append(due_from)
    if shop_id is not None:
        where += f" AND {of_shop(shop_id, 't.shop_id')}"
    return where, bounds


def count_tasks_due(due_before: str, due_from: str | None, shop_id: int | None = None) -> int:
    """How many tasks of active customers are not done and due in [due_from, due_before),
    of one shop if shop_id is given."""
    where, bounds = _due_where(due_before, due_from, shop_id)
    return database.execute_sql(
        f"SELECT count(*) FROM task t WHERE {where}"
        f" AND t.contact_id NOT IN {INACTIVE_CONTACTS_SQL}",
        bounds,
    ).fetchone()[0]


def tasks_due_rows(
    due_before: str, due_from: str | None, limit: int, shop_id: int | None = None
) -> list[TaskDueRow]:
    """Up to limit of those tasks, soonest due first: (id, contact_id, title, due_at,
    interaction_id, staff_id, staff name, then the contact's NAME_COLUMNS)."""
    where, bounds = _due_where(due_before, due_from, shop_id)
    return database.execute_sql(
        "SELECT t.id, t.contact_id, t.title, t.due_at, t.interaction_id, t.staff_id, s.name,"
        f" {NAME_COLUMNS} FROM task t JOIN contact c ON c.id = t.contact_id"
        f" LEFT JOIN staff s ON s.id = t.staff_id WHERE {where} AND {LIVE_SQL}"
        " ORDER BY t.due_at, t.contact_id, t.id LIMIT ?",
        (*bounds, limit),
    ).fetchall()


# ------------------------------------------------------------------ queries and complaints


def count_open_cases(late_before: str) -> tuple[int, int]:
    """(open queries and complaints of active customers, how many of them were opened
    before late_before)."""
    total, late = database.execute_sql(
        f"SELECT count(*), coalesce({count_true('occurred_at < ?')}, 0) FROM interaction"
        f" WHERE status = 'open' AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}",
        (late_before,),
    ).fetchone()
    return total, late


def open_case_rows(limit: int) -> list[OpenCaseRow]:
    """Up to limit open queries and complaints of active customers, oldest first: (id,
    contact_id, kind, summary, occurred_at, first_response_at, staff_id, staff name, then the
    contact's NAME_COLUMNS)."""
    return database.execute_sql(
        "SELECT i.id, i.contact_id, i.kind, i.summary, i.occurred_at, i.first_response_at,"
        f" i.staff_id, s.name, {NAME_COLUMNS}"
        " FROM interaction i JOIN contact c ON c.id = i.contact_id"
        " LEFT JOIN staff s ON s.id = i.staff_id"
        f" WHERE i.status = 'open' AND {LIVE_SQL}"
        " ORDER BY i.occurred_at, i.contact_id, i.id LIMIT ?",
        (limit,),
    ).fetchall()


# ------------------------------------------------------------------------------ birthdays


def active_birthdays_in_month(month: int, days: Sequence[int]) -> list[tuple[int, int]]:
    """(contact id, birth day) of the active customers born on one of these days of the
    month."""
    marks = ", ".join("?" for _ in days)
    # Read from the index contact_birthday alone: no contact row for a mere count.
    return database.execute_sql(
        f"SELECT id, birth_day FROM contact WHERE birth_month = ? AND birth_day IN ({marks})"
        f" AND id NOT IN {INACTIVE_CONTACTS_SQL}",
        (month, *days),
    ).fetchall()


def birth_year_and_name(contact_id: int) -> tuple[int | None, str, str, str, str]:
    """(birth_year or None, then the contact's NAME_COLUMNS)."""
    return database.execute_sql(
        f"SELECT c.birth_year, {NAME_COLUMNS} FROM contact c WHERE c.id = ?", (contact_id,)
    ).fetchone()


def contacts_born_on(month: int, days: Sequence[int]) -> list[int]:
    """The active customers born on one of these days of the month (the daily round's
    birthday bonus)."""
    marks = ", ".join("?" for _ in days)
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM contact WHERE birth_month = ? AND birth_day IN ({marks})"
            " AND archived_at IS NULL AND erased_at IS NULL",
            (month, *days),
        )
    ]
