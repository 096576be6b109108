"""The survey results and paper forms dialogs on their own (the flows in
tests/flows/test_survey_results_flows.py reach them from the window): a survey nobody answered
says so, a survey's earlier version keeps its questions, anonymous answers are told to be in
no split, the split by customer is read when first shown; paper forms: a scan typed into an
answer's cell adds its row, a form scanned twice or a cell that does not read is told in
one sentence and records nothing, a blank form's customer is typed by card number, an
anonymous survey prints blank forms only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from relapp.db.models import Contact, database
from relapp.domain import clock
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.paper import form_code
from relapp.domain.listening.results import survey_results
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.ui import operations
from relapp.ui.listening.paper_dialog import PaperDialog
from relapp.ui.listening.results_dialog import ResultsDialog, read_results
from tests.factories import FakeClock, add_contact

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
CARD = SurveyDefinition(
    "Comment card",
    (
        QuestionDraft("nps", "Would you recommend us?"),
        QuestionDraft("yes_no", "Did you find everything?", required=False),
        QuestionDraft("text", "Anything else?", required=False),
    ),
)


def define(survey: SurveyDefinition = CARD) -> int:
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


def responses() -> list[tuple]:
    return database.execute_sql(
        "SELECT contact_id, source FROM survey_response ORDER BY id"
    ).fetchall()


@pytest.fixture
def shop(app, db, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", FakeClock(NOW))
    return define()


@pytest.fixture
def told(monkeypatch) -> list[str]:
    sentences: list[str] = []
    monkeypatch.setattr(
        operations.QMessageBox, "warning", lambda parent, title, text: sentences.append(text)
    )
    return sentences


def test_a_survey_nobody_answered_says_so(qtbot, shop):
    dialog = ResultsDialog(survey_results(shop, segments=()))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.body.currentWidget() is dialog.empty
    assert "Nobody has answered Comment card yet" in dialog.empty.body_label.text()
    assert not dialog.save_button.isEnabled()


def test_an_earlier_version_keeps_its_questions(qtbot, shop):
    ann = add_contact("Ann", "Lee").id
    nps = survey_form(shop).questions[0].id
    record_response(shop, [Answer(nps, 9)], contact_id=ann, source="counter")
    save_survey(replace(CARD, id=shop, questions=(QuestionDraft("rating", "Rate us"),)))
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ResultsDialog(read_results(parent, shop), parent)
    dialog.show()
    assert dialog.versions.isVisible() and dialog.versions.count() == 2
    assert dialog.questions.item(0).text() == "1. Rate us"
    dialog.versions.setCurrentIndex(1)
    assert [dialog.questions.item(n).text() for n in range(dialog.questions.count())] == [
        "1. Would you recommend us?",
        "2. Did you find everything?",
        "3. Anything else?",
    ]
    assert dialog.headline.text().startswith("Recommend score (0 to 10) · 1 answer · NPS +100")
    assert dialog.bars.rows[9] == ("9", 1)


def test_the_split_by_customer_is_read_when_shown_and_anonymous_answers_are_told(qtbot, app,
                                                                                  db):  # fmt: skip
    quiet = define(replace(CARD, name="Quiet card", anonymous=True))
    nps = survey_form(quiet).questions[0].id
    record_response(quiet, [Answer(nps, 10)], contact_id=None, source="paper")
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ResultsDialog(read_results(parent, quiet), parent)
    dialog.show()
    assert not dialog.results.by_customer
    dialog.tabs.setCurrentIndex(2)  # By customer
    assert dialog.results.by_customer
    assert dialog.splits.rowCount() == 0
    assert "1 anonymous response counts in every total and in no split" in (
        dialog.split_note.text())  # fmt: skip


def test_a_scan_typed_into_a_cell_adds_its_row_and_twice_is_told(qtbot, shop):
    ann = add_contact("Ann", "Lee").id
    dialog = PaperDialog(survey_form(shop))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    code = form_code(shop, 1, ann)
    assert dialog.add_scanned(code)
    assert dialog.grid.item(0, 0).text() == "Ann Lee"
    # The cashier forgot to go back to Scan: the scanner typed into the answer's cell.
    dialog.grid.item(0, 1).setText(code)
    qtbot.waitUntil(lambda: dialog.scan_problem.text() != "")
    assert dialog.scan_problem.text() == "Ann Lee's form is in the grid already (row 1)."
    assert dialog.grid.rowCount() == 1 and dialog.grid.item(0, 1).text() == ""


def test_a_cell_that_does_not_read_keeps_its_row_and_records_nothing(qtbot, shop, told):
    ann = add_contact("Ann", "Lee").id
    bob = add_contact("Bob", "Ng", card_number="2700000000017").id
    dialog = PaperDialog(survey_form(shop))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_scanned(form_code(shop, 1, ann))
    dialog.grid.item(0, 1).setText("11")
    dialog.save_answers()
    assert told == ["The first row (Ann Lee): Question 1 takes a number from 0 to 10, not '11'."]
    assert dialog.grid.rowCount() == 1 and responses() == []
    dialog.grid.item(0, 1).setText("10")
    dialog.add_row()  # a blank form: Bob's card typed in its first cell
    dialog.grid.item(1, 0).setText("2700000000017")
    dialog.grid.item(1, 1).setText("7")
    dialog.grid.item(1, 2).setText("n")
    dialog.save_answers()
    assert dialog.type_status.text() == "2 forms saved." and dialog.grid.rowCount() == 0
    assert responses() == [(ann, "paper"), (bob, "paper")]


def test_an_anonymous_survey_prints_blank_forms_only(qtbot, app, db):
    quiet = define(replace(CARD, name="Quiet card", anonymous=True))
    Contact.create(given_name="Zed", created_at=NOW, updated_at=NOW)
    dialog = PaperDialog(survey_form(quiet))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.per_customer.isEnabled() and dialog.blank.isChecked()
    dialog.tabs.setCurrentIndex(1)
    assert dialog.add_scanned(form_code(quiet, 1, None))
    assert dialog.grid.item(0, 0).text() == "anonymous"
    assert dialog.grid.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag(0)
