"""Surveys and polls the shop defines: their questions, and the form a survey is asked in.

Rules chosen here:

* A survey has a name (unique in any letter case, at most 100 characters), a kind (a survey
  of one or more questions, or a poll: exactly one question), whether it is anonymous,
  whether it is active (offered at the Counter), how often a customer may be asked
  (ask_every_days, 0 to 3,650: 0 asks at every sale), the low-score thresholds that open a
  complaint case (a rating at or under low_rating, 0 to 5, 0 never; an NPS score at or under
  low_nps, -1 to 10, -1 never), an intro read to the customer and its questions.
* A question has a kind (terms.QUESTION_KINDS), a text (one line, at most 200 characters)
  and whether it must be answered; a choice or several choices has 2 to 20 options, distinct
  in any letter case, none empty (at most 60 characters each); the other kinds have none.
  A survey has 1 to 30 questions. Each refusal is one sentence (SurveyRefused).
* Versions. The questions and the intro are a survey's version. Saving changed questions
  or intro of a survey whose current version has answers makes a new version, so the old
  answers stay with the questions they answered; a version nobody answered is changed in
  place. The name, kind, active, thresholds and ask_every_days are the survey's, not a
  version's. A survey with answers keeps its anonymity: those who answered were told it.
* Anyone at the till may define a survey (as a campaign); each save is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.migrations.m0021_listening import MAX_DAYS
from relapp.db.store import surveys as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.fields import clean_name, clean_text
from relapp.domain.terms import QUESTION_KINDS, SURVEY_KINDS
from relapp.domain.timeline.history import clean_line
from relapp.errors import RelappError

MAX_NAME = 100
MAX_QUESTION = 200
MAX_OPTION = 60
MAX_OPTIONS = 20  # several choices are a bit mask: 20 bits is far from any limit
MIN_OPTIONS = 2
MAX_QUESTIONS = 30
MAX_INTRO = 1_000
CHOICE_KINDS = frozenset({"choice", "choices"})
RATING_RANGE = (1, 5)
NPS_RANGE = (0, 10)
NEVER_LOW_RATING, NEVER_LOW_NPS = 0, -1


class SurveyRefused(RelappError):
    """The survey cannot be saved or read as asked; nothing was changed."""


@dataclass(frozen=True)
class Question:
    """A question of a survey's version, as asked."""

    id: int
    position: int
    kind: str  # rating | nps | choice | choices | yes_no | text
    text: str
    options: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class SurveyForm:
    """What a survey asks now: its current (latest) version."""

    survey_id: int
    name: str
    kind: str  # survey | poll
    anonymous: bool
    active: bool
    version_id: int
    version_number: int
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class SurveySummary:
    """A survey as the Surveys page lists it."""

    id: int
    name: str
    kind: str
    anonymous: bool
    active: bool
    version_number: int
    responses: int


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the editor writes it."""

    kind: str
    text: str
    options: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class SurveyDefinition:
    """A survey as the shop sets it up (id None: not saved yet)."""

    name: str
    questions: tuple[QuestionDraft, ...]
    kind: str = "survey"
    anonymous: bool = False
    active: bool = False
    ask_every_days: int = 90
    low_rating: int = 2
    low_nps: int = 6
    intro: str = ""
    id: int | None = None


# ---------------------------------------------------------------------------------- reading


def list_surveys(newest_first: bool = False) -> list[SurveySummary]:
    """Every survey, by name (newest_first: the latest made first, as the Reports view
    offers them), with its current version and how many answered it."""
    counts = store.response_counts()
    numbers = store.current_version_numbers()
    rows = store.survey_rows()
    if newest_first:
        rows.sort(key=lambda row: (row.created_at, row.id), reverse=True)
    return [
        SurveySummary(row.id, row.name, row.kind, row.anonymous, row.active,
                      numbers.get(row.id, 0), counts.get(row.id, 0))
        for row in rows
    ]  # fmt: skip


def survey_form(survey_id: int) -> SurveyForm:
    """The survey as asked now (its latest version); SurveyRefused if there is no such survey."""
    row = _survey_row(survey_id)
    version = store.current_version(survey_id)
    if version is None:  # saved with its first version in one transaction: never so
        raise SurveyRefused(f"The survey {row.name} has no questions.")
    questions = tuple(
        Question(q.id, q.position, q.kind, q.text, q.options, q.required)
        for q in store.version_questions(version.id)
    )
    return SurveyForm(row.id, row.name, row.kind, row.anonymous, row.active, version.id,
                      version.number, version.intro, questions)  # fmt: skip


def survey_definition(survey_id: int) -> SurveyDefinition:
    """The survey as the editor shows it (its current questions)."""
    row = _survey_row(survey_id)
    form = survey_form(survey_id)
    questions = tuple(QuestionDraft(q.kind, q.text, q.options, q.required) for q in form.questions)
    return SurveyDefinition(row.name, questions, row.kind, row.anonymous, row.active,
                            row.ask_every_days, row.low_rating, row.low_nps, form.intro,
                            row.id)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """A survey's rules for asking and for low scores."""

    ask_every_days: int
    low_rating: int  # a rating at or under this is low (0: never)
    low_nps: int  # an NPS score at or under this is low (-1: never)


def thresholds(survey_id: int) -> Thresholds:
    row = _survey_row(survey_id)
    return Thresholds(row.ask_every_days, row.low_rating, row.low_nps)


def has_answers(survey_id: int) -> bool:
    return store.survey_has_responses(survey_id)


def _survey_row(survey_id: int) -> store.SurveyRow:
    row = store.survey_row(survey_id)
    if row is None:
        raise SurveyRefused(f"There is no survey number {survey_id}.")
    return row


# ---------------------------------------------------------------------------------- checking


def _clean_question(number: int, question: QuestionDraft) -> QuestionDraft:
    """The question as stored; SurveyRefused naming it by number for the first thing wrong."""
    if question.kind not in QUESTION_KINDS:
        raise SurveyRefused(f"Question {number}: {question.kind!r} is not a kind of question.")
    try:
        text = clean_line(question.text, MAX_QUESTION)
        options = tuple(clean_line(option, MAX_OPTION) for option in question.options)
    except ValueError:
        raise SurveyRefused(
            f"Question {number}: a question has at most {MAX_QUESTION} characters and an"
            f" option at most {MAX_OPTION}."
        ) from None
    if not text:
        raise SurveyRefused(f"Question {number} has no text: say what to ask.")
    if question.kind in CHOICE_KINDS:
        if any(not option for option in options):
            raise SurveyRefused(f"Question {number} has an empty option: type it or remove it.")
        if len({option.casefold() for option in options}) != len(options):
            raise SurveyRefused(f"Question {number} has the same option twice.")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise SurveyRefused(
                f"Question {number} needs {MIN_OPTIONS} to {MAX_OPTIONS} options to choose from."
            )
    elif options:
        raise SurveyRefused(
            f"Question {number}: only a choice question has options; remove them or make it"
            " a choice."
        )
    return QuestionDraft(question.kind, text, options, bool(question.required))


def _cleaned(survey: SurveyDefinition) -> SurveyDefinition:
    """The survey as stored; SurveyRefused for the first thing wrong."""
    try:
        name = clean_name(survey.name)
        intro = clean_text(survey.intro, MAX_INTRO)
    except ValueError as error:
        raise SurveyRefused(str(error)) from None
    if not name:
        raise SurveyRefused("A survey needs a name.")
    if len(name) > MAX_NAME:
        raise SurveyRefused(f"A survey's name has at most {MAX_NAME} characters.")
    if survey.kind not in SURVEY_KINDS:
        raise SurveyRefused(f"{survey.kind!r} is not a kind of survey: a survey or a poll.")
    if not survey.questions:
        raise SurveyRefused("A survey needs at least one question.")
    if survey.kind == "poll" and len(survey.questions) != 1:
        raise SurveyRefused("A poll asks exactly one question; make it a survey to ask more.")
    if len(survey.questions) > MAX_QUESTIONS:
        raise SurveyRefused(f"A survey asks at most {MAX_QUESTIONS} questions.")
    for value, low, high, what in (
        (survey.ask_every_days, 0, MAX_DAYS, "The days before asking again are"),
        (survey.low_rating, NEVER_LOW_RATING, RATING_RANGE[1], "A low rating is"),
        (survey.low_nps, NEVER_LOW_NPS, NPS_RANGE[1], "A low recommend score is"),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SurveyRefused(f"{what} a whole number from {low} to {high}.")
    questions = tuple(
        _clean_question(number, question)
        for number, question in enumerate(survey.questions, start=1)
    )
    return replace(survey, name=name, intro=intro, questions=questions,
                   anonymous=bool(survey.anonymous), active=bool(survey.active))  # fmt: skip


# ---------------------------------------------------------------------------------- writing


def save_survey(survey: SurveyDefinition, staff_id: int | None = None) -> Change:
    """Add the survey (id None) or change it (see the module docstring for versions);
    audited.

    Raises:
        SurveyRefused: the survey is not valid, its name is taken (in any letter case), or
            it has answers and would change its anonymity.
    """
    clean = _cleaned(survey)
    values: dict[str, object] = {
        "name": clean.name, "kind": clean.kind, "anonymous": int(clean.anonymous),
        "active": int(clean.active), "ask_every_days": clean.ask_every_days,
        "low_rating": clean.low_rating, "low_nps": clean.low_nps,
    }  # fmt: skip
    with write_transaction():
        stored = None if clean.id is None else _survey_row(clean.id)
        clash = store.survey_named(clean.name, clean.id)
        if clash is not None:
            raise SurveyRefused(f"There is a survey called {clash.name} already.")
        if (
            stored is not None
            and stored.anonymous != clean.anonymous
            and store.survey_has_responses(stored.id)
        ):
            raise SurveyRefused(
                f"{stored.name} has answers given "
                + ("anonymously" if stored.anonymous else "by name")
                + ", so it stays that way; make a new survey instead."
            )
        now = clock.utc_now()
        stamp = format_timestamp(now)
        survey_id = store.save_survey(clean.id, values, stamp)
        version = _save_questions(survey_id, clean, stamp)
        details = {
            **values,
            "version": version,
            "intro": clean.intro,
            "questions": [
                {"kind": q.kind, "text": q.text, "options": list(q.options),
                 "required": q.required}
                for q in clean.questions
            ],
        }  # fmt: skip
        action = "survey added" if clean.id is None else "survey changed"
        write_audit(action, "survey", survey_id, details, now, staff_id)
    return Change.of(Entity.SURVEYS)


def _save_questions(survey_id: int, survey: SurveyDefinition, now: str) -> int:
    """Store the survey's questions and intro; the number of the version that holds them."""
    current = store.current_version(survey_id)
    if current is None:
        version_id, number = store.insert_version(survey_id, 1, survey.intro, now), 1
    else:
        asked = tuple(
            QuestionDraft(q.kind, q.text, q.options, q.required)
            for q in store.version_questions(current.id)
        )
        if asked == survey.questions and current.intro == survey.intro:
            return current.number  # nothing of the version changed
        if store.version_has_responses(current.id):
            number = current.number + 1
            version_id = store.insert_version(survey_id, number, survey.intro, now)
        else:
            version_id, number = current.id, current.number
            store.set_version_intro(version_id, survey.intro)
            store.delete_questions(version_id)
    for position, question in enumerate(survey.questions, start=1):
        store.insert_question(version_id, position, question.kind, question.text,
                              question.options, question.required)  # fmt: skip
    return number


def set_active(survey_id: int, active: bool, staff_id: int | None = None) -> Change:
    """Offer the survey at the Counter (active) or stop offering it; audited."""
    with write_transaction():
        row = _survey_row(survey_id)
        if row.active == active:
            return Change.of()
        now = clock.utc_now()
        store.save_survey(survey_id, {"active": int(active)}, format_timestamp(now))
        action = "survey activated" if active else "survey deactivated"
        write_audit(action, "survey", survey_id, {"name": row.name}, now, staff_id)
    return Change.of(Entity.SURVEYS)
