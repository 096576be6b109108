"""Import, export and a person's data rights, used from the Contacts view as a shop owner would."""

from __future__ import annotations

import codecs
import csv
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from relapp.db.models import Contact, Staff, database
from relapp.domain.clock import utc_now
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.staff import get_staff, hash_pin
from relapp.domain.terms import LADDER_STAGES
from relapp.ui.contacts import import_dialog as import_module
from relapp.ui.contacts import privacy_actions
from relapp.ui.contacts.export_dialog import ExportDialog
from relapp.ui.contacts.import_dialog import (
    FILE_PAGE,
    MAPPING_PAGE,
    OPTIONS_PAGE,
    RESULT_PAGE,
    ImportDialog,
)
from relapp.ui.contacts.privacy_actions import EraseDialog
from relapp.ui.contacts.view import ContactsView
from relapp.ui.staff.current_staff import CurrentStaff

SAMPLES = Path(__file__).parents[1] / "exchange" / "samples"
# Set RELAPP_SCREENSHOTS=DIR to keep a picture of each dialog step, to look at.
SCREENSHOTS = os.environ.get("RELAPP_SCREENSHOTS")


@pytest.fixture
def shop(demo_db):
    save_settings(phone_region="AU")
    return demo_db


@pytest.fixture
def google_csv(tmp_path) -> Path:
    """Google Contacts' export with one more row whose email is wrong."""
    text = (SAMPLES / "google_contacts.csv").read_text(encoding="utf-8").rstrip("\n")
    bad = "Eve Bad,Eve,,Bad,,,* myContacts,* Home,eve-at-example,,,,,,,,"
    path = tmp_path / "contacts.csv"
    path.write_text(f"{text}\n{bad}\n", encoding="utf-8")
    return path


def counts() -> tuple[int, ...]:
    tables = ("contact", "points_entry", "audit_log")
    return tuple(database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def screenshot(widget, name: str) -> None:
    QApplication.processEvents()  # let the layouts settle, as the event loop would
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SCREENSHOTS) / f"{name}.png"))


def show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class Published:
    def __init__(self, change_bus) -> None:
        self.changes = []
        change_bus.changed.connect(self.changes.append)


def open_file(qtbot, dialog: ImportDialog, path: Path) -> None:
    qtbot.keyClicks(dialog.file_edit, str(path))
    qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Return)


# ------------------------------------------------------------------------------------ import


def test_import_guesses_the_mapping_previews_dry_runs_then_imports(
    app, qtbot, shop, change_bus, google_csv
):
    published = Published(change_bus)
    dialog = show(qtbot, ImportDialog(change_bus))
    dialog.resize(980, 620)
    screenshot(dialog, "import-1-file")
    open_file(qtbot, dialog, google_csv)
    assert dialog.pages.currentIndex() == MAPPING_PAGE
    chosen = {dialog.headers[index]: field for index, field in dialog.mapping().items()}
    assert chosen["Given Name"] == "given_name"
    assert chosen["E-mail 1 - Value"] == "email"
    assert chosen["Phone 1 - Value"] == "phone"
    assert "Name" not in chosen
    # The preview shows the rows as stored, and the bad one in red with its reason.
    assert dialog.preview_table.rowCount() == 3
    assert dialog.preview_table.item(0, 5).text() == "+61412000111"
    birthday = import_module.PREVIEW_COLUMNS.index("Birthday")
    assert dialog.preview_table.item(0, birthday).text() == "14 February 1985"
    assert dialog.preview_table.item(1, birthday).text() == "4 July"  # no year in the file
    assert dialog.problem_rows() == [2]
    problem = dialog.preview_table.item(2, import_module.PROBLEM_COLUMN)
    assert "not an email address" in problem.text()
    assert problem.foreground().color().name() == import_module.PROBLEM_COLOUR
    screenshot(dialog, "import-2-mapping")

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == OPTIONS_PAGE
    assert dialog.dry_run.isChecked() and dialog.policy_key() == "skip"
    screenshot(dialog, "import-3-options")
    before = counts()
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # "Import": a dry run
    assert dialog.pages.currentIndex() == RESULT_PAGE
    assert counts() == before and not published.changes
    result = dialog.import_result
    assert (result.dry_run, result.imported, result.rejected) == (True, 2, 1)
    assert "Nothing was written" in dialog.outcome.text()
    assert dialog.for_real_button.isVisible() and dialog.save_errors_button.isVisible()
    assert dialog.problems_table.rowCount() == 1  # the rejected row, on screen too
    assert dialog.problems_table.item(0, 0).text() == "5"
    assert "not an email address" in dialog.problems_table.item(0, 1).text()
    screenshot(dialog, "import-4-dry-run")

    qtbot.mouseClick(dialog.for_real_button, Qt.MouseButton.LeftButton)
    assert counts()[0] == before[0] + 2
    assert Contact.get(Contact.email == "ann@example.com").locality == "Melbourne"
    assert not dialog.for_real_button.isVisible()
    assert len(published.changes) == 1
    assert published.changes[0].contact_ids == dialog.import_result.change.contact_ids
    screenshot(dialog, "import-5-done")


def test_the_error_report_lists_the_rejected_rows(app, qtbot, change_bus, shop, google_csv,
                                                  tmp_path, monkeypatch):  # fmt: skip
    dialog = show(qtbot, ImportDialog(change_bus))
    open_file(qtbot, dialog, google_csv)
    dialog.go_next()
    dialog.dry_run.setChecked(False)
    dialog.go_next()
    report = tmp_path / "rejected.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(report), "CSV"))
    )
    qtbot.mouseClick(dialog.save_errors_button, Qt.MouseButton.LeftButton)
    with open(report, encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:3] == ["line", "reason", "Name"]
    assert lines[1][2] == "Eve Bad"
    assert str(report) in dialog.report_saved.text()


def test_choosing_ignore_or_a_taken_field_updates_the_preview(
    app, qtbot, change_bus, shop, google_csv
):
    dialog = show(qtbot, ImportDialog(change_bus))
    open_file(qtbot, dialog, google_csv)
    email = dialog.column_combo(dialog.column_index("E-mail 1 - Value"))
    email.setCurrentIndex(0)  # Ignore
    dialog.refresh_preview()
    assert dialog.problem_rows() == []
    # Choosing Email for another column moves it: one column per field.
    notes = dialog.column_combo(dialog.column_index("Notes"))
    notes.setCurrentIndex(notes.findData("email"))
    email.setCurrentIndex(email.findData("email"))
    assert notes.currentData() is None
    assert dialog.column_combo(dialog.column_index("Given Name")).currentData() == "given_name"


def test_cancel_leaves_the_database_unchanged(
    app, qtbot, change_bus, shop, google_csv, monkeypatch
):
    def cancelled_at_once(parent, label, work, cancelled_errors, maximum=0):
        try:
            return work(lambda done, total: None, lambda: True)
        except cancelled_errors:
            return None

    monkeypatch.setattr(import_module, "run_with_progress", cancelled_at_once)
    dialog = show(qtbot, ImportDialog(change_bus))
    open_file(qtbot, dialog, google_csv)
    dialog.go_next()
    dialog.dry_run.setChecked(False)
    before = counts()
    dialog.go_next()
    assert counts() == before
    assert dialog.pages.currentIndex() == RESULT_PAGE
    assert "database is unchanged" in dialog.outcome.text()
    assert dialog.problems_table.isHidden()


def test_a_large_file_is_imported_from_the_window_with_worker_processes(
    app, qtbot, change_bus, shop, tmp_path
):
    rows = [f"Bulk{n},Person,bulk{n}@example.com,04{n:08d}" for n in range(6_000)]
    source = tmp_path / "large.csv"
    source.write_text("First name,Last name,Email,Mobile\n" + "\n".join(rows), encoding="utf-8")
    dialog = show(qtbot, ImportDialog(change_bus))
    open_file(qtbot, dialog, source)
    dialog.go_next()
    dialog.dry_run.setChecked(False)
    before = counts()
    dialog.go_next()  # cleaned in worker processes (on more than one core) from a QThread
    assert dialog.pages.currentIndex() == RESULT_PAGE
    assert dialog.import_result.imported == 6_000
    assert counts()[0] == before[0] + 6_000
    assert Contact.get(Contact.email == "bulk5999@example.com").phone == "+61400005999"


def test_a_vcard_skips_the_mapping_and_an_unreadable_file_is_said_in_a_sentence(
    app, qtbot, change_bus, shop, tmp_path
):
    dialog = show(qtbot, ImportDialog(change_bus))
    open_file(qtbot, dialog, SAMPLES / "broken_not_text.csv")
    assert dialog.pages.currentIndex() == FILE_PAGE
    assert dialog.file_problem.isVisible()
    assert "broken_not_text.csv" in dialog.file_problem.text()
    assert "Traceback" not in dialog.file_problem.text()
    dialog.file_edit.clear()
    open_file(qtbot, dialog, tmp_path / "missing.csv")
    assert "There is no file" in dialog.file_problem.text()
    dialog.file_edit.clear()
    open_file(qtbot, dialog, SAMPLES / "vcard30.vcf")
    assert dialog.pages.currentIndex() == OPTIONS_PAGE
    before = counts()[0]
    dialog.dry_run.setChecked(False)
    dialog.go_next()
    assert dialog.import_result.imported == 2
    assert counts()[0] == before + 2


# ------------------------------------------------------------------------------------ export


def test_export_writes_a_csv_with_a_bom_for_every_customer(app, qtbot, shop, tmp_path,
                                                           monkeypatch):  # fmt: skip
    out = tmp_path / "customers.csv"
    asked = []

    def save_as(parent, title, suggested, kinds):
        asked.append(suggested)
        return str(out), kinds

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    dialog = show(qtbot, ExportDialog())
    screenshot(dialog, "export")
    assert dialog.bom.isChecked()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert Path(asked[0]).name.startswith("Customers ") and asked[0].endswith(".csv")
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    active = Contact.select().where(Contact.archived_at.is_null()).count()
    assert len(rows) - 1 == active
    assert dialog.status.text() == f"Exported {active} customers to {out}"
    screenshot(dialog, "export-done")


def test_export_of_the_listed_customers_who_agreed_to_email_as_vcard(
    app, qtbot, shop, tmp_path, monkeypatch
):
    from relapp.domain.contacts.listing import ContactFilter, count_contacts

    out = tmp_path / "people"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(out), "vCard"))
    )
    stage = max(
        LADDER_STAGES,
        key=lambda name: count_contacts(ContactFilter(stages=(name,), consent="email")),
    )
    listed = ContactFilter(stages=(stage,))
    dialog = show(qtbot, ExportDialog(listed))
    dialog.which.setCurrentIndex(dialog.which.findData("listed"))
    dialog.format.setCurrentIndex(dialog.format.findData("vcard4"))
    assert not dialog.bom.isEnabled()
    dialog.consent.setCurrentIndex(dialog.consent.findData("email"))
    dialog.export()
    expected = count_contacts(ContactFilter(stages=(stage,), consent="email"))
    assert 0 < expected < count_contacts(listed)
    written = out.with_suffix(".vcf").read_text(encoding="utf-8")
    assert written.count("BEGIN:VCARD") == expected
    assert "VERSION:4.0" in written
    assert "Exported" in dialog.status.text()


def test_a_cancelled_export_leaves_no_file(app, qtbot, shop, tmp_path, monkeypatch):
    from relapp.ui.contacts import export_dialog

    def cancelled_at_once(parent, label, work, cancelled_errors, maximum=0):
        try:
            return work(lambda done, total: None, lambda: True)
        except cancelled_errors:
            return None

    out = tmp_path / "customers.csv"
    monkeypatch.setattr(export_dialog, "run_with_progress", cancelled_at_once)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(out), "CSV"))
    )
    dialog = show(qtbot, ExportDialog())
    dialog.export()
    assert not out.exists()
    assert "cancelled" in dialog.status.text()


# ------------------------------------------------------------------------------------ privacy


@pytest.fixture
def staff(shop):
    now = utc_now()
    manager = Staff.create(
        name="Maya Privacy", role="manager", pin_hash=hash_pin("1234"), created_at=now
    )
    counter = Staff.create(
        name="Sam Privacy", role="counter", pin_hash=hash_pin("0000"), created_at=now
    )
    return {"Maya": get_staff(manager.id), "Sam": get_staff(counter.id)}


@pytest.fixture
def view(app, qtbot, staff, change_bus):
    view = ContactsView(change_bus)
    change_bus.changed.connect(view.on_change)
    view.resize(1100, 700)
    return show(qtbot, view)


@pytest.fixture
def messages(monkeypatch):
    told = []

    def tell(parent, title, text, *args):
        told.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(privacy_actions.QMessageBox, "information", tell)
    monkeypatch.setattr(privacy_actions.QMessageBox, "warning", tell)
    return told


def test_personal_data_export_needs_a_manager(qtbot, view, staff, tmp_path, monkeypatch,
                                              messages):  # fmt: skip
    out = tmp_path / "ann"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(out), "Zip"))
    )
    contact_id = view.current_contact_id()
    view.actions_by_name["export_personal"].trigger()
    assert messages == ["Sign in as a manager to export personal data."]
    view.customer_actions.current_staff.set_member(staff["Sam"])
    view.actions_by_name["export_personal"].trigger()
    assert messages[-1] == "Sign in as a manager to export personal data."
    assert not out.with_suffix(".zip").exists()

    view.customer_actions.current_staff.set_member(staff["Maya"])
    view.actions_by_name["export_personal"].trigger()
    written = tmp_path / "ann.zip"
    assert written.exists()
    with zipfile.ZipFile(written) as archive:
        assert "person.json" in archive.namelist()
        assert f'"contact_id": {contact_id}' in archive.read("person.json").decode()
    assert str(written) in messages[-1]


def test_erasure_needs_the_typed_number_then_erases_and_lists_backups(
    app, qtbot, staff, change_bus, db_path, tmp_path, messages, monkeypatch
):
    contact = Contact.select().where(Contact.archived_at.is_null()).order_by(Contact.id).first()
    backups = tmp_path / "backups"
    backups.mkdir()
    with sqlite3.connect(db_path) as live, sqlite3.connect(backups / "monday.db") as copy:
        live.backup(copy)
    published = Published(change_bus)
    current = CurrentStaff()
    parent = show(qtbot, ContactsView(change_bus))

    assert privacy_actions.erase_personal_data(parent, contact.id, current, change_bus) is None
    assert messages == ["Sign in as a manager to erase personal data."]
    current.set_member(staff["Maya"])

    def type_wrong_number_then_cancel(dialog: EraseDialog) -> int:
        qtbot.keyClicks(dialog.number, str(contact.id + 1))
        assert not dialog.erase_button.isEnabled()
        return EraseDialog.DialogCode.Rejected

    monkeypatch.setattr(EraseDialog, "exec", type_wrong_number_then_cancel)
    erase = privacy_actions.erase_personal_data
    assert erase(parent, contact.id, current, change_bus, backups) is None
    assert Contact.get_by_id(contact.id).erased_at is None

    def type_number_and_erase(dialog: EraseDialog) -> int:
        show(qtbot, dialog)
        assert not dialog.erase_button.isEnabled()
        qtbot.keyClicks(dialog.number, str(contact.id))
        assert dialog.erase_button.isEnabled()
        screenshot(dialog, "erase-confirm")
        qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(EraseDialog, "exec", type_number_and_erase)
    result = erase(parent, contact.id, current, change_bus, backups)
    assert result is not None
    erased = Contact.get_by_id(contact.id)
    assert erased.erased_at is not None and erased.given_name == "" and erased.email is None
    assert published.changes and published.changes[-1] == result.change
    assert "was erased" in messages[-1]
    assert str(backups / "monday.db") in messages[-1]
    assert contact.given_name in messages[-1]


def test_the_erase_confirmation_names_the_customer_and_says_it_cannot_be_undone(app, qtbot, shop):
    contact = Contact.select().where(Contact.archived_at.is_null()).first()
    dialog = show(qtbot, EraseDialog(contact.id))
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert contact.given_name in texts and str(contact.id) in texts
    assert "cannot be undone" in texts
    qtbot.keyClicks(dialog.number, f"{contact.id}0")
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # a wrong number: Enter does nothing
    assert dialog.isVisible() and dialog.result() != EraseDialog.DialogCode.Accepted
    dialog.number.clear()
    qtbot.keyClicks(dialog.number, str(contact.id))
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.result() == EraseDialog.DialogCode.Accepted


def test_file_menu_and_context_menu_offer_the_new_actions(app, qtbot, shop, change_bus, tmp_path):
    from relapp.ui.main_window import MainWindow

    window = MainWindow(tmp_path / "shop.db", change_bus)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    titles = [action.text() for action in file_menu.actions()]
    assert "&Import customers…" in titles and "&Export customers…" in titles
    contacts = window.views["contacts"]
    toolbar = [action.text() for action in contacts.toolbar.actions()]
    assert "Import…" in toolbar and "Export…" in toolbar
    assert "Erase personal data…" not in toolbar  # only for the customer on the row
    more = [action.text() for action in contacts.more_menu.actions()]
    assert "Find duplicates…" in more and "Save as segment…" in more
    window.resize(1200, 760)
    window.show()
    window.show_view("contacts")
    qtbot.waitExposed(window)
    assert contacts.toolbar.sizeHint().width() <= contacts.toolbar.width()  # no » overflow
