"""`relapp campaign rules` and `relapp campaign approve RULE`: the automatic campaigns from a
script: today's counts, a campaign made of a rule's list, then produced as any campaign."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from relapp import cli
from relapp.domain.campaigns.automatic import DEFAULT_RULES, save_rule
from relapp.domain.contacts.editing import record_consent
from tests.factories import add_contact


@pytest.fixture
def shop(db, db_path):
    soon = date.today() + timedelta(days=2)
    zoe = add_contact("Zoë", "O'Brien", phone="0412 345 678", birth_month=soon.month,
                      birth_day=soon.day)  # fmt: skip
    record_consent(zoe.id, "sms", True, "in person")
    add_contact("Bob", "Ng", phone="0400 111 222", birth_month=soon.month, birth_day=soon.day)
    save_rule(replace(DEFAULT_RULES["birthday"], enabled=True, channel="sms",
                      template="Happy birthday {first_name}!"))  # fmt: skip
    return db_path


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = cli.main(["campaign", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rules_list_todays_counts_and_approve_makes_a_campaign_to_produce(shop, capsys, tmp_path):
    code, out, _ = run(capsys, "rules", "--db", str(shop), "--json")
    assert code == 0
    counts = {row["rule"]: (row["enabled"], row["listed_today"]) for row in json.loads(out)}
    assert counts == {"welcome": (False, 0), "birthday": (True, 2), "win_back": (False, 0),
                      "nearing_reward": (False, 0), "lapsed_member": (False, 0)}  # fmt: skip

    code, out, _ = run(capsys, "approve", "birthday", "--db", str(shop), "--json")
    assert code == 0
    made = json.loads(out)
    assert (made["rule"], made["members"]) == ("birthday", 2)

    code, out, err = run(capsys, "produce", str(made["id"]), "--db", str(shop), "--out",
                         str(tmp_path / "out"))  # fmt: skip
    assert code == 0, err
    [texts] = (tmp_path / "out").glob("*-sms.csv")
    with texts.open(encoding="utf-8", newline="") as handle:
        assert [row["Message"] for row in csv.DictReader(handle)] == ["Happy birthday Zoë!"]
    code, out, _ = run(capsys, "rules", "--db", str(shop))
    assert "Birthday (birthday within 7 days) by sms  ·  0 listed today" in out


def test_approving_a_rule_that_is_off_is_one_sentence(shop, capsys):
    code, _, err = run(capsys, "approve", "welcome", "--db", str(shop))
    assert code == 1
    assert "The welcome campaign is off; turn it on first." in err
