"""take_backup, pruning, restore and check_database on real databases."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from relapp.db.backups import (
    BackupCancelled,
    check_database,
    default_backup_folder,
    inspect_backup,
    list_backups,
    needs_daily_backup,
    prune_backups,
    restore_backup,
    take_backup,
)
from relapp.db.connection import APPLICATION_ID
from relapp.db.migrations import LATEST_VERSION
from relapp.db.models import Contact
from relapp.errors import DatabaseTooNew, NotARelappDatabase
from tests.backups.helpers import fingerprint, integrity, scalar
from tests.factories import add_contact

MOMENT = datetime(2026, 11, 22, 7, 45, 0, tzinfo=UTC)


def test_a_backup_is_a_checked_self_contained_copy(demo_db, db_path):
    result = take_backup(db_path, now=MOMENT)

    assert result.path == default_backup_folder(db_path) / "shop-20261122-074500.db"
    assert result.path.parent == db_path.parent / "backups"
    assert result.bytes == result.path.stat().st_size > 0
    assert fingerprint(result.path) == fingerprint(db_path)
    assert integrity(result.path) == "ok"
    assert scalar(result.path, "PRAGMA application_id") == APPLICATION_ID
    assert scalar(result.path, "PRAGMA journal_mode") == "delete"  # one file, no -wal
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]


def test_backup_to_a_named_file_replaces_it_only_when_done(demo_db, db_path, tmp_path):
    out = tmp_path / "usb" / "shop-copy.db"
    out.parent.mkdir()
    out.write_bytes(b"old copy")
    result = take_backup(db_path, out=out)
    assert result.path == out
    assert fingerprint(out) == fingerprint(db_path)
    assert sorted(p.name for p in out.parent.iterdir()) == ["shop-copy.db"]


def test_progress_reports_pages_and_can_cancel(demo_db, db_path):
    seen = []
    take_backup(db_path, progress=lambda done, total: seen.append((done, total)), step_pages=10)
    total = seen[-1][1]
    assert len(seen) > 2 and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    with pytest.raises(BackupCancelled):
        take_backup(db_path, progress=lambda done, total: False, step_pages=10, now=MOMENT)
    assert list_backups(default_backup_folder(db_path))[0].taken_at != MOMENT
    assert not list(default_backup_folder(db_path).glob("*.part*"))


def test_backup_while_another_connection_writes(db, db_path):
    """The copy is one snapshot: the writer is not blocked and the copy is consistent."""
    for number in range(300):  # some pages to copy
        add_contact(f"Given{number}", f"Family{number}")
    stop = threading.Event()
    written = []

    def write() -> None:
        with closing(sqlite3.connect(db_path, timeout=5)) as writer:
            writer.execute("PRAGMA journal_mode = WAL")
            number = 0
            while not stop.is_set():
                with writer:
                    writer.execute(
                        "INSERT INTO setting (key, value) VALUES (?, ?)", (f"k{number:05d}", "v")
                    )
                written.append(number)
                number += 1

    steps = []

    def slow(done: int, total: int) -> None:
        steps.append(done)
        threading.Event().wait(0.01)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.005)
        result = take_backup(db_path, progress=slow, step_pages=5)
        during = len(written)
    finally:
        stop.set()
        thread.join()

    assert steps == sorted(steps)  # never restarted
    assert during > 10  # the writer kept committing during the copy
    assert integrity(result.path) == "ok"
    with closing(sqlite3.connect(result.path)) as copy:
        keys = [
            k for (k,) in copy.execute("SELECT key FROM setting WHERE key LIKE 'k%' ORDER BY key")
        ]
    assert keys == [f"k{n:05d}" for n in range(len(keys))]  # a prefix: one moment's snapshot
    assert 5 <= len(keys) < during


def test_pruning_keeps_the_newest_and_never_touches_other_files(demo_db, db_path):
    folder = default_backup_folder(db_path)
    folder.mkdir()
    others = ["notes.txt", "shop-manual.db", "other-20261101-010101.db", "shop-2026.db"]
    for name in others:
        (folder / name).write_text("mine")
    for day in range(5):
        take_backup(db_path, keep=3, now=MOMENT + timedelta(days=day))

    assert [b.path.name for b in list_backups(folder, "shop")] == [
        "shop-20261126-074500.db",
        "shop-20261125-074500.db",
        "shop-20261124-074500.db",
    ]
    for name in others:
        assert (folder / name).read_text() == "mine"
    assert prune_backups(folder, 1, "shop") == [
        folder / "shop-20261125-074500.db",
        folder / "shop-20261124-074500.db",
    ]


def test_two_backups_in_the_same_second_both_kept(demo_db, db_path):
    first = take_backup(db_path, now=MOMENT)
    second = take_backup(db_path, now=MOMENT)
    assert first.path != second.path and first.path.exists() and second.path.exists()


def test_needs_daily_backup(demo_db, db_path):
    folder = default_backup_folder(db_path)
    assert needs_daily_backup(folder, MOMENT)
    take_backup(db_path, now=MOMENT)
    assert not needs_daily_backup(folder, MOMENT + timedelta(hours=23))
    assert needs_daily_backup(folder, MOMENT + timedelta(hours=24, seconds=1))
    assert needs_daily_backup(folder, MOMENT + timedelta(hours=2), within=timedelta(hours=1))


def test_a_leftover_part_is_deleted_by_the_next_backup(demo_db, db_path):
    folder = default_backup_folder(db_path)
    folder.mkdir()
    leftover = folder / "shop-20261101-010101.db.part"
    leftover.write_bytes(b"SQLite format 3\x00half")
    (folder / "shop-20261101-010101.db.part-journal").write_bytes(b"x")
    (folder / "someone-else.part").write_bytes(b"x")
    take_backup(db_path)
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith("part")) == [
        "someone-else.part"
    ]
    assert not (folder / "shop-20261101-010101.db.part-journal").exists()


def test_restore_round_trip_with_safety_copy(demo_db, db_path):
    backup = take_backup(db_path).path
    before = fingerprint(db_path)
    added = add_contact("After", "Backup")
    changed = fingerprint(db_path)

    result = restore_backup(db_path, backup)

    assert fingerprint(db_path) == before
    assert result.safety_copy.name.startswith("shop.before-restore-")
    assert fingerprint(result.safety_copy) == changed
    assert result.schema_version == LATEST_VERSION
    assert scalar(db_path, "PRAGMA journal_mode") == "wal"
    assert integrity(db_path) == "ok"
    # A connection left open (the app's) sees the restored content at its next query.
    assert not Contact.select().where(Contact.id == added.id).exists()


def test_a_backup_changed_after_its_check_is_checked_again_before_restoring(demo_db, db_path):
    backup = take_backup(db_path).path
    checked = inspect_backup(backup)
    assert checked.still_as_checked()
    size = backup.stat().st_size
    backup.write_bytes(b"not a database any more".ljust(size, b"!"))  # same size, new time
    os.utime(backup, ns=(checked.modified_ns + 10**9, checked.modified_ns + 10**9))
    before = fingerprint(db_path)

    with pytest.raises(NotARelappDatabase):
        restore_backup(db_path, backup, inspected=checked)

    assert fingerprint(db_path) == before


def test_restore_into_a_missing_database(demo_db, db_path, tmp_path):
    backup = take_backup(db_path).path
    fresh = tmp_path / "new" / "fresh.db"
    fresh.parent.mkdir()
    result = restore_backup(fresh, backup)
    assert result.safety_copy is None
    assert fingerprint(fresh) == fingerprint(backup)


def _backup_copy(db_path, tmp_path, name):
    target = tmp_path / name
    target.write_bytes(take_backup(db_path).path.read_bytes())
    return target


def test_restore_refuses_garbage_foreign_corrupt_and_newer_files(demo_db, db_path, tmp_path):
    before = fingerprint(db_path)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(50_000))
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        raw.commit()
    newer = _backup_copy(db_path, tmp_path, "newer.db")
    with closing(sqlite3.connect(newer)) as raw:
        raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    corrupt = _backup_copy(db_path, tmp_path, "corrupt.db")
    page_size = scalar(corrupt, "PRAGMA page_size")
    pages = corrupt.stat().st_size // page_size
    with open(corrupt, "r+b") as handle:  # scribble over the middle pages, not the header
        handle.seek(page_size * (pages // 3))
        handle.write(os.urandom(page_size * (pages // 3)))

    cases = [
        (garbage, NotARelappDatabase, "not a database file"),
        (foreign, NotARelappDatabase, "not a Relapp database"),
        (newer, DatabaseTooNew, "newer Relapp"),
        (corrupt, NotARelappDatabase, "damaged"),
    ]
    for path, error, words in cases:
        with pytest.raises(error, match=words):
            restore_backup(db_path, path)
    assert fingerprint(db_path) == before
    assert not list(db_path.parent.glob("*before-restore*"))
    assert inspect_backup(take_backup(db_path).path).schema_version == LATEST_VERSION


def test_check_passes_a_healthy_demo_shop(demo_db, db_path):
    report = check_database(db_path)
    assert report.ok, report.problems
    assert report.contacts == 60 and report.ledger_entries > 0


def test_check_finds_tampered_balances(demo_db, db_path):
    """The trigger contact_balance_follows_ledger forbids exactly this edit, so the test drops
    it on a raw connection first: check must catch what a tool bypassing Relapp could do."""
    demo_db.close()
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute("DROP TRIGGER contact_balance_follows_ledger")
        ids = [i for (i,) in raw.execute("SELECT id FROM contact ORDER BY id LIMIT 3")]
        raw.execute("UPDATE contact SET points_balance = points_balance + 7 WHERE id = ?", ids[:1])
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.execute("UPDATE contact SET points_balance = -5 WHERE id = ?", ids[1:2])
        raw.commit()

    report = check_database(db_path)

    assert not report.ok
    text = "\n".join(report.problems)
    assert "2 contacts' points balances disagree with the ledger" in text
    assert f"contact {ids[0]} has" in text
    assert f"1 negative points balances: contact {ids[1]} at -5" in text


def test_check_finds_a_running_balance_below_zero(db, db_path):
    contact = add_contact("Ann", "Lee")
    db.close()
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute("DROP TRIGGER points_entry_never_overdraws")
        # Entry 1 takes 5 points before entry 2 gives 10: the balance ends at 5 but dipped.
        for entry_id, points in ((2, 10), (1, -5)):
            raw.execute(
                "INSERT INTO points_entry (id, contact_id, kind, points, occurred_at, reason) "
                "VALUES (?, ?, 'adjust', ?, '2026-11-22T07:45:00Z', 'test')",
                (entry_id, contact.id, points),
            )
        raw.commit()
    report = check_database(db_path)
    assert report.problems == [
        f"ledger: 1 contacts' running balances went below zero: contact {contact.id} down to -5"
    ]


def test_check_reports_a_damaged_file(demo_db, db_path, tmp_path):
    corrupt = _backup_copy(db_path, tmp_path, "corrupt.db")
    page_size = scalar(corrupt, "PRAGMA page_size")
    with open(corrupt, "r+b") as handle:
        handle.seek(page_size * 3)
        handle.write(os.urandom(page_size * 20))
    report = check_database(corrupt)
    assert not report.ok and len(report.problems) <= 20


def test_backup_refuses_a_foreign_database(tmp_path):
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    with pytest.raises(NotARelappDatabase):
        take_backup(foreign)
    assert not default_backup_folder(foreign).exists()  # no empty folder left behind


def test_backup_preferences_come_from_the_shop_settings(db, db_path, tmp_path):
    from relapp.db.backups import backup_preferences
    from relapp.db.models import Setting

    assert backup_preferences(db_path) == (default_backup_folder(db_path), 10)
    Setting.replace(key="backup_folder", value=str(tmp_path / "usb")).execute()
    Setting.replace(key="backup_keep", value="3").execute()
    assert backup_preferences(db_path) == (tmp_path / "usb", 3)


def test_two_backups_in_one_second_keep_the_newer_when_keeping_one(demo_db, db_path, tmp_path):
    moment = datetime(2026, 12, 5, 9, 30, 0, tzinfo=UTC)
    first = take_backup(db_path, folder=tmp_path / "b", keep=1, now=moment)
    second = take_backup(db_path, folder=tmp_path / "b", keep=1, now=moment)
    assert second.path.name.endswith("-2.db")
    assert second.pruned == (first.path,)
    assert [b.path for b in list_backups(tmp_path / "b")] == [second.path]
