"""First run: an empty shop or the demo shop, chosen in the welcome dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from relapp.db.models import Contact
from relapp.domain.shop.settings import is_set_up, load_settings
from relapp.ui import app as app_module
from relapp.ui.welcome_dialog import WelcomeChoice, WelcomeDialog


def test_the_welcome_dialog_returns_the_choice_and_name(app, qtbot):
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.shop_name, "Corner Books")
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is WelcomeChoice.DEMO_SHOP
    assert dialog.shop_name.text() == "Corner Books"


def test_enter_chooses_the_empty_shop(app, qtbot):
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClicks(dialog.shop_name, "Books")
    qtbot.keyClick(dialog.shop_name, Qt.Key.Key_Return)
    assert dialog.choice is WelcomeChoice.EMPTY_SHOP


def test_choosing_an_empty_shop_sets_it_up(app, db, monkeypatch):
    monkeypatch.setattr(
        WelcomeDialog,
        "ask",
        classmethod(lambda cls, parent=None: (WelcomeChoice.EMPTY_SHOP, "Books")),
    )
    assert app_module.run_first_time_setup()
    assert is_set_up()
    assert load_settings().shop_name == "Books"
    assert Contact.select().count() == 0


def test_choosing_the_demo_generates_it_in_the_background(app, db, monkeypatch):
    monkeypatch.setattr(app_module, "DEMO_SHOP_CONTACTS", 80)
    monkeypatch.setattr(
        WelcomeDialog, "ask", classmethod(lambda cls, parent=None: (WelcomeChoice.DEMO_SHOP, ""))
    )
    assert app_module.run_first_time_setup()
    assert Contact.select().count() == 80
    assert load_settings().shop_name == "Lantern Lane"


def test_closing_the_welcome_dialog_leaves_the_shop_unset(app, db, monkeypatch):
    monkeypatch.setattr(WelcomeDialog, "ask", classmethod(lambda cls, parent=None: None))
    assert not app_module.run_first_time_setup()
    assert not is_set_up()


def test_a_damaged_database_is_explained_in_a_dialog(app, tmp_path, monkeypatch):
    path = tmp_path / "shop.db"
    path.write_bytes(b"\x00garbage" * 1000)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert app_module.run_app(path) == 1
    assert len(shown) == 1 and "damaged or is not a database" in shown[0]


def test_a_bug_in_the_app_is_shown_plainly_and_logged(app, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    try:
        raise ValueError("unexpected None in the till")
    except ValueError as error:
        app_module.show_unexpected_error(type(error), error, error.__traceback__)
    assert len(shown) == 1
    assert "Something went wrong: unexpected None in the till" in shown[0]
    assert "What was saved before is safe" in shown[0]
    log = tmp_path / "state" / "Relapp" / "log" / "relapp-errors.log"
    assert "ValueError: unexpected None in the till" in log.read_text(encoding="utf-8")


def test_an_older_database_is_upgraded_behind_a_progress_dialog(app, qtbot, tmp_path):
    from relapp.db import connection
    from relapp.ui.app import upgrade_with_progress
    from tests.db.test_migrations import make_version_1_database

    old = tmp_path / "old.db"
    make_version_1_database(old)
    upgrade_with_progress(old)
    assert not connection.needs_upgrade(old)
    assert list(tmp_path.glob("old.before-v*.db"))  # the safety copy
