"""A customer's answers to a survey: checked, then recorded; a low score opens a complaint.

Rules chosen here:

* Everything is checked before anything is written, and each refusal is one sentence
  (AnswerRefused): an answer to a question that is not in the survey's current version, two
  answers to one question, a value out of its question's range (a rating 1 to 5, an NPS
  score 0 to 10, yes 1 / no 0, a choice's index, several choices as a bit mask of at least
  one of the options), a text where a number belongs or the other way round, a required
  question left unanswered, nothing answered at all, an unknown or archived customer, a
  named survey without its customer, an unknown source. An answer with neither value nor
  text (or only spaces) counts as not given.
* Anonymous surveys keep nobody. The response stores only the month it was given in (for
  the monthly trend) and its id is drawn at random (relapp.db.store.surveys explains the
  numbering), so neither a column nor the order of the rows tells who answered or when. The
  customer, if given, is used only to note that they were asked (survey_asked, kept apart).
  A low score cannot open a case for nobody: nothing more is done.
* A named response keeps the customer, the moment, who typed it, and a feedback entry on
  the customer's history: its summary names the survey, its details hold the answers in
  words, its score (0 to 10, the history's scale) is the first rating or NPS answer, a
  rating r of 1 to 5 shown as (r - 1) x 2.5 rounded half up (1: 0, 2: 3, 3: 5, 4: 8, 5: 10).
* A low score (a rating at or under the survey's low_rating, an NPS score at or under its
  low_nps) opens one complaint case for the customer, dated the moment of the answer so the
  response clock runs from then; it shows in Today's open cases as any complaint does.
* Answering notes that the customer was asked (outcome answered), so the Counter does not
  offer the survey again within its ask_every_days.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.store import interactions
from relapp.db.store import surveys as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.listening.surveys import (
    NPS_RANGE,
    RATING_RANGE,
    Question,
    SurveyForm,
    Thresholds,
    survey_form,
    thresholds,
)
from relapp.domain.loyalty.ledger import check_staff, live_customer
from relapp.domain.terms import RESPONSE_SOURCES, SURVEY_KIND_NAMES
from relapp.domain.timeline.history import MAX_SUMMARY_LENGTH, clean_line
from relapp.errors import RelappError

MAX_ANSWER_TEXT = 500
NUMBERED_KINDS = frozenset({"rating", "nps"})


class AnswerRefused(RelappError):
    """The answers cannot be recorded as given; nothing was written."""


@dataclass(frozen=True)
class Answer:
    """The answer to one question."""

    question_id: int
    # rating 1-5, nps 0-10, yes_no 1/0, choice: option index, choices: bit mask (bit i =
    # option i)
    value: int | None = None
    text: str | None = None  # text questions


# ---------------------------------------------------------------------------------- checking


def _range_of(question: Question) -> tuple[int, int]:
    """The lowest and highest value a question's answer may have."""
    if question.kind == "rating":
        return RATING_RANGE
    if question.kind == "nps":
        return NPS_RANGE
    if question.kind == "yes_no":
        return (0, 1)
    if question.kind == "choice":
        return (0, len(question.options) - 1)
    return (1, (1 << len(question.options)) - 1)  # choices: at least one of them


def _given(answer: Answer) -> bool:
    return answer.value is not None or (answer.text is not None and bool(answer.text.strip()))


def _checked_answer(number: int, question: Question, answer: Answer) -> Answer:
    """The answer as stored; AnswerRefused naming the question by its number."""
    if question.kind == "text":
        if answer.value is not None or not isinstance(answer.text, str):
            raise AnswerRefused(f"Question {number} is answered in words, not with a number.")
        try:
            text = clean_line(answer.text, MAX_ANSWER_TEXT)
        except ValueError:
            raise AnswerRefused(
                f"The answer to question {number} is too long: at most {MAX_ANSWER_TEXT}"
                " characters."
            ) from None
        return Answer(question.id, None, text)
    value = answer.value
    if answer.text is not None or isinstance(value, bool) or not isinstance(value, int):
        raise AnswerRefused(f"Question {number} is answered with a choice or a number, not words.")
    low, high = _range_of(question)
    if not low <= value <= high:
        if question.kind in NUMBERED_KINDS:
            raise AnswerRefused(
                f"The answer to question {number} is a number from {low} to {high}."
            )
        if question.kind == "yes_no":
            raise AnswerRefused(f"Question {number} is answered yes or no.")
        raise AnswerRefused(f"The answer to question {number} is not one of its options.")
    return Answer(question.id, value, None)


def answer_problem(number: int, question: Question, answer: Answer | None) -> str | None:
    """What is wrong with one answer, in one sentence (None: nothing): for a form that checks
    each question as the customer moves on."""
    if answer is None or not _given(answer):
        if question.required:
            return f"Question {number} needs an answer: {question.text}"
        return None
    try:
        _checked_answer(number, question, answer)
    except AnswerRefused as refusal:
        return str(refusal)
    return None


def checked_answers(form: SurveyForm, answers: Sequence[Answer]) -> list[Answer]:
    """The answers given, checked against the form, in the order of its questions;
    AnswerRefused for the first thing wrong."""
    numbered = {question.id: (number, question)
                for number, question in enumerate(form.questions, start=1)}  # fmt: skip
    by_question: dict[int, Answer] = {}
    for answer in answers:
        if not isinstance(answer, Answer) or answer.question_id not in numbered:
            raise AnswerRefused(
                f"An answer is to a question that {form.name} does not ask (now): open the"
                " survey again."
            )
        if answer.question_id in by_question:
            number = numbered[answer.question_id][0]
            raise AnswerRefused(f"Question {number} is answered twice.")
        by_question[answer.question_id] = answer
    checked = []
    for number, question in enumerate(form.questions, start=1):
        given = by_question.get(question.id)
        if given is None or not _given(given):
            if question.required:
                raise AnswerRefused(f"Question {number} needs an answer: {question.text}")
            continue
        checked.append(_checked_answer(number, question, given))
    if not checked:
        raise AnswerRefused("Nothing was answered: answer at least one question.")
    return checked


# --------------------------------------------------------------------------------- in words


def answer_words(question: Question, answer: Answer) -> str:
    """ "4 of 5", "9 of 10", "Yes", "Cake", "Cake, Coffee" or the text as typed."""
    value = answer.value
    if question.kind == "text" or value is None:
        return answer.text or ""
    if question.kind == "rating":
        return f"{value} of {RATING_RANGE[1]}"
    if question.kind == "nps":
        return f"{value} of {NPS_RANGE[1]}"
    if question.kind == "yes_no":
        return "Yes" if value else "No"
    if question.kind == "choice":
        return question.options[value]
    return ", ".join(option for i, option in enumerate(question.options) if value >> i & 1)


def in_words(question: Question, answer: Answer) -> str:
    """The question and its answer on one line: "How was it? 4 of 5", "Bought: Cake"."""
    mark = "" if question.text.endswith(("?", ":")) else ":"
    return f"{question.text}{mark} {answer_words(question, answer)}"


def feedback_score(form: SurveyForm, answers: Sequence[Answer]) -> int | None:
    """The first rating or NPS answer on the history's 0-10 scale (module docstring)."""
    kinds = {question.id: question.kind for question in form.questions}
    for answer in answers:
        kind = kinds.get(answer.question_id)
        if kind == "nps" and answer.value is not None:
            return answer.value
        if kind == "rating" and answer.value is not None:
            return ((answer.value - 1) * 10 + 2) // 4  # (r - 1) x 2.5, half up
    return None


def low_scores(form: SurveyForm, rules: Thresholds, answers: Sequence[Answer]) -> list[str]:
    """The answers at or under the survey's thresholds, in words ("How was it? 1 of 5")."""
    questions = {question.id: question for question in form.questions}
    low = []
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None or answer.value is None:
            continue
        if (question.kind == "rating" and answer.value <= rules.low_rating) or (
            question.kind == "nps" and answer.value <= rules.low_nps
        ):
            low.append(in_words(question, answer))
    return low


def opens_case(survey_id: int, answers: Sequence[Answer]) -> bool:
    """Whether recording these answers would open a complaint case (a named survey, a low
    score): for the answer dialog to say so beforehand."""
    form = survey_form(survey_id)
    return not form.anonymous and bool(low_scores(form, thresholds(survey_id), answers))


def _one_line(text: str) -> str:
    return text if len(text) <= MAX_SUMMARY_LENGTH else text[: MAX_SUMMARY_LENGTH - 1] + "…"


# ---------------------------------------------------------------------------------- writing


def record_response(
    survey_id: int,
    answers: Sequence[Answer],
    *,
    contact_id: int | None,
    source: str,
    staff_id: int | None = None,
) -> Change:
    """Check the answers (module docstring), then record them in one transaction.

    contact_id: the customer who answered (for an anonymous survey only to note that they
    were asked); source: 'counter' or 'paper'; staff_id: who typed them.

    Raises:
        AnswerRefused: an answer, the source or the customer is wrong; nothing was written.
        SurveyRefused: there is no such survey.
        CustomerNotFound, RelappError: the customer is unknown, erased, archived or merged.
    """
    if source not in RESPONSE_SOURCES:
        raise AnswerRefused(
            f"{source!r} is not where answers come from: at the counter or on paper."
        )
    with write_transaction():
        form = survey_form(survey_id)
        checked = checked_answers(form, answers)
        if contact_id is None and not form.anonymous:
            raise AnswerRefused(
                f"{form.name} is not anonymous: its answers belong to a customer; choose the"
                " customer first."
            )
        if contact_id is not None:
            live_customer(contact_id)
        check_staff(staff_id)
        now = clock.utc_now()
        stamp = format_timestamp(now)
        month = now.astimezone().strftime("%Y-%m")  # the shop's calendar month
        if form.anonymous:
            _record_anonymous(form, checked, source, month)
        else:
            assert contact_id is not None
            _record_named(form, checked, source, month, contact_id, now, staff_id)
        if contact_id is not None:
            store.record_asked(survey_id, contact_id, stamp, "answered")
    if contact_id is None:
        return Change.of(Entity.SURVEYS)
    entities = (Entity.SURVEYS,) if form.anonymous else (Entity.SURVEYS, Entity.INTERACTIONS)
    return Change.of(*entities, contact_ids=frozenset({contact_id}))


def _random_id(taken: Callable[[int], bool]) -> int:
    """An id from the anonymous range that taken(id) says is free."""
    while True:
        drawn = store.NAMED_ID_LIMIT + secrets.randbelow(store.ANONYMOUS_IDS)
        if not taken(drawn):
            return drawn


def _record_anonymous(form: SurveyForm, answers: list[Answer], source: str, month: str) -> None:
    response_id = _random_id(store.response_id_taken)
    store.insert_anonymous_response(response_id, form.survey_id, form.version_id, source, month)
    for answer in answers:
        store.insert_answer(response_id, answer.question_id, answer.value, answer.text,
                            _random_id(store.answer_id_taken))  # fmt: skip


def _record_named(
    form: SurveyForm, answers: list[Answer], source: str, month: str, contact_id: int,
    now: datetime, staff_id: int | None,
) -> None:  # fmt: skip
    stamp = format_timestamp(now)
    questions = {question.id: question for question in form.questions}
    details = "\n".join(in_words(questions[answer.question_id], answer) for answer in answers)
    entry = {
        "contact_id": contact_id, "direction": "inbound", "occurred_at": stamp,
        "details": details, "staff_id": staff_id, "created_at": stamp, "updated_at": stamp,
    }  # fmt: skip
    what = f"{SURVEY_KIND_NAMES[form.kind]}: {form.name}"
    interaction_id = interactions.insert_interaction(
        {**entry, "kind": "feedback", "summary": _one_line(what),
         "feedback_score": feedback_score(form, answers)}
    )  # fmt: skip
    response_id = store.insert_named_response(
        form.survey_id, form.version_id, source, month, contact_id, stamp, staff_id,
        interaction_id,
    )  # fmt: skip
    for answer in answers:
        store.insert_answer(response_id, answer.question_id, answer.value, answer.text)
    low = low_scores(form, thresholds(form.survey_id), answers)
    if low:
        interactions.insert_interaction(
            {**entry, "kind": "complaint", "status": "open",
             "summary": _one_line(f"Low score in {form.name}: {'; '.join(low)}")}
        )  # fmt: skip
