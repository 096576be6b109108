"""Settings' Backups group: back up now, then restore that backup over later changes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from relapp.db import backups
from relapp.db.backups import list_backups
from relapp.db.models import Contact
from relapp.domain.changes import Entity
from relapp.ui.settings import SettingsView, backup_box
from tests.factories import add_contact


def test_back_up_now_then_restore_it(qtbot, app, db, db_path, change_bus, monkeypatch):
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: said.append(args[2]))
    published = []
    change_bus.changed.connect(published.append)
    add_contact("Ann", "Before")
    view = SettingsView(db_path, change_bus)
    qtbot.addWidget(view)
    view.show()
    box = view.backups
    assert box.last_backup.text() == "none yet in this folder"
    box.back_up_now()
    [backup] = list_backups(box.backup_folder(), db_path.stem)
    assert said[-1].startswith(f"Backed up to {backup.path}")
    assert box.last_backup.text().endswith("; 1 kept")

    add_contact("Bob", "After")
    assert Contact.select().count() == 2
    monkeypatch.setattr(box, "choose_backup", lambda: backup.path)
    monkeypatch.setattr(box, "confirm_restore", lambda chosen: True)
    checks = []
    inspect = backups.inspect_backup

    def counted_inspection(path):
        checks.append(path)
        return inspect(path)

    monkeypatch.setattr(backup_box, "inspect_backup", counted_inspection)
    monkeypatch.setattr(backups.restore, "inspect_backup", counted_inspection)
    box.restore()
    assert checks == [backup.path]  # checked once, before asking: minutes on a big shop
    assert [c.given_name for c in Contact.select()] == ["Ann"]  # the app's connection sees it
    assert published and published[-1].entities == frozenset(Entity)
    assert "restored from" in said[-1] and "kept as" in said[-1]
    assert list(db_path.parent.glob(f"{db_path.stem}.before-restore-*.db"))


def test_a_refused_restore_changes_nothing(qtbot, app, db, db_path, change_bus, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    add_contact("Ann", "Kept")
    garbage = db_path.parent / "not-a-backup.db"
    garbage.write_bytes(b"hello, this is not a database")
    view = SettingsView(db_path, change_bus)
    qtbot.addWidget(view)
    monkeypatch.setattr(view.backups, "choose_backup", lambda: garbage)
    view.backups.restore()
    assert warnings and Contact.select().count() == 1
