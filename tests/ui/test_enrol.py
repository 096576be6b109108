"""Quick enrol from the counter: typed as a cashier would, checked in the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from relapp.db.models import Contact
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.shop.settings import save_settings
from relapp.ui.counter.enrol_dialog import EnrolDialog, EnrolOutcome
from relapp.ui.counter.view import CounterView


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    now = utc_now()
    return Contact.create(
        given_name="Zoë", family_name="O'Brien", phone="+61412345678",
        phone_national="0412345678", created_at=now, updated_at=now,
    )  # fmt: skip


@pytest.fixture
def dialog(app, qtbot, shop):
    dialog = EnrolDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def press_enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_name_and_enter_enrols_with_the_next_card(qtbot, dialog):
    qtbot.keyClicks(dialog.given_name, "Amara")
    qtbot.keyClicks(dialog.family_name, "Okafor")
    qtbot.keyClicks(dialog.phone, "0400 111 222")
    press_enter(qtbot, dialog.phone)

    assert dialog.result() == QDialog.DialogCode.Accepted
    created = Contact.get(Contact.given_name == "Amara")
    assert (created.family_name, created.phone) == ("Okafor", "+61400111222")
    assert created.card_number == card_number_for(1)
    assert dialog.outcome.contact_id == created.id and dialog.outcome.change is not None


def test_problems_are_shown_and_nothing_is_saved(qtbot, dialog):
    qtbot.keyClicks(dialog.phone, "12")
    qtbot.keyClicks(dialog.email, "not an email")
    press_enter(qtbot, dialog.email)

    assert dialog.isVisible()
    assert not dialog.open_button.isVisible()  # nobody to open: no duplicate was found
    assert dialog.problems.isVisible()
    assert "Enter a name." in dialog.problems.text()
    assert "not a" in dialog.problems.text()
    assert dialog.given_name.property("invalid") is True
    assert dialog.given_name.hasFocus()
    assert Contact.select().count() == 1


def test_a_likely_duplicate_is_shown_first_and_can_be_opened(qtbot, dialog, shop):
    qtbot.keyClicks(dialog.given_name, "Zoe")
    qtbot.keyClicks(dialog.family_name, "Smith")
    qtbot.keyClicks(dialog.phone, "0412345678")
    press_enter(qtbot, dialog.phone)

    assert dialog.isVisible() and dialog.duplicates.isVisible()
    assert dialog.duplicates.item(0).text() == ("Zoë O'Brien — same phone\n☎ …5678 · no visit yet")
    assert dialog.enrol_button.text() == "&Enrol anyway"
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome == EnrolOutcome(shop.id, None)
    assert Contact.select().count() == 1


def test_enter_again_enrols_anyway(qtbot, dialog):
    qtbot.keyClicks(dialog.given_name, "Zoe")
    qtbot.keyClicks(dialog.family_name, "OBrien")
    press_enter(qtbot, dialog.family_name)
    assert dialog.duplicates.isVisible()
    press_enter(qtbot, dialog.family_name)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert Contact.select().where(Contact.family_name == "OBrien").count() == 1


@pytest.mark.parametrize(
    ("typed", "field", "expected"),
    [
        ("270000000017", "card_number", "270000000017"),
        ("0412 999", "phone", "0412 999"),
        ("Mei Lin", "given_name", "Mei"),
    ],
)
def test_the_search_text_prefills_the_right_field(app, qtbot, shop, typed, field, expected):
    dialog = EnrolDialog(prefill=typed)
    qtbot.addWidget(dialog)
    assert getattr(dialog, field).text() == expected


def test_ctrl_n_at_the_counter_enrols_and_shows_the_new_customer(
    app, qtbot, shop, change_bus, monkeypatch
):
    view = CounterView(change_bus)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitActive(view):
        view.activateWindow()
    qtbot.keyClicks(view.search_box, "Amara Okafor")
    asked = []

    def fake_ask(parent, prefill=""):
        asked.append(prefill)
        now = utc_now()
        created = Contact.create(
            given_name="Amara", family_name="Okafor", created_at=now, updated_at=now
        )
        return EnrolOutcome(created.id, Change.of(Entity.CONTACTS))

    monkeypatch.setattr(EnrolDialog, "ask", staticmethod(fake_ask))
    with qtbot.waitSignal(change_bus.changed):
        qtbot.keyClick(view.search_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Amara Okafor"]
    assert view.panel.name.text() == "Amara Okafor"
    assert view.search_box.text() == "" and view.search_box.hasFocus()


def test_a_sentence_goes_once_its_field_is_right(qtbot, dialog):
    qtbot.keyClicks(dialog.phone, "12")
    press_enter(qtbot, dialog.phone)
    assert "Enter a name." in dialog.problems.text()
    phone_problem = dialog.problems.problems["phone"]

    qtbot.keyClicks(dialog.phone, "3")  # still not a phone number: still said
    assert phone_problem in dialog.problems.text()
    dialog.phone.selectAll()
    qtbot.keyClicks(dialog.phone, "0400 111 222")
    assert phone_problem not in dialog.problems.text()
    assert dialog.phone.property("invalid") is False
    assert dialog.problems.text() == "Enter a name."

    qtbot.keyClicks(dialog.family_name, "Okafor")  # a family name is a name too
    assert not dialog.problems.isVisible()
    assert dialog.given_name.property("invalid") is False
