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

# The suites that run on both engines: every test in them that uses the `db` fixture runs once
# on a SQLite file and once on a PostgreSQL server, unless marked sqlite_only (with a reason).
BOTH_ENGINES = ("tests/db/", "tests/domain/")
ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--engines",
        default=os.environ.get("RELAPP_TEST_ENGINES", ",".join(ENGINES)),
        help="engines the store and domain suites run on (comma-separated; default: both)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about the SQLite file itself"
    )


def pytest_generate_tests(metafunc):
    if "db" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.path)).as_posix()
    both = any(f"/{suite}" in path for suite in BOTH_ENGINES)
    if not both or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    engines = [name for name in metafunc.config.getoption("engines").split(",") if name]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"--engines: unknown engine(s) {sorted(unknown)}")
    metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def server_cluster(tmp_path_factory):
    """A throwaway PostgreSQL cluster for the session, with a template database holding the
    schema (relapp server init's work), which each test's database is copied from."""
    from relapp.db.server.connection import open_server_database
    from tests.server_cluster import ThrowawayCluster, missing_reason

    reason = missing_reason()
    if reason:
        pytest.fail(f"{reason} (or run with --engines sqlite)", pytrace=False)
    cluster = ThrowawayCluster().start()
    try:
        open_server_database(cluster.create_database("relapp_template"), create=True).close()
        yield cluster
    finally:
        cluster.remove()


_server_databases = iter(range(1, 10**9))


@pytest.fixture
def new_database(server_cluster):
    """new_database(template=None, prefix="made"): the URL of a new database, named prefix_N,
    on the session's cluster (empty,
    or a copy of template, e.g. "relapp_template" for one holding the schema); every one is
    dropped afterwards, once the models' connection to it is closed."""
    made = []

    def make(template: str | None = None, prefix: str = "made") -> str:
        name = f"{prefix}_{next(_server_databases)}"
        made.append(name)
        return server_cluster.create_database(name, template=template)

    yield make
    if bound_database.obj is not None:
        bound_database.close()
    for name in made:
        server_cluster.drop_database(name)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def db(engine: str, request):
    """A fresh database at the latest schema, bound to the models; closed afterwards.

    On the postgresql engine: a new database on the session's cluster, copied from the
    template; dropped afterwards."""
    if engine == "sqlite":
        database = open_database(request.getfixturevalue("db_path"))
        yield database
        database.close()
        return
    from relapp.db.server.connection import open_server_database

    cluster = request.getfixturevalue("server_cluster")
    name = f"test_{next(_server_databases)}"
    database = open_server_database(cluster.create_database(name, template="relapp_template"))
    yield database
    database.close()
    cluster.drop_database(name)


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
def _no_till_setting_of_this_pc(tmp_path_factory, monkeypatch):
    """The till setting (till.ini, relapp.db.location) of whoever runs the tests must not
    choose what a test's command opens, nor a test leave a till outbox in their data folder:
    the user config and data folders are empty ones of the test's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def _close_bound_database():
    yield
    if bound_database.obj is not None:
        bound_database.close()
