"""Settings from the real window: each setting a shop owner changes, saved with Ctrl+S and
still there when the window is opened again; a wrong value refused; Undo changes; the logo
chosen and removed; the backups going to another folder."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from relapp.db.backups import list_backups
from relapp.domain.shop.logo import logo_png
from relapp.domain.shop.settings import load_settings
from relapp.ui.app import start_main_window
from tests.flows.harness import Flow


def stored_settings(db_path: Path) -> dict[str, str]:
    """The settings as the database file holds them, read by a connection of their own."""
    with closing(sqlite3.connect(db_path)) as connection:
        return dict(connection.execute("SELECT key, value FROM setting"))


def reopen(flow: Flow) -> Flow:
    """Close the window and open it again on the same shop, as the owner does tomorrow."""
    flow.close()
    running = start_main_window(flow.db_path)
    flow.qtbot.addWidget(running.window)
    flow.qtbot.waitExposed(running.window)
    return Flow(flow.qtbot, running, flow.db_path)


def open_settings(flow: Flow):
    flow.press("Ctrl+6")
    settings = flow.current_view()
    flow.qtbot.mouseClick(settings.shop_name, Qt.MouseButton.LeftButton)
    return settings


def test_every_shop_setting_is_kept_after_reopening_the_window(flow: Flow, tmp_path: Path):
    settings = open_settings(flow)
    assert settings.phone_region.currentData() == "AU"
    flow.press("Alt+P")  # Phone numbers without +country are in:
    assert settings.phone_region.hasFocus()
    flow.type("Irel")  # a closed list finds what is typed
    assert settings.phone_region.currentData() == "IE"
    flow.press("Alt+C")
    flow.press("Ctrl+A")
    flow.type("eur")
    flow.press("Alt+N")  # Numbers and dates as in:
    flow.press("Ctrl+A")
    flow.type("de_DE")
    assert settings.locale_example.text() == "1.234.567,50 · 24.12.26"
    flow.press("Alt+A")  # Paper for reports
    flow.type("L")
    assert settings.paper_size.currentData() == "Letter"
    flow.press("Alt+M")  # Contact a customer at most
    flow.press("Ctrl+A")
    flow.type("3")
    flow.press("Alt+W")  # Answer queries and complaints within
    flow.press("Ctrl+A")
    flow.type("36")
    flow.press("Alt+K")  # Keep the last … backups
    flow.press("Ctrl+A")
    flow.type("9")
    flow.press("Ctrl+S")
    assert settings.saved_note.text() == "Saved."

    stored = stored_settings(flow.db_path)
    expected = {
        "phone_region": "IE",
        "currency": "EUR",
        "locale": "de_DE",
        "paper_size": "Letter",
        "contact_cap_per_30_days": "3",
        "response_target_hours": "36",
        "backup_keep": "9",
    }
    assert {key: stored.get(key) for key in expected} == expected

    again = reopen(flow)
    try:
        again.press("Ctrl+6")
        view = again.current_view()
        assert view.phone_region.currentData() == "IE"
        assert view.currency.text() == "EUR"
        assert view.locale_name.currentText() == "de_DE"
        assert view.paper_size.currentText() == "Letter"
        assert view.contact_cap.value() == 3
        assert view.response_target.value() == 36
        assert view.backups.keep.value() == 9
        again.qtbot.mouseClick(view.shop_name, Qt.MouseButton.LeftButton)
        again.press("Ctrl+S")
        assert view.saved_note.text() == "Nothing to save."
    finally:
        again.close()


def test_a_wrong_currency_is_refused_and_undo_brings_back_the_stored_one(flow: Flow):
    settings = open_settings(flow)
    flow.press("Alt+C")
    flow.press("Ctrl+A")
    flow.type("E1")
    flow.press("Ctrl+S")
    assert settings.problems.isVisible()
    assert settings.saved_note.text() == ""
    assert load_settings().currency == "AUD"
    assert stored_settings(flow.db_path).get("currency", "AUD") == "AUD"

    flow.press("Alt+U")  # Undo changes (a mnemonic clicks its button after a moment)
    flow.wait_until(lambda: settings.currency.text() == "AUD")
    assert not settings.problems.isVisible()


def test_the_logo_is_chosen_then_removed(flow: Flow, tmp_path: Path):
    picture = tmp_path / "lantern.png"
    image = QImage(120, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("#c0392b"))
    assert image.save(str(picture))
    settings = open_settings(flow)
    logo = settings.logo
    assert logo.thumbnail.text() == "No logo" and not logo.remove_button.isEnabled()

    def choose(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(picture))
        flow.press("Return")

    flow.in_next_dialog(choose, "Choose the shop's logo")
    flow.click(logo.choose_button)
    flow.wait_for_dialogs()
    stored = logo_png()
    assert stored is not None and stored.startswith(b"\x89PNG")
    assert not logo.thumbnail.pixmap().isNull()
    assert logo.remove_button.isEnabled()

    flow.click(logo.remove_button)
    assert logo_png() is None
    assert logo.thumbnail.text() == "No logo"


def test_backups_go_to_the_folder_chosen_in_settings(flow: Flow, tmp_path: Path):
    folder = tmp_path / "usb stick" / "backups"
    folder.mkdir(parents=True)
    settings = open_settings(flow)
    flow.wait_until(lambda: not flow.running.backups.worker.isRunning())  # the start-up one
    settings.backups.folder.setFocus()
    flow.press("Ctrl+A")
    flow.type(str(folder))
    flow.press("Ctrl+S")
    assert settings.saved_note.text() == "Saved."
    assert load_settings().backup_folder == str(folder)

    said = {}
    flow.in_next_dialog(lambda box: (said.update(text=box.text()), flow.press("Return")), "Relapp")
    flow.click(settings.backups.backup_button)
    flow.wait_for_dialogs()
    [taken] = list_backups(folder)
    assert str(folder) in said["text"]
    assert "1 kept" in settings.backups.last_backup.text()
    assert taken.path.parent == folder
