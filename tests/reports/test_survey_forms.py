"""Paper survey forms: one page a form, each customer's form with their name and a QR code a
scanner reads back as that form's code; blank forms with the code of nobody; what to tick and
write for each kind of question; the shop's paper size and fonts; an anonymous survey has no
per-customer forms; cancelling leaves nothing behind."""

from __future__ import annotations

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from reportlab.lib.pagesizes import A4, LETTER

from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.paper import PaperRefused, form_code
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
)
from relapp.domain.shop.settings import save_settings
from relapp.reports.document import ReportCancelled
from relapp.reports.survey_forms import survey_forms
from tests.factories import add_contact

CARD = SurveyDefinition(
    "Comment card",
    (
        QuestionDraft("rating", "How was your visit?"),
        QuestionDraft("nps", "Would you recommend us?"),
        QuestionDraft("choice", "What did you buy?", ("Bread", "Cake", "Kaffee und Kuchen")),
        QuestionDraft("choices", "What else would you like?", ("Tea", "Soup")),
        QuestionDraft("yes_no", "Did you find everything?"),
        QuestionDraft("text", "맛있었어요?", required=False),  # was it tasty?
    ),
    intro="Thank you for coming: tick one box a question, or write a few words.",
)


def define(survey: SurveyDefinition = CARD) -> int:
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


def codes_on(path, page: int) -> list[str]:
    image = pdfium.PdfDocument(path)[page].render(scale=3).to_pil()
    return [symbol.data.decode("ascii") for symbol in decode(image)]


def pages_text(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture
def shop(db):
    save_settings(shop_name="Lantern Lane")
    ids = [add_contact(given, "Lee", ladder_stage="client", card_number=card).id
           for given, card in (("Ann", "2700000000017"), ("Bob", None))]  # fmt: skip
    add_contact("Pat", "Prospect")
    save_segment("Clients", ContactFilter(stages=("client",)))
    return define(), ids


def test_a_form_for_each_customer_with_their_code(shop, tmp_path):
    survey_id, (ann, bob) = shop
    sheet = survey_forms(tmp_path / "forms.pdf", survey_id, segment="Clients")
    assert (sheet.forms, sheet.pages) == (2, 2)
    first, second = pages_text(sheet.path)
    assert "Lantern Lane" in first and "Comment card" in first
    assert "For Ann Lee, card 2700000000017" in first and "For Bob Lee" in second
    assert "Thank you for coming" in first
    assert "1. How was your visit? 1 2 3 4 5" in first
    assert "Not at all likely" in first and "Extremely likely" in first
    assert "Tick one. 1 Bread 2 Cake 3 Kaffee und Kuchen" in first
    assert "Tick all that apply. 1 Tea 2 Soup" in first and "Yes No" in first
    assert codes_on(sheet.path, 0) == [form_code(survey_id, 1, ann)]
    assert codes_on(sheet.path, 1) == [form_code(survey_id, 1, bob)]
    assert form_code(survey_id, 1, ann) in first  # printed small under the code too
    with pikepdf.open(sheet.path) as pdf:
        fonts = {str(font.BaseFont).partition("+")[2] for page in pdf.pages
                 for _name, font in page.Resources.Font.items()}  # fmt: skip
    assert "NanumGothic" in fonts  # the Korean question drawn, not boxes


def test_blank_forms_on_the_shops_paper(shop, tmp_path):
    survey_id, _ids = shop
    for paper, size in (("Letter", LETTER), ("A4", A4)):
        save_settings(paper_size=paper)
        sheet = survey_forms(tmp_path / f"{paper}.pdf", survey_id, blank=3)
        assert (sheet.forms, sheet.pages) == (3, 3)
        page = PdfReader(sheet.path).pages[0]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)
        assert "Your name or card number:" in pages_text(sheet.path)[0]
        assert codes_on(sheet.path, 2) == [form_code(survey_id, 1, None)]


def test_a_long_form_goes_on_with_its_code(shop, tmp_path):
    many = SurveyDefinition("Long card", tuple(
        QuestionDraft("choices", f"Question {n}?", tuple(f"Option {o}" for o in range(8)))
        for n in range(1, 11)))  # fmt: skip
    survey_id = define(many)
    sheet = survey_forms(tmp_path / "long.pdf", survey_id, blank=1)
    assert sheet.forms == 1 and sheet.pages >= 2
    texts = pages_text(sheet.path)
    assert "Long card (continued)" in texts[1] and "Question 10?" in texts[-1]
    assert codes_on(sheet.path, 1) == [form_code(survey_id, 1, None)]


def test_refusals_and_cancelling_write_nothing(shop, tmp_path):
    survey_id, _ids = shop
    quiet = define(SurveyDefinition("Quiet card", CARD.questions, anonymous=True))
    out = tmp_path / "forms.pdf"
    with pytest.raises(PaperRefused, match="Quiet card is anonymous"):
        survey_forms(out, quiet, segment="Clients")
    with pytest.raises(PaperRefused, match="no saved segment called 'Regulars'"):
        survey_forms(out, survey_id, segment="Regulars")
    with pytest.raises(PaperRefused, match="Print 1 to 500 blank forms"):
        survey_forms(out, survey_id, blank=0)
    with pytest.raises(ReportCancelled):
        survey_forms(out, survey_id, segment="Clients", cancelled=lambda: True)
    assert not list(tmp_path.glob("*.pdf*"))
    assert "Anonymous: please do not write your name." in pages_text(
        survey_forms(out, quiet, blank=1).path)[0]  # fmt: skip
