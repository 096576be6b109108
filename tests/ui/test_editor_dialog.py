"""The customer editor: typed into as a shop owner would, checked in the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from relapp.db.models import Consent, Contact, ContactTag, Preference, SocialHandle, Tag
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.editing import load_contact_details, save_contact_details
from relapp.domain.shop.settings import save_settings
from relapp.ui.contacts import editor_dialog
from relapp.ui.contacts.editor_dialog import ContactEditorDialog
from relapp.ui.contacts.editor_models import PairsModel, ReferrerModel

DETAILS, TAGS, CONSENT, NOTES = range(4)
# Said by the offscreen platform whenever a completer's popup opens; harmless.
popups = pytest.mark.qt_log_ignore("This plugin does not support")


def existing(given: str, family: str, **fields) -> Contact:
    """A stored contact last saved an hour ago (so a save now is visibly newer)."""
    then = utc_now() - timedelta(hours=1)
    return Contact.create(
        given_name=given, family_name=family, created_at=then, updated_at=then, **fields
    )


@pytest.fixture(autouse=True)
def _no_blocking_questions(monkeypatch):
    """A message box would block the test; closing at teardown discards any edits."""
    monkeypatch.setattr(editor_dialog, "confirm_discard", lambda parent: True)
    monkeypatch.setattr(editor_dialog, "ask_reload", lambda parent: pytest.fail("asked reload"))
    monkeypatch.setattr(editor_dialog, "tell_missing", lambda parent, text: pytest.fail(text))


@pytest.fixture
def ann(db):
    save_settings(phone_region="AU")
    ann = existing("Ann", "Lee", phone="+61400111222", phone_national="0400111222")
    local = Tag.create(name="local")
    Tag.create(name="VIP")
    ContactTag.create(contact=ann, tag=local)
    Preference.create(contact=ann, kind="like", value="silk scarves", created_at=utc_now())
    Consent.create(contact=ann, channel="sms", granted=True, occurred_at=utc_now())
    return ann


@pytest.fixture
def dialog(app, qtbot, ann):
    return open_editor(qtbot, ann.id)


def open_editor(qtbot, contact_id: int) -> ContactEditorDialog:
    dialog = ContactEditorDialog(load_contact_details(contact_id))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitActive(dialog):  # focus follows as on a desktop
        dialog.activateWindow()
    return dialog


def retype(qtbot, field, text: str) -> None:
    """Select what the field holds and type over it, as after tabbing into it."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)


def press(qtbot, widget, key=Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(widget, key, modifier)


def stored(contact: Contact) -> Contact:
    return Contact.get_by_id(contact.id)


def tag_names(contact: Contact) -> list[str]:
    query = Tag.select(Tag.name).join(ContactTag).where(ContactTag.contact == contact.id)
    return sorted(tag.name for tag in query)


def assert_nothing_saved(contact: Contact) -> None:
    assert stored(contact).updated_at == contact.updated_at


# ----------------------------------------------------------------------------- details


def test_loaded_fields_show_the_customer(dialog):
    assert dialog.windowTitle() == "Edit customer — Ann Lee"
    assert dialog.phone.text() == "+61 400 111 222"
    assert dialog.tags() == ["local"]
    assert dialog.preferences_model.pairs() == (("like", "silk scarves"),)
    assert dialog.consent_boxes["sms"].isChecked()
    assert dialog.consent_states["email"].text() == "Never asked: do not contact"
    assert dialog.given_name.hasFocus()
    assert not dialog.has_unsaved_edits()


def test_a_new_name_and_a_phone_typed_at_home_are_saved(qtbot, dialog, ann):
    retype(qtbot, dialog.given_name, "Anne")
    retype(qtbot, dialog.phone, "0412 345 678")
    press(qtbot, dialog.phone)

    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = stored(ann)
    assert (saved.given_name, saved.phone) == ("Anne", "+61412345678")
    assert dialog.change == Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({ann.id}))


def test_every_problem_is_shown_at_once_and_nothing_is_saved(qtbot, dialog, ann):
    retype(qtbot, dialog.given_name, "Anne")
    retype(qtbot, dialog.email, "ann at example")
    retype(qtbot, dialog.birth_day, "31")
    qtbot.keyClicks(dialog.birth_month, "Feb")
    dialog.tabs.setCurrentIndex(NOTES)
    dialog.save()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.tabs.currentIndex() == DETAILS
    text = dialog.problems.text()
    assert "not an email address" in text and "February has no day 31" in text
    assert dialog.email.property("invalid") is True
    assert dialog.birth_day.property("invalid") is True
    assert dialog.given_name.property("invalid") is False
    assert dialog.email.hasFocus()
    assert_nothing_saved(ann)
    assert stored(ann).given_name == "Ann"


def test_a_problem_on_another_tab_brings_that_tab_forward(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.mouseClick(dialog.add_handle_button, Qt.MouseButton.LeftButton)
    press(qtbot, QApplication.focusWidget())  # a network but no handle
    qtbot.waitUntil(dialog.handles.hasFocus)
    dialog.tabs.setCurrentIndex(DETAILS)
    press(qtbot, dialog.family_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert dialog.tabs.currentIndex() == TAGS
    assert "needs both a network and a handle" in dialog.problems.text()
    assert dialog.handles.property("invalid") is True
    assert SocialHandle.select().count() == 0


def test_a_birthday_may_have_no_year(qtbot, dialog, ann):
    retype(qtbot, dialog.birth_day, "29")
    qtbot.keyClicks(dialog.birth_month, "Feb")
    assert dialog.birth_year.text() == "—"
    press(qtbot, dialog.birth_day)

    saved = stored(ann)
    assert (saved.birth_year, saved.birth_month, saved.birth_day) == (None, 2, 29)


def test_a_birth_year_is_kept_when_given(qtbot, dialog, ann):
    retype(qtbot, dialog.birth_day, "3")
    qtbot.keyClicks(dialog.birth_month, "Mar")
    retype(qtbot, dialog.birth_year, "1985")
    press(qtbot, dialog.birth_year)

    saved = stored(ann)
    assert (saved.birth_year, saved.birth_month, saved.birth_day) == (1985, 3, 3)


def test_a_name_is_shown_as_typed_never_as_markup(app, qtbot, db):
    bold = existing("<b>Ann</b>", "<i>Lee</i>")
    dialog = open_editor(qtbot, bold.id)
    assert dialog.name_header.textFormat() == Qt.TextFormat.PlainText
    assert dialog.name_header.text() == "<b>Ann</b> <i>Lee</i>"
    assert dialog.windowTitle() == "Edit customer — <b>Ann</b> <i>Lee</i>"


# ------------------------------------------------------------------------------ referrer


@popups
def test_a_referrer_is_picked_from_what_is_typed(qtbot, dialog, ann):
    bea = existing("Bea", "Smith")
    qtbot.keyClicks(dialog.referrer, "smith")
    popup = dialog.referrer_completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup.model().index(0, 0).data() == "Bea Smith"
    press(qtbot, popup, Qt.Key.Key_Down)
    press(qtbot, popup)
    assert not popup.isVisible()
    assert dialog.referrer.text() == "Bea Smith"
    assert dialog.isVisible()  # picking is not saving

    press(qtbot, dialog.referrer)
    assert stored(ann).referred_by_id == bea.id


def test_a_referrer_is_cleared_with_the_clear_button(qtbot, app, db):
    bea = existing("Bea", "Smith")
    ann = existing("Ann", "Lee", referred_by=bea)
    dialog = open_editor(qtbot, ann.id)
    assert dialog.referrer.text() == "Bea Smith"
    qtbot.mouseClick(dialog.clear_referrer, Qt.MouseButton.LeftButton)
    assert dialog.referrer.text() == "" and dialog.referrer.hasFocus()
    press(qtbot, dialog.referrer)
    assert stored(ann).referred_by_id is None


@popups
def test_a_referrer_typed_but_not_picked_is_a_problem(qtbot, dialog, ann):
    existing("Bea", "Smith")
    existing("Bea", "Smithers")
    qtbot.keyClicks(dialog.referrer, "Bea Smi")
    dialog.referrer_completer.popup().hide()
    press(qtbot, dialog.referrer)

    assert dialog.isVisible()
    assert "Pick who referred this customer" in dialog.problems.text()
    assert dialog.referrer.property("invalid") is True
    assert stored(ann).referred_by_id is None


@popups
def test_a_referrer_typed_in_full_is_found(qtbot, dialog, ann):
    bea = existing("Bea", "Smith")
    qtbot.keyClicks(dialog.referrer, "bea smith")
    dialog.referrer_completer.popup().hide()
    press(qtbot, dialog.referrer)
    assert stored(ann).referred_by_id == bea.id


# --------------------------------------------------------------- tags and preferences


@popups
def test_a_tag_is_added_in_the_shops_spelling_and_another_removed(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.keyClicks(dialog.tag_input, "vip")
    dialog.tag_completer.popup().hide()
    press(qtbot, dialog.tag_input)
    assert dialog.isVisible()  # Enter with a tag typed adds it
    assert dialog.tags() == ["local", "VIP"]
    assert dialog.tag_input.text() == ""

    dialog.tag_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_tag_button, Qt.MouseButton.LeftButton)
    assert dialog.tags() == ["VIP"]
    press(qtbot, dialog.tag_input)  # nothing typed: Enter saves

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert tag_names(ann) == ["VIP"]
    assert Tag.select().count() == 2


@popups
def test_a_new_tag_typed_but_not_added_is_saved_too(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.keyClicks(dialog.tag_input, "  knits   wool ")
    dialog.tag_completer.popup().hide()
    press(qtbot, dialog.tag_input, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert tag_names(ann) == ["knits wool", "local"]


@popups
def test_a_tag_picked_from_the_suggestions_is_added_at_once(qtbot, dialog):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.keyClicks(dialog.tag_input, "v")
    popup = dialog.tag_completer.popup()
    qtbot.waitUntil(popup.isVisible)
    press(qtbot, popup, Qt.Key.Key_Down)
    press(qtbot, popup)
    qtbot.waitUntil(lambda: dialog.tags() == ["local", "VIP"])
    assert dialog.tag_input.text() == "" and dialog.isVisible()


def test_a_preference_row_is_added_and_typed_into(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.mouseClick(dialog.add_preference_button, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "green tea")
    press(qtbot, editor)  # ends the cell edit; does not save
    qtbot.waitUntil(dialog.preferences.hasFocus)
    assert dialog.isVisible()

    dialog.preferences.setCurrentIndex(dialog.preferences_model.index(1, 0))
    press(qtbot, dialog.preferences)  # Enter in the table edits the cell, not saves
    kind = QApplication.focusWidget()
    qtbot.keyClicks(kind, "Dis")
    press(qtbot, kind)
    qtbot.waitUntil(lambda: dialog.preferences_model.index(1, 0).data() == "Dislikes")
    assert dialog.isVisible()

    press(qtbot, dialog.preferences, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    rows = Preference.select().where(Preference.contact == ann.id).order_by(Preference.id)
    assert [(row.kind, row.value) for row in rows] == [
        ("like", "silk scarves"),
        ("dislike", "green tea"),
    ]


def test_escape_in_a_cell_drops_the_cell_edit_not_the_dialog(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(editor_dialog, "confirm_discard", pytest.fail)
    dialog.tabs.setCurrentIndex(TAGS)
    dialog.preferences.setFocus()
    dialog.preferences.setCurrentIndex(dialog.preferences_model.index(0, 1))
    qtbot.keyClick(dialog.preferences, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, " and gloves")
    press(qtbot, editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(dialog.preferences.hasFocus)
    assert dialog.isVisible()
    assert dialog.preferences_model.pairs() == (("like", "silk scarves"),)


def test_a_cell_still_being_typed_is_saved_by_ctrl_s(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    qtbot.mouseClick(dialog.add_handle_button, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "@ann.lee")
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert dialog.result() == QDialog.DialogCode.Accepted
    handles = SocialHandle.select().where(SocialHandle.contact == ann.id)
    assert [(row.network, row.handle) for row in handles] == [("Instagram", "@ann.lee")]


def test_a_preference_row_is_removed(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(TAGS)
    assert not dialog.remove_preference_button.isEnabled()
    dialog.preferences.selectRow(0)
    qtbot.mouseClick(dialog.remove_preference_button, Qt.MouseButton.LeftButton)
    assert dialog.preferences_model.rowCount() == 0
    dialog.save()
    assert Preference.select().count() == 0


# ------------------------------------------------------------------------------- consent


def test_ticking_a_channel_records_a_consent_event(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(CONSENT)
    qtbot.mouseClick(dialog.consent_boxes["email"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.consent_boxes["sms"], Qt.MouseButton.LeftButton)
    assert dialog.consent_pending["email"].text() == "Records: granted"
    assert dialog.consent_pending["sms"].text() == "Records: withdrawn"
    qtbot.keyClicks(dialog.consent_method, "By")
    dialog.save()

    events = Consent.select().where(Consent.contact == ann.id).order_by(Consent.id)
    assert [(event.channel, event.granted, event.method) for event in events] == [
        ("sms", True, ""),
        ("email", True, "by phone"),
        ("sms", False, "by phone"),
    ]
    assert_nothing_saved(ann)  # consent is a log, not a contact field
    assert dialog.change == Change.of(Entity.CONTACTS, contact_ids=frozenset({ann.id}))


def test_a_box_ticked_and_cleared_again_records_nothing(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(CONSENT)
    for _ in range(2):
        qtbot.mouseClick(dialog.consent_boxes["post"], Qt.MouseButton.LeftButton)
    assert not dialog.has_unsaved_edits()
    dialog.save()
    assert Consent.select().count() == 1
    assert dialog.change is None


# ----------------------------------------------------------------- conflicts and cancel


def test_an_edit_over_someone_elses_save_offers_to_reload(qtbot, dialog, ann, monkeypatch):
    save_contact_details(replace(load_contact_details(ann.id), family_name="Smith"), "AU")
    asked = []
    monkeypatch.setattr(editor_dialog, "ask_reload", lambda parent: asked.append(1) or True)
    retype(qtbot, dialog.given_name, "Anne")
    press(qtbot, dialog.given_name)

    assert asked == [1] and dialog.isVisible()
    assert (dialog.given_name.text(), dialog.family_name.text()) == ("Ann", "Smith")
    assert (stored(ann).given_name, stored(ann).family_name) == ("Ann", "Smith")

    retype(qtbot, dialog.given_name, "Anne")
    press(qtbot, dialog.given_name)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (stored(ann).given_name, stored(ann).family_name) == ("Anne", "Smith")


def test_keeping_the_edits_after_a_conflict_saves_nothing(qtbot, dialog, ann, monkeypatch):
    save_contact_details(replace(load_contact_details(ann.id), family_name="Smith"), "AU")
    monkeypatch.setattr(editor_dialog, "ask_reload", lambda parent: False)
    retype(qtbot, dialog.given_name, "Anne")
    dialog.save()
    assert dialog.isVisible() and dialog.given_name.text() == "Anne"
    assert stored(ann).given_name == "Ann"


def test_cancel_with_changes_asks_first(qtbot, dialog, ann, monkeypatch):
    answers = [False, True]
    monkeypatch.setattr(editor_dialog, "confirm_discard", lambda parent: answers.pop(0))
    qtbot.keyClicks(dialog.family_name, "-Smith")
    press(qtbot, dialog.family_name, Qt.Key.Key_Escape)
    assert dialog.isVisible() and answers == [True]

    press(qtbot, dialog.family_name, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert answers == [] and dialog.change is None
    assert stored(ann).family_name == "Lee"


def test_cancel_without_changes_asks_nothing(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(editor_dialog, "confirm_discard", pytest.fail)
    dialog.tabs.setCurrentIndex(CONSENT)  # looking is not editing
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_notes_take_enter_as_a_new_line_and_ctrl_enter_saves(qtbot, dialog, ann):
    dialog.tabs.setCurrentIndex(NOTES)
    dialog.notes.setFocus()
    qtbot.keyClicks(dialog.notes, "Prefers mornings.")
    press(qtbot, dialog.notes)
    qtbot.keyClicks(dialog.notes, "Knits.")
    assert dialog.isVisible()
    press(qtbot, dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stored(ann).notes == "Prefers mornings.\nKnits."


# ---------------------------------------------------------------------------------- ask


def test_ask_returns_everything_the_save_changed(app, ann, monkeypatch):
    def edit_and_save(dialog):
        dialog.given_name.setText("Anne")
        dialog.consent_boxes["email"].setChecked(True)
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(ContactEditorDialog, "exec", edit_and_save)
    change = ContactEditorDialog.ask(None, ann.id)
    assert change == Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({ann.id}))
    assert Consent.select().where(Consent.channel == "email").get().granted


def test_ask_returns_none_when_nothing_changed(app, ann, monkeypatch):
    monkeypatch.setattr(ContactEditorDialog, "exec", lambda dialog: dialog.save())
    assert ContactEditorDialog.ask(None, ann.id) is None


def test_ask_about_an_erased_customer_says_so(app, ann, monkeypatch):
    told = []
    monkeypatch.setattr(editor_dialog, "tell_missing", lambda parent, text: told.append(text))
    monkeypatch.setattr(ContactEditorDialog, "exec", pytest.fail)
    Contact.update(erased_at=utc_now()).where(Contact.id == ann.id).execute()
    assert ContactEditorDialog.ask(None, ann.id) is None
    assert told == [f"No customer with number {ann.id}."]


def test_a_customer_erased_while_open_closes_the_editor(qtbot, dialog, ann, monkeypatch):
    told = []
    monkeypatch.setattr(editor_dialog, "tell_missing", lambda parent, text: told.append(text))
    Contact.update(erased_at=utc_now()).where(Contact.id == ann.id).execute()
    retype(qtbot, dialog.given_name, "Anne")
    press(qtbot, dialog.given_name)
    assert told and dialog.result() == QDialog.DialogCode.Rejected and dialog.change is None


# -------------------------------------------------------------------------------- models


def test_the_pairs_model_passes_the_model_tester(qtmodeltester, app):
    model = PairsModel(("Kind", "Preference"), {"like": "Likes"})
    model.set_pairs([("like", "tea"), ("size", "M")])
    model.add_row("note")
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "Likes"
    assert model.index(0, 0).data(Qt.ItemDataRole.EditRole) == "like"
    assert model.setData(model.index(2, 1), "allergic to wool")
    model.remove_rows([0])
    assert model.pairs() == (("size", "M"), ("note", "allergic to wool"))


def test_the_referrer_model_passes_the_model_tester(qtmodeltester, app, ann):
    existing("Bea", "Lee")
    model = ReferrerModel(ann.id)
    model.search("lee")
    qtmodeltester.check(model)
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == ["Bea Lee"]
    model.search("  ")
    assert model.rowCount() == 0


def test_namesakes_are_told_apart_by_number(app, ann):
    first, second = existing("Bea", "Smith"), existing("Bea", "Smith")
    model = ReferrerModel(ann.id)
    model.search("bea smith")
    shown = {model.index(row, 0).data() for row in range(model.rowCount())}
    assert shown == {
        f"Bea Smith (customer no. {first.id})",
        f"Bea Smith (customer no. {second.id})",
    }
    assert model.index(0, 0).data(Qt.ItemDataRole.EditRole) == "Bea Smith"
