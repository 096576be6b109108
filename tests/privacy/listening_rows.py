"""Surveys, their answers and competitions as schema 21 stores them, written with plain SQL
(both engines): the tests of a person's data, merges and the check need the rows, whatever
the screens that will make them do."""

from __future__ import annotations

import json
from dataclasses import dataclass

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.domain.clock import utc_now


def _insert(sql: str, params: tuple) -> int:
    return database.execute_sql(f"{sql} RETURNING id", params).fetchone()[0]


def _now() -> str:
    return format_timestamp(utc_now())


@dataclass(frozen=True)
class Survey:
    id: int
    version_id: int
    questions: dict[str, int]  # kind -> question id


# The questions of the survey every test asks: one of each kind.
QUESTIONS = (
    ("rating", "How was your visit today?", []),
    ("nps", "How likely are you to recommend us?", []),
    ("choice", "How did you hear of us?", ["A friend", "Instagram", "Walking past"]),
    ("choices", "What do you buy here?", ["Coffee", "Cake", "Gifts", "Scarves"]),
    ("yes_no", "Did you find everything?", []),
    ("text", "Anything else?", []),
)


def make_survey(name: str = "After the sale", *, anonymous: bool = False) -> Survey:
    now = _now()
    survey_id = _insert(
        "INSERT INTO survey (name, anonymous, active, created_at, updated_at)"
        " VALUES (?, ?, 1, ?, ?)",
        (name, int(anonymous), now, now),
    )
    version_id = _insert(
        "INSERT INTO survey_version (survey_id, number, created_at) VALUES (?, 1, ?)",
        (survey_id, now),
    )
    questions = {
        kind: _insert(
            "INSERT INTO survey_question (version_id, position, kind, text, options)"
            " VALUES (?, ?, ?, ?, ?)",
            (version_id, position, kind, text, json.dumps(options)),
        )
        for position, (kind, text, options) in enumerate(QUESTIONS, start=1)
    }
    return Survey(survey_id, version_id, questions)


def answer(survey: Survey, contact_id: int | None, answers: dict[str, int | str], **named) -> int:
    """A response (named if contact_id, with its feedback interaction if given in named)
    with these answers (question kind -> value, or text for a text question); its id."""
    month = _now()[:7]
    if contact_id is None:
        response_id = _insert(
            "INSERT INTO survey_response (survey_id, version_id, source, answered_month)"
            " VALUES (?, ?, 'paper', ?)",
            (survey.id, survey.version_id, month),
        )
    else:
        response_id = _insert(
            "INSERT INTO survey_response (survey_id, version_id, source, answered_month,"
            " contact_id, answered_at, interaction_id) VALUES (?, ?, 'counter', ?, ?, ?, ?)",
            (survey.id, survey.version_id, month, contact_id, _now(),
             named.get("interaction_id")),
        )  # fmt: skip
    for kind, given in answers.items():
        value, text = (None, given) if isinstance(given, str) else (given, None)
        database.execute_sql(
            "INSERT INTO survey_answer (response_id, question_id, value, text) VALUES (?, ?, ?, ?)",
            (response_id, survey.questions[kind], value, text),
        )
    return response_id


def asked(survey: Survey, contact_id: int, outcome: str = "answered") -> int:
    return _insert(
        "INSERT INTO survey_asked (survey_id, contact_id, asked_at, outcome) VALUES (?, ?, ?, ?)",
        (survey.id, contact_id, _now(), outcome),
    )


def make_competition(name: str = "Win a hamper") -> int:
    now = _now()
    return _insert(
        "INSERT INTO competition (name, starts_on, ends_on, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, now[:10], "2099-12-31", now, now),
    )


def enter(competition_id: int, contact_id: int | None, route: str = "counter", **named) -> int:
    return _insert(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at,"
        " interaction_id) VALUES (?, ?, ?, ?, ?)",
        (competition_id, contact_id, route, _now(), named.get("interaction_id")),
    )


def draw(competition_id: int, *winning_entries: int) -> None:
    """A recorded draw over every entry of the competition, these entries its winners."""
    entries = [
        row[0]
        for row in database.execute_sql(
            "SELECT id FROM competition_entry WHERE competition_id = ? ORDER BY id",
            (competition_id,),
        )
    ]
    database.execute_sql(
        "INSERT INTO competition_draw (competition_id, drawn_at, seed, entry_ids)"
        " VALUES (?, ?, 'seed-42', ?)",
        (competition_id, _now(), json.dumps(entries)),
    )
    for position, entry_id in enumerate(winning_entries, start=1):
        database.execute_sql(
            "INSERT INTO competition_winner (competition_id, position, entry_id) VALUES (?, ?, ?)",
            (competition_id, position, entry_id),
        )
