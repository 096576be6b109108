"""A survey's results on paper: the headline figures, every possible answer in the tables,
the months, the splits, every written answer, how it is counted (the NPS interval's method);
in the shop's fonts (a question in Chinese and an answer in Korean); a survey nobody
answered says so; cancelling leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime

import pikepdf
import pytest
from pypdf import PdfReader

from relapp.db.models import Staff
from relapp.domain import clock
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    SurveyRefused,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.errors import RelappError
from relapp.reports.catalogue import ReportRequest, write_report
from relapp.reports.document import ReportCancelled
from relapp.reports.survey_results import survey_results_report
from tests.factories import FakeClock, add_contact

TEA = "您喜欢我们的茶吗？"  # do you like our tea?
VISIT = SurveyDefinition(
    "After your visit",
    (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("choice", TEA, ("Yes", "No", "Sometimes")),
        QuestionDraft("text", "Anything else?", required=False),
    ),
)


def fonts_of(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(font.BaseFont).partition("+")[2] for page in pdf.pages
                for _name, font in page.Resources.Font.items()}  # fmt: skip


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def survey(db, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", FakeClock(datetime(2026, 6, 10, 12, tzinfo=UTC)))
    Staff.create(name="Sam", role="counter", pin_hash="x", created_at=clock.utc_now())
    save_survey(VISIT)
    survey_id = next(line.id for line in list_surveys() if line.name == VISIT.name)
    questions = survey_form(survey_id).questions
    save_segment("Clients", ContactFilter(stages=("client",)))
    for given, nps, choice, note in (("Ann", 10, 0, "정말 좋아요"), ("Bob", 9, 2, None),
                                     ("Cat", 2, 1, "Too slow")):  # fmt: skip
        who = add_contact(given, "Lee", ladder_stage="client").id
        answers = [Answer(questions[0].id, nps), Answer(questions[1].id, choice)]
        if note:
            answers.append(Answer(questions[2].id, None, note))
        record_response(survey_id, answers, contact_id=who, source="counter")
    return survey_id


def test_every_figure_in_the_shops_fonts(survey, tmp_path):
    out = survey_results_report(tmp_path / "results.pdf", survey)
    text = text_of(out)
    assert "Survey results: After your visit" in text
    assert "Survey · answers kept with the customer's name · 3 responses · Jun 2026" in text
    assert "Recommend score (0 to 10) · 3 answers · NPS +33 (95 % interval" in text
    assert "average 7.0 of 10" in text
    assert "10 1 33%" in text and "5 0 0%" in text  # every score, the ones nobody gave too
    assert "Sometimes 1 33%" in text
    assert "Segment: Clients 3" in text and "Ladder stage: Client 3" in text
    assert "Ann Lee 정말 좋아요" in text and "Cat Lee Too slow" in text
    assert "1.96 x the square root of (p + d - (p - d)²) / n" in text
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"} <= fonts_of(out)


def test_a_survey_nobody_answered_and_an_unknown_one(db, tmp_path):
    save_survey(VISIT)
    survey_id = next(line.id for line in list_surveys() if line.name == VISIT.name)
    out = survey_results_report(tmp_path / "empty.pdf", survey_id)
    assert len(PdfReader(out).pages) == 1
    assert "Nobody has answered this survey yet" in text_of(out)
    with pytest.raises(SurveyRefused, match="There is no survey number 99"):
        survey_results_report(tmp_path / "none.pdf", 99)
    assert not (tmp_path / "none.pdf").exists()


def test_cancelling_writes_nothing(survey, tmp_path):
    out = tmp_path / "results.pdf"
    with pytest.raises(ReportCancelled):
        survey_results_report(out, survey, cancelled=lambda: True)
    assert not out.exists() and not list(tmp_path.glob("*.pdf*"))
    seen: list[float] = []
    survey_results_report(out, survey, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_the_catalogue_writes_the_results_and_refuses_without_a_survey(survey, tmp_path):
    """`relapp report survey ID` and the Reports view: every saved segment's split."""
    result = write_report(ReportRequest("survey", survey=survey), tmp_path / "results.pdf")
    assert result.pages == len(PdfReader(result.path).pages) and result.note == ""
    text = text_of(result.path)
    assert "Survey results: After your visit" in text and "Segment: Clients 3" in text
    for request, sentence in ((ReportRequest("survey"), "Say which survey: its number"),
                              (ReportRequest("survey", survey=999),
                               "There is no survey number 999.")):  # fmt: skip
        with pytest.raises(RelappError, match=sentence):
            write_report(request, tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()
