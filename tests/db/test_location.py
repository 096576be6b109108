"""Which database a command or the window opens: --db, then RELAPP_DB, then this till's setting
(till.ini in the user config folder), then the file in the user data folder; and the till
setting itself, which never holds a password."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relapp.cli.shop import database_target
from relapp.db.location import (
    TillSettingProblem,
    choose_database,
    clear_till_database,
    default_database_path,
    read_till_database,
    till_settings_path,
    write_till_database,
)

SERVER = "postgresql://shop@server.local/relapp"
OTHER_SERVER = "postgres://till@other.local:5433/shop?sslmode=require"


@pytest.fixture(autouse=True)
def folders(tmp_path, monkeypatch) -> Path:
    """platformdirs' folders in tmp_path (it reads XDG_*), and no RELAPP_DB."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("RELAPP_DB", raising=False)
    return tmp_path


def test_the_setting_lives_in_the_user_config_folder(folders):
    assert till_settings_path() == folders / "config" / "Relapp" / "till.ini"
    assert default_database_path() == folders / "data" / "Relapp" / "relapp.db"


def test_without_anything_the_default_file_is_opened():
    chosen = choose_database()
    assert (chosen.target, chosen.origin) == (default_database_path(), "default")
    assert read_till_database() is None


def test_the_order_is_db_then_environment_then_till_setting_then_default(monkeypatch, tmp_path):
    write_till_database(SERVER)
    assert choose_database() == choose_database(None)
    assert (choose_database().target, choose_database().origin) == (SERVER, "till setting")

    monkeypatch.setenv("RELAPP_DB", str(tmp_path / "env.db"))
    chosen = choose_database()
    assert (chosen.target, chosen.origin) == (tmp_path / "env.db", "RELAPP_DB")
    monkeypatch.setenv("RELAPP_DB", OTHER_SERVER)
    assert choose_database().target == OTHER_SERVER

    chosen = choose_database(str(tmp_path / "given.db"))
    assert (chosen.target, chosen.origin) == (tmp_path / "given.db", "--db")
    assert choose_database("postgresql:///shop").target == "postgresql:///shop"

    monkeypatch.delenv("RELAPP_DB")
    clear_till_database()
    assert choose_database().origin == "default"


def test_the_command_line_honours_the_till_setting(tmp_path, monkeypatch):
    def target(db: str | None = None):
        return database_target(argparse.Namespace(db=db))

    write_till_database(SERVER)
    assert target() == SERVER  # a server is a str
    assert target(str(tmp_path / "given.db")) == tmp_path / "given.db"
    monkeypatch.setenv("RELAPP_DB", str(tmp_path / "env.db"))
    assert target() == tmp_path / "env.db"
    monkeypatch.delenv("RELAPP_DB")

    write_till_database(tmp_path / "elsewhere" / "shop.db")  # a file works as well
    assert target() == tmp_path / "elsewhere" / "shop.db"
    assert not (tmp_path / "elsewhere").exists()  # a folder a person named is not ours

    clear_till_database()
    assert target() == default_database_path()
    assert default_database_path().parent.is_dir()  # the default folder is ours to create


def test_a_till_command_opens_the_file_the_setting_names(folders):
    shop = folders / "till-shop.db"
    write_till_database(shop)
    environment = {**os.environ}
    environment.pop("RELAPP_DB", None)
    result = subprocess.run(
        [sys.executable, "-m", "relapp", "demo", "--contacts", "3", "--seed", "1"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert str(shop) in result.stdout and shop.exists()
    assert not default_database_path().exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://shop:s3cret@server.local/relapp",
        "postgresql://:s3cret@server.local/relapp",
        "postgresql://shop@server.local/relapp?password=s3cret",
        "postgres:///relapp?host=/run/pg&password=s3cret",
    ],
)
def test_a_password_is_never_written(url):
    with pytest.raises(TillSettingProblem, match=r"~/\.pgpass"):
        write_till_database(url)
    assert not till_settings_path().exists()


def test_a_password_written_by_hand_is_refused_not_used():
    path = till_settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("[till]\ndatabase = postgresql://shop:s3cret@server.local/relapp\n")
    with pytest.raises(TillSettingProblem) as refused:
        choose_database()
    assert "~/.pgpass" in str(refused.value) and "s3cret" not in str(refused.value)


def test_a_damaged_setting_is_said_rather_than_another_shop_opened():
    path = till_settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("database = postgresql://shop@server.local/relapp\n")  # no [till]
    with pytest.raises(TillSettingProblem, match="correct it or delete it"):
        choose_database()
    write_till_database(SERVER)  # writing it again mends it
    assert read_till_database() == SERVER


def test_a_setting_that_cannot_be_opened_is_said():
    till_settings_path().mkdir(parents=True)  # a folder where the file should be (as root too)
    with pytest.raises(TillSettingProblem, match="cannot be read"):
        choose_database()


def test_the_address_is_kept_as_written_percent_escapes_included():
    url = "postgresql://shop%40branch@server.local/relapp?options=-c%20search_path%3Dshop"
    write_till_database(url)
    assert read_till_database() == url
    text = till_settings_path().read_text(encoding="utf-8")
    assert f"database = {url}" in text and "password" in text  # the comment says where it goes
    assert [p.name for p in till_settings_path().parent.iterdir()] == ["till.ini"]  # no .part


def test_clearing_keeps_what_else_a_person_wrote_there():
    path = till_settings_path()
    write_till_database(SERVER)
    path.write_text(path.read_text() + "[notes]\nowner = Maya\n")
    assert clear_till_database() is True
    assert read_till_database() is None
    assert "owner = Maya" in path.read_text()
    assert clear_till_database() is False

    write_till_database(SERVER)
    path.write_text("[till]\ndatabase = " + SERVER + "\n")
    assert clear_till_database() is True
    assert not path.exists()  # nothing else in it: gone
