"""Contacts from the real window: edit a customer, tag a selection and keep it as a segment,
export the list, merge two records of the same person; a new customer (Ctrl+N); dossier and
cards (Ctrl+P, Ctrl+Shift+P); tag, untag and set the stage from the keyboard."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt

from relapp.db.models import Contact, ContactTag, Segment, Tag
from tests.flows.harness import Flow


def filter_contacts(flow: Flow, text: str):
    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.qtbot.mouseClick(contacts.filter_bar.text, Qt.MouseButton.LeftButton)
    flow.press("Ctrl+A")
    flow.type(text)
    return contacts


def click_row(flow: Flow, contacts, row: int) -> None:
    rect = contacts.table.visualRect(contacts.model.index(row, 0))
    flow.qtbot.mouseClick(contacts.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def a_person() -> Contact:
    return (
        Contact.select()
        .where(Contact.kind == "person", Contact.email.is_null(False), Contact.erased_at.is_null())
        .order_by(Contact.id)
        .first()
    )


def test_edit_a_customer_from_contacts_with_enter(flow: Flow):
    person = a_person()
    contacts = filter_contacts(flow, person.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    click_row(flow, contacts, 0)

    def edit(dialog):
        assert person.given_name in dialog.windowTitle()
        flow.press("Alt+F")  # Family name
        flow.press("Ctrl+A")
        flow.type("Fairweather-Ng")
        flow.press("Alt+S")  # Save

    flow.in_next_dialog(edit, "Edit customer")
    flow.press("Return")

    assert Contact.get_by_id(person.id).family_name == "Fairweather-Ng"
    flow.wait_until(lambda: "Fairweather-Ng" in str(contacts.model.index(0, 0).data()))


def test_tag_the_filtered_customers_and_keep_them_as_a_segment(flow: Flow):
    contacts = filter_contacts(flow, "smith")
    flow.wait_until(lambda: contacts.model.rowCount() > 1)
    shown = contacts.model.rowCount()
    click_row(flow, contacts, 0)
    flow.press("Ctrl+A")  # the whole list

    def name_the_tag(dialog):
        flow.press("Ctrl+A")
        flow.type("Smith family")
        flow.press("Return")

    flow.in_next_dialog(name_the_tag, "Tag customers")
    flow.press("Ctrl+T")

    tag = Tag.get(Tag.name == "Smith family")
    assert ContactTag.select().where(ContactTag.tag == tag).count() == shown

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Save as segment"))
    flow.in_next_dialog(lambda d: (flow.type("The Smiths"), flow.press("Return")), "segment")
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()
    assert Segment.select().where(Segment.name == "The Smiths").count() == 1


def test_export_the_customers_to_csv(flow: Flow, tmp_path: Path):
    out = tmp_path / "customers.csv"
    status = {}

    def export(dialog):
        flow.press("Return")  # Export…, which asks where
        flow.wait_until(lambda: out.exists())
        flow.wait_until(lambda: dialog.status.text())
        status["text"] = dialog.status.text()
        flow.press("Escape")

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    flow.press("Ctrl+2")
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Export"))
    flow.in_next_dialog(export, "Export customers")
    flow.in_next_dialog(where, "Export customers")
    flow.press("Alt+F")
    flow.wait_for_dialogs()

    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    live = Contact.select().where(Contact.archived_at.is_null(), Contact.erased_at.is_null())
    assert len(rows) == live.count()
    assert str(len(rows)) in status["text"].replace(",", "")


def test_find_two_records_of_one_customer_and_merge_them(flow: Flow):
    from relapp.domain.contacts.merged_records import merged_into

    seen = {}

    def review(dialog):
        seen["pairs"] = dialog.model.rowCount()
        pair = dialog.current_pair()
        seen["ids"] = {pair.first.id, pair.second.id}
        flow.press("Return")  # Merge…, on the pair selected
        seen["pairs after"] = dialog.model.rowCount()
        flow.press("Escape")

    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Find duplicates"))
    flow.in_next_dialog(review, "Find duplicates")
    flow.in_next_dialog(lambda dialog: flow.press("Return"), "Merge two customers")
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()

    assert seen["pairs"] >= 1
    assert seen["pairs after"] == seen["pairs"] - 1
    merged = [i for i in seen["ids"] if merged_into(i) is not None]
    assert len(merged) == 1
    assert Contact.get_by_id(merged[0]).archived_at is not None


def test_a_new_customer_from_contacts_with_ctrl_n(flow: Flow):
    contacts = filter_contacts(flow, "Zephyrine Quill")
    flow.wait_until(lambda: contacts.model.rowCount() == 0)
    seen = {}

    def enrol(dialog):
        # What was typed in the filter is the new customer's name.
        seen["name"] = (dialog.given_name.text(), dialog.family_name.text())
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()
    assert seen["name"] == ("Zephyrine", "Quill")
    added = Contact.get(Contact.given_name == "Zephyrine", Contact.family_name == "Quill")
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    assert contacts.model.contact_id(0) == added.id


def test_dossier_and_loyalty_cards_print_from_contacts_with_a_preview(flow: Flow):
    person = (
        Contact.select()
        .where(Contact.card_number.is_null(False), Contact.email.is_null(False),
               Contact.erased_at.is_null(), Contact.archived_at.is_null())
        .order_by(Contact.id)
        .first()
    )  # fmt: skip
    contacts = filter_contacts(flow, person.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    flow.press("Down")  # from the filter into the table
    assert contacts.current_contact_id() == person.id
    seen = {}

    def look(dialog):
        seen[dialog.windowTitle()] = dialog.status.text()
        flow.press("Escape")

    flow.in_next_dialog(look, "dossier")
    flow.press("Ctrl+P")
    flow.wait_for_dialogs()
    flow.in_next_dialog(look, "Loyalty cards")
    flow.press("Ctrl+Shift+P")
    flow.wait_for_dialogs()
    assert seen["Customer dossier"].startswith(("1 page", "2 pages", "3 pages"))
    assert seen["Loyalty cards"].startswith("1 page")


def test_tag_untag_and_set_the_stage_of_a_customer_from_the_keyboard(flow: Flow):
    person = a_person()
    contacts = filter_contacts(flow, person.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    flow.press("Down")  # from the filter into the table
    assert contacts.current_contact_id() == person.id

    def type_tag(dialog):
        flow.press("Ctrl+A")
        flow.type("Flow regular")
        flow.press("Return")

    def tags_of_person() -> set[str]:
        links = ContactTag.select(Tag.name).join(Tag).where(ContactTag.contact == person.id)
        return {link.tag.name for link in links}

    flow.in_next_dialog(type_tag, "Tag customers")
    flow.press("Ctrl+T")
    flow.wait_until(lambda: "Flow regular" in tags_of_person())  # off the window's thread

    flow.in_next_dialog(type_tag, "Untag customers")
    flow.press("Ctrl+Shift+T")
    flow.wait_until(lambda: "Flow regular" not in tags_of_person())

    assert person.ladder_stage != "advocate"

    def choose_advocate(dialog):
        flow.type("Adv")  # a list: typing picks the stage that starts so
        flow.press("Return")

    flow.in_next_dialog(choose_advocate, "Set ladder stage")
    flow.press("Ctrl+Shift+S")
    flow.wait_until(lambda: Contact.get_by_id(person.id).ladder_stage == "advocate")
