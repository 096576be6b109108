"""Surveys and polls (schema 21): the surveys, their versions and questions, the responses
and their answers, and when each customer was asked at the counter (survey_asked).

Moments go in and come out in the stored timestamp form; a question's options go in and come
out as a tuple of labels (stored as a JSON list). What they mean is
relapp.domain.listening's.

Response and answer ids. An anonymous response must not be told apart by its place among the
rows: its id, and its answers' ids, are drawn at random by the caller from ANONYMOUS_IDS; a
named response and its answers take the next id below that range (NAMED_ID_LIMIT), so the
engine's own counter (which on SQLite follows the largest id) never numbers a named row just
after an anonymous one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import equal_nocase

# Named responses and answers are numbered 1, 2, 3... below this; anonymous ones are drawn
# from [NAMED_ID_LIMIT, NAMED_ID_LIMIT + ANONYMOUS_IDS).
NAMED_ID_LIMIT = 1 << 32
ANONYMOUS_IDS = (1 << 53) - NAMED_ID_LIMIT

SURVEY_COLUMNS = (
    "id", "name", "kind", "anonymous", "active", "ask_every_days", "low_rating", "low_nps",
    "created_at", "updated_at",
)  # fmt: skip
_EDITABLE = frozenset(SURVEY_COLUMNS) - {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class SurveyRow:
    id: int
    name: str
    kind: str
    anonymous: bool
    active: bool
    ask_every_days: int
    low_rating: int
    low_nps: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class VersionRow:
    id: int
    survey_id: int
    number: int
    intro: str


@dataclass(frozen=True)
class QuestionRow:
    id: int
    version_id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]
    required: bool


def _survey(row: Sequence[object]) -> SurveyRow:
    values = list(row)
    values[3], values[4] = bool(values[3]), bool(values[4])
    return SurveyRow(*values)  # type: ignore[arg-type]


def _select_surveys(where: str) -> str:
    return f"SELECT {', '.join(SURVEY_COLUMNS)} FROM survey {where}"


# ---------------------------------------------------------------------------------- surveys


def survey_rows() -> list[SurveyRow]:
    """Every survey, by name."""
    cursor = database.execute_sql(_select_surveys("ORDER BY lower(name), id"))
    return [_survey(row) for row in cursor.fetchall()]


def survey_row(survey_id: int) -> SurveyRow | None:
    row = database.execute_sql(_select_surveys("WHERE id = ?"), (survey_id,)).fetchone()
    return None if row is None else _survey(row)


def survey_named(name: str, other_than: int | None = None) -> SurveyRow | None:
    """The survey called name in any letter case (not other_than), if there is one."""
    row = database.execute_sql(
        _select_surveys(f"WHERE {equal_nocase('name')} AND id <> ?"), (name, other_than or 0)
    ).fetchone()
    return None if row is None else _survey(row)


def active_survey_rows() -> list[SurveyRow]:
    """The active surveys, oldest first (the Counter offers the first one due)."""
    cursor = database.execute_sql(_select_surveys("WHERE active = 1 ORDER BY id"))
    return [_survey(row) for row in cursor.fetchall()]


def save_survey(survey_id: int | None, values: Mapping[str, object], now: str) -> int:
    """Insert (survey_id None) or update a survey from column -> value; its id."""
    unknown = set(values) - _EDITABLE
    if unknown:
        raise ValueError(f"not survey columns: {sorted(unknown)}")
    if survey_id is None:
        columns = [*values, "created_at", "updated_at"]
        return database.execute_sql(
            f"INSERT INTO survey ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))}) RETURNING id",
            (*values.values(), now, now),
        ).fetchone()[0]
    assignments = "".join(f"{column} = ?, " for column in values)
    database.execute_sql(
        f"UPDATE survey SET {assignments}updated_at = ? WHERE id = ?",
        (*values.values(), now, survey_id),
    )
    return survey_id


def response_counts() -> dict[int, int]:
    """survey id -> how many responses it has (surveys with any)."""
    return dict(
        database.execute_sql(
            "SELECT survey_id, count(*) FROM survey_response GROUP BY survey_id"
        ).fetchall()
    )


def current_version_numbers() -> dict[int, int]:
    """survey id -> the number of its current (highest) version."""
    return dict(
        database.execute_sql(
            "SELECT survey_id, max(number) FROM survey_version GROUP BY survey_id"
        ).fetchall()
    )


# --------------------------------------------------------------------- versions, questions


def current_version(survey_id: int) -> VersionRow | None:
    """The survey's version with the highest number, if it has one."""
    row = database.execute_sql(
        "SELECT id, survey_id, number, intro FROM survey_version WHERE survey_id = ?"
        " ORDER BY number DESC LIMIT 1",
        (survey_id,),
    ).fetchone()
    return None if row is None else VersionRow(*row)


def insert_version(survey_id: int, number: int, intro: str, now: str) -> int:
    return database.execute_sql(
        "INSERT INTO survey_version (survey_id, number, intro, created_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        (survey_id, number, intro, now),
    ).fetchone()[0]


def set_version_intro(version_id: int, intro: str) -> None:
    database.execute_sql("UPDATE survey_version SET intro = ? WHERE id = ?", (intro, version_id))


def version_questions(version_id: int) -> list[QuestionRow]:
    """The version's questions in order."""
    rows = database.execute_sql(
        "SELECT id, version_id, position, kind, text, options, required FROM survey_question"
        " WHERE version_id = ? ORDER BY position",
        (version_id,),
    ).fetchall()
    return [
        QuestionRow(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])),
                    bool(row[6]))
        for row in rows
    ]  # fmt: skip


def delete_questions(version_id: int) -> None:
    """Every question of a version (one nobody has answered: the domain makes sure)."""
    database.execute_sql("DELETE FROM survey_question WHERE version_id = ?", (version_id,))


def insert_question(
    version_id: int, position: int, kind: str, text: str, options: Sequence[str], required: bool
) -> int:
    return database.execute_sql(
        "INSERT INTO survey_question (version_id, position, kind, text, options, required)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (version_id, position, kind, text, json.dumps(list(options), ensure_ascii=False),
         int(required)),
    ).fetchone()[0]  # fmt: skip


def version_has_responses(version_id: int) -> bool:
    return (
        database.execute_sql(
            "SELECT 1 FROM survey_response WHERE version_id = ? LIMIT 1", (version_id,)
        ).fetchone()
        is not None
    )


def survey_has_responses(survey_id: int) -> bool:
    return (
        database.execute_sql(
            "SELECT 1 FROM survey_response WHERE survey_id = ? LIMIT 1", (survey_id,)
        ).fetchone()
        is not None
    )


# -------------------------------------------------------------------------------- responses


def response_id_taken(response_id: int) -> bool:
    return (
        database.execute_sql(
            "SELECT 1 FROM survey_response WHERE id = ?", (response_id,)
        ).fetchone()
        is not None
    )


def answer_id_taken(answer_id: int) -> bool:
    return (
        database.execute_sql("SELECT 1 FROM survey_answer WHERE id = ?", (answer_id,)).fetchone()
        is not None
    )


def insert_anonymous_response(
    response_id: int, survey_id: int, version_id: int, source: str, answered_month: str
) -> None:
    """A response that keeps nobody and no moment, under an id drawn by the caller."""
    database.execute_sql(
        "INSERT INTO survey_response (id, survey_id, version_id, source, answered_month)"
        " VALUES (?, ?, ?, ?, ?)",
        (response_id, survey_id, version_id, source, answered_month),
    )


def insert_named_response(
    survey_id: int,
    version_id: int,
    source: str,
    answered_month: str,
    contact_id: int,
    answered_at: str,
    staff_id: int | None,
    interaction_id: int | None,
) -> int:
    """A customer's response, numbered next among the named ones; its id."""
    return database.execute_sql(
        "INSERT INTO survey_response (id, survey_id, version_id, source, answered_month,"
        " contact_id, answered_at, staff_id, interaction_id)"
        " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM survey_response WHERE id < ?),"
        " ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (NAMED_ID_LIMIT, survey_id, version_id, source, answered_month, contact_id,
         answered_at, staff_id, interaction_id),
    ).fetchone()[0]  # fmt: skip


def insert_answer(
    response_id: int, question_id: int, value: int | None, text: str | None,
    answer_id: int | None = None,
) -> None:  # fmt: skip
    """One answer; answer_id: drawn by the caller (an anonymous response's), else the next
    named one."""
    if answer_id is not None:
        database.execute_sql(
            "INSERT INTO survey_answer (id, response_id, question_id, value, text)"
            " VALUES (?, ?, ?, ?, ?)",
            (answer_id, response_id, question_id, value, text),
        )
        return
    database.execute_sql(
        "INSERT INTO survey_answer (id, response_id, question_id, value, text)"
        " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM survey_answer WHERE id < ?),"
        " ?, ?, ?, ?)",
        (NAMED_ID_LIMIT, response_id, question_id, value, text),
    )


def response_row(response_id: int) -> tuple[object, ...] | None:
    """(survey_id, version_id, source, answered_month, contact_id, answered_at, staff_id,
    interaction_id) of a response."""
    return database.execute_sql(
        "SELECT survey_id, version_id, source, answered_month, contact_id, answered_at,"
        " staff_id, interaction_id FROM survey_response WHERE id = ?",
        (response_id,),
    ).fetchone()


def response_answers(response_id: int) -> list[tuple[int, int | None, str | None]]:
    """(question_id, value, text) of a response's answers, by question position."""
    return database.execute_sql(
        "SELECT a.question_id, a.value, a.text FROM survey_answer a"
        " JOIN survey_question q ON q.id = a.question_id"
        " WHERE a.response_id = ? ORDER BY q.position",
        (response_id,),
    ).fetchall()


# -------------------------------------------------------------------------------- asking


def record_asked(survey_id: int, contact_id: int, asked_at: str, outcome: str) -> None:
    database.execute_sql(
        "INSERT INTO survey_asked (survey_id, contact_id, asked_at, outcome) VALUES (?, ?, ?, ?)",
        (survey_id, contact_id, asked_at, outcome),
    )


def last_asked(contact_id: int) -> dict[int, str]:
    """survey id -> when the customer was last asked it (answered or declined)."""
    return dict(
        database.execute_sql(
            "SELECT survey_id, max(asked_at) FROM survey_asked WHERE contact_id = ?"
            " GROUP BY survey_id",
            (contact_id,),
        ).fetchall()
    )


def askings_between(contact_id: int, after: str, until: str) -> int:
    """How many times the customer was asked any survey after after, up to until."""
    return database.execute_sql(
        "SELECT count(*) FROM survey_asked WHERE contact_id = ? AND asked_at > ? AND asked_at <= ?",
        (contact_id, after, until),
    ).fetchone()[0]


def asked_rows(contact_id: int) -> list[tuple[int, str, str]]:
    """(survey_id, asked_at, outcome) of every asking of the customer, oldest first."""
    return database.execute_sql(
        "SELECT survey_id, asked_at, outcome FROM survey_asked WHERE contact_id = ?"
        " ORDER BY asked_at, id",
        (contact_id,),
    ).fetchall()
