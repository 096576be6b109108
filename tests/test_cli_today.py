"""`relapp today` as a script or a shop owner would run it, including the mistakes.

In-process, through relapp.cli.main, so errors go through the same one-line handling.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from relapp import cli
from relapp.db.models import Interaction, Task
from relapp.domain.clock import utc_now
from tests.factories import add_contact

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def utc_zone(time_zone):
    """The machine's time zone is UTC, so the printed times are fixed."""
    time_zone("UTC")


@pytest.fixture
def shop(db, db_path):
    """A customer with two overdue follow-ups, an open complaint, a birthday today and a
    regular who stopped coming 90 days ago."""
    now = utc_now()
    ann = add_contact("Ann", "Lee", birth_month=now.month, birth_day=now.day, birth_year=1990)
    for days in (3, 2):
        Task.create(contact=ann, title=f"Call back ({days})", due_at=now - days * DAY,
                    created_at=now - 5 * DAY)  # fmt: skip
    Interaction.create(contact=ann, kind="complaint", direction="inbound", status="open",
                       summary="Zip broke", occurred_at=now - 2 * DAY, created_at=now,
                       updated_at=now)  # fmt: skip
    bob = add_contact("Bob", "Ng")
    for days in (110, 100, 90):
        moment = now - days * DAY
        Interaction.create(contact=bob, kind="purchase", amount_cents=1000, occurred_at=moment,
                           created_at=moment, updated_at=moment)  # fmt: skip
    return db_path, ann, bob


def test_json_holds_every_section_with_its_count_and_rows(shop, capsys):
    path, ann, bob = shop
    assert cli.main(["today", "--db", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    sections = ("overdue_tasks", "tasks_due_today", "open_cases", "birthdays", "drifting",
                "at_cap")  # fmt: skip
    assert all(set(data[name]) == {"total", "rows"} for name in sections)
    assert data["overdue_tasks"]["total"] == 2
    assert [row["title"] for row in data["overdue_tasks"]["rows"]] == ["Call back (3)",
                                                                       "Call back (2)"]  # fmt: skip
    [case] = data["open_cases"]["rows"]
    assert (case["contact_id"], case["kind"], case["overdue"]) == (ann.id, "complaint", True)
    assert data["overdue_cases"] == 1 and data["response_target_hours"] == 24
    [birthday] = data["birthdays"]["rows"]
    assert (birthday["contact_id"], birthday["days_until"]) == (ann.id, 0)
    [drifting] = data["drifting"]["rows"]
    assert (drifting["contact_id"], drifting["visits"], drifting["usual_interval_days"]) == (
        bob.id, 3, 10.0)  # fmt: skip
    assert data["at_cap"] == {"total": 0, "rows": []} and data["contact_cap"] == 4
    assert datetime.fromisoformat(data["now"]).tzinfo is not None


def test_text_shows_counts_and_the_first_rows(shop, capsys):
    path, ann, bob = shop
    assert cli.main(["today", "--db", str(path), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "Overdue follow-ups: 2\n" in out
    assert f"Call back (3)  ·  Ann Lee (customer {ann.id})" in out
    assert "Call back (2)" not in out and "  … and 1 more" in out
    assert "Open queries and complaints: 1 (1 open longer than 24 hours)" in out
    assert "overdue" in out and "Zip broke" in out
    assert "Birthdays in the next 7 days: 1" in out and "turns" in out
    assert f"Bob Ng (customer {bob.id}): last visit" in out
    assert "(90 days ago); usually every 10 days over 3 visits" in out
    assert "Not to be contacted yet (4 outbound contacts per 30 days): 0" in out


def test_a_customer_at_the_cap_is_listed_with_the_reason(db, db_path, capsys):
    ann = add_contact("Ann", "Lee")
    now = utc_now()
    for days in (1, 2, 3, 4):
        moment = now - days * DAY
        Interaction.create(contact=ann, kind="email", direction="outbound", occurred_at=moment,
                           created_at=moment, updated_at=moment)  # fmt: skip
    assert cli.main(["today", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    allowed = (now - 4 * DAY + 30 * DAY).astimezone(UTC)
    assert f"Ann Lee (customer {ann.id}): 4 outbound contacts in the last 30 days (cap 4);" in out
    assert f"next allowed on {allowed.day} {allowed:%b}" in out


def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path, capsys):
    assert cli.main(["today", "--db", str(tmp_path / "missing" / "shop.db")]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relapp: ") and "folder" in lines[0]
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_a_bad_limit_is_a_usage_error(db_path, limit, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["today", "--db", str(db_path), "--limit", limit])
    assert stopped.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_text_lists_memberships_to_renew_and_prize_winners_to_tell(db, db_path, capsys):
    from relapp.db.models import Staff
    from relapp.domain.listening.competitions import Draft, enter, save_competition
    from relapp.domain.listening.winners import make_draw
    from relapp.domain.memberships.members import join
    from relapp.domain.memberships.plans import Plan, list_plans, save_plan

    now = utc_now()
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=now).id
    save_plan(Plan("Gold", length_months=1, reminder_days=40), manager)
    cy = add_contact("Cy", "Zhu", phone="+61412345678")
    join(cy.id, list_plans()[0].plan.id, now=now)
    dee = add_contact("Dee", "Ray", email="dee@example.org")
    ended = (now - 2 * DAY).date()
    draft = Draft("Spring hamper", ended - timedelta(days=30), ended)
    competition = save_competition(draft, as_owner=True).competition.id
    enter(competition, dee.id, "counter", now=now - 10 * DAY)
    make_draw(competition, as_owner=True)

    assert cli.main(["today", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Memberships to renew: 1\n" in out
    assert f"  Cy Zhu (customer {cy.id}): Gold, ends " in out
    assert "Prize winners to contact: 1\n" in out
    assert f"  Dee Ray (customer {dee.id}): won Spring hamper (place 1); dee@example.org" in out
    assert "Members in grace" not in out  # nobody: no heading
