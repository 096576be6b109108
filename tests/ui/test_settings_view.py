"""The Settings view: the owner changes the shop's settings and every view follows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt

from relapp.domain.changes import Entity
from relapp.domain.shop.settings import load_settings, save_settings
from relapp.ui.settings import SettingsView


@pytest.fixture
def view(app, qtbot, db, db_path, change_bus):
    save_settings(shop_name="Lantern Lane", phone_region="AU", locale="en_AU")
    view = SettingsView(db_path, change_bus)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_it_shows_the_stored_settings(view, db_path):
    assert view.shop_name.text() == "Lantern Lane"
    assert view.phone_region.currentData() == "AU"
    assert "Australia" in view.phone_region.currentText()
    assert view.locale_name.currentText() == "en_AU"


def test_saving_changes_the_shop_and_tells_the_other_views(view, qtbot, change_bus):
    view.shop_name.clear()
    qtbot.keyClicks(view.shop_name, "Corner Books")
    view.phone_region.setCurrentIndex(view.phone_region.findData("GB"))
    view.currency.setText("gbp")
    with qtbot.waitSignal(change_bus.changed) as published:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    stored = load_settings()
    assert (stored.shop_name, stored.phone_region, stored.currency) == (
        "Corner Books", "GB", "GBP",
    )  # fmt: skip
    assert published.args[0].touches(Entity.SETTINGS)
    assert view.saved_note.text() == "Saved."


def test_bad_values_are_refused_with_a_reason(view, qtbot):
    view.shop_name.clear()
    view.currency.setText("$$")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "1 to 80 characters" in view.problems.text()
    assert "three-letter" in view.problems.text()
    assert view.currency.property("invalid") is True
    assert load_settings().shop_name == "Lantern Lane"


def test_undo_changes_restores_the_stored_values(view, qtbot):
    view.shop_name.setText("Oops")
    qtbot.mouseClick(view.revert_button, Qt.MouseButton.LeftButton)
    assert view.shop_name.text() == "Lantern Lane"


def test_the_locale_example_shows_how_figures_will_look(view):
    view.locale_name.setCurrentText("de_DE")
    assert view.locale_example.text().startswith("1.234.567,50")
    assert QLocale("de_DE").name() == "de_DE"


def test_a_change_saved_elsewhere_shows_unless_mid_edit(view, change_bus):
    change_bus.publish(save_settings(shop_name="Renamed Elsewhere"))
    assert view.shop_name.text() == "Renamed Elsewhere"
    view.shop_name.setText("Typing here")
    change_bus.publish(save_settings(currency="EUR"))
    assert view.shop_name.text() == "Typing here"


def test_the_groups_fields_start_at_one_line_down_the_page(view, qtbot):
    view.resize(1100, 900)
    view.show()
    qtbot.waitExposed(view)
    starts = {
        field.mapTo(view, field.rect().topLeft()).x()
        for field in (view.shop_name, view.contact_cap, view.email.username)
    }
    assert len(starts) == 1, starts
