"""The till's commands: sale, redeem and points, including a till's mistakes."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.test_cli import assert_one_clear_line, relapp


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("till") / "shop.db"
    result = relapp("demo", "--db", str(path), "--contacts", "30", "--seed", "3")
    assert result.returncode == 0, result.stderr
    return path


def first_card(path) -> tuple[int, str, int]:
    with sqlite3.connect(path) as check:
        return check.execute(
            "SELECT id, card_number, points_balance FROM contact"
            " WHERE card_number IS NOT NULL AND archived_at IS NULL ORDER BY id LIMIT 1"
        ).fetchone()


def ledger_sum(path, contact_id: int) -> int:
    with sqlite3.connect(path) as check:
        return check.execute(
            "SELECT coalesce(sum(points), 0) FROM points_entry WHERE contact_id = ?",
            (contact_id,),
        ).fetchone()[0]


def test_a_sale_by_card_earns_points_once_per_key(shop):
    contact_id, card, before = first_card(shop)
    first = relapp("sale", card, "--amount", "25.00", "--key", "till-1-0001", "--json",
                   "--db", str(shop))  # fmt: skip
    assert first.returncode == 0, first.stderr
    sold = json.loads(first.stdout)
    assert sold["amount_cents"] == 2500 and sold["points"] > 0 and not sold["duplicate"]
    assert sold["balance"] == ledger_sum(shop, contact_id) >= before + sold["points"]
    again = relapp("sale", card, "--amount", "25.00", "--key", "till-1-0001", "--json",
                   "--db", str(shop))  # fmt: skip
    assert json.loads(again.stdout)["duplicate"] is True
    assert ledger_sum(shop, contact_id) == json.loads(again.stdout)["balance"]


def test_points_shows_balance_and_recent_entries(shop):
    contact_id, card, _ = first_card(shop)
    result = relapp("points", f"#{contact_id}", "--db", str(shop))
    assert result.returncode == 0, result.stderr
    assert f"(customer {contact_id})" in result.stdout
    assert f"Balance: {ledger_sum(shop, contact_id):,} points" in result.stdout
    as_json = json.loads(relapp("points", card, "--json", "--db", str(shop)).stdout)
    assert as_json["balance"] == ledger_sum(shop, contact_id)
    assert as_json["recent"] and as_json["recent"][-1]["balance"] == as_json["balance"]


def query(path, sql: str, *params):
    with sqlite3.connect(path) as check:
        return check.execute(sql, params).fetchone()


def test_redeeming_takes_the_cost_and_one_from_stock(shop):
    reward_id, name, cost = query(
        shop, "SELECT id, name, points_cost FROM reward WHERE active = 1"
        " AND (stock IS NULL OR stock > 0) ORDER BY points_cost LIMIT 1",
    )  # fmt: skip
    contact_id, before = query(
        shop, "SELECT id, points_balance FROM contact WHERE points_balance >= ?"
        " AND archived_at IS NULL ORDER BY id LIMIT 1", cost,
    )  # fmt: skip
    stock_before = query(shop, "SELECT stock FROM reward WHERE id = ?", reward_id)[0]
    result = relapp("redeem", "--id", str(contact_id), name.upper(), "--db", str(shop))
    assert result.returncode == 0, result.stderr
    assert f"balance {before - cost:,}" in result.stdout
    assert ledger_sum(shop, contact_id) == before - cost
    stock_after = query(shop, "SELECT stock FROM reward WHERE id = ?", reward_id)[0]
    assert stock_after == (None if stock_before is None else stock_before - 1)


def test_a_member_only_reward_named_by_number_is_refused_with_whose_it_is(shop):
    reward_id, reward, plan = query(
        shop, "SELECT r.id, r.name, p.name FROM reward r JOIN plan_reward pr ON pr.reward_id = r.id"
        " JOIN membership_plan p ON p.id = pr.plan_id ORDER BY r.id LIMIT 1",
    )  # fmt: skip
    (contact_id,) = query(
        shop, "SELECT id FROM contact WHERE archived_at IS NULL AND erased_at IS NULL"
        " AND id NOT IN (SELECT contact_id FROM membership) ORDER BY id LIMIT 1",
    )  # fmt: skip
    result = relapp("redeem", f"#{contact_id}", str(reward_id), "--db", str(shop))
    assert_one_clear_line(result, 1, f"The {reward} is for current {plan} members only.")


def test_redeeming_beyond_the_balance_is_refused_and_changes_nothing(shop):
    reward_id, cost = query(
        shop, "SELECT id, points_cost FROM reward WHERE active = 1"
        " AND (stock IS NULL OR stock > 0) AND id NOT IN (SELECT reward_id FROM plan_reward)"
        " ORDER BY points_cost DESC LIMIT 1",
    )  # fmt: skip
    contact_id, before = query(
        shop, "SELECT id, points_balance FROM contact WHERE points_balance < ?"
        " AND archived_at IS NULL ORDER BY id LIMIT 1", cost,
    )  # fmt: skip
    result = relapp("redeem", f"#{contact_id}", str(reward_id), "--db", str(shop))
    assert_one_clear_line(result, 1, "points")
    assert ledger_sum(shop, contact_id) == before


@pytest.mark.parametrize(
    ("args", "code", "phrase"),
    [
        (["sale", "999999", "--amount", "5"], 1,
         "No customer has card 999999; for customer number 999999 type '#999999' or --id 999999."),
        (["sale", "#999999", "--amount", "5"], 1, "No customer has number 999999."),
        (["sale", "1" * 20, "--amount", "5"], 1, f"No customer has card {'1' * 20}."),
        (["sale", "#1", "--amount", "five dollars"], 1, "not an amount"),
        (["sale", "#1", "--amount", "-5"], 1, "more than zero"),
        (["sale", "#1", "--amount", "12.5050"], 1, "two decimals"),
        (["sale", "#1", "--amount", "12 50"], 1,
         "'12 50' has a space inside, so it could be read two ways. "
         "Type the amount like 12.50 or 12,50."),
        (["sale", "#1", "--amount", "1,2,3"], 1, "Type the amount like 12.50 or 12,50."),
        (["sale", "#1", "--amount", "1,250"], 1, "could be read two ways: 1,250.00 or 1.250"),
        (["sale", "#1"], 2, "--amount"),
        (["sale", "--amount", "5"], 2, "say which customer"),
        (["sale", "1", "--id", "1", "--amount", "5"], 2, "not both"),
        (["sale", "Ann", "--amount", "5"], 2, "neither a card number"),
        (["sale", "#1", "--amount", "5", "--key", "k" * 101], 2,
         "a sale key has at most 100"),
        (["sale", "#1", "--amount", "5", "--key", " "], 2, "--key: is empty"),
        (["redeem", "#1", "No such reward"], 1, "No active reward"),
        (["redeem", "No such reward"], 2, "say which customer"),
        (["points", "'; DROP TABLE contact; --"], 2, "neither a card number"),
        (["points", "#99999999999999999999"], 1, "No customer has number 99999999999999999999."),
        (["points", "--id", "99999999999999999999"], 2, "--id: must be between 1 and"),
    ],
)  # fmt: skip
def test_till_mistakes_get_one_clear_line_and_change_nothing(shop, args, code, phrase):
    sales = query(shop, "SELECT count(*) FROM interaction WHERE kind = 'purchase'")
    result = relapp(*args, "--db", str(shop))
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert phrase in result.stderr
    lines = result.stderr.splitlines()
    if code == 1:
        assert len(lines) == 1
    else:  # usage errors: the usage (wrapped), then one line saying what is wrong
        assert lines[0].startswith("usage: relapp ") and phrase in lines[-1]
        assert all(line.startswith(" ") for line in lines[1:-1])
    assert query(shop, "SELECT count(*) FROM interaction WHERE kind = 'purchase'") == sales


def test_a_bare_number_is_a_card_and_never_another_customers_number(shop):
    contact_id, _card, before = first_card(shop)
    refused = relapp("sale", str(contact_id), "--amount", "3", "--db", str(shop))
    assert_one_clear_line(refused, 1, f"No customer has card {contact_id};")
    assert ledger_sum(shop, contact_id) == before
    sold = relapp("sale", f"#{contact_id}", "--amount", "3", "--json", "--db", str(shop))
    assert sold.returncode == 0, sold.stderr
    assert ledger_sum(shop, contact_id) == before + json.loads(sold.stdout)["points"]


def test_an_amount_with_grouped_thousands_is_read_as_typed(shop):
    _contact_id, card, _ = first_card(shop)
    sold = relapp("sale", card, "--amount", "1,250.00", "--json", "--db", str(shop))
    assert sold.returncode == 0, sold.stderr
    assert json.loads(sold.stdout)["amount_cents"] == 125_000


def test_a_card_of_20_to_32_digits_works_for_every_command(shop, tmp_path):
    from relapp.db.connection import open_database

    contact_id, _card, _ = first_card(shop)
    long_card = "27" + "0" * 29 + "5"  # 32 digits
    database = open_database(shop)
    database.execute_sql("UPDATE contact SET card_number = ? WHERE id = ?", (long_card, contact_id))
    database.close()
    for command in (
        ["sale", long_card, "--amount", "2.00", "--json"],
        ["points", long_card, "--json"],
        ["timeline", long_card, "--json", "--limit", "1"],
        ["report", "customer", long_card, "--out", str(tmp_path / "dossier.pdf")],
    ):
        result = relapp(*command, "--db", str(shop))
        assert result.returncode == 0, (command, result.stderr)
    assert (
        json.loads(relapp("points", long_card, "--json", "--db", str(shop)).stdout)["contact_id"]
        == contact_id
    )
