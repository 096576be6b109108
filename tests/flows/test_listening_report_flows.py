"""A survey's results and a prize draw's record from the Reports view (Ctrl+5): the owner
chooses the report, picks the survey (the newest first) or the drawn competition (only drawn
ones are offered) by its mnemonic, makes it with Ctrl+Return and saves it with Ctrl+S; the
PDF says what the customers answered, or who won and how to check it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact
from relapp.domain import clock
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.competitions import Draft, enter, save_competition
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.domain.listening.winners import make_draw, winners_of
from relapp.domain.memberships.status import shop_today
from tests.flows.harness import Flow
from tests.flows.test_campaign_flows import choose

# Names no demo survey or competition has: the demo shop may hold some of its own.
SURVEY = SurveyDefinition(
    "Till queue survey",
    (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("text", "Anything else?", required=False),
    ),
)
COMPETITION = "Trowel hamper"


def customers(count: int) -> list[int]:
    return [row.id for row in Contact.select(Contact.id).where(
        Contact.archived_at.is_null(), Contact.erased_at.is_null()).order_by(Contact.id)
        .limit(count)]  # fmt: skip


def answered_survey() -> int:
    """The survey with three customers' answers, as the Counter records them."""
    save_survey(SURVEY)
    survey_id = next(line.id for line in list_surveys() if line.name == SURVEY.name)
    questions = survey_form(survey_id).questions
    for who, (score, note) in zip(customers(3), ((10, "Lovely cake"), (9, None),
                                                 (3, "Too slow")), strict=True):  # fmt: skip
        answers = [Answer(questions[0].id, score)]
        if note:
            answers.append(Answer(questions[1].id, None, note))
        record_response(survey_id, answers, contact_id=who, source="counter")
    return survey_id


def drawn_competition() -> int:
    """A month's competition that ended a week ago, four customers entered, drawn."""
    today, now = shop_today(), clock.utc_now()
    competition_id = save_competition(Draft(
        COMPETITION, today - timedelta(days=37), today - timedelta(days=7), winners=2,
    ), as_owner=True).competition.id  # fmt: skip
    for who in customers(4):
        enter(competition_id, who, "counter", now=now - timedelta(days=20))
    make_draw(competition_id, as_owner=True, seed="trowel seed")
    return competition_id


def make_and_save(flow: Flow, reports, title: str, mnemonic: str, combo, wanted: int,
                  out: Path) -> str:  # fmt: skip
    """Choose the report, pick wanted in combo, make it and save it as out; out's text."""
    flow.press("Ctrl+5")
    flow.move_to(reports.catalogue, title)
    # A label added to a form on screen shows once the event loop runs.
    flow.wait_until(lambda: reports.parameters.labelForField(combo).isVisible())
    flow.press(mnemonic)
    assert QApplication.focusWidget() is combo
    choose(flow, combo, wanted)
    reports.status.setText("")
    flow.press("Ctrl+Return")
    flow.wait_until(lambda: "page" in reports.status.text(), 30_000)

    def where(_file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    flow.in_next_dialog(where, "Save report")
    flow.press("Ctrl+S")
    assert reports.status.text() == f"Saved as {out}."
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)


def test_a_surveys_results_from_the_reports_view(flow: Flow, tmp_path: Path):
    survey_id = answered_survey()
    flow.press("Ctrl+5")
    reports = flow.current_view()
    assert reports is flow.window.views["reports"]
    flow.move_to(reports.catalogue, "Survey results")
    assert reports.survey.itemText(0) == "Till queue survey · 3 responses"  # the newest first

    text = make_and_save(flow, reports, "Survey results", "Alt+S", reports.survey, survey_id,
                         tmp_path / "survey.pdf")  # fmt: skip
    assert reports.request.kind == "survey" and reports.request.survey == survey_id
    assert "Survey results: Till queue survey" in text
    assert "3 responses" in text and "NPS +33" in text
    assert "Lovely cake" in text and "Too slow" in text


def test_a_draws_record_from_the_reports_view(flow: Flow, tmp_path: Path):
    competition_id = drawn_competition()
    today = shop_today()
    save_competition(Draft("Bulb draw", today - timedelta(days=3), today + timedelta(days=20)),
                     as_owner=True)  # running: not offered  # fmt: skip
    flow.press("Ctrl+5")
    reports = flow.current_view()
    flow.move_to(reports.catalogue, "Prize draw record")
    offered = [reports.draw.itemText(index) for index in range(reports.draw.count())]
    assert offered[0].startswith(f"{COMPETITION} · drawn ")
    assert not any(text.startswith("Bulb draw") for text in offered)

    text = make_and_save(flow, reports, "Prize draw record", "Alt+C", reports.draw,
                         competition_id, tmp_path / "draw.pdf")  # fmt: skip
    assert reports.request.kind == "draw" and reports.request.competition == competition_id
    assert f"Prize draw: {COMPETITION}" in text and "Seed: trowel seed" in text
    assert "Entries: 4, of which 4 valid, from 4 people" in text
    for winner in winners_of(competition_id):
        assert winner.name in text
    assert f"relapp competition verify {competition_id}" in text
