"""Survey results and paper forms (schema 21): what the results' statistics
(relapp.domain.listening.results) and the paper forms (relapp.domain.listening.paper) read.

A survey can hold half a million responses, so nothing here loads answers one by one: the
answers are counted in SQL, grouped by question, month, the respondent's tier and ladder stage
and the value (answer_groups: one pass over the survey's responses), and only the free-text
answers come back as rows, newest first and as many as asked for. What the counts mean (a
distribution, an average, an NPS) is the domain's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import ordered


@dataclass(frozen=True)
class SurveyRow:
    id: int
    name: str
    kind: str  # survey or poll
    anonymous: bool
    active: bool


@dataclass(frozen=True)
class VersionRow:
    id: int
    number: int
    intro: str
    created_at: str
    responses: int
    anonymous_responses: int  # of those, keeping no customer


@dataclass(frozen=True)
class QuestionRow:
    id: int
    version_id: int
    position: int
    kind: str  # rating, nps, choice, choices, yes_no or text
    text: str
    options: tuple[str, ...]  # the choices' labels (choice and choices only)
    required: bool


@dataclass(frozen=True)
class AnswerGroup:
    """How many answers to a question share a month, a tier, a stage and a value."""

    question_id: int
    month: str  # YYYY-MM
    tier_id: int | None  # the respondent's tier now (None: no tier, anonymous, or not read)
    stage: str | None  # the respondent's ladder stage now (None: anonymous, or not read)
    named: bool  # the response keeps its customer
    value: int | None  # None: a text answer
    answers: int


@dataclass(frozen=True)
class TextRow:
    question_id: int
    text: str
    month: str  # YYYY-MM
    answered_at: str | None  # None for an anonymous response
    contact_id: int | None
    source: str  # counter or paper
    # The customer's kind, given and family name and organisation (None: anonymous, erased).
    name: tuple[str, str, str, str] | None


_SURVEY_COLUMNS = "s.id, s.name, s.kind, s.anonymous, s.active"


def _survey(row: tuple[int, str, str, int, int]) -> SurveyRow:
    survey_id, name, kind, anonymous, active = row
    return SurveyRow(survey_id, name, kind, bool(anonymous), bool(active))


def survey_row(survey_id: int) -> SurveyRow | None:
    row = database.execute_sql(
        f"SELECT {_SURVEY_COLUMNS} FROM survey s WHERE s.id = ?", (survey_id,)
    ).fetchone()
    return None if row is None else _survey(row)


def version_rows(survey_id: int) -> list[VersionRow]:
    """The survey's versions, the current (highest number) first, with their responses."""
    rows = database.execute_sql(
        "SELECT v.id, v.number, v.intro, v.created_at, coalesce(n.responses, 0),"
        " coalesce(n.anonymous, 0) FROM survey_version v LEFT JOIN"
        " (SELECT version_id, count(*) AS responses,"
        "   count(*) - count(contact_id) AS anonymous"
        "   FROM survey_response WHERE survey_id = ? GROUP BY version_id) AS n"
        " ON n.version_id = v.id"
        " WHERE v.survey_id = ? ORDER BY v.number DESC",
        (survey_id, survey_id),
    ).fetchall()
    return [VersionRow(*row) for row in rows]


def question_rows(survey_id: int) -> list[QuestionRow]:
    """Every version's questions, by version (the current first), then position."""
    rows = database.execute_sql(
        "SELECT q.id, q.version_id, q.position, q.kind, q.text, q.options, q.required"
        " FROM survey_question q JOIN survey_version v ON v.id = q.version_id"
        " WHERE v.survey_id = ? ORDER BY v.number DESC, q.position",
        (survey_id,),
    ).fetchall()
    return [
        QuestionRow(
            int(question_id), int(version_id), int(position), str(kind), str(text),
            tuple(str(option) for option in json.loads(options or "[]")), bool(required),
        )
        for question_id, version_id, position, kind, text, options, required in rows
    ]  # fmt: skip


def responses_by_month(survey_id: int) -> list[tuple[str, int]]:
    """(YYYY-MM, responses) for each month the survey was answered in, in order."""
    return [
        (str(month), int(count))
        for month, count in database.execute_sql(
            "SELECT answered_month, count(*) FROM survey_response WHERE survey_id = ?"
            " GROUP BY answered_month ORDER BY answered_month",
            (survey_id,),
        ).fetchall()
    ]


# The ladder's stages in its order, as the CHECK on contact.ladder_stage has them; an
# anonymous response (no customer) counts as the stage after the last.
_STAGES = ("prospect", "customer", "client", "supporter", "advocate", "partner")
_NO_STAGE = len(_STAGES) + 1  # a stage not read, or not one of these (a newer version's)
_STAGE_SLOTS = len(_STAGES) + 2
_INT64 = 2**62  # a packed key stays below this


def answer_groups(survey_id: int, customers: bool = True) -> list[AnswerGroup]:
    """Every answer to the survey, counted by question, month, whether the response is named,
    and value; and, with customers, by the respondent's tier and stage as they are now
    (without: tier_id and stage are None: reading half a million customers is half the work).

    One pass over the survey's responses, each read once with its customer, then joined to its
    answers. For speed at half a million responses (docs/performance.md):
    * the responses and their customers' tier and stage are a table of their own
      (MATERIALIZED): flattened into the join, the customer would be read once per answer;
    * a response's month, tier and stage are one small number (its code), and a question,
      code and value one bigint: sorting a million and a half rows to group them (SQLite
      sorts to group) takes a third less time on one integer than on six columns.
    """
    spans = database.execute_sql(
        "SELECT min(r.answered_month), max(r.answered_month),"
        " (SELECT min(q.id) FROM survey_question q JOIN survey_version v ON v.id = q.version_id"
        "   WHERE v.survey_id = :survey),"
        " (SELECT max(q.id) FROM survey_question q JOIN survey_version v ON v.id = q.version_id"
        "   WHERE v.survey_id = :survey),"
        " (SELECT coalesce(max(id), 0) FROM tier)"
        " FROM survey_response r WHERE r.survey_id = :survey",
        {"survey": survey_id},
    ).fetchone()
    first_month, last_month, first_question, last_question, last_tier = spans
    if first_month is None or first_question is None:
        return []
    highest = max(
        (
            database.execute_sql(
                "SELECT max(value) FROM survey_answer WHERE question_id = ?", (question_id,)
            ).fetchone()[0]
            or 0
            for question_id in _survey_question_ids(survey_id)
        ),
        default=0,
    )
    first = _month_index(first_month)
    tiers = int(last_tier) + 2  # slot 0: no tier or anonymous; tier n: slot n + 1... n + 1
    codes = (_month_index(last_month) - first + 1) * tiers * _STAGE_SLOTS
    values = int(highest) + 2  # slot 0: a written answer; value v: slot v + 1
    questions = int(last_question) - int(first_question) + 1
    packed = questions * codes * values < _INT64
    month = (
        "CAST(substr(r.answered_month, 1, 4) AS INTEGER) * 12"
        " + CAST(substr(r.answered_month, 6, 2) AS INTEGER) - 1"
    )
    if customers:
        responses = "survey_response r LEFT JOIN contact c ON c.id = r.contact_id"
        tier = "CASE WHEN c.tier_id IS NULL THEN 0 ELSE c.tier_id + 1 END"
        stage = (
            "CASE c.ladder_stage "
            + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(_STAGES))
            + f" ELSE {_NO_STAGE} END"
        )
    else:
        responses, tier, stage = "survey_response r", "0", str(_NO_STAGE)
    code = (
        f"((({month}) - {first}) * {tiers} + {tier}) * {_STAGE_SLOTS}"
        f" + CASE WHEN r.contact_id IS NULL THEN {len(_STAGES)} ELSE {stage} END"
    )
    value = "CASE WHEN a.value IS NULL THEN 0 ELSE a.value + 1 END"
    if packed:
        key = f"((a.question_id - {int(first_question)}) * {codes} + f.code) * {values} + {value}"
        grouped = "key"
    else:  # ids or values too far apart to pack: group on the columns themselves
        key = f"a.question_id AS question_id, f.code AS code, {value}"
        grouped = "question_id, code, key"
    rows = database.execute_sql(
        f"WITH f AS MATERIALIZED (SELECT r.id, {code} AS code FROM {responses}"
        " WHERE r.survey_id = ?)"
        f" SELECT {key} AS key, count(*)"
        f" FROM f JOIN survey_answer a ON a.response_id = f.id GROUP BY {grouped}",
        (survey_id,),
    ).fetchall()
    found = []
    for row in rows:
        if packed:
            question_code, slot = divmod(int(row[0]), values)
            question, response_code = divmod(question_code, codes)
            question_id, answers = question + int(first_question), row[1]
        else:
            question_id, response_code, slot, answers = row
        month_tier, stage_slot = divmod(int(response_code), _STAGE_SLOTS)
        month_offset, tier_slot = divmod(month_tier, tiers)
        index = first + month_offset
        named = stage_slot != len(_STAGES)
        found.append(
            AnswerGroup(
                int(question_id), f"{index // 12:04d}-{index % 12 + 1:02d}",
                tier_slot - 1 if tier_slot else None,
                _STAGES[stage_slot] if stage_slot < len(_STAGES) else None, named,
                int(slot) - 1 if slot else None, int(answers),
            )
        )  # fmt: skip
    return found


def segment_value_counts(
    survey_id: int, where: str, params: Sequence[object]
) -> list[tuple[int, int | None, int]]:
    """(question id, value, answers) of the survey's answers from the customers who meet a
    segment's condition now (an SQL condition on the bare contact table and its parameters,
    as relapp.domain.contacts.listing.filter_where makes them). The segment is read once, as
    a set of ids joined to the responses: a hash join on a server; on SQLite, the planner
    walks the members' responses (survey_response_contact) or the responses with an index
    built on the set."""
    rows = database.execute_sql(
        f"WITH s AS MATERIALIZED (SELECT id FROM contact WHERE {where})"
        " SELECT a.question_id, a.value, count(*) FROM survey_response r"
        " JOIN s ON s.id = r.contact_id JOIN survey_answer a ON a.response_id = r.id"
        " WHERE r.survey_id = ? GROUP BY a.question_id, a.value",
        (*params, survey_id),
    ).fetchall()
    return [(int(question_id), value, int(count)) for question_id, value, count in rows]


def _month_index(month: str) -> int:
    """Months since the year 0 of a YYYY-MM month."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _survey_question_ids(survey_id: int) -> list[int]:
    return [
        int(row[0])
        for row in database.execute_sql(
            "SELECT q.id FROM survey_question q JOIN survey_version v ON v.id = q.version_id"
            " WHERE v.survey_id = ?",
            (survey_id,),
        ).fetchall()
    ]


def question_texts(question_id: int, limit: int | None = None) -> list[TextRow]:
    """The question's written answers, newest first (by month, then moment: an anonymous
    response keeps only its month), at most limit of them (None: all)."""
    rows = database.execute_sql(
        "SELECT a.question_id, a.text, r.answered_month, r.answered_at, r.contact_id, r.source,"
        " c.kind, c.given_name, c.family_name, c.organisation"
        " FROM survey_answer a JOIN survey_response r ON r.id = a.response_id"
        " LEFT JOIN contact c ON c.id = r.contact_id AND c.erased_at IS NULL"
        " WHERE a.question_id = ? AND a.text IS NOT NULL AND a.text <> ''"
        f" ORDER BY r.answered_month DESC, {ordered('r.answered_at', descending=True)},"
        f" r.id DESC{'' if limit is None else ' LIMIT ?'}",
        (question_id,) if limit is None else (question_id, limit),
    ).fetchall()
    return [
        TextRow(question, text, month, at, contact_id, source,
                None if kind is None else (kind, given, family, organisation))
        for question, text, month, at, contact_id, source, kind, given, family, organisation
        in rows
    ]  # fmt: skip


def tier_names_by_id() -> list[tuple[int, str]]:
    """(id, name) of every tier, from the lowest spend threshold up."""
    return [
        (int(tier_id), str(name))
        for tier_id, name in database.execute_sql(
            "SELECT id, name FROM tier ORDER BY min_spend_cents, id"
        ).fetchall()
    ]
