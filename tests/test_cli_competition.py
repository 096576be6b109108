"""Prize draws from the command line: list, enter (every way of naming the customer, a
refusal is one sentence and exit 1), draw (a given seed, --json), verify (exit 0 when the
record holds, 1 when it was changed) and the PDFs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.db.models import database
from relapp.domain import clock
from relapp.domain.listening.competitions import Draft, save_competition
from relapp.domain.listening.draw import draw_winners
from tests.factories import add_contact

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def spring(db, monkeypatch):
    """A competition open on NOW, 2 winners; (its id, three customers' ids)."""
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    competition_id = save_competition(Draft(
        "Spring hamper", date(2026, 4, 1), date(2026, 4, 30), rules="One entry each.",
        by_paper=True, winners=2,
    ), as_owner=True).competition.id  # fmt: skip
    people = [add_contact(name, "Lee", card_number=f"100{n}").id
              for n, name in enumerate(("Ann", "Bo", "Cy"))]  # fmt: skip
    return competition_id, people


def run(capsys, db_path, *args: str) -> tuple[int, str, str]:
    """The exit code (2 for a usage error, which argparse raises), what was printed, and
    what was said on stderr."""
    try:
        code = cli.main([*args, "--db", str(db_path)])
    except SystemExit as usage:
        code = int(usage.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_and_enter(capsys, spring, db_path):
    competition_id, (ann, bo, _cy) = spring
    code, printed, errors = run(capsys, db_path, "competition", "list")
    assert (code, errors) == (0, "")
    assert "Spring hamper" in printed and "open" in printed and "0 entries" in printed
    code, printed, errors = run(capsys, db_path, "competition", "enter", str(competition_id),
                                "1000")  # fmt: skip
    assert (code, printed, errors) == (0, "Ann Lee is entered in Spring hamper.\n", "")
    code, printed, _ = run(capsys, db_path, "competition", "enter", str(competition_id),
                           "--id", str(bo), "--route", "paper", "--json")  # fmt: skip
    assert code == 0 and json.loads(printed)["route"] == "paper"
    code, printed, errors = run(capsys, db_path, "competition", "enter", str(competition_id),
                                f"#{ann}")  # fmt: skip
    assert code == 1 and printed == ""
    assert (
        errors
        == "relapp: Ann Lee has entered Spring hamper once already, the most for one person.\n"
    )
    code, printed, _ = run(capsys, db_path, "competition", "list", "--json")
    [listed] = json.loads(printed)
    assert (listed["entries"], listed["state"]) == (2, "open")
    assert listed["routes"] == ["counter", "paper"]


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--route", "purchase"], "is not entered with a purchase"),
        (["--id", "999"], None),  # both given: usage
    ],
)
def test_enter_refusals(capsys, spring, db_path, args, sentence):
    competition_id, (ann, *_rest) = spring
    code, printed, errors = run(capsys, db_path, "competition", "enter", str(competition_id),
                                f"#{ann}", *args)  # fmt: skip
    if sentence is None:
        assert code == 2 and "name the customer once" in errors
    else:
        assert (code, printed) == (1, "") and sentence in errors
    assert database.execute_sql("SELECT count(*) FROM competition_entry").fetchone()[0] == 0


def test_unknown_customer_and_competition(capsys, spring, db_path):
    competition_id, _people = spring
    code, _, errors = run(capsys, db_path, "competition", "enter", str(competition_id), "9999")
    assert code == 1 and "9999" in errors and errors.count("\n") == 1
    code, _, errors = run(capsys, db_path, "competition", "enter", "77", "1000")
    assert (code, errors) == (1, "relapp: There is no competition number 77.\n")
    code, _, errors = run(capsys, db_path, "competition", "enter", str(competition_id))
    assert code == 2 and "say which customer" in errors


def test_draw_verify_and_the_pdfs(capsys, spring, db_path, tmp_path, monkeypatch):
    competition_id, people = spring
    for who in people:
        assert run(capsys, db_path, "competition", "enter", str(competition_id), f"#{who}")[0] == 0
    code, _, errors = run(capsys, db_path, "competition", "draw", str(competition_id))
    assert code == 1 and "runs to" in errors and "draw it from" in errors
    monkeypatch.setattr(clock, "utc_now", lambda: AFTER)
    code, printed, errors = run(capsys, db_path, "competition", "draw", str(competition_id),
                                "--seed", "my seed", "--json")  # fmt: skip
    assert (code, errors) == (0, "")
    drawn = json.loads(printed)
    assert (drawn["seed"], drawn["entries"], drawn["excluded"]) == ("my seed", 3, {})
    entries = [row[0] for row in database.execute_sql(
        "SELECT id FROM competition_entry ORDER BY id")]  # fmt: skip
    expected = draw_winners("my seed", [(entry, n) for n, entry in enumerate(entries, 1)], 2)
    assert [w["entry"] for w in drawn["winners"]] == expected
    code, _, errors = run(capsys, db_path, "competition", "draw", str(competition_id))
    assert code == 1 and "drawn already" in errors

    code, printed, errors = run(capsys, db_path, "competition", "verify", str(competition_id))
    assert (code, errors) == (0, "")
    assert "seed my seed, 3 entries valid" in printed and "They match." in printed
    code, printed, _ = run(capsys, db_path, "competition", "verify", str(competition_id),
                           "--json")  # fmt: skip
    checked = json.loads(printed)
    assert code == 0 and checked["matches"] and checked["drawn_again"] == expected

    out = tmp_path / "draw.pdf"
    code, printed, _ = run(capsys, db_path, "competition", "pdf", str(competition_id),
                           "--out", str(out))  # fmt: skip
    assert (code, printed) == (0, f"Wrote {out}.\n")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "Seed: my seed" in text
    form = tmp_path / "form.pdf"
    assert run(capsys, db_path, "competition", "pdf", str(competition_id), "--out", str(form),
               "--form")[0] == 0  # fmt: skip
    assert "One entry each." in PdfReader(form).pages[0].extract_text()

    # Someone changes the recorded winner: verify says so and exits 1.
    loser = next(entry for entry in entries if entry not in expected)
    database.execute_sql("UPDATE competition_winner SET entry_id = ? WHERE position = 1",
                         (loser,))  # fmt: skip
    database.execute_sql(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at)"
        " VALUES (?, ?, 'counter', '2026-05-01 09:00:00')",
        (competition_id, people[0]),
    )
    code, printed, _ = run(capsys, db_path, "competition", "verify", str(competition_id))
    assert code == 1
    assert "They do NOT match" in printed and "1 entry added since the draw" in printed


def test_verify_and_pdf_before_the_draw(capsys, spring, db_path, tmp_path):
    competition_id, _people = spring
    code, _, errors = run(capsys, db_path, "competition", "verify", str(competition_id))
    assert code == 1 and "not been drawn yet" in errors
    code, _, errors = run(capsys, db_path, "competition", "pdf", str(competition_id),
                          "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    assert code == 1 and "not been drawn yet" in errors
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_shop_lists_no_competitions(capsys, db, db_path):
    code, printed, _ = run(capsys, db_path, "competition", "list")
    assert code == 0 and printed.startswith("No competitions yet")
