"""Surveys and polls (schema 21): defining them (one-sentence refusals, versions once
answered), recording answers (every bad input refused with nothing written; an anonymous
response keeping nothing personal; a named one on the customer's history; a low score opening
a complaint case that Today lists), and when the Counter offers a survey (ask_every_days on
the shop's calendar, the contact cap); on both engines."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from relapp.db.models import AuditLog, Interaction, Staff, database
from relapp.db.store import surveys as store
from relapp.domain import clock, terms
from relapp.domain.changes import Entity
from relapp.domain.listening.answers import Answer, AnswerRefused, record_response
from relapp.domain.listening.asking import (
    record_declined,
    survey_to_offer,
    surveys_to_ask,
)
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    SurveyRefused,
    list_surveys,
    save_survey,
    set_active,
    survey_definition,
    survey_form,
)
from relapp.domain.shop.settings import load_settings
from relapp.domain.timeline.today import today_queue
from relapp.errors import RelappError
from tests.factories import FakeClock, add_contact

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
HOW_DID_WE_DO = SurveyDefinition(
    "How did we do?",
    (
        QuestionDraft("rating", "How was your visit?"),
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("choice", "What did you come for?", ("Coffee", "Cake", "Lunch")),
        QuestionDraft("choices", "What else would you like?", ("Tea", "Soup", "Bread"), False),
        QuestionDraft("yes_no", "Did you find everything?"),
        QuestionDraft("text", "Anything else?", required=False),
    ),
    intro="Two minutes of your time, please.",
    active=True,
)


@pytest.fixture
def shop(db, monkeypatch):
    """The clock fixed at NOW; a cashier; a customer, Anna Berg."""
    moment = FakeClock(NOW)
    monkeypatch.setattr(clock, "utc_now", moment)
    cashier = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=NOW)
    anna = add_contact("Anna", "Berg")
    return moment, cashier.id, anna.id


def define(survey: SurveyDefinition = HOW_DID_WE_DO, **changes) -> int:
    save_survey(replace(survey, **changes))
    name = changes.get("name", survey.name)
    return next(line.id for line in list_surveys() if line.name == name)


def rows(table: str) -> list[tuple]:
    return database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def good_answers(survey_id: int, rating: int = 4, nps: int = 9) -> list[Answer]:
    q = survey_form(survey_id).questions
    return [
        Answer(q[0].id, rating),
        Answer(q[1].id, nps),
        Answer(q[2].id, 1),  # Cake
        Answer(q[3].id, 0b101),  # Tea and Bread
        Answer(q[4].id, 1),
        Answer(q[5].id, text="  The  new  scones!  "),
    ]


# ----------------------------------------------------------------------------------- codes


@pytest.mark.sqlite_only(reason="reads SQLite's CHECKs; the server's are held to them")
@pytest.mark.parametrize(
    ("table", "column", "codes"),
    [
        ("survey", "kind", terms.SURVEY_KINDS),
        ("survey_question", "kind", terms.QUESTION_KINDS),
        ("survey_response", "source", terms.RESPONSE_SOURCES),
        ("survey_asked", "outcome", terms.ASKED_OUTCOMES),
    ],
)
def test_the_survey_codes_are_what_the_schema_allows(db, table, column, codes):
    sql = database.execute_sql(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    found = re.search(rf"{column} TEXT NOT NULL[^,]*CHECK \({column} IN \(([^)]*)\)\)", sql)
    assert found, f"no CHECK on {table}.{column}"
    assert set(re.findall(r"'([^']*)'", found[1])) == set(codes)
    names = {
        "survey": terms.SURVEY_KIND_NAMES,
        "survey_question": terms.QUESTION_KIND_NAMES,
        "survey_response": terms.RESPONSE_SOURCE_NAMES,
        "survey_asked": terms.ASKED_OUTCOME_NAMES,
    }
    assert set(names[table]) == set(codes)


# -------------------------------------------------------------------------------- defining


def test_a_survey_is_defined_and_read_as_its_current_form(shop):
    change = save_survey(HOW_DID_WE_DO)
    assert change.touches(Entity.SURVEYS)
    [line] = list_surveys()
    assert (line.name, line.kind, line.anonymous, line.active) == (
        "How did we do?", "survey", False, True)  # fmt: skip
    assert (line.version_number, line.responses) == (1, 0)
    form = survey_form(line.id)
    assert (form.survey_id, form.version_number, form.intro) == (
        line.id, 1, "Two minutes of your time, please.")  # fmt: skip
    assert [(q.position, q.kind, q.required) for q in form.questions] == [
        (1, "rating", True), (2, "nps", True), (3, "choice", True), (4, "choices", False),
        (5, "yes_no", True), (6, "text", False)]  # fmt: skip
    assert form.questions[2].options == ("Coffee", "Cake", "Lunch")
    assert form.questions[0].options == ()
    assert survey_definition(line.id) == replace(HOW_DID_WE_DO, id=line.id)
    [audit] = AuditLog.select().where(AuditLog.entity == "survey")
    assert (audit.action, audit.entity_id) == ("survey added", line.id)


def test_a_poll_asks_exactly_one_question(shop):
    poll = SurveyDefinition("Oat milk?", (QuestionDraft("yes_no", "Should we stock oat milk?"),),
                            kind="poll")  # fmt: skip
    poll_id = define(poll)
    assert survey_form(poll_id).kind == "poll"
    with pytest.raises(SurveyRefused, match=r"^A poll asks exactly one question; make it a "):
        save_survey(replace(poll, id=poll_id, questions=poll.questions * 2))


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "   "}, "A survey needs a name."),
        ({"name": "x" * 101}, "A name can have at most"),
        ({"name": "HOW DID WE DO?"}, "There is a survey called How did we do? already."),
        ({"questions": ()}, "A survey needs at least one question."),
        ({"kind": "quiz"}, "'quiz' is not a kind of survey: a survey or a poll."),
        ({"questions": (QuestionDraft("rating", "Q"),) * 31}, "at most 30 questions"),
        ({"ask_every_days": -1}, "The days before asking again are a whole number from 0 to"),
        ({"ask_every_days": 3651}, "from 0 to 3650"),
        ({"low_rating": 6}, "A low rating is a whole number from 0 to 5."),
        ({"low_nps": -2}, "A low recommend score is a whole number from -1 to 10."),
        ({"low_nps": True}, "A low recommend score is a whole number"),
        ({"questions": (QuestionDraft("stars", "Q"),)}, "Question 1: 'stars' is not a kind"),
        ({"questions": (QuestionDraft("rating", "  "),)}, "Question 1 has no text"),
        ({"questions": (QuestionDraft("rating", "Q" * 201),)}, "at most 200 characters"),
        ({"questions": (QuestionDraft("choice", "Which?", ("Tea",)),)}, "needs 2 to 20 options"),
        ({"questions": (QuestionDraft("choice", "Which?"),)}, "needs 2 to 20 options"),
        ({"questions": (QuestionDraft("choices", "Which?", ("Tea", "tea")),)},
         "Question 1 has the same option twice."),
        ({"questions": (QuestionDraft("choice", "Which?", ("Tea", " ")),)},
         "Question 1 has an empty option"),
        ({"questions": (QuestionDraft("choice", "Which?", tuple("abcdefghijklmnopqrstu")),)},
         "needs 2 to 20 options"),
        ({"questions": (QuestionDraft("rating", "How?", ("Good", "Bad")),)},
         "Question 1: only a choice question has options"),
    ],
)  # fmt: skip
def test_a_survey_that_cannot_be_saved_is_refused_in_one_sentence(shop, changes, sentence):
    define()
    before = [rows(table) for table in ("survey", "survey_version", "survey_question")]
    with pytest.raises(SurveyRefused) as refused:
        save_survey(replace(HOW_DID_WE_DO, **{"name": "Second", **changes}))
    message = str(refused.value)
    assert sentence in message and "\n" not in message and message.endswith(".")
    assert [rows(table) for table in ("survey", "survey_version", "survey_question")] == before


def test_editing_without_answers_changes_the_version_in_place(shop):
    survey_id = define()
    first = survey_form(survey_id)
    edited = replace(HOW_DID_WE_DO, id=survey_id, intro="Quick!",
                     questions=HOW_DID_WE_DO.questions[:2])  # fmt: skip
    save_survey(edited)
    form = survey_form(survey_id)
    assert (form.version_id, form.version_number, form.intro) == (first.version_id, 1, "Quick!")
    assert len(form.questions) == 2
    assert len(rows("survey_version")) == 1


def test_editing_a_survey_with_answers_makes_a_new_version_and_old_answers_stay(shop):
    _, cashier, anna = shop
    survey_id = define()
    first = survey_form(survey_id)
    record_response(survey_id, good_answers(survey_id), contact_id=anna, source="counter",
                    staff_id=cashier)  # fmt: skip
    # Survey-level settings only: no new version.
    save_survey(replace(HOW_DID_WE_DO, id=survey_id, name="How was it?", low_nps=4,
                        ask_every_days=30, active=False))  # fmt: skip
    assert survey_form(survey_id).version_id == first.version_id
    assert (survey_form(survey_id).name, survey_form(survey_id).active) == ("How was it?", False)
    fewer = (*HOW_DID_WE_DO.questions[:1], QuestionDraft("yes_no", "Would you come back?"))
    save_survey(replace(HOW_DID_WE_DO, id=survey_id, name="How was it?", questions=fewer))
    second = survey_form(survey_id)
    assert (second.version_number, len(second.questions)) == (2, 2)
    assert second.version_id != first.version_id
    assert [line.version_number for line in list_surveys()] == [2]
    # The first version and its answers are as they were.
    answered = {row[2] for row in rows("survey_answer")}
    assert answered == {q.id for q in first.questions}
    assert len(store.version_questions(first.version_id)) == 6
    # An answer to the old version's question is no longer taken.
    with pytest.raises(AnswerRefused, match="does not ask"):
        record_response(survey_id, [Answer(first.questions[0].id, 3)], contact_id=anna,
                        source="counter")  # fmt: skip


def test_a_survey_with_answers_keeps_its_anonymity(shop):
    _, _, anna = shop
    survey_id = define(anonymous=True)
    record_response(survey_id, good_answers(survey_id), contact_id=anna, source="counter")
    with pytest.raises(SurveyRefused, match="has answers given anonymously, so it stays that way"):
        save_survey(replace(HOW_DID_WE_DO, id=survey_id, anonymous=False))
    assert survey_form(survey_id).anonymous


def test_activating_and_deactivating(shop):
    survey_id = define(active=False)
    assert set_active(survey_id, True).touches(Entity.SURVEYS)
    assert survey_form(survey_id).active
    assert not set_active(survey_id, True).entities  # already so: nothing changed
    set_active(survey_id, False)
    assert not survey_form(survey_id).active
    actions = [row.action for row in AuditLog.select().where(AuditLog.entity == "survey")]
    assert actions == ["survey added", "survey activated", "survey deactivated"]
    with pytest.raises(SurveyRefused, match=r"^There is no survey number 999\.$"):
        survey_form(999)


# ------------------------------------------------------------------------------- answering


def test_a_named_response_keeps_the_customer_and_goes_on_their_history(shop):
    _, cashier, anna = shop
    survey_id = define()
    change = record_response(survey_id, good_answers(survey_id), contact_id=anna,
                             source="counter", staff_id=cashier)  # fmt: skip
    assert change.touches(Entity.INTERACTIONS) and change.contact_ids == {anna}
    [response] = rows("survey_response")
    response_id, _, version_id, source, month, contact_id, answered_at, staff_id, entry = response
    assert (source, month, contact_id, answered_at, staff_id) == (
        "counter", "2026-09", anna, "2026-09-15 12:00:00", cashier)  # fmt: skip
    assert version_id == survey_form(survey_id).version_id
    assert response_id < store.NAMED_ID_LIMIT
    values = [(row[3], row[4]) for row in rows("survey_answer")]
    assert values == [(4, None), (9, None), (1, None), (5, None), (1, None),
                      (None, "The new scones!")]  # fmt: skip
    feedback = Interaction.get_by_id(entry)
    assert (feedback.kind, feedback.contact_id, feedback.direction) == (
        "feedback", anna, "inbound")  # fmt: skip
    assert feedback.summary == "Survey: How did we do?"
    assert feedback.feedback_score == 8  # a rating of 4 of 5 on the 0-10 scale
    assert feedback.details.splitlines() == [
        "How was your visit? 4 of 5",
        "How likely are you to recommend us? 9 of 10",
        "What did you come for? Cake",
        "What else would you like? Tea, Bread",
        "Did you find everything? Yes",
        "Anything else? The new scones!",
    ]
    assert Interaction.select().where(Interaction.kind == "complaint").count() == 0
    assert store.asked_rows(anna) == [(survey_id, "2026-09-15 12:00:00", "answered")]
    assert list_surveys()[0].responses == 1


@pytest.mark.parametrize(("rating", "score"), [(1, 0), (2, 3), (3, 5), (4, 8), (5, 10)])
def test_a_rating_is_put_on_the_history_scale(shop, rating, score):
    _, _, anna = shop
    survey_id = define(questions=(QuestionDraft("rating", "How was it?"),), low_rating=0)
    [question] = survey_form(survey_id).questions
    record_response(survey_id, [Answer(question.id, rating)], contact_id=anna, source="paper")
    assert Interaction.get(Interaction.kind == "feedback").feedback_score == score


def test_a_survey_without_a_score_puts_no_score_on_the_history(shop):
    _, _, anna = shop
    survey_id = define(questions=(QuestionDraft("yes_no", "Oat milk?"),), kind="poll")
    [question] = survey_form(survey_id).questions
    record_response(survey_id, [Answer(question.id, 0)], contact_id=anna, source="counter")
    feedback = Interaction.get(Interaction.kind == "feedback")
    assert (feedback.summary, feedback.feedback_score, feedback.details) == (
        "Poll: How did we do?", None, "Oat milk? No")  # fmt: skip


def test_an_anonymous_response_keeps_nothing_personal(shop):
    moment, cashier, anna = shop
    survey_id = define(anonymous=True)
    entries = Interaction.select().count()
    audit = AuditLog.select().count()
    for _ in range(3):
        record_response(survey_id, good_answers(survey_id, rating=1, nps=0), contact_id=anna,
                        source="counter", staff_id=cashier)  # fmt: skip
        moment.advance(minutes=1)
    responses = rows("survey_response")
    assert len(responses) == 3
    for response_id, _, _, source, month, contact_id, answered_at, staff_id, entry in responses:
        assert (source, month) == ("counter", "2026-09")
        assert (contact_id, answered_at, staff_id, entry) == (None, None, None, None)
        # Drawn at random from its own range: the order of the rows says nothing.
        assert store.NAMED_ID_LIMIT <= response_id < store.NAMED_ID_LIMIT + store.ANONYMOUS_IDS
    assert all(row[0] >= store.NAMED_ID_LIMIT for row in rows("survey_answer"))
    # No history entry, no complaint (a low score cannot open a case for nobody), no audit.
    assert Interaction.select().count() == entries
    assert AuditLog.select().count() == audit
    # Only that Anna was asked, apart from the answers.
    assert [row[2] for row in store.asked_rows(anna)] == ["answered"] * 3
    # A named response later is numbered among the named ones, not after the anonymous.
    named = define(name="Named")
    record_response(named, good_answers(named), contact_id=anna, source="counter")
    assert min(row[0] for row in rows("survey_response")) == 1


def test_an_anonymous_survey_may_be_answered_without_a_customer(shop):
    survey_id = define(anonymous=True)
    change = record_response(survey_id, good_answers(survey_id), contact_id=None, source="paper")
    assert change.touches(Entity.SURVEYS) and not change.contact_ids
    assert len(rows("survey_response")) == 1 and rows("survey_asked") == []


def test_a_low_score_opens_a_complaint_case_that_today_lists(shop):
    moment, cashier, anna = shop
    survey_id = define()
    record_response(survey_id, good_answers(survey_id, rating=2, nps=9), contact_id=anna,
                    source="counter", staff_id=cashier)  # fmt: skip
    [case] = Interaction.select().where(Interaction.kind == "complaint")
    assert (case.contact_id, case.status, case.direction, case.staff_id) == (
        anna, "open", "inbound", cashier)  # fmt: skip
    assert case.occurred_at == NOW  # the response clock runs from the answer
    assert case.summary == "Low score in How did we do?: How was your visit? 2 of 5"
    queue = today_queue(NOW + timedelta(hours=1))
    [listed] = queue.open_cases.rows
    assert (listed.interaction_id, listed.kind, listed.contact_name) == (
        case.id, "complaint", "Anna Berg")  # fmt: skip
    # At or under the NPS threshold too; both low: one case naming both.
    moment.advance(days=1)
    record_response(survey_id, good_answers(survey_id, rating=1, nps=6), contact_id=anna,
                    source="counter")  # fmt: skip
    second = Interaction.select().where(Interaction.kind == "complaint").order_by(
        Interaction.id.desc()).first()  # fmt: skip
    assert second.summary == (
        "Low score in How did we do?: How was your visit? 1 of 5; How likely are you to"
        " recommend us? 6 of 10")  # fmt: skip


def test_a_fine_score_opens_no_case_and_thresholds_are_the_surveys(shop):
    _, _, anna = shop
    survey_id = define()
    record_response(survey_id, good_answers(survey_id, rating=3, nps=7), contact_id=anna,
                    source="counter")  # fmt: skip
    assert Interaction.select().where(Interaction.kind == "complaint").count() == 0
    save_survey(replace(HOW_DID_WE_DO, id=survey_id, low_rating=0, low_nps=-1))
    record_response(survey_id, good_answers(survey_id, rating=1, nps=0), contact_id=anna,
                    source="counter")  # fmt: skip
    assert Interaction.select().where(Interaction.kind == "complaint").count() == 0
    save_survey(replace(HOW_DID_WE_DO, id=survey_id, low_rating=3))
    record_response(survey_id, good_answers(survey_id, rating=3, nps=9), contact_id=anna,
                    source="counter")  # fmt: skip
    assert Interaction.select().where(Interaction.kind == "complaint").count() == 1


def _bad_answers(survey_id: int, anna: int) -> dict[str, tuple[list[Answer], dict, str]]:
    q = survey_form(survey_id).questions
    good = good_answers(survey_id)
    named = {"contact_id": anna, "source": "counter"}

    def but(index: int, answer: Answer) -> list[Answer]:
        return [*good[:index], answer, *good[index + 1 :]]

    return {
        "rating 0": (but(0, Answer(q[0].id, 0)), named,
                     "The answer to question 1 is a number from 1 to 5."),
        "rating 6": (but(0, Answer(q[0].id, 6)), named, "a number from 1 to 5"),
        "nps 11": (but(1, Answer(q[1].id, 11)), named,
                   "The answer to question 2 is a number from 0 to 10."),
        "nps -1": (but(1, Answer(q[1].id, -1)), named, "a number from 0 to 10"),
        "choice 3": (but(2, Answer(q[2].id, 3)), named,
                     "The answer to question 3 is not one of its options."),
        "choices 0": (but(3, Answer(q[3].id, 0)), named, "question 4 is not one of its options"),
        "choices 8": (but(3, Answer(q[3].id, 8)), named, "question 4 is not one of its options"),
        "yes_no 2": (but(4, Answer(q[4].id, 2)), named, "Question 5 is answered yes or no."),
        "words for a number": (but(0, Answer(q[0].id, text="good")), named,
                               "Question 1 is answered with a choice or a number, not words."),
        "a bool": (but(4, Answer(q[4].id, True)), named, "Question 5 is answered with a choice"),
        "a number for words": (but(5, Answer(q[5].id, 5)), named,
                               "Question 6 is answered in words, not with a number."),
        "long text": (but(5, Answer(q[5].id, text="x" * 501)), named,
                      "The answer to question 6 is too long: at most 500 characters."),
        "required missing": (good[1:], named,
                             "Question 1 needs an answer: How was your visit?"),
        "required blank": (but(0, Answer(q[0].id)), named, "Question 1 needs an answer"),
        "twice": ([*good, good[0]], named, "Question 1 is answered twice."),
        "not this survey": ([*good, Answer(999_999, 1)], named,
                            "An answer is to a question that How did we do? does not ask"),
        "nothing": ([], {**named}, "Question 1 needs an answer"),
        "unknown customer": (good, {"contact_id": 999_999, "source": "counter"},
                             "No customer with number 999999."),
        "no customer": (good, {"contact_id": None, "source": "counter"},
                        "How did we do? is not anonymous: its answers belong to a customer"),
        "source": (good, {"contact_id": anna, "source": "email"},
                   "'email' is not where answers come from: at the counter or on paper."),
        "staff": (good, {**named, "staff_id": 999_999}, "There is no staff member number"),
    }  # fmt: skip


BAD = ("rating 0", "rating 6", "nps 11", "nps -1", "choice 3", "choices 0", "choices 8",
       "yes_no 2", "words for a number", "a bool", "a number for words", "long text",
       "required missing", "required blank", "twice", "not this survey", "nothing",
       "unknown customer", "no customer", "source", "staff")  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_answers_are_refused_in_one_sentence_and_nothing_is_written(shop, case):
    _, _, anna = shop
    survey_id = define()
    answers, where, sentence = _bad_answers(survey_id, anna)[case]
    tables = ("survey_response", "survey_answer", "survey_asked", "interaction")
    before = [rows(table) for table in tables]
    with pytest.raises(RelappError) as refused:
        record_response(survey_id, answers, **where)
    message = str(refused.value)
    assert sentence in message and "\n" not in message
    assert [rows(table) for table in tables] == before


def test_nothing_answered_in_an_all_optional_survey_is_refused(shop):
    _, _, anna = shop
    survey_id = define(questions=(QuestionDraft("text", "Anything else?", required=False),))
    with pytest.raises(AnswerRefused, match=r"^Nothing was answered: answer at least one"):
        record_response(survey_id, [], contact_id=anna, source="counter")
    assert rows("survey_response") == []


def test_an_archived_customer_and_an_unknown_survey_are_refused(shop):
    _, _, anna = shop
    survey_id = define()
    archived = add_contact("Old", "Friend", archived_at=NOW)
    with pytest.raises(RelappError, match="is archived"):
        record_response(survey_id, good_answers(survey_id), contact_id=archived.id,
                        source="counter")  # fmt: skip
    with pytest.raises(SurveyRefused, match=r"There is no survey number 999\."):
        record_response(999, [], contact_id=anna, source="counter")
    assert rows("survey_response") == [] and rows("survey_asked") == []


# ---------------------------------------------------------------------------------- asking


def test_the_counter_offers_a_survey_again_only_after_ask_every_days(shop):
    moment, _, anna = shop
    survey_id = define(ask_every_days=30)
    offer = survey_to_offer(anna)
    assert offer is not None and (offer.survey_id, offer.name) == (survey_id, "How did we do?")
    record_declined(survey_id, anna)
    assert survey_to_offer(anna) is None
    moment.advance(days=29)  # day 29 after: not yet
    assert survey_to_offer(anna) is None
    assert surveys_to_ask(anna)[0].last_asked_on == NOW.astimezone().date()
    moment.moment = NOW.replace(hour=0, minute=1) + timedelta(days=30)  # the 30th day
    assert survey_to_offer(anna) is not None
    record_response(survey_id, good_answers(survey_id), contact_id=anna, source="counter")
    assert survey_to_offer(anna) is None
    assert [row[2] for row in store.asked_rows(anna)] == ["declined", "answered"]


def test_ask_every_days_zero_asks_at_every_sale(shop):
    _, _, anna = shop
    survey_id = define(ask_every_days=0)
    record_declined(survey_id, anna)
    assert survey_to_offer(anna) is not None


def test_only_active_surveys_are_offered_the_oldest_first(shop):
    _, _, anna = shop
    first = define(active=False)
    second = define(name="Second")
    third = define(name="Third")
    assert [choice.survey_id for choice in surveys_to_ask(anna)] == [second, third]
    record_declined(second, anna)
    offer = survey_to_offer(anna)
    assert offer is not None and offer.survey_id == third
    set_active(first, True)
    assert survey_to_offer(anna).survey_id == first  # type: ignore[union-attr]


def test_the_reports_view_lists_surveys_the_newest_first(shop):
    moment, _, _ = shop
    older = define(name="Apples")  # first by name, first made
    moment.advance(days=1)
    newer = define(name="Zebra crossing")
    moment.advance(days=1)
    save_survey(replace(survey_definition(older), name="Apples, again"))  # edited last
    assert [line.id for line in list_surveys()] == [older, newer]  # by name
    assert [line.id for line in list_surveys(newest_first=True)] == [newer, older]


def test_a_customer_at_the_contact_cap_is_not_offered_and_askings_count(shop):
    moment, _, anna = shop
    survey_id = define(ask_every_days=0)
    cap = load_settings().contact_cap_per_30_days
    for day in range(cap - 1):
        Interaction.create(contact=anna, kind="call", direction="outbound", summary="Hello",
                           occurred_at=NOW - timedelta(days=day + 1), created_at=NOW,
                           updated_at=NOW)  # fmt: skip
    assert survey_to_offer(anna) is not None  # cap - 1 contacts: one more is allowed
    record_declined(survey_id, anna)  # the asking is the cap-th contact
    choices = surveys_to_ask(anna)
    assert [choice.due for choice in choices] == [False]  # listed for F10, not offered
    assert survey_to_offer(anna) is None
    moment.advance(days=30, seconds=1)  # the asking and the calls have left the window
    assert survey_to_offer(anna) is not None


def test_declining_is_refused_for_an_unknown_survey_or_customer(shop):
    _, _, anna = shop
    survey_id = define()
    with pytest.raises(SurveyRefused, match=r"There is no survey number 999\."):
        record_declined(999, anna)
    with pytest.raises(RelappError, match=r"No customer with number 999999\."):
        record_declined(survey_id, 999_999)
    assert rows("survey_asked") == []


# ------------------------------------------------------------------- restart and restore


@pytest.mark.sqlite_only(reason="a backup and its restore are of the shop file")
def test_surveys_and_answers_survive_a_restart_and_a_backup_and_restore(
    shop, db, db_path, tmp_path
):
    from relapp.db.backups import restore_backup, take_backup
    from relapp.db.connection import open_database

    _clock, cashier, anna = shop
    survey_id = define()
    record_response(survey_id, good_answers(survey_id), contact_id=anna, source="counter",
                    staff_id=cashier)  # fmt: skip
    poll_id = define(
        name="Sunday opening", kind="poll", anonymous=True,
        questions=(QuestionDraft("yes_no", "Should we open on Sundays?"),),
    )  # fmt: skip
    [question] = survey_form(poll_id).questions
    record_response(poll_id, [Answer(question.id, 1)], contact_id=anna, source="counter")
    kept = {table: rows(table) for table in ("survey", "survey_version", "survey_question",
                                             "survey_response", "survey_answer")}  # fmt: skip
    backup = take_backup(db_path, out=tmp_path / "with-answers.db").path

    db.close()  # the app quits and starts again
    reopened = open_database(db_path)
    try:
        assert {table: rows(table) for table in kept} == kept
        record_response(survey_id, good_answers(survey_id, 2, 3), contact_id=anna,
                        source="paper")  # fmt: skip
        restore_backup(db_path, backup)
        assert {table: rows(table) for table in kept} == kept  # the later answer is gone
        assert [line.responses for line in list_surveys()] == [1, 1]
    finally:
        reopened.close()
