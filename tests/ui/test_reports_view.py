"""The Reports view and the one-click dossier and card, as the shop owner uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog

from relapp.db.models import Contact
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.competitions import Draft, enter, save_competition
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    survey_form,
)
from relapp.domain.listening.winners import make_draw
from relapp.domain.memberships.status import shop_today
from relapp.ui.counter.view import CounterView
from relapp.ui.reports import preview as preview_module
from relapp.ui.reports.generate import suggested_file_name
from relapp.ui.reports.preview_dialog import ReportPreviewDialog
from relapp.ui.reports.view import ReportsView


@pytest.fixture
def view(qtbot, app, demo_db):
    shown = ReportsView()
    qtbot.addWidget(shown)
    shown.resize(1000, 700)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def test_the_loyalty_report_is_made_and_previewed(qtbot, view):
    view.select_report("loyalty")
    assert "Outstanding points" in view.description.text()
    assert not view.print_button.isEnabled()
    qtbot.keyClick(view.catalogue, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.body.currentWidget() is view.preview
    pages = len(view.preview.page_labels)
    assert pages >= 1 and view.status.text().startswith(f"{pages} page")
    assert view.preview.page_labels[0].pixmap().width() > 500  # page 1 drawn
    assert view.print_button.isEnabled() and view.save_button.isEnabled()


def test_a_dossier_needs_a_customer_and_names_a_wrong_one(qtbot, view, monkeypatch):
    warnings = []
    monkeypatch.setattr(
        "relapp.ui.reports.generate.QMessageBox.warning", lambda *args: warnings.append(args[2])
    )
    view.select_report("customer")
    view.make_report()
    assert view.status.text() == "Type the customer's number or card number."
    qtbot.keyClicks(view.customer, "999999")
    qtbot.keyClick(view.customer, Qt.Key.Key_Return)
    assert warnings and "999999" in warnings[0]
    assert view.body.currentWidget() is view.empty


def test_save_as_copies_the_pdf_where_the_user_says(qtbot, view, tmp_path, monkeypatch):
    view.select_report("followups")
    view.make_report()
    target = tmp_path / "today"  # no extension typed: .pdf is added
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(target), "PDF"))
    )
    view.save_report()
    saved = tmp_path / "today.pdf"
    assert len(PdfReader(saved).pages) == len(view.preview.page_labels)
    assert view.status.text() == f"Saved as {saved}."


def test_print_sends_every_page_to_the_printer(qtbot, view, tmp_path, monkeypatch):
    printed = tmp_path / "printed.pdf"

    class PrintToFile:
        PrintDialogOption = QPrintDialog.PrintDialogOption
        DialogCode = QPrintDialog.DialogCode

        def __init__(self, printer: QPrinter, parent) -> None:
            self.printer = printer

        def setOption(self, *args) -> None:
            pass

        def exec(self) -> QPrintDialog.DialogCode:
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(printed))
            return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(preview_module, "QPrintDialog", PrintToFile)
    view.select_report("loyalty")
    view.make_report()
    view.print_report()
    assert view.status.text() == "Sent to the printer."
    assert len(PdfReader(printed).pages) == len(view.preview.page_labels)


def test_a_segment_list_offers_the_saved_segments_and_columns(qtbot, view, change_bus):
    save_segment("Everyone", ContactFilter())
    view.on_change(Change.of(Entity.SEGMENTS))
    view.select_report("segment")
    assert view.segment.findText("Everyone") >= 0
    view.segment.setCurrentText("Everyone")
    assert view.columns.count() > 3
    view.make_report()
    assert view.body.currentWidget() is view.preview


def test_the_dossier_is_one_key_from_the_counter(qtbot, app, demo_db, change_bus):
    counter = CounterView(change_bus)
    qtbot.addWidget(counter)
    counter.show()
    with qtbot.waitActive(counter):
        counter.activateWindow()
    carded = Contact.select().where(Contact.card_number.is_null(False)).first()
    counter.show_customer(carded.id)
    seen = {}

    def look_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ReportPreviewDialog):
            QTimer.singleShot(50, look_and_close)  # the progress dialog may come first
            return
        seen["pages"] = len(dialog.preview.page_labels)
        seen["title"] = dialog.windowTitle()
        dialog.reject()

    QTimer.singleShot(0, look_and_close)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert seen["title"] == "Customer dossier" and seen["pages"] >= 1


# ------------------------------------------------------------- surveys and prize draws


@pytest.fixture
def bare_view(qtbot, app, db):
    """The view on a new shop: no survey, no competition."""
    shown = ReportsView()
    qtbot.addWidget(shown)
    shown.resize(1000, 700)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def answered_survey(name: str, scores: tuple[int, ...]) -> int:
    """A survey with one NPS question that the first customers answered with scores."""
    save_survey(SurveyDefinition(name, (QuestionDraft("nps", "Would you recommend us?"),)))
    survey_id = next(line.id for line in list_surveys() if line.name == name)
    question = survey_form(survey_id).questions[0]
    people = (
        Contact.select(Contact.id)
        .where(Contact.archived_at.is_null(), Contact.erased_at.is_null())
        .order_by(Contact.id)
    )
    for who, score in zip(people, scores, strict=False):
        record_response(survey_id, [Answer(question.id, score)], contact_id=who.id,
                        source="counter")  # fmt: skip
    return survey_id


def competition(name: str, ended_days_ago: int, drawn: bool) -> int:
    """A competition of a month that ended days ago, two customers entered; drawn if asked."""
    today, now = shop_today(), clock.utc_now()
    competition_id = save_competition(Draft(
        name, today - timedelta(days=ended_days_ago + 30), today - timedelta(days=ended_days_ago),
    ), as_owner=True).competition.id  # fmt: skip
    people = (
        Contact.select(Contact.id)
        .where(Contact.archived_at.is_null(), Contact.erased_at.is_null())
        .limit(2)
    )
    for who in people:
        enter(competition_id, who.id, "counter", now=now - timedelta(days=ended_days_ago + 10))
    if drawn:
        make_draw(competition_id, as_owner=True, seed=name,
                  now=now - timedelta(days=ended_days_ago - 1))  # fmt: skip
    return competition_id


def choices(combo) -> list[str]:
    return [combo.itemText(index) for index in range(combo.count())]


def test_the_survey_results_offer_the_surveys_newest_first(qtbot, view, monkeypatch):
    # Names no demo survey has: the demo shop may hold surveys of its own, made before.
    first = answered_survey("Cup size poll", (10, 9, 3))
    answered_survey("Till queue survey", (8,))  # made after: offered first
    view.select_report("survey")
    assert "every written answer" in view.description.text()
    assert view.survey.isVisible() and not view.no_survey.isVisible()
    assert choices(view.survey)[:2] == ["Till queue survey · 1 response",
                                        "Cup size poll · 3 responses"]  # fmt: skip
    view.survey.setCurrentIndex(view.survey.findData(first))
    view.make_report()
    assert view.body.currentWidget() is view.preview
    assert view.request == view.current_request() and view.request.survey == first
    text = pdf_text(view.preview.path)
    assert "Survey results: Cup size poll" in text and "3 responses" in text
    assert "NPS +33" in text
    assert suggested_file_name(view.request) == "Survey results Cup size poll.pdf"


def test_with_no_survey_the_view_says_where_to_make_one(qtbot, bare_view):
    view = bare_view
    view.select_report("survey")
    sentence = "The shop has no survey yet: make one in Listening (Ctrl+8)."
    assert view.no_survey.isVisible() and view.no_survey.text() == sentence
    assert not view.survey.isVisible()
    view.make_report()
    assert view.status.text() == sentence and view.body.currentWidget() is view.empty
    # A survey made meanwhile (here, at another till) is offered at once.
    save_survey(SurveyDefinition("First survey", (QuestionDraft("rating", "How was it?"),)))
    view.on_change(Change.of(Entity.SURVEYS))
    assert view.survey.isVisible() and not view.no_survey.isVisible()
    assert choices(view.survey) == ["First survey · 0 responses"]
    view.make_report()
    assert "Nobody has answered this survey yet" in pdf_text(view.preview.path)


def test_the_draw_record_offers_the_drawn_competitions_only(qtbot, view):
    ours = ("Seed hamper", "Bulb raffle", "Trowel draw")  # names no demo competition has
    older = competition(ours[0], ended_days_ago=60, drawn=True)
    competition(ours[1], ended_days_ago=10, drawn=True)
    competition(ours[2], ended_days_ago=3, drawn=False)  # ended, not drawn
    view.select_report("draw")
    offered = choices(view.draw)
    assert all(text.split(" · ")[1].startswith("drawn ") for text in offered)
    names = [text.split(" · ")[0] for text in offered]
    assert [name for name in names if name in ours] == ["Bulb raffle", "Seed hamper"]
    view.draw.setCurrentIndex(view.draw.findData(older))
    view.make_report()
    assert view.request.competition == older
    text = pdf_text(view.preview.path)
    assert "Prize draw: Seed hamper" in text and "Seed: Seed hamper" in text
    assert suggested_file_name(view.request) == "Prize draw record Seed hamper.pdf"


def test_with_no_draw_the_view_says_so_until_one_is_drawn(qtbot, bare_view):
    from tests.factories import add_contact

    view = bare_view
    add_contact("Ann", "Lee")
    waiting = competition("Spring hamper", ended_days_ago=5, drawn=False)
    view.select_report("draw")
    sentence = ("No competition has been drawn yet: draw one in Listening (Ctrl+8), "
                "Competitions, once it has ended.")  # fmt: skip
    assert view.no_draw.isVisible() and view.no_draw.text() == sentence
    view.make_report()
    assert view.status.text() == sentence
    view.hide()  # drawn while the view is out of sight: read when it is next shown
    make_draw(waiting, as_owner=True)
    view.on_change(Change.of(Entity.COMPETITIONS))
    view.show()
    assert view.draw.isVisible() and not view.no_draw.isVisible()
    assert choices(view.draw)[0].startswith("Spring hamper · drawn ")
