"""A contact's profile as the counter shows it, and the consent log's events per channel.

Each read is one indexed query. Times come out in their stored form
(relapp.db.fields.parse_timestamp reads them); what they mean (overdue, birthday soon, the
current consent) is relapp.domain.contacts.profiles'.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import parse_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import in_json_list

# id, kind, given_name, family_name, organisation, ladder_stage, tier name, points_balance,
# card_number, phone, email, archived_at, birth_year, birth_month, birth_day.
ProfileRow = tuple[
    int, str, str, str, str, str, str | None, int, str | None, str | None, str | None,
    str | None, int | None, int | None, int | None,
]  # fmt: skip


def contact_clue_rows(
    contact_ids: Iterable[int],
) -> list[tuple[int, str | None, str | None, str | None, str | None]]:
    """(id, phone, email, card_number, last visit or None) of these contacts, in one query
    (the last visit from contact_rhythm, schema 7)."""
    return database.execute_sql(
        "SELECT c.id, c.phone, c.email, c.card_number, r.last_visit_at FROM contact c"
        " LEFT JOIN contact_rhythm r ON r.contact_id = c.id"
        f" WHERE c.id {in_json_list()}",
        (json.dumps(sorted(set(contact_ids))),),
    ).fetchall()


def profile_contact_row(contact_id: int) -> ProfileRow | None:
    """(id, kind, given_name, family_name, organisation, ladder_stage, tier name,
    points_balance, card_number, phone, email, archived_at, birth_year, birth_month,
    birth_day) of a contact not erased; None if there is none."""
    return database.execute_sql(
        "SELECT c.id, c.kind, c.given_name, c.family_name, c.organisation, c.ladder_stage,"
        " t.name, c.points_balance, c.card_number, c.phone, c.email, c.archived_at,"
        " c.birth_year, c.birth_month, c.birth_day"
        " FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        " WHERE c.id = ? AND c.erased_at IS NULL",
        (contact_id,),
    ).fetchone()


def visit_count_and_last(contact_id: int) -> tuple[int, str | None]:
    """How many visits and purchases the contact has, and when the latest was."""
    return database.execute_sql(
        "SELECT count(*), max(occurred_at) FROM interaction"
        " WHERE contact_id = ? AND kind IN ('visit', 'purchase')",
        (contact_id,),
    ).fetchone()


def open_case_rows(contact_id: int) -> list[tuple[int, str, str, str]]:
    """(id, kind, summary, occurred_at) of the contact's open interactions, oldest first."""
    return database.execute_sql(
        "SELECT id, kind, summary, occurred_at FROM interaction"
        " WHERE contact_id = ? AND status = 'open' ORDER BY occurred_at",
        (contact_id,),
    ).fetchall()


def preference_rows(contact_id: int) -> list[tuple[str, str]]:
    """(kind, value) of the contact's preferences, in the order they were added."""
    return database.execute_sql(
        "SELECT kind, value FROM preference WHERE contact_id = ? ORDER BY id", (contact_id,)
    ).fetchall()


def open_task_rows(contact_id: int) -> list[tuple[int, str, str]]:
    """(id, title, due_at) of the contact's tasks not done, soonest due first."""
    return database.execute_sql(
        "SELECT id, title, due_at FROM task WHERE contact_id = ? AND done_at IS NULL"
        " ORDER BY due_at, id",
        (contact_id,),
    ).fetchall()


@dataclass(frozen=True)
class ConsentEvent:
    channel: str
    granted: bool
    occurred_at: datetime
    method: str


def consent_events(contact_id: int) -> list[ConsentEvent]:
    """The contact's consent log, oldest first (the latest event of a channel decides)."""
    return [
        ConsentEvent(channel, bool(granted), parse_timestamp(occurred_at), method)
        for channel, granted, occurred_at, method in database.execute_sql(
            "SELECT channel, granted, occurred_at, method FROM consent WHERE contact_id = ?"
            " ORDER BY occurred_at, id",
            (contact_id,),
        )
    ]
