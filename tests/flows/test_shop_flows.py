"""The shop as a whole, from the real window: its first start, its settings, a report made,
looked at and saved, the About box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from relapp.db.connection import open_database
from relapp.domain.shop.settings import load_settings
from relapp.ui.app import create_application, run_first_time_setup, start_main_window
from tests.flows.harness import DialogAnswers, Flow, visible_text


def test_the_first_start_opens_an_empty_shop_with_its_name(qapp, qtbot, tmp_path: Path):
    create_application()
    db_path = tmp_path / "new.db"
    open_database(db_path)
    answers = DialogAnswers()

    def welcome(dialog):
        qtbot.keyClicks(dialog.shop_name, "Corner Books")
        qtbot.keyClick(dialog.shop_name, Qt.Key.Key_Return)  # Start with an empty shop

    answers.expect(welcome, "Welcome to Relapp")
    try:
        assert run_first_time_setup() is True
    finally:
        answers.stop()
    assert not answers.errors and not answers.queue
    running = start_main_window(db_path)
    qtbot.addWidget(running.window)
    try:
        assert running.window.windowTitle() == "Corner Books — Relapp"
        assert load_settings().shop_name == "Corner Books"
    finally:
        running.stop()


def test_rename_the_shop_in_settings_and_the_window_follows(flow: Flow):
    flow.press("Ctrl+6")
    settings = flow.current_view()
    flow.qtbot.mouseClick(settings.shop_name, Qt.MouseButton.LeftButton)
    flow.press("Ctrl+A")
    flow.type("Lantern Lane & Daughters")
    flow.press("Ctrl+S")
    assert load_settings().shop_name == "Lantern Lane & Daughters"
    assert flow.window.windowTitle() == "Lantern Lane & Daughters — Relapp"
    assert settings.saved_note.text() == "Saved."


def test_make_the_loyalty_liability_report_look_at_it_and_save_it(flow: Flow, tmp_path: Path):
    out = tmp_path / "liability.pdf"
    flow.press("Ctrl+5")
    reports = flow.current_view()
    flow.move_to(reports.catalogue, "Loyalty liability")
    flow.press("Ctrl+Return")
    flow.wait_until(lambda: "page" in reports.status.text())

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    flow.in_next_dialog(where, "Save report")
    flow.press("Ctrl+S")
    assert out.read_bytes().startswith(b"%PDF-")
    assert reports.status.text() == f"Saved as {out}."


def test_help_about_names_the_version_and_the_database(flow: Flow):
    from relapp import __version__

    seen = {}

    def look(dialog):
        seen["text"] = visible_text(dialog)
        flow.press("Escape")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&About"))
    flow.in_next_dialog(look, "About")
    flow.press("Alt+H")
    flow.wait_for_dialogs()
    assert __version__ in seen["text"]
    assert str(flow.db_path) in seen["text"]
