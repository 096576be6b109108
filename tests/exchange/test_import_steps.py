"""An import saved in short steps: the write lock is free between steps (a sale at the counter
gets in), a dry run predicts exactly what the import does, and an import is all or nothing
whatever stops it: Cancel or a failure while the rows are checked leaves nothing; once they are
decided, a failure or kill -9 leaves the rest to finish_interrupted_imports."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import peewee
import pytest

from relapp.db.connection import open_database
from relapp.db.models import Contact, database
from relapp.domain.loyalty.points import find_customer, record_sale
from relapp.domain.shop.settings import save_settings
from relapp.exchange import importer
from relapp.exchange.importer import finish_interrupted_imports, import_file
from tests.factories import add_contact

ROOT = Path(__file__).parents[2]


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def write_people(path: Path, count: int, family: str = "Step") -> Path:
    lines = ["First name,Last name,Email,Points"]
    lines += [f"P{n},{family},p{n}@example.com,{n % 7 or ''}" for n in range(count)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def table_count(table: str, where: str = "") -> int:
    return database.execute_sql(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def search_index_problems() -> str | None:
    try:
        database.execute_sql(
            "INSERT INTO contact_search (contact_search) VALUES ('integrity-check')"
        )
    except peewee.DatabaseError as error:
        return str(error)
    return None


# ----------------------------------------------------------------------------- dry run


TRICKY_ROWS = [
    "Name,Email,Phone,Card,Points",
    "Ann Lee,ANN@example.com,0412 000 002,30000002,50",  # Ann by email; fills phone and card
    "Annie Lee,,0412 000 002,,10",  # Ann again, by the phone the row above filled
    "Arch Again,,0412 000 001,,20",  # an archived customer: no opening points for her
    "New Person,new@example.com,,30000001,5",  # the card of an erased customer
    "New Person,NEW@example.com,,,5",  # added
    "Second New,new@example.com,,,",  # the contact added by the row above, by email
    "Bad,not-an-email,,,",  # refused while checking
    "Card Fill,,0412 000 003,30000002,",  # Ann, by the card a merge gave her
]


def tricky_shop(tmp_path: Path) -> Path:
    add_contact("Ann", "Lee", email="ann@example.com")
    add_contact("Arch", "Ived", phone="0412 000 001", archived_at="2026-01-01 00:00:00")
    add_contact("", "", card_number="30000001", erased_at="2026-01-01 00:00:00")
    source = tmp_path / "tricky.csv"
    source.write_text("\r\n".join(TRICKY_ROWS) + "\r\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("chunk", [1, 2, 500])  # merges into rows of this chunk or earlier ones
@pytest.mark.parametrize("policy", ["skip", "merge", "create"])
def test_a_dry_run_predicts_exactly_what_the_import_does(
    shop, tmp_path, monkeypatch, policy, chunk
):
    monkeypatch.setattr(importer, "SAVE_CHUNK", chunk)
    source = tricky_shop(tmp_path)
    before = table_count("contact"), table_count("points_entry"), table_count("audit_log")

    dry = import_file(source, duplicates=policy, dry_run=True)
    assert (table_count("contact"), table_count("points_entry"), table_count("audit_log")) == before
    real = import_file(source, duplicates=policy)

    assert dry.summary() == real.summary() + " (dry run: nothing was written)"
    assert [(e.line, e.reason) for e in dry.errors] == [(e.line, e.reason) for e in real.errors]
    assert (dry.imported, dry.merged, dry.skipped, dry.rejected) == (
        real.imported, real.merged, real.skipped, real.rejected,
    )  # fmt: skip
    assert search_index_problems() is None


def test_the_tricky_file_merges_as_the_rules_say(shop, tmp_path):
    result = import_file(tricky_shop(tmp_path), duplicates="merge")
    assert (result.imported, result.merged, result.skipped, result.rejected) == (1, 5, 0, 2)
    ann = Contact.get(Contact.email == "ann@example.com")
    assert (ann.phone, ann.card_number, ann.points_balance) == ("+61412000002", "30000002", 50)
    reasons = {error.line: error.reason for error in result.errors}
    assert "archived" in reasons[4] and "already belongs" in reasons[5]
    assert "not an email address" in reasons[8]


# ----------------------------------------------------------------------------- the steps


def test_the_write_lock_is_free_between_steps_and_the_rows_arrive_in_order(
    shop, db_path, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "SAVE_STEP_ROWS", 50)
    buyer = add_contact("Counter", "Customer", card_number="12345678")
    source = write_people(tmp_path / "people.csv", 4_000)
    seen = []

    def progress(done: int, total: int) -> bool:
        if total // 2 < done < total:  # saving: another program takes the lock at once
            with closing(sqlite3.connect(db_path, timeout=0, isolation_level=None)) as other:
                other.execute("BEGIN IMMEDIATE")
                seen.append(other.execute("SELECT count(*) FROM contact").fetchone()[0] - 1)
                other.execute("ROLLBACK")
            record_sale(find_customer("12345678"), 5_00)  # and the counter records a sale
        return True

    result = import_file(source, progress=progress)

    assert result.imported == 4_000
    assert seen and seen == sorted(seen) and seen[0] > 0 and seen[-1] < 4_000
    assert Contact.get_by_id(buyer.id).points_balance == 5 * len(seen)
    assert table_count("contact") == 4_001 and table_count("import_row") == 0
    assert table_count("import_batch") == 0
    assert table_count("audit_log", "WHERE action = 'contacts imported'") == 1
    assert search_index_problems() is None


def test_cancel_is_too_late_once_the_rows_are_decided(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "SAVE_STEP_ROWS", 100)
    source = write_people(tmp_path / "people.csv", 2_000)
    result = import_file(source, progress=lambda done, total: done <= total // 2)
    assert result.imported == 2_000 and table_count("contact") == 2_000


# ----------------------------------------------------------------------------- failures


def test_a_failure_while_checking_leaves_nothing(shop, tmp_path, monkeypatch):
    source = write_people(tmp_path / "people.csv", 3_000)
    calls = []
    clean = importer._clean_or_reason

    def fails_half_way(*args):
        calls.append(1)
        if len(calls) == 1_500:
            raise RuntimeError("the cleaner broke")
        return clean(*args)

    monkeypatch.setattr(importer, "_clean_or_reason", fails_half_way)
    with pytest.raises(RuntimeError):
        import_file(source, workers=0)
    assert table_count("contact") == table_count("import_batch") == table_count("import_row") == 0


def test_a_failure_while_deciding_leaves_nothing(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "DECIDE_CHUNK", 100)
    source = write_people(tmp_path / "people.csv", 1_000)
    chunks = []
    insert = importer.set_aside_rows

    def disk_full_half_way(*args):
        chunks.append(1)
        if len(chunks) == 5:
            raise peewee.OperationalError("database or disk is full")
        insert(*args)

    monkeypatch.setattr(importer, "set_aside_rows", disk_full_half_way)
    with pytest.raises(peewee.OperationalError):
        import_file(source)
    assert table_count("contact") == table_count("import_batch") == table_count("import_row") == 0


def test_an_import_stopped_before_it_was_decided_is_deleted_later(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "DECIDE_CHUNK", 100)
    source = write_people(tmp_path / "people.csv", 1_000)
    pauses = []

    def killed_after_three_chunks() -> None:
        pauses.append(1)
        if len(pauses) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(importer, "give_way", killed_after_three_chunks)
    monkeypatch.setattr(importer, "_discard", lambda batch_id: None)  # a kill cleans nothing
    with pytest.raises(KeyboardInterrupt):
        import_file(source)
    monkeypatch.undo()
    assert table_count("contact") == 0 and table_count("import_row") == 300

    assert finish_interrupted_imports(idle=timedelta(0)) == 0
    assert table_count("import_row") == table_count("import_batch") == table_count("contact") == 0
    assert table_count("audit_log") == 0


def test_a_failure_while_saving_is_finished_later_all_of_it_once(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "SAVE_STEP_ROWS", 50)
    source = write_people(tmp_path / "people.csv", 1_000)
    written = []
    write_new = importer._ChunkStore.write_new

    def disk_full_in_the_third_step(store):
        written.append(1)
        if len(written) == 3:
            raise peewee.OperationalError("database or disk is full")
        return write_new(store)

    monkeypatch.setattr(importer._ChunkStore, "write_new", disk_full_in_the_third_step)
    with pytest.raises(peewee.OperationalError):
        import_file(source)
    assert table_count("contact") == 100  # two steps were saved; the third was undone
    assert table_count("import_row") == 900
    monkeypatch.setattr(importer._ChunkStore, "write_new", write_new)

    assert finish_interrupted_imports() == 0  # someone may still be saving it: not yet
    assert finish_interrupted_imports(idle=timedelta(0)) == 1
    assert table_count("contact", "WHERE family_name = 'Step'") == 1_000
    assert table_count("contact") == 1_000  # each row once
    assert table_count("import_row") == table_count("import_batch") == 0
    assert database.execute_sql(
        "SELECT json_extract(details, '$.imported') FROM audit_log"
        " WHERE action = 'contacts imported'"
    ).fetchall() == [(1_000,)]
    expected = sum(n % 7 for n in range(1_000))
    assert table_count("points_entry") == sum(1 for n in range(1_000) if n % 7)
    assert database.execute_sql("SELECT sum(points_balance) FROM contact").fetchone()[0] == (
        expected
    )
    assert search_index_problems() is None


def test_the_daily_round_finishes_an_interrupted_import(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "SAVE_STEP_ROWS", 50)
    source = write_people(tmp_path / "people.csv", 300)

    def stop_once_saving() -> None:
        if table_count("contact"):
            raise KeyboardInterrupt  # stopped after the first step, as by a crash

    monkeypatch.setattr(importer, "give_way", stop_once_saving)
    with pytest.raises(KeyboardInterrupt):
        import_file(source)
    monkeypatch.undo()
    assert table_count("contact") == 50
    database.execute_sql("UPDATE import_batch SET saved_at = '2026-01-01 00:00:00'")

    from relapp.ui.daily_round import whole_round  # the round the app runs hourly

    result = whole_round()

    assert result.imports_finished == 1 and result.change.entities
    assert table_count("contact") == 300 and table_count("import_batch") == 0


def test_a_row_the_database_refuses_is_rejected_and_the_rest_saved(shop, tmp_path, monkeypatch):
    source = write_people(tmp_path / "people.csv", 10)
    set_aside = importer._set_aside

    def with_p3_spoilt(*args):
        batch_id = set_aside(*args)
        [columns] = database.execute_sql("SELECT columns FROM import_batch").fetchone()
        where = 1 + json.loads(columns).index("email")  # the opening points come first
        database.execute_sql(  # the table's CHECK refuses an email without an @
            f"UPDATE import_row SET clean = json_replace(clean, '$[{where}]', 'no at sign')"
            " WHERE line = 5"
        )
        return batch_id

    monkeypatch.setattr(importer, "_set_aside", with_p3_spoilt)
    result = import_file(source)
    assert (result.imported, result.rejected) == (9, 1)
    assert "could not be saved" in result.errors[0].reason and result.errors[0].line == 5
    assert table_count("contact") == 9 and search_index_problems() is None


# ----------------------------------------------------------------------------- kill -9


@pytest.mark.slow
def test_kill_9_while_saving_then_the_rest_is_saved_once(tmp_path):
    source = write_people(tmp_path / "big.csv", 60_000, family="Kill")
    db_file = tmp_path / "shop.db"
    open_database(db_file).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "relapp", "import", str(source), "--db", str(db_file)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    lines = [process.stderr.readline().decode()]
    while "40,000 of 60,000" not in lines[-1] and lines[-1]:  # past half way: saving
        lines.append(process.stderr.readline().decode())
    assert "40,000 of 60,000" in lines[-1], lines
    process.send_signal(signal.SIGKILL)
    process.wait()

    with closing(sqlite3.connect(db_file)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        saved = raw.execute("SELECT count(*) FROM contact WHERE family_name = 'Kill'").fetchone()
        waiting = raw.execute("SELECT count(*) FROM import_row").fetchone()
    assert saved[0] >= 20_000 and saved[0] + waiting[0] == 60_000  # decided, partly saved

    open_database(db_file)
    finish_interrupted_imports(idle=timedelta(0))
    assert table_count("contact", "WHERE family_name = 'Kill'") == 60_000
    assert table_count("contact") == 60_000
    assert table_count("import_row") == table_count("import_batch") == 0
    assert table_count("audit_log", "WHERE action = 'contacts imported'") == 1
    assert search_index_problems() is None
    database.close()
