"""Finding duplicates and merging them, as a shop owner would in the Contacts view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import AuditLog, Contact, Interaction, PointsEntry
from relapp.domain.clock import utc_now
from relapp.domain.contacts.duplicates import find_duplicate_pairs
from relapp.ui.contacts import duplicates_dialog
from relapp.ui.contacts.duplicates_dialog import DuplicatePairsModel, DuplicatesDialog
from relapp.ui.contacts.merge_dialog import MergeDialog


def add(given, family, **fields) -> Contact:
    now = utc_now()
    return Contact.create(
        given_name=given, family_name=family, created_at=now, updated_at=now, **fields
    )


@pytest.fixture
def twins(db):
    older = add("Zoë", "O'Brien", phone="+61412345678", email="zoe@example.com",
                card_number="270000000017", notes="Likes linen")  # fmt: skip
    newer = add("Zoe", "OBrien", phone="+61412345678", email="zoe.obrien@example.net",
                notes="Size 10")  # fmt: skip
    now = utc_now()
    Interaction.create(contact=newer, kind="visit", occurred_at=now, created_at=now,
                       updated_at=now)  # fmt: skip
    PointsEntry.create(contact=newer, kind="opening", points=120, occurred_at=now,
                       reason="opening balance")  # fmt: skip
    add("Ann", "Lee", phone="+61400000001")
    return older, newer


def test_the_merge_dialog_keeps_the_chosen_values_and_moves_everything(app, qtbot, twins):
    older, newer = twins
    dialog = MergeDialog(older.id, newer.id)
    qtbot.addWidget(dialog)
    assert "Zoë O'Brien" in dialog.keep_first.text()
    assert "1 history entry," in dialog.moves.text() and "120 points" in dialog.moves.text()
    email_choices = dialog.choice_groups["email"].buttons()
    assert [button.text() for button in email_choices] == [
        "zoe@example.com",
        "zoe.obrien@example.net",
    ]
    email_choices[1].setChecked(True)  # keep the newer address
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)

    kept, merged = Contact.get_by_id(older.id), Contact.get_by_id(newer.id)
    assert kept.email == "zoe.obrien@example.net"
    assert kept.card_number == "270000000017"
    assert kept.points_balance == 120 and merged.points_balance == 0
    assert Interaction.get().contact_id == older.id
    assert merged.archived_at is not None
    assert AuditLog.select().where(AuditLog.action == "contacts merged").count() == 1
    assert dialog.change is not None and older.id in dialog.change.contact_ids


def test_keeping_the_other_customer_swaps_the_survivor(app, qtbot, twins):
    older, newer = twins
    dialog = MergeDialog(older.id, newer.id)
    qtbot.addWidget(dialog)
    dialog.keep_second.setChecked(True)
    dialog.merge()
    assert Contact.get_by_id(older.id).archived_at is not None
    assert Contact.get_by_id(newer.id).archived_at is None


def test_the_duplicates_dialog_lists_pairs_and_merging_removes_them(app, qtbot, twins, monkeypatch):
    older, newer = twins
    dialog = DuplicatesDialog(find_duplicate_pairs())
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    assert "same phone" in dialog.model.index(0, 2).data()
    assert "Zoë O'Brien" in dialog.model.index(0, 0).data()
    assert dialog.summary.text().startswith("1 possible duplicates")

    merged = []
    monkeypatch.setattr(
        MergeDialog, "ask", staticmethod(lambda parent, a, b: merged.append((a, b)) or None)
    )
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert merged == [(older.id, newer.id)]  # once: Enter opened it twice before
    assert dialog.model.rowCount() == 1  # cancelled: the pair stays

    dialog.dismiss_current()
    assert dialog.model.rowCount() == 0
    assert "No likely duplicates" in dialog.summary.text()
    assert find_duplicate_pairs() == []  # not suggested again
    assert not dialog.merge_button.isEnabled()


def test_searching_runs_in_the_background_and_returns_the_changes(app, qtbot, twins, monkeypatch):
    shown = []

    def fake_exec(self):
        shown.append(self.model.rowCount())
        self.dismiss_current()
        return 0

    monkeypatch.setattr(DuplicatesDialog, "exec", fake_exec)
    change = DuplicatesDialog.ask(None)
    assert shown == [1]
    assert change is not None and change.entities


def test_a_failing_search_is_reported_not_raised(app, qtbot, db, monkeypatch):
    from relapp.errors import RelappError

    def broken(**_options):
        raise RelappError("The database is locked by another program.")

    warnings = []
    monkeypatch.setattr(duplicates_dialog, "find_duplicate_pairs", broken)
    monkeypatch.setattr(
        duplicates_dialog.QMessageBox, "warning", lambda *args: warnings.append(args[2])
    )
    assert DuplicatesDialog.ask(None) is None
    assert warnings == ["The database is locked by another program."]


def test_the_pairs_model_passes_the_model_tester(qtmodeltester, twins):
    qtmodeltester.check(DuplicatePairsModel(find_duplicate_pairs()))
