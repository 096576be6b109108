"""Shared fixtures. Qt runs offscreen so the suite needs no display."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # The screen of the smallest PC a shop has, 1366 x 768, not Qt's 800 x 800: the window
    # sizes itself to the screen (relapp.ui.main_window.window_sizes).
    screen = Path(__file__).with_name("offscreen-screen.json")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"

from relapp.db.connection import open_database
from relapp.db.models import database as bound_database

AS_OF = date(2026, 11, 22)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def db(db_path: Path):
    """A fresh database at the latest schema, bound to the models; closed afterwards."""
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_db(db):
    """A small demo shop (60 customers, fixed date and seed)."""
    from relapp.demo.generator import generate_demo_shop

    generate_demo_shop(60, seed=7, as_of=AS_OF)
    return db


@pytest.fixture
def time_zone():
    """set_zone(name): this machine's local time zone for the test (TZ), restored after."""
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture(autouse=True)
def _close_bound_database():
    yield
    if bound_database.obj is not None:
        bound_database.close()
