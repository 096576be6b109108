"""The Reports view and the one-click dossier and card, as the shop owner uses them."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog

from relapp.db.models import Contact
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.ui.counter.view import CounterView
from relapp.ui.reports import preview as preview_module
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
    from relapp.domain.changes import Change, Entity

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
