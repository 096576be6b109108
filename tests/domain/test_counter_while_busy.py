"""The counter while another connection holds the write lock: a sale waits its turn, and if
the lock stays out of reach for longer than the busy timeout, one sentence says the shop is
busy and nothing was recorded (never sqlite's "database is locked")."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from relapp.db import connection as relapp_db
from relapp.db.busy import BUSY_MESSAGE
from relapp.db.models import Interaction, PointsEntry, Reward
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.points import record_sale, redeem_reward
from relapp.domain.shop.settings import save_settings
from relapp.errors import DatabaseBusy
from tests.factories import add_contact

SHORT_TIMEOUT_MS = 300


@contextmanager
def write_lock_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's write transaction on the file (an import, a restore), held until the
    block ends."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


@pytest.fixture
def impatient_db(db_path: Path):
    """The shop opened with a short busy timeout, so a test need not wait 5 s."""
    database = relapp_db.open_database(db_path, busy_timeout_ms=SHORT_TIMEOUT_MS)
    yield database
    database.close()


@pytest.fixture
def customer(impatient_db):
    save_settings(points_per_unit=1, phone_region="AU")
    Reward.create(name="Coffee", points_cost=50, stock=2, created_at=utc_now())
    return add_contact("Zoë", "O'Brien", card_number="270000000017")


def test_a_sale_while_the_lock_is_held_too_long_says_the_shop_is_busy(db_path, customer):
    with write_lock_held(db_path), pytest.raises(DatabaseBusy) as raised:
        record_sale(customer.id, 12_00, sale_key="till-1")
    assert str(raised.value) == BUSY_MESSAGE
    assert Interaction.select().count() == 0 and PointsEntry.select().count() == 0
    assert record_sale(customer.id, 12_00, sale_key="till-1").points == 12  # later, it works


def test_a_redemption_while_the_lock_is_held_too_long_says_the_shop_is_busy(db_path, customer):
    record_sale(customer.id, 60_00)
    coffee = Reward.get(Reward.name == "Coffee")
    with write_lock_held(db_path), pytest.raises(DatabaseBusy, match="busy"):
        redeem_reward(customer.id, coffee.id)
    assert Reward.get_by_id(coffee.id).stock == 2
    assert sum(entry.points for entry in PointsEntry.select()) == 60


def test_a_sale_waits_for_a_short_write_and_is_recorded(db_path, customer):
    with closing(sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")
        # Released well within the busy timeout: the sale gets the lock then, and is recorded.
        timer = threading.Timer(SHORT_TIMEOUT_MS / 1000 / 3, lambda: other.execute("ROLLBACK"))
        timer.start()
        result = record_sale(customer.id, 5_00)
        timer.join()
    assert result.points == 5
    assert Interaction.select().count() == 1


def test_the_command_line_says_the_shop_is_busy_and_exits_1(db_path, customer, monkeypatch, capsys):
    from relapp.cli import main

    impatient = functools.partial(relapp_db.open_database, busy_timeout_ms=SHORT_TIMEOUT_MS)
    monkeypatch.setattr(relapp_db, "open_database", impatient)
    with write_lock_held(db_path):
        code = main(["sale", "270000000017", "--amount", "5", "--db", str(db_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip() == f"relapp: {BUSY_MESSAGE}"
    assert "Traceback" not in captured.err + captured.out
    assert Interaction.select().count() == 0
