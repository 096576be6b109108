"""The answer dialog's keys for every kind of question, and the survey editor's question list;
the flows (tests/flows/test_survey_flows.py) reach both from the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db.store import surveys as store
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.ui.listening.answer_dialog import AnswerDialog
from relapp.ui.listening.survey_editor_dialog import SurveyEditorDialog
from tests.factories import add_contact

EVERY_KIND = SurveyDefinition(
    "Every kind",
    (
        QuestionDraft("nps", "Recommend us?"),
        QuestionDraft("choices", "What else?", ("Tea", "Soup", "Bread")),
        QuestionDraft("yes_no", "Found everything?"),
        QuestionDraft("choice", "Came for?", ("Coffee", "Cake")),
        QuestionDraft("text", "Anything else?", required=False),
    ),
    active=True,
)


@pytest.fixture
def survey(db):
    save_survey(EVERY_KIND)
    [line] = list_surveys()
    return line.id, add_contact("Anna", "Berg").id


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog


def key(qtbot, dialog, name: Qt.Key) -> None:
    qtbot.keyClick(dialog.page().field, name)


def test_every_kind_is_answered_by_keys(app, qtbot, survey):
    survey_id, anna = survey
    dialog = shown(qtbot, AnswerDialog(survey_form(survey_id), anna, "Anna Berg", None))
    assert dialog.page().field.hasFocus() and not dialog.back_button.isEnabled()
    qtbot.keyClicks(dialog.page().field, "10")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.page().question.kind == "choices"
    for digit in "1", "3", "1", "2":  # Tea on, Bread on, Tea off, Soup on
        qtbot.keyClicks(dialog.page().field, digit)
    qtbot.keyClick(dialog.page().field, Qt.Key.Key_Space)  # the current one, Soup: off again
    qtbot.keyClicks(dialog.page().field, "2")
    key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.page().field, "n")
    qtbot.keyClicks(dialog.page().field, "y")  # changed their mind
    key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.page().field, "9")  # no such option: nothing chosen
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.problem.text() == "Question 4 needs an answer: Came for?"
    qtbot.keyClicks(dialog.page().field, "2")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.next_button.text() == "&Save"
    dialog.go_back()  # Back keeps what was answered
    assert dialog.page().answer().value == 1
    key(qtbot, dialog, Qt.Key.Key_Return)
    key(qtbot, dialog, Qt.Key.Key_Return)  # the optional text left empty: saved
    assert dialog.result() == AnswerDialog.DialogCode.Accepted
    assert store.response_row(1)[4] == anna  # the first named response
    assert [(value, text) for _q, value, text in store.response_answers(1)] == [
        (10, None), (0b110, None), (1, None), (1, None)]  # fmt: skip
    assert dialog.outcome is not None
    assert dialog.outcome.text == "Answers to Every kind recorded for Anna Berg. Thank you!"


def test_a_score_out_of_range_is_said_and_the_question_stays(app, qtbot, survey):
    survey_id, anna = survey
    dialog = shown(qtbot, AnswerDialog(survey_form(survey_id), anna, "Anna Berg", None))
    qtbot.keyClicks(dialog.page().field, "11")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.problem.text() == "The answer to question 1 is a number from 0 to 10."
    assert dialog.pages.currentIndex() == 0
    qtbot.keyClicks(dialog.page().field, "x")  # not a digit: not typed
    assert dialog.page().score.text() == "11"


def test_the_editor_keeps_a_refused_survey_as_typed(app, qtbot, db):
    dialog = shown(qtbot, SurveyEditorDialog(None, False, None))
    assert dialog.windowTitle() == "New survey" and dialog.name.hasFocus()
    assert [dialog.question_list.item(0).text()] == ["1. Rating (1 to 5): How did we do today?"]
    assert not dialog.options.isEnabled()  # a rating has no options
    dialog.add_question()
    assert dialog.question_text.hasFocus() and dialog.question_list.count() == 2
    qtbot.keyClicks(dialog.question_text, "Came for?")
    dialog.question_kind.setCurrentIndex(dialog.question_kind.findData("choice"))
    assert dialog.options.isEnabled()
    qtbot.keyClicks(dialog.options, "Coffee")
    dialog.move_question(-1)
    assert dialog.question_list.item(0).text() == "1. One choice: Came for?"
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Save
    assert dialog.problem.text() == "A survey needs a name."
    qtbot.keyClicks(dialog.name, "Quick")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.problem.text() == "Question 1 needs 2 to 20 options to choose from."
    assert dialog.isVisible() and list_surveys() == []
    dialog.options.appendPlainText("Cake")
    dialog.question_list.setCurrentRow(1)
    dialog.remove_question()  # the rating goes; the choice stays
    assert dialog.question_list.count() == 1
    dialog.anonymous.setChecked(True)
    assert "cannot open a complaint case" in dialog.low_hint.text()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.change is not None and not dialog.isVisible()
    [line] = list_surveys()
    form = survey_form(line.id)
    assert (form.name, form.anonymous) == ("Quick", True)
    assert [(q.kind, q.text, q.options) for q in form.questions] == [
        ("choice", "Came for?", ("Coffee", "Cake"))]  # fmt: skip


def test_the_editor_of_an_answered_survey_keeps_its_anonymity(app, qtbot, survey):
    survey_id, _ = survey
    answered = SurveyDefinition("x", EVERY_KIND.questions, id=survey_id)
    dialog = shown(qtbot, SurveyEditorDialog(answered, True, None))
    assert not dialog.anonymous.isEnabled()
    assert "makes a new version" in "\n".join(
        label.text() for label in dialog.findChildren(type(dialog.problem)) if label.isVisible()
    )
