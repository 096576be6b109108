"""The shop's data from the real window: importing a CSV through the wizard, a backup taken
and restored from Settings, a person's data erased by a manager."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from relapp.db.backups import default_backup_folder, list_backups
from relapp.db.models import Contact, Interaction
from tests.flows.harness import Flow

CSV = (
    "First Name,Last Name,E-mail Address,Mobile Phone\n"
    "Ines,Quarrington,ines.q@example.org,0412 555 019\n"
    "Tomás,Ó Briain,tomas.obriain@example.org,\n"
    "Wen,Zhao,wen.zhao@example.org,0412 555 020\n"
)


def test_import_a_csv_through_the_wizard_with_a_dry_run_first(flow: Flow, tmp_path: Path):
    source = tmp_path / "till export.csv"
    source.write_text(CSV, encoding="utf-8")
    before = Contact.select().count()
    seen = {}

    def wizard(dialog):
        flow.type(str(source))
        flow.press("Return")  # Next: the columns, guessed
        flow.press("Return")  # Next: customers already in the shop
        flow.press("Return")  # Import, as a dry run (ticked by default)
        flow.wait_until(lambda: dialog.for_real_button.isVisible())
        seen["dry run"] = dialog.counts.text()
        seen["count after dry run"] = Contact.select().count()
        flow.press("Alt+I")  # Import for real
        flow.wait_until(lambda: not dialog.for_real_button.isVisible())
        seen["outcome"] = dialog.outcome.text()
        flow.press("Escape")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "&Import"))
    flow.in_next_dialog(wizard, "Import customers")
    flow.press("Alt+F")  # File › Import customers…
    flow.wait_for_dialogs()

    assert seen["count after dry run"] == before
    assert "Would be imported</td><td align='right'>&nbsp;&nbsp;<b>3</b>" in seen["dry run"]
    assert Contact.select().count() == before + 3
    tomas = Contact.get(Contact.email == "tomas.obriain@example.org")
    assert (tomas.given_name, tomas.family_name) == ("Tomás", "Ó Briain")
    assert Contact.get(Contact.email == "wen.zhao@example.org").phone.endswith("412555020")


def test_back_up_from_settings_then_restore_that_backup(flow: Flow):
    flow.sign_in("Maya", "1234")  # restoring is a manager's, and a sale needs someone
    folder = default_backup_folder(flow.db_path)
    flow.wait_until(lambda: not flow.running.backups.worker.isRunning())  # the start-up one
    taken_before = len(list_backups(folder))

    flow.press("Ctrl+6")
    settings = flow.current_view()
    backup_now = settings.findChild(object, "backupNow")
    flow.in_next_dialog(lambda dialog: flow.press("Return"), "Relapp")  # "Backed up to …"
    flow.click(backup_now)
    flow.check()
    assert len(list_backups(folder)) == taken_before + 1

    # A sale after the backup, which the restore takes back.
    customer = Contact.select().where(Contact.card_number.is_null(False)).first()
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.in_next_dialog(lambda d: (flow.type("7.77"), flow.press("Return")), "Record a sale")
    flow.press("F2")
    assert Interaction.select().where(Interaction.amount_cents == 777).count() == 1

    def confirm(box: QMessageBox):
        assert box.defaultButton() == box.button(QMessageBox.StandardButton.Cancel)
        [restore] = [b for b in box.buttons() if b.text() == "Restore"]
        flow.click(restore)

    flow.press("Ctrl+6")
    flow.in_next_dialog(lambda dialog: flow.press("Return"), "Restore from a backup")  # newest
    flow.in_next_dialog(confirm, "Restore the shop?")
    seen = {}
    flow.in_next_dialog(lambda box: (seen.update(text=box.text()), flow.press("Return")), "Relapp")
    flow.click(settings.findChild(object, "restore"))
    flow.check()

    assert seen["text"].startswith("The shop was restored from ")
    assert Interaction.select().where(Interaction.amount_cents == 777).count() == 0
    safety = list(flow.db_path.parent.glob("shop.before-restore-*.db"))
    assert len(safety) == 1


def test_a_manager_erases_a_persons_data_from_contacts(flow: Flow):
    person = (
        Contact.select()
        .where(Contact.kind == "person", Contact.email.is_null(False))
        .order_by(Contact.id)
        .first()
    )
    flow.sign_in("Maya", "1234")  # the demo shop's owner, a manager

    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.qtbot.mouseClick(contacts.filter_bar.text, Qt.MouseButton.LeftButton)
    flow.type(person.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    rect = contacts.table.visualRect(contacts.model.index(0, 0))
    flow.qtbot.mouseClick(contacts.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert contacts.current_contact_id() == person.id

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Erase personal data"))
    flow.in_next_dialog(
        lambda dialog: (flow.type(str(person.id)), flow.press("Return")), "Erase personal data"
    )
    report = {}
    flow.in_next_dialog(
        lambda box: (report.update(text=box.text()), flow.press("Return")), "Erase personal data"
    )
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.check()

    erased = Contact.get_by_id(person.id)
    assert erased.erased_at is not None
    assert (erased.given_name, erased.family_name, erased.email) == ("", "", None)
    assert report["text"]
