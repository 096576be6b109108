"""The command line as a script or a shop owner would use it, including the mistakes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from relapp import __version__
from relapp.db import migrations

ROOT = Path(__file__).resolve().parents[1]


def relapp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ if env is None else env)
    environment.pop("RELAPP_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "relapp", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], code: int, phrase: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("relapp:"), result.stderr
    assert phrase in result.stderr


@pytest.mark.parametrize(
    "launcher",
    [
        [sys.executable, "-m", "relapp"],
        [sys.executable, str(ROOT / "main.py")],
    ],
)
def test_every_launcher_reports_the_version(launcher):
    result = subprocess.run([*launcher, "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"relapp {__version__}"


def test_demo_fills_a_new_database_and_reports_what_it_wrote(tmp_path):
    path = tmp_path / "shop.db"
    result = relapp("demo", "--db", str(path), "--contacts", "40", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "40 customers" in result.stdout
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM contact").fetchone()[0] == 40


def test_db_may_come_before_the_command_or_from_the_environment(tmp_path):
    path = tmp_path / "shop.db"
    assert relapp("--db", str(path), "demo", "--contacts", "3").returncode == 0
    other = tmp_path / "other.db"
    env = dict(os.environ, RELAPP_DB=str(other))
    result = subprocess.run(
        [sys.executable, "-m", "relapp", "demo", "--contacts", "3"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert str(other) in result.stdout


def test_demo_refuses_a_shop_that_already_has_customers(tmp_path):
    path = str(tmp_path / "shop.db")
    assert relapp("demo", "--db", path, "--contacts", "5").returncode == 0
    assert_one_clear_line(relapp("demo", "--db", path, "--contacts", "5"), 1, "already holds 5")


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        (["demo", "--contacts", "many"], "not a whole number"),
        (["demo", "--contacts", "0"], "between 1 and"),
        (["demo", "--contacts", "99999999999"], "between 1 and"),
        (["demo", "--as-of", "22/11/2026"], "YYYY-MM-DD"),
        (["frobnicate"], "invalid choice"),
        (["--db"], "expected one argument"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(arguments, phrase):
    result = relapp(*arguments)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert phrase in result.stderr


def test_a_missing_folder_is_one_line_and_exit_1(tmp_path):
    missing = tmp_path / "nowhere" / "shop.db"
    assert_one_clear_line(relapp("demo", "--db", str(missing)), 1, "folder does not exist")


def test_a_damaged_file_is_one_line_and_exit_1(tmp_path):
    path = tmp_path / "shop.db"
    path.write_bytes(os.urandom(8192))
    assert_one_clear_line(relapp("demo", "--db", str(path)), 1, "damaged")


def test_a_newer_database_is_refused_with_exit_1(tmp_path):
    path = tmp_path / "shop.db"
    assert relapp("demo", "--db", str(path), "--contacts", "2").returncode == 0
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 5}")
    assert_one_clear_line(relapp("demo", "--db", str(path)), 1, "newer Relapp")


def test_the_app_without_a_display_says_so_instead_of_aborting(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = relapp("--db", str(tmp_path / "shop.db"), env=env)
    assert_one_clear_line(result, 1, "needs a graphical desktop")
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert not (tmp_path / "shop.db").exists()  # nothing was created for nothing


def test_an_unexpected_error_is_one_line_with_the_details_logged(tmp_path, monkeypatch, capsys):
    from relapp import cli
    from relapp.demo import generator

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def explode(*args, **kwargs):
        raise RuntimeError("disk caught fire")

    monkeypatch.setattr(generator, "generate_demo_shop", explode)
    code = cli.main(["demo", "--db", str(tmp_path / "shop.db")])

    assert code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "unexpected error" in error
    log = tmp_path / "state" / "Relapp" / "log" / "relapp-errors.log"
    assert str(log) in error
    assert "RuntimeError: disk caught fire" in log.read_text(encoding="utf-8")


def test_find_prints_matches_and_json_for_scripts(tmp_path):
    path = str(tmp_path / "shop.db")
    assert relapp("demo", "--db", path, "--contacts", "30", "--seed", "2").returncode == 0
    with sqlite3.connect(path) as check:
        card, family = check.execute(
            "SELECT card_number, family_name FROM contact WHERE card_number IS NOT NULL LIMIT 1"
        ).fetchone()
    listed = relapp("find", family, "--db", path)
    assert listed.returncode == 0 and family in listed.stdout
    found = relapp("find", card, "--db", path, "--json")
    assert found.returncode == 0
    hits = json.loads(found.stdout)
    assert hits[0]["card_number"] == card and hits[0]["exact_card"] is True
    assert json.loads(relapp("find", "zzzzqqq", "--db", path, "--json").stdout) == []
    nothing = relapp("find", '"*', "--db", path)
    assert nothing.returncode == 0 and "No contact matches" in nothing.stdout
    assert relapp("find", "x", "--limit", "0", "--db", path).returncode == 2


def test_an_older_database_is_upgraded_with_a_word_first(tmp_path):
    from tests.db.test_migrations import make_version_1_database

    old = tmp_path / "old.db"
    make_version_1_database(old)
    result = relapp("find", "zoe", "--db", str(old))
    assert result.returncode == 0, result.stderr
    assert "updating" in result.stderr and "safety copy" in result.stderr
    assert "Zoë O'Brien" in result.stdout
    again = relapp("find", "zoe", "--db", str(old))
    assert again.stderr == ""


def test_output_cut_short_by_its_reader_is_not_an_error(tmp_path):
    """`relapp find a | head -1`: the pipe closes early; no 'unexpected error', no crash log.
    A thousand results are more than a pipe holds, so the command is still writing then."""
    path = tmp_path / "shop.db"
    assert relapp("demo", "--db", str(path), "--contacts", "1500", "--seed", "2").returncode == 0
    environment = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    environment.pop("RELAPP_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "relapp", "--db", str(path), "find", "a", "--limit", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert process.stdout.readline()  # the reader takes one line, then goes away
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()

    assert process.wait(timeout=60) == 141  # as a program stopped by SIGPIPE
    assert "unexpected" not in stderr and "Traceback" not in stderr
    assert not (tmp_path / "state").exists() or not any((tmp_path / "state").rglob("*.log"))
