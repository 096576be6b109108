"""The import wizard with files as other programs write them: a quote never closed (the row it
breaks is shown in the preview and on the last page, the rows after it are imported), and a
column of tags."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import database
from relapp.domain.shop.settings import save_settings
from relapp.ui.contacts import import_dialog as import_module
from relapp.ui.contacts.import_dialog import MAPPING_PAGE, RESULT_PAGE, ImportDialog


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def test_the_wizard_shows_a_row_broken_by_a_quote_and_imports_the_rows_after_it(
    app, qtbot, change_bus, shop, tmp_path
):
    source = tmp_path / "quotes.csv"
    source.write_text(
        'First Name,Last Name,Notes\nAnn,Quote,"open\nBob,Quote,x\nCara,Quote,y\n',
        encoding="utf-8",
    )
    dialog = ImportDialog(change_bus)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.file_edit, str(source))
    qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == MAPPING_PAGE

    table = dialog.preview_table
    assert [table.item(row, 0).text() for row in range(table.rowCount())] == ["2", "3", "4"]
    assert dialog.problem_rows() == [0]
    assert "never closed" in table.item(0, import_module.PROBLEM_COLUMN).text()
    assert table.item(0, 2).text() == "Ann Quote"
    assert "1 with a problem" in dialog.preview_title.text()

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # to the options
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # a dry run
    assert dialog.pages.currentIndex() == RESULT_PAGE
    assert dialog.problems_table.rowCount() == 1
    assert dialog.problems_table.item(0, 0).text() == "2"
    assert "never closed" in dialog.problems_table.item(0, 1).text()

    qtbot.mouseClick(dialog.for_real_button, Qt.MouseButton.LeftButton)
    assert (dialog.import_result.imported, dialog.import_result.rejected) == (2, 1)
    names = database.execute_sql("SELECT given_name, notes FROM contact ORDER BY id").fetchall()
    assert names == [("Bob", "x"), ("Cara", "y")]


def test_a_labels_column_is_read_as_tags_and_shown_in_the_preview(
    app, qtbot, change_bus, shop, tmp_path
):
    source = tmp_path / "google.csv"
    source.write_text(
        'Given Name,Family Name,Labels\nAnn,Lee,"* myContacts ::: Friends ::: VIP"\n',
        encoding="utf-8",
    )
    dialog = ImportDialog(change_bus)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.file_edit, str(source))
    qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Return)

    labels = dialog.column_combo(dialog.column_index("Labels"))
    assert labels.currentText() == "Tags"
    tags = import_module.PREVIEW_COLUMNS.index("Tags")
    assert dialog.preview_table.item(0, tags).text() == "Friends, VIP"

    dialog.go_next()
    dialog.dry_run.setChecked(False)
    dialog.go_next()
    names = database.execute_sql("SELECT name FROM tag ORDER BY name").fetchall()
    assert names == [("Friends",), ("VIP",)]
