"""`relapp check` and check_database on the gift cards' ledger (schema 18): each card's
balance is the sum of its entries, never negative, and never went below zero on the way. The
database's triggers forbid every corruption made here, so each test makes it on a copy, on a
raw connection, with the trigger dropped or the CHECKs ignored: what a tool bypassing Relapp
could do."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from relapp import cli
from relapp.db.backups import check_database, take_backup
from relapp.domain.giftcards.ledger import redeem_gift_card, sell_gift_card
from tests.factories import add_contact


@pytest.fixture
def cards(db, db_path) -> tuple[int, int]:
    """Two cards: $50.00 with $10.00 taken (Ann's), and a $20.00 bearer card; their ids."""
    ann = add_contact("Ann", "Lee")
    first = sell_gift_card(5_000, ann.id).card
    redeem_gift_card(first.code, 1_000)
    second = sell_gift_card(2_000).card
    return first.id, second.id


def corrupted_copy(db_path, tmp_path, *statements: str):
    """A backup of the shop with these statements run on it (triggers and CHECKs off)."""
    copy = tmp_path / "corrupted.db"
    copy.write_bytes(take_backup(db_path).path.read_bytes())
    with closing(sqlite3.connect(copy)) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    return copy


def test_sound_gift_cards_pass_and_are_counted(cards, db_path):
    report = check_database(db_path)
    assert report.ok, report.problems
    assert report.gift_cards == 2


def test_a_tampered_and_a_negative_balance_are_found(cards, db_path, tmp_path):
    first, second = cards
    copy = corrupted_copy(
        db_path, tmp_path,
        "DROP TRIGGER gift_card_balance_follows_ledger",
        f"UPDATE gift_card SET balance_cents = balance_cents + 700 WHERE id = {first}",
        f"UPDATE gift_card SET balance_cents = -5 WHERE id = {second}",
    )  # fmt: skip

    report = check_database(copy)

    assert report.problems == [
        f"gift cards: 2 cards' balances disagree with their ledger: card {first} has 47.00 on"
        f" it, 40.00 in the ledger, card {second} has -0.05 on it, 20.00 in the ledger",
        f"gift cards: 1 negative balances: card {second} at -0.05",
    ]
    assert check_database(db_path).ok  # the shop itself is sound


def test_a_running_balance_below_zero_is_found(cards, db_path, tmp_path):
    """$60.00 taken from the $40.00 left, then put back by a reversal: the balance ends where
    it was and agrees with the ledger, but went to -20.00 on the way."""
    first, _ = cards
    copy = corrupted_copy(
        db_path, tmp_path,
        "DROP TRIGGER gift_card_entry_never_overdraws",
        "INSERT INTO gift_card_entry (id, card_id, kind, amount_cents, occurred_at)"
        f" VALUES (100, {first}, 'redeem', -6000, '2026-11-22T07:45:00Z')",
        "INSERT INTO gift_card_entry (id, card_id, kind, amount_cents, occurred_at, reverses_id)"
        f" VALUES (101, {first}, 'reversal', 6000, '2026-11-22T07:46:00Z', 100)",
    )  # fmt: skip
    assert check_database(copy).problems == [
        f"gift cards: 1 cards' running balances went below zero: card {first} down to -20.00"
    ]


def test_a_file_from_before_gift_cards_is_checked_without_them(cards, db_path, tmp_path):
    copy = corrupted_copy(db_path, tmp_path, "DROP TABLE gift_card_entry", "DROP TABLE gift_card")
    report = check_database(copy)
    assert report.ok, report.problems
    assert report.gift_cards == 0


def test_the_command_says_so_and_exits_1(cards, db_path, tmp_path, capsys):
    assert cli.main(["check", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: integrity, 1 contacts' balances match the ledger (0 entries;")
    assert "; 2 gift cards, each the sum of its entries; " in out

    first, _ = cards
    copy = corrupted_copy(
        db_path, tmp_path,
        "DROP TRIGGER gift_card_balance_follows_ledger",
        f"UPDATE gift_card SET balance_cents = 0 WHERE id = {first}",
    )  # fmt: skip
    assert cli.main(["check", "--db", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"1 problem(s) found in {copy}:",
        f"  gift cards: 1 cards' balances disagree with their ledger: card {first} has 0.00 on"
        " it, 40.00 in the ledger",
    ]
