"""Paper survey forms (relapp.domain.listening.paper): the QR code's text made and read back
(a mistyped or foreign code caught by its check), a scanned form of another survey, of an
older version or of a customer gone refused in one sentence, the cells typed as the form
shows them, and a form's answers recorded as paper answers; on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from relapp.db.models import Contact, database
from relapp.domain import clock
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.answers import AnswerRefused
from relapp.domain.listening.paper import (
    MAX_FORMS,
    FormCode,
    PaperRefused,
    form_code,
    form_customers,
    looks_like_form_code,
    per_customer_refusal,
    read_form_code,
    record_paper_form,
    scanned_form,
    typed_answer,
)
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from tests.factories import FakeClock, add_contact

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
CARD = SurveyDefinition(
    "Comment card",
    (
        QuestionDraft("rating", "How was your visit?"),
        QuestionDraft("nps", "Would you recommend us?", required=False),
        QuestionDraft("choice", "What did you buy?", ("Bread", "Cake", "Coffee"), False),
        QuestionDraft("choices", "What else would you like?", ("Tea", "Soup", "Pie"), False),
        QuestionDraft("yes_no", "Did you find everything?", required=False),
        QuestionDraft("text", "Anything else?", required=False),
    ),
)


def define(survey: SurveyDefinition = CARD) -> int:
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


@pytest.fixture
def shop(db, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", FakeClock(NOW))
    return define()


def test_a_code_reads_back_and_a_changed_character_is_caught():
    code = form_code(12, 3, 4567)
    assert code.startswith("RELAPP-S1:12:3:4567:") and len(code.rpartition(":")[2]) == 4
    assert read_form_code(code) == FormCode(12, 3, 4567)
    assert read_form_code(f"  {code.lower()}\n") == FormCode(12, 3, 4567)  # Caps Lock, Enter
    assert read_form_code(form_code(12, 3, None)) == FormCode(12, 3, None)
    # Every one-character change of the numbers is caught by the check.
    body, _, check = code.rpartition(":")
    for position, character in enumerate(body):
        if character.isdigit() and position > len("RELAPP-S1"):
            changed = body[:position] + str((int(character) + 1) % 10) + body[position + 1 :]
            with pytest.raises(PaperRefused, match="does not add up"):
                read_form_code(f"{changed}:{check}")
    for foreign in ("4006381333931", "RELAPP-S1:12:3", "https://example.com/", ""):
        with pytest.raises(PaperRefused, match="is not the code of a Relapp survey form"):
            read_form_code(foreign)
    assert looks_like_form_code(f" {code.lower()}") and not looks_like_form_code("9")


def test_a_scanned_form_is_checked_against_the_survey(shop):
    survey_id = shop
    form = survey_form(survey_id)
    ann = add_contact("Ann", "Lee").id
    scanned = scanned_form(form_code(survey_id, form.version_number, ann), form)
    assert (scanned.contact_id, scanned.customer) == (ann, "Ann Lee")
    assert scanned_form(form_code(survey_id, form.version_number, None), form).contact_id is None
    other = define(replace(CARD, name="Other card"))
    another = rf"another survey \(number {other}\), not Comment card"
    with pytest.raises(PaperRefused, match=another):
        scanned_form(form_code(other, 1, ann), form)
    with pytest.raises(PaperRefused, match="version 7 of Comment card's questions"):
        scanned_form(form_code(survey_id, 7, ann), form)
    with pytest.raises(PaperRefused, match=r"number 999999\) is no longer in the shop's records"):
        scanned_form(form_code(survey_id, form.version_number, 999_999), form)


def test_cells_are_typed_as_the_form_shows_them(shop):
    questions = survey_form(shop).questions
    rating, nps, choice, choices, yes_no, text = questions
    assert typed_answer(1, rating, " 4 ").value == 4
    assert typed_answer(2, nps, "0").value == 0
    assert typed_answer(3, choice, "2").value == 1
    assert typed_answer(3, choice, "coffee").value == 2
    assert typed_answer(4, choices, "1 3").value == 0b101
    assert typed_answer(4, choices, "3,1,3").value == 0b101
    assert typed_answer(5, yes_no, "Y").value == 1 and typed_answer(5, yes_no, "no").value == 0
    assert typed_answer(6, text, "  More   seats ").text == "More seats"
    assert typed_answer(1, rating, "   ") is None
    for question, number, typed, sentence in (
        (rating, 1, "6", "Question 1 takes a number from 1 to 5, not '6'."),
        (nps, 2, "ten", "Question 2 takes a number from 0 to 10, not 'ten'."),
        (choice, 3, "4", "Question 3 takes the number of an option, 1 to 3, not '4'."),
        (choices, 4, "1 9", "Question 4 takes the number of an option, 1 to 3, not '9'."),
        (yes_no, 5, "maybe", "Question 5 takes yes or no (y or n), not 'maybe'."),
    ):
        with pytest.raises(PaperRefused) as refused:
            typed_answer(number, question, typed)
        assert str(refused.value) == sentence


def test_a_form_is_recorded_as_paper_answers(shop):
    survey_id = shop
    form = survey_form(survey_id)
    ann = add_contact("Ann", "Lee").id
    change = record_paper_form(form, ann, ["5", "10", "3", "1 2", "y", "Lovely"])
    assert ann in change.contact_ids
    row = database.execute_sql(
        "SELECT source, contact_id FROM survey_response WHERE survey_id = ?", (survey_id,)
    ).fetchone()
    assert row == ("paper", ann)
    values = database.execute_sql(
        "SELECT a.value, a.text FROM survey_answer a JOIN survey_question q"
        " ON q.id = a.question_id ORDER BY q.position"
    ).fetchall()
    assert values == [(5, None), (10, None), (2, None), (3, None), (1, None), (None, "Lovely")]


def test_a_bad_form_records_nothing(shop):
    form = survey_form(shop)
    ann = add_contact("Ann", "Lee").id
    with pytest.raises(PaperRefused, match="Question 1 takes a number from 1 to 5"):
        record_paper_form(form, ann, ["9", "", "", "", "", ""])
    with pytest.raises(AnswerRefused, match="Question 1 needs an answer"):
        record_paper_form(form, ann, ["", "8", "", "", "", ""])
    with pytest.raises(AnswerRefused, match="not anonymous"):
        record_paper_form(form, None, ["4", "", "", "", "", ""])
    assert database.execute_sql("SELECT count(*) FROM survey_response").fetchone()[0] == 0


def test_forms_go_to_a_segments_live_customers_by_name(shop):
    for given, family in (("Zoe", "Adams"), ("Amy", "Brown"), ("Ben", "Cole")):
        add_contact(given, family, ladder_stage="client")
    gone = add_contact("Eve", "Dunn", ladder_stage="client").id
    Contact.update(archived_at=NOW).where(Contact.id == gone).execute()
    add_contact("Pat", "Prospect")
    save_segment("Clients", ContactFilter(stages=("client",)))
    assert [c.name for c in form_customers("Clients")] == ["Zoe Adams", "Amy Brown", "Ben Cole"]
    with pytest.raises(PaperRefused, match=r"There is no saved segment called 'Regulars'\."):
        form_customers("Regulars")
    save_segment("Advocates", ContactFilter(stages=("advocate",)))
    with pytest.raises(PaperRefused, match="has nobody in it"):
        form_customers("Advocates")
    assert MAX_FORMS >= 1_000


def test_an_anonymous_survey_has_blank_forms_only(shop):
    quiet = define(replace(CARD, name="Quiet card", anonymous=True))
    assert "anonymous" in per_customer_refusal(survey_form(quiet))
    assert per_customer_refusal(survey_form(shop)) == ""
    # Its blank form is typed in for nobody.
    record_paper_form(survey_form(quiet), None, ["3", "", "", "", "", ""])
    assert (
        database.execute_sql(
            "SELECT count(*) FROM survey_response WHERE contact_id IS NULL"
        ).fetchone()[0]
        == 1
    )
