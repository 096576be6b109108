"""Surveys from the command line: `relapp survey list`, `relapp survey results ID` as text,
as one JSON object (every key its help names) and as a PDF, and `relapp survey forms ID`
writing a form for each customer of a segment or blank ones; an unknown survey or segment,
and per-customer forms of an anonymous survey, are one sentence and exit 1."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.domain import clock
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from tests.factories import FakeClock, add_contact

VISIT = SurveyDefinition(
    "After your visit",
    (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("choice", "What did you come for?", ("Coffee", "Cake")),
        QuestionDraft("text", "Anything else?", required=False),
    ),
)


def define(survey: SurveyDefinition = VISIT) -> int:
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


@pytest.fixture
def answered(db, monkeypatch):
    """VISIT with two customers' answers in June 2026 and a segment of clients."""
    monkeypatch.setattr(clock, "utc_now", FakeClock(datetime(2026, 6, 10, 12, tzinfo=UTC)))
    survey_id = define()
    questions = survey_form(survey_id).questions
    ann = add_contact("Ann", "Lee", ladder_stage="client").id
    bob = add_contact("Bob", "Ng").id
    record_response(survey_id, [Answer(questions[0].id, 10), Answer(questions[1].id, 1),
                                Answer(questions[2].id, None, "Lovely cake")],
                    contact_id=ann, source="counter")  # fmt: skip
    record_response(survey_id, [Answer(questions[0].id, 4), Answer(questions[1].id, 0)],
                    contact_id=bob, source="paper")  # fmt: skip
    save_segment("Clients", ContactFilter(stages=("client",)))
    return survey_id


def run(capsys, db_path, *args: str) -> tuple[int, str, str]:
    code = cli.main([*args, "--db", str(db_path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_list_and_the_results_as_text(capsys, answered, db_path):
    code, printed, errors = run(capsys, db_path, "survey", "list")
    assert (code, errors) == (0, "")
    assert printed == f"{answered:>6}  After your visit (survey)  ·  version 1  ·  2 responses\n"
    code, printed, errors = run(capsys, db_path, "survey", "results", str(answered))
    assert (code, errors) == (0, "")
    lines = printed.splitlines()
    assert lines[0] == "After your visit (survey, named): 2 responses."
    assert lines[1] == "By month: 2026-06 2"
    assert "   NPS +0 (95 % interval -100 to +100)" in lines  # two answers: nothing known
    assert f"   {'0':>12}  {0:>9}    0%" in lines and f"   {'10':>12}  {1:>9}   50%" in lines
    assert "   segment Clients: 1 answers; Most answered: Cake (100%)" in lines
    assert "   2026-06  Ann Lee: Lovely cake" in lines


def test_the_results_as_json_hold_every_documented_key(capsys, answered, db_path):
    code, printed, _errors = run(capsys, db_path, "survey", "results", str(answered), "--json")
    assert code == 0
    results = json.loads(printed)
    assert set(results) == {"survey", "responses", "anonymous_responses", "months", "segments",
                            "left_out_segments", "versions"}  # fmt: skip
    assert results["survey"] == {"id": answered, "name": "After your visit", "kind": "survey",
                                 "anonymous": False, "active": False}  # fmt: skip
    assert results["months"] == [{"month": "2026-06", "responses": 2}]
    [version] = results["versions"]
    nps, choice, text = version["questions"]
    assert set(nps) == {"id", "position", "kind", "text", "options", "answers", "distribution",
                        "average", "nps", "months", "by_segment", "by_tier", "by_stage",
                        "text_count", "texts"}  # fmt: skip
    assert nps["distribution"][10] == {"answer": "10", "count": 1} and nps["average"] == 7.0
    assert nps["nps"]["score"] == 0.0 and nps["nps"]["answers"] == 2
    assert (nps["nps"]["low"], nps["nps"]["high"]) == (-100.0, 100.0)  # clipped
    assert [g["group"] for g in nps["by_stage"]] == ["Prospect", "Client"]
    assert choice["nps"] is None and choice["distribution"] == [
        {"answer": "Coffee", "count": 1}, {"answer": "Cake", "count": 1}]  # fmt: skip
    assert text["texts"] == [{"text": "Lovely cake", "month": "2026-06",
                              "answered_at": "2026-06-10T12:00:00+00:00",
                              "customer": "Ann Lee", "source": "counter"}]  # fmt: skip
    with pytest.raises(SystemExit):
        run(capsys, db_path, "survey", "results", "--help")
    printed = capsys.readouterr().out
    for key in ("anonymous_responses", "left_out_segments", "by_segment", "text_count"):
        assert key in printed


def test_the_results_as_a_pdf(capsys, answered, db_path, tmp_path):
    out = tmp_path / "results.pdf"
    code, printed, _errors = run(capsys, db_path, "survey", "results", str(answered), "--pdf",
                                 str(out))  # fmt: skip
    assert code == 0 and printed.startswith(f"Wrote {out} (")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Survey results: After your visit" in text and "Lovely cake" in text


def test_nobody_answered_and_unknown_surveys(capsys, db, db_path):
    survey_id = define()
    code, printed, _errors = run(capsys, db_path, "survey", "results", str(survey_id))
    assert code == 0 and printed.endswith("0 responses.\nNobody has answered it yet.\n")
    code, printed, errors = run(capsys, db_path, "survey", "results", "404")
    assert (code, printed, errors) == (1, "", "relapp: There is no survey number 404.\n")
    code, printed, errors = run(capsys, db_path, "survey", "forms", "404", "--out", "x.pdf",
                                "--blank")  # fmt: skip
    assert (code, errors) == (1, "relapp: There is no survey number 404.\n")


def test_forms_for_a_segment_or_blank(capsys, answered, db_path, tmp_path):
    out = tmp_path / "forms.pdf"
    code, printed, errors = run(capsys, db_path, "survey", "forms", str(answered), "--out",
                                str(out), "--segment", "Clients")  # fmt: skip
    assert (code, errors) == (0, "") and printed == f"Wrote {out} (1 form, 1 page).\n"
    assert "For Ann Lee" in PdfReader(out).pages[0].extract_text()
    code, printed, _errors = run(capsys, db_path, "survey", "forms", str(answered), "--out",
                                 str(out), "--blank", "3")  # fmt: skip
    assert printed == f"Wrote {out} (3 forms, 3 pages).\n"
    code, _printed, errors = run(capsys, db_path, "survey", "forms", str(answered), "--out",
                                 str(out), "--segment", "Regulars")  # fmt: skip
    assert (code, errors) == (1, "relapp: There is no saved segment called 'Regulars'.\n")
    quiet = define(replace(VISIT, name="Quiet", anonymous=True))
    code, _printed, errors = run(capsys, db_path, "survey", "forms", str(quiet), "--out",
                                 str(out), "--segment", "Clients")  # fmt: skip
    assert code == 1 and errors.startswith("relapp: Quiet is anonymous: a form with the")
