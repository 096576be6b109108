"""The Contacts view, used as a shop owner would: filter, sort, select, tag, archive, save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import Contact, ContactTag, Segment, Tag, database
from relapp.domain.contacts.editing import MAX_TAG_LENGTH
from relapp.domain.contacts.listing import ContactFilter
from relapp.ui import operations
from relapp.ui.contacts import prompts
from relapp.ui.contacts.table_model import COLUMNS, NAME, POINTS, ContactsTableModel
from relapp.ui.contacts.view import _COLUMN_CHARS, ContactsView


@pytest.fixture
def view(app, qtbot, demo_db, change_bus):
    view = ContactsView(change_bus)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def shown_names(view: ContactsView, count: int = 5) -> list[str]:
    model = view.model
    return [model.index(row, NAME).data() for row in range(min(count, model.rowCount()))]


def active_count() -> int:
    return Contact.select().where(Contact.archived_at.is_null()).count()


def test_it_opens_on_every_active_customer_by_name(view):
    assert view.model.rowCount() == active_count() == 60
    assert view.status.text() == "60 customers"
    expected = [
        row[0]
        for row in database.execute_sql(
            "SELECT id FROM contact WHERE archived_at IS NULL ORDER BY family_name, given_name, id"
        )
    ]
    assert [view.model.contact_id(row) for row in range(60)] == expected
    assert view.table.currentIndex().row() == 0


def test_clicking_a_header_sorts_in_sql(view, qtbot):
    header = view.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, POINTS)
    )
    points = [view.model.index(row, POINTS).data(Qt.ItemDataRole.DisplayRole) for row in range(60)]
    numbers = [int(text.replace(",", "")) for text in points]
    assert numbers == sorted(numbers) or numbers == sorted(numbers, reverse=True)
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, POINTS)
    )
    again = [int(view.model.index(row, POINTS).data().replace(",", "")) for row in range(60)]
    assert again == numbers[::-1] or again == sorted(numbers, reverse=True)


def _section_centre(header, section):
    from PySide6.QtCore import QPoint

    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    return QPoint(x, header.height() // 2)


def test_typing_a_filter_narrows_the_list(view, qtbot):
    someone = Contact.select().where(Contact.archived_at.is_null()).first()
    qtbot.keyClicks(view.filter_bar.text, someone.family_name)
    qtbot.keyClick(view.filter_bar.text, Qt.Key.Key_Return)
    assert 1 <= view.model.rowCount() < 60
    assert all(someone.family_name in name for name in shown_names(view, 60))


def test_filter_lists_offer_the_shops_tags_and_segments(view, qtbot):
    combo = view.filter_bar.tag
    vip = combo.findData("VIP")
    assert vip > 0
    combo.setCurrentIndex(vip)
    tagged = (
        ContactTag.select()
        .join(Tag)
        .switch(ContactTag)
        .join(Contact)
        .where(Tag.name == "VIP", Contact.archived_at.is_null())
        .count()
    )
    assert view.model.rowCount() == tagged > 0
    segments = [view.filter_bar.segment.itemText(i) for i in range(view.filter_bar.segment.count())]
    assert segments == ["All customers", "Email newsletter", "Gold tier", "VIP customers"]


def test_no_match_shows_a_helpful_empty_state(view, qtbot):
    qtbot.keyClicks(view.filter_bar.text, "qqqzzzxx")
    qtbot.keyClick(view.filter_bar.text, Qt.Key.Key_Return)
    assert view.body.currentWidget() is view.empty
    assert "No customer matches these filters" in view.empty.body_label.text()
    assert view.status.text() == "0 customers"


def select_rows(view: ContactsView, first: int, last: int) -> list[int]:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    selection = QItemSelection(view.model.index(first, 0), view.model.index(last, len(COLUMNS) - 1))
    view.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    return [view.model.contact_id(row) for row in range(first, last + 1)]


def test_tagging_a_selection(view, monkeypatch):
    ids = select_rows(view, 2, 4)
    assert view.status.text() == "60 customers · 3 selected"
    monkeypatch.setattr(prompts, "ask_tag", lambda *args: "Window display")
    view.actions_by_name["tag"].trigger()
    tagged = {
        row.contact_id for row in ContactTag.select().join(Tag).where(Tag.name == "Window display")
    }
    assert tagged == set(ids)
    assert "Window display" in view.model.index(3, len(COLUMNS) - 1).data()
    assert view.filter_bar.tag.findData("Window display") > 0  # the new tag is offered


def test_untagging_and_setting_the_stage(view, monkeypatch):
    ids = select_rows(view, 0, 1)
    monkeypatch.setattr(prompts, "ask_stage", lambda *args: "partner")
    view.actions_by_name["stage"].trigger()
    assert {c.ladder_stage for c in Contact.select().where(Contact.id.in_(ids))} == {"partner"}
    monkeypatch.setattr(prompts, "ask_tag", lambda *args: "VIP")
    view.actions_by_name["tag"].trigger()
    view.actions_by_name["untag"].trigger()
    vip = Tag.get(Tag.name == "VIP")
    assert (
        not ContactTag.select().where(ContactTag.tag == vip, ContactTag.contact.in_(ids)).exists()
    )


def test_a_refused_tag_name_is_told_and_changes_nothing(view, monkeypatch):
    select_rows(view, 0, 1)
    tags_before = Tag.select().count()
    monkeypatch.setattr(prompts, "ask_tag", lambda *args: "x" * (MAX_TAG_LENGTH + 1))
    told = []
    monkeypatch.setattr(operations.QMessageBox, "warning", lambda *args: told.append(args[2]))
    view.actions_by_name["tag"].trigger()  # runs off the window's thread, refused there
    assert told == [f"A tag can have at most {MAX_TAG_LENGTH} characters."]
    assert Tag.select().count() == tags_before
    assert "changed" not in view.status.text()


def test_archiving_hides_customers_until_unarchived(view, qtbot, monkeypatch):
    ids = select_rows(view, 0, 1)
    asked = []
    monkeypatch.setattr(prompts, "confirm", lambda *args: asked.append(args) or True)
    view.actions_by_name["archive"].trigger()
    assert len(asked) == 1 and "Archive 2 customers?" in asked[0][2]
    assert view.model.rowCount() == 58
    assert not set(ids) & set(view.model.contact_ids(list(range(58))))

    view.filter_bar.archived.setCurrentIndex(view.filter_bar.archived.findData("archived"))
    archived_ids = view.model.contact_ids(list(range(view.model.rowCount())))
    assert set(ids) <= set(archived_ids)
    rows = [archived_ids.index(contact_id) for contact_id in ids]
    for row in rows:
        select_rows(view, row, row)
        view.actions_by_name["unarchive"].trigger()
    assert Contact.select().where(Contact.id.in_(ids), Contact.archived_at.is_null()).count() == 2


def test_cancelling_the_archive_question_changes_nothing(view, monkeypatch):
    select_rows(view, 0, 5)
    monkeypatch.setattr(prompts, "confirm", lambda *args: False)
    view.actions_by_name["archive"].trigger()
    assert active_count() == 60 == view.model.rowCount()


def test_saving_the_filter_as_a_segment(view, monkeypatch):
    view.filter_bar.stage.setCurrentIndex(view.filter_bar.stage.findData("client"))
    clients = view.model.rowCount()
    monkeypatch.setattr(prompts, "ask_segment_name", lambda *args: "Clients")
    view.actions_by_name["save_segment"].trigger()
    saved = Segment.get(Segment.name == "Clients")
    assert ContactFilter.from_json(saved.filter) == ContactFilter(stages=("client",))
    assert view.filter_bar.current_segment() == "Clients"
    assert view.filter_bar.stage.currentIndex() == 0  # the segment carries the condition now
    assert view.model.rowCount() == clients

    monkeypatch.setattr(prompts, "confirm", lambda *args: True)
    view.actions_by_name["delete_segment"].trigger()
    assert not Segment.select().where(Segment.name == "Clients").exists()
    assert view.filter_bar.current_segment() is None


def test_the_table_model_passes_the_model_tester(qtmodeltester, demo_db):
    model = ContactsTableModel()
    model.reload()
    qtmodeltester.check(model)


def test_every_column_has_a_width(view):
    assert len(_COLUMN_CHARS) == len(COLUMNS)
    assert all(view.table.columnWidth(column) > 40 for column in range(len(COLUMNS)))


def test_a_refresh_keeps_the_same_customer_selected_when_rows_move(view, qtbot):
    from relapp.domain.changes import Change
    from tests.factories import add_contact

    view.table.setCurrentIndex(view.model.index(10, NAME))
    chosen = view.model.contact_id(10)
    add_contact("Aaaron", "Aaaardvark")  # sorts first: every row below moves down by one

    view.on_change(Change.everything())  # e.g. an import from the command line

    assert view.model.contact_id(view.table.currentIndex().row()) == chosen
    assert view.table.currentIndex().row() == 11
