"""Survey results and paper forms from the real window: in Listening (Ctrl+8) a survey that
customers answered shows its results with Results… (Alt+R): the NPS with its interval, every
score's bar, the months, the split by tier, the written answers, saved as a PDF with Ctrl+S;
Paper… (Alt+P) saves a form for each customer of a segment, then the cashier scans one
form's QR code (its text and Enter, as a scanner types it), types the answers in the row's
cells and saves them: a paper answer of that customer's in the database. A foreign code is
refused in one sentence and adds no row."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from relapp.db.models import Contact, database
from relapp.domain.contacts.listing import (
    ContactFilter,
    count_contacts,
    filter_choices,
    filter_where,
)
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.paper import form_code, form_customers
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.ui.listening import paper_dialog, results_dialog
from tests.flows.harness import Flow

SEGMENT = "VIP customers"
VISIT = SurveyDefinition(
    "After your visit",
    (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("rating", "How was your visit?"),
        QuestionDraft("choice", "What did you come for?", ("Coffee", "Cake", "Lunch"), False),
        QuestionDraft("text", "Anything else?", required=False),
    ),
    intro="Two minutes of your time, please.",
)


def answered_survey() -> tuple[int, list[int]]:
    """The survey with three customers' answers, as the Counter would have recorded them."""
    save_survey(VISIT)
    survey_id = next(line.id for line in list_surveys() if line.name == VISIT.name)
    people = [row.id for row in Contact.select(Contact.id).where(
        Contact.archived_at.is_null(), Contact.erased_at.is_null()).order_by(Contact.id)
        .limit(3)]  # fmt: skip
    questions = survey_form(survey_id).questions
    for who, (nps, rating, note) in zip(people, ((10, 5, "Lovely cake"), (9, 4, None),
                                                 (3, 2, "Too slow")), strict=True):  # fmt: skip
        answers = [Answer(questions[0].id, nps), Answer(questions[1].id, rating)]
        if note:
            answers.append(Answer(questions[3].id, None, note))
        record_response(survey_id, answers, contact_id=who, source="counter")
    return survey_id, people


def count_answers_of(survey_id: int, segment: str) -> int:
    """How many answered the NPS question among the segment's customers now."""
    where, params = filter_where(ContactFilter(segment=segment))
    return database.execute_sql(
        "SELECT count(*) FROM survey_response r WHERE r.survey_id = ? AND r.contact_id IN"
        f" (SELECT id FROM contact WHERE {where})",
        (survey_id, *params),
    ).fetchone()[0]


def test_the_results_of_a_survey_with_charts_splits_and_a_pdf(
    flow: Flow, tmp_path: Path, monkeypatch
):
    survey_id, _people = answered_survey()
    pdf = tmp_path / "results.pdf"
    monkeypatch.setattr(results_dialog, "choose_pdf_path", lambda parent, suggested: pdf)
    flow.press("Ctrl+8")
    page = flow.current_view().surveys
    flow.wait_until(lambda: page.table.rowCount() == len(list_surveys()))  # the demo's too
    flow.move_to(page.table, VISIT.name)
    seen: dict[str, object] = {}

    def results(dialog):
        assert dialog.questions.hasFocus()
        assert "3 responses" in dialog.summary.text()
        seen["headline"] = dialog.headline.text()
        seen["bars"] = list(dialog.bars.rows)
        flow.press("Alt+M")  # month by month
        seen["months"] = [dialog.months.item(row, 1).text()
                          for row in range(dialog.months.rowCount())]  # fmt: skip
        flow.press("Alt+C")  # by customer: loyalty tier first
        seen["tiers"] = sum(int(dialog.splits.item(row, 1).text())
                            for row in range(dialog.splits.rowCount()))  # fmt: skip
        flow.press("Alt+B")
        flow.press("Down")
        flow.press("Down")  # the first saved segment, read now
        flow.wait_until(lambda: dialog.splits.rowCount() == 1)
        seen["segment"] = [dialog.splits.item(0, column).text() for column in range(2)]
        dialog.questions.setFocus()
        flow.press("End")  # the written answers' question
        seen["texts"] = [dialog.texts.item(row, 2).text()
                         for row in range(dialog.texts.rowCount())]  # fmt: skip
        seen["tab"] = dialog.tabs.tabText(dialog.tabs.currentIndex())
        flow.press("Ctrl+S")
        flow.wait_until(lambda: dialog.status.text().startswith("Saved in"), 30_000)
        flow.press("Escape")

    flow.in_next_dialog(results, f"Results: {VISIT.name}")
    flow.press("Alt+R")
    flow.wait_for_dialogs(60_000)

    assert str(seen["headline"]).startswith(
        "Recommend score (0 to 10) · 3 answers · NPS +33 (95 % interval "
    )
    assert seen["bars"] == [(str(n), 1 if n in (3, 9, 10) else 0) for n in range(11)]
    assert seen["months"] == ["3"]
    assert seen["tiers"] == 3  # every named answer in some tier (or none)
    first_segment = filter_choices().segments[0]
    members = count_answers_of(survey_id, first_segment)
    assert seen["segment"] == [first_segment, str(members)]
    assert seen["texts"] == ["Too slow", "Lovely cake"]
    assert seen["tab"] == "&Written answers"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    assert f"Survey results: {VISIT.name}" in text and "Lovely cake" in text


def test_paper_forms_for_a_segment_and_one_typed_back_by_scanning(
    flow: Flow, tmp_path: Path, monkeypatch
):
    save_survey(VISIT)
    survey_id = next(line.id for line in list_surveys() if line.name == VISIT.name)
    forms_pdf = tmp_path / "forms.pdf"
    monkeypatch.setattr(paper_dialog, "choose_forms_path", lambda parent, suggested: forms_pdf)
    customers = form_customers(SEGMENT)
    first = customers[0]
    flow.press("Ctrl+8")
    page = flow.current_view().surveys
    flow.wait_until(lambda: page.table.rowCount() == len(list_surveys()))  # the demo's too
    flow.move_to(page.table, VISIT.name)
    seen: dict[str, object] = {}

    def paper(dialog):
        flow.press("Alt+S")  # one for each customer of the segment
        flow.wait_until(dialog.per_customer.isChecked)  # a mnemonic clicks a moment later
        flow.press("Tab")
        assert dialog.segment.hasFocus()
        flow.type("VIP")  # a list picks the item its first letters name
        assert dialog.segment.currentText() == SEGMENT
        flow.press("Alt+M")
        flow.wait_until(lambda: dialog.print_status.text().endswith(".pdf."), 30_000)
        seen["printed"] = dialog.print_status.text()
        flow.press("Alt+T")
        assert dialog.scan.hasFocus()
        flow.type("RELAPP-S1:999:1:5:ABCD")  # another program's code: told, nothing added
        flow.press("Return")
        seen["foreign"] = dialog.scan_problem.text()
        assert dialog.grid.rowCount() == 0
        flow.type(form_code(survey_id, 1, first.contact_id))
        flow.press("Return")
        assert dialog.grid.rowCount() == 1 and dialog.grid.item(0, 0).text() == first.name
        flow.type("9")
        flow.press("Tab")
        flow.type("4")
        flow.press("Tab")
        flow.type("2")  # Cake
        flow.press("Tab")
        flow.type("Nice and quick")
        flow.press("Alt+V")
        flow.wait_until(lambda: dialog.type_status.text() == "1 form saved.")
        seen["left"] = dialog.grid.rowCount()
        flow.press("Escape")

    flow.in_next_dialog(paper, f"Paper forms: {VISIT.name}")
    flow.press("Alt+P")
    flow.wait_for_dialogs(60_000)

    assert seen["printed"] == (
        f"{len(customers)} forms ({len(customers)} pages) saved in {forms_pdf}.")  # fmt: skip
    assert len(customers) == count_contacts(ContactFilter(segment=SEGMENT))
    assert seen["foreign"].startswith("That form's code does not add up")
    assert seen["left"] == 0
    image = pdfium.PdfDocument(forms_pdf)[0].render(scale=3).to_pil()
    assert [symbol.data.decode("ascii") for symbol in decode(image)] == [
        form_code(survey_id, 1, first.contact_id)]  # fmt: skip
    [(response_id, contact_id, source)] = database.execute_sql(
        "SELECT id, contact_id, source FROM survey_response WHERE survey_id = ?", (survey_id,)
    ).fetchall()
    assert (contact_id, source) == (first.contact_id, "paper")
    answers = database.execute_sql(
        "SELECT q.position, a.value, a.text FROM survey_answer a JOIN survey_question q"
        " ON q.id = a.question_id WHERE a.response_id = ? ORDER BY q.position",
        (response_id,),
    ).fetchall()
    assert answers == [(1, 9, None), (2, 4, None), (3, 1, None), (4, None, "Nice and quick")]
