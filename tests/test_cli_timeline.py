"""`relapp timeline`: a customer's history as a person or a script reads it, and the mistakes.

The command runs in-process through relapp.cli.main, with a parser holding the timeline
command (so these tests do not depend on where relapp.cli registers it).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from relapp import cli
from relapp.cli import timeline as cli_timeline
from relapp.db.models import Staff
from relapp.domain.loyalty.points import record_sale
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.follow_ups import add_task
from relapp.domain.timeline.history import log_interaction
from tests.factories import add_contact

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def timeline_parser() -> argparse.ArgumentParser:
    database_option = argparse.ArgumentParser(add_help=False)
    database_option.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="relapp", parents=[database_option])
    cli_timeline.add_commands(parser.add_subparsers(metavar="COMMAND"), database_option)
    return parser


@pytest.fixture
def relapp(db_path, monkeypatch, capsys):
    """relapp(*argv) -> (exit code, stdout, stderr), run in this process."""
    monkeypatch.setattr(cli, "build_parser", timeline_parser)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*argv, "--db", str(db_path)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def eleven_hours_ahead(monkeypatch):
    """This machine's time zone is UTC+11 (POSIX TZ writes the offset with the sign flipped)."""
    monkeypatch.setenv("TZ", "XYZ-11")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def ann(db, monkeypatch, eleven_hours_ahead):
    """Ann's history: a sale, a call, an overdue query with a follow-up, a late-night note."""
    moment = [START]
    monkeypatch.setattr("relapp.domain.clock.utc_now", lambda: moment[0])
    save_settings(points_per_unit=1)
    sam = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=START).id
    ann = add_contact("Ann", "Lee", card_number="270000000017")
    record_sale(ann.id, 2_550, summary="Linen scarf", staff_id=sam)
    log_interaction(ann.id, "call", summary="Asked about sizes", direction="inbound")
    query = log_interaction(ann.id, "query", summary="Is the scarf washable?", staff_id=sam).id
    add_task(ann.id, "Ring back", START + timedelta(days=1), interaction_id=query)
    moment[0] = START + timedelta(hours=14)  # 00:30 the next day at UTC+11
    log_interaction(ann.id, "note", summary="Prefers\x1b[31m silk\u202e over wool")
    moment[0] = START + timedelta(hours=30)
    return ann


def test_the_history_is_grouped_by_local_day_one_line_each(ann, relapp):
    code, out, err = relapp("timeline", f"#{ann.id}")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Ann Lee (customer {ann.id})",
        "Wed 2026-03-11",
        "  10:30  note      Prefers [31m silk over wool",
        "Tue 2026-03-10",
        "  20:30  query     Is the scarf washable? · in · open, overdue · 1 open follow-up"
        " · by Sam",
        "  20:30  call      Asked about sizes · in",
        "  20:30  purchase  Linen scarf · 25.50 · +25 points · by Sam",
    ]


def test_json_lists_the_entries_with_iso_times(ann, relapp):
    code, out, _ = relapp("timeline", "270000000017", "--json", "--kind", "query", "note")
    assert code == 0
    entries = json.loads(out)
    assert [(entry["kind"], entry["summary"]) for entry in entries] == [
        ("note", "Prefers [31m silk\u202e over wool"),  # as stored
        ("query", "Is the scarf washable?"),
    ]
    query = entries[1]
    assert query["occurred_at"] == "2026-03-10T09:30:00+00:00"
    assert (query["status"], query["overdue"], query["open_tasks"]) == ("open", True, 1)
    assert query["first_response_at"] is None and query["staff_name"] == "Sam"


def test_the_limit_keeps_the_latest_and_says_there_is_more(ann, relapp):
    code, out, _ = relapp("timeline", f"#{ann.id}", "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert len([line for line in lines if line.startswith("  ")]) == 2
    assert lines[-1] == "(the latest 2 entries; older ones with a larger --limit)"
    code, out, _ = relapp("timeline", "--id", str(ann.id), "--limit", "4")
    assert "latest" not in out
    code, out, _ = relapp("timeline", f"#{ann.id}", "--kind", "feedback")
    assert out.splitlines()[1:] == ["  No history of these kinds."]


def test_an_unknown_customer_is_one_clear_line(ann, relapp):
    code, out, err = relapp("timeline", "999999")
    assert (code, out) == (1, "")
    assert err == (
        "relapp: No customer has card 999999; for customer number 999999 type '#999999' "
        "or --id 999999.\n"
    )
    code, out, err = relapp("timeline", "#999999")
    assert (code, out, err) == (1, "", "relapp: No customer has number 999999.\n")


def test_a_bare_number_is_a_card_never_a_customer_number(ann, relapp):
    code, out, err = relapp("timeline", str(ann.id))  # nobody has card 1
    assert (code, out) == (1, "")
    assert err.startswith(f"relapp: No customer has card {ann.id};")


def test_a_card_of_up_to_32_digits_finds_its_holder(ann, relapp):
    for card in ("1" * 20, "9" * 32):
        holder = add_contact("Long", "Card", card_number=card)
        code, out, err = relapp("timeline", card)
        assert (code, err) == (0, "")
        assert out.startswith(f"Long Card (customer {holder.id})")
    code, out, err = relapp("timeline", "12345678901234567890")  # nobody's, and no integer
    assert (code, out) == (1, "")
    assert err == "relapp: No customer has card 12345678901234567890.\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["#1", "--kind", "gossip"],
        ["#1", "--limit", "0"],
        ["#1", "--limit", "1001"],
        ["#1", "--limit", "ten"],
        ["Ann"],
        ["#Ann"],
        [],
        ["#1", "--id", "1"],
        ["--id", "99999999999999999999"],
    ],
)
def test_usage_mistakes_exit_2(ann, relapp, capsys, argv):
    with pytest.raises(SystemExit) as stopped:
        relapp("timeline", *argv)
    assert stopped.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
