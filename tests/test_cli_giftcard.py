"""`relapp giftcard sell|redeem|balance`: the contract a till's script relies on, its mistakes,
and four tills redeeming one card at the same moment without ever overdrawing it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.test_cli import assert_one_clear_line, relapp

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("gift") / "shop.db"
    result = relapp("demo", "--db", str(path), "--contacts", "30", "--seed", "3")
    assert result.returncode == 0, result.stderr
    return path


def query(path, sql: str, *params):
    with sqlite3.connect(path) as check:
        return check.execute(sql, params).fetchone()


def balance_of(path, code: str) -> int:
    """The card's balance as stored, after checking it is the sum of its entries."""
    cached, total = query(
        path, "SELECT balance_cents, (SELECT sum(amount_cents) FROM gift_card_entry"
        " WHERE card_id = gift_card.id) FROM gift_card WHERE code = ?", code.replace("-", ""),
    )  # fmt: skip
    assert cached == total
    return cached


def sell(path, *args: str) -> str:
    result = relapp("giftcard", "sell", *args, "--db", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sell_prints_the_new_code_and_the_card_holds_the_amount(shop):
    code = sell(shop, "--amount", "50.00")
    assert CODE.match(code), code
    assert balance_of(shop, code) == 5000
    holder = query(shop, "SELECT contact_id FROM gift_card WHERE code = ?", code.replace("-", ""))
    assert holder == (None,)  # a bearer card


def test_sell_json_is_an_object_with_the_code_and_the_balance(shop):
    contact_id, card = query(
        shop, "SELECT id, card_number FROM contact WHERE card_number IS NOT NULL"
        " AND archived_at IS NULL ORDER BY id LIMIT 1",
    )  # fmt: skip
    for to in (str(contact_id), f"#{contact_id}", card):  # --to ID|CARD
        sold = json.loads(sell(shop, "--amount", "50", "--to", to, "--json"))
        assert CODE.match(sold["code"]) and sold["balance"] == "50.00"
        assert sold["contact_id"] == contact_id and sold["duplicate"] is False


def test_redeem_takes_part_and_balance_tells_what_is_left(shop):
    code = sell(shop, "--amount", "50.00")
    taken = relapp("giftcard", "redeem", code, "--amount", "20.00", "--db", str(shop))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout == f"$20.00 taken from gift card {code}; $30.00 left.\n"
    as_json = relapp("giftcard", "redeem", code.lower(), "--amount", "12.5", "--json",
                     "--db", str(shop))  # fmt: skip
    assert json.loads(as_json.stdout) == {"code": code, "balance": "17.50", "redeemed": "12.50",
                                          "duplicate": False}  # fmt: skip
    balance = relapp("giftcard", "balance", code, "--json", "--db", str(shop))
    shown = json.loads(balance.stdout)
    assert (shown["code"], shown["balance"], shown["sold"]) == (code, "17.50", "50.00")
    assert shown["expires_at"] is None and shown["expired"] is False
    plain = relapp("giftcard", "balance", code, "--db", str(shop))
    assert plain.stdout.startswith(f"Gift card {code}: $17.50 left (sold ")
    assert plain.stdout.endswith("for $50.00; never expires).\n")
    assert balance_of(shop, code) == 1750


def test_more_than_the_balance_exits_1_and_changes_nothing(shop):
    code = sell(shop, "--amount", "50.00")
    relapp("giftcard", "redeem", code, "--amount", "45", "--db", str(shop))
    entries = query(shop, "SELECT count(*) FROM gift_card_entry")
    refused = relapp("giftcard", "redeem", code, "--amount", "5.01", "--db", str(shop))
    assert_one_clear_line(refused, 1, f"The gift card {code} has $5.00 left; $5.01 cannot be"
                                      " taken from it.")  # fmt: skip
    assert refused.stdout == ""
    assert balance_of(shop, code) == 500
    assert query(shop, "SELECT count(*) FROM gift_card_entry") == entries


def test_the_same_key_twice_redeems_once(shop):
    code = sell(shop, "--amount", "50.00")
    command = ("giftcard", "redeem", code, "--amount", "20", "--key", "till-2-0042", "--json",
               "--db", str(shop))  # fmt: skip
    first, again = (json.loads(relapp(*command).stdout) for _ in range(2))
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert first["balance"] == again["balance"] == "30.00"
    assert balance_of(shop, code) == 3000
    other = sell(shop, "--amount", "50.00")
    reused = relapp("giftcard", "redeem", other, "--amount", "20", "--key", "till-2-0042",
                    "--db", str(shop))  # fmt: skip
    assert_one_clear_line(reused, 1, "'till-2-0042' was used for another gift card operation")
    assert balance_of(shop, other) == 5000


@pytest.mark.parametrize(
    ("args", "code", "phrase"),
    [
        (["redeem", "0000-0000-0000-0001", "--amount", "5"], 1, "has a typing mistake"),
        (["redeem", "0000-0000-0000-0000", "--amount", "5"], 1,
         "There is no gift card with the code 0000-0000-0000-0000."),
        (["redeem", "K7QM-2XPR-9BQ4", "--amount", "5"], 1, "is not a gift card code"),
        (["balance", "nothing"], 1, "is not a gift card code (16 letters and digits"),
        (["sell", "--amount", "five dollars"], 1, "not an amount"),
        (["sell", "--amount", "0"], 1, "more than zero"),
        (["sell", "--amount", "10000.01"], 1, "A gift card holds at most $10,000.00."),
        (["sell", "--amount", "5", "--to", "99999999"], 1,
         "No customer has card 99999999 or is customer number 99999999."),
        (["sell", "--amount", "5", "--to", "#99999"], 1, "No customer has number 99999."),
        (["sell"], 2, "--amount"),
        (["sell", "--amount", "5", "--to", "Ann"], 2, "neither a card number"),
        (["sell", "--amount", "5", "--key", " "], 2, "--key: is empty"),
        (["redeem", "--amount", "5"], 2, "CODE"),
        (["redeem", "ABCD"], 2, "--amount"),
        (["balance"], 2, "CODE"),
    ],
)  # fmt: skip
def test_mistakes_get_one_clear_line_and_change_nothing(shop, args, code, phrase):
    entries = query(shop, "SELECT count(*), coalesce(sum(amount_cents), 0) FROM gift_card_entry")
    result = relapp("giftcard", *args, "--db", str(shop))
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert phrase in result.stderr
    lines = result.stderr.splitlines()
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("relapp: ")
    else:  # usage errors: the usage (wrapped), then one line saying what is wrong
        assert lines[0].startswith("usage: relapp giftcard ") and phrase in lines[-1]
    assert query(shop, "SELECT count(*), coalesce(sum(amount_cents), 0) FROM gift_card_entry") \
        == entries  # fmt: skip


def test_four_tills_redeeming_one_card_at_once_never_overdraw_it(shop):
    """$50.00 on the card, four tills take $20.00 each at the same moment: two are served,
    two are told what is left, and the card ends at $10.00 with exactly two redemptions."""
    code = sell(shop, "--amount", "50.00")
    command = [sys.executable, "-m", "relapp", "giftcard", "redeem", code, "--amount", "20",
               "--db", str(shop)]  # fmt: skip
    tills = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]  # fmt: skip
    outcomes = [(till.wait(timeout=60), *till.communicate()) for till in tills]

    assert sorted(returned for returned, _, _ in outcomes) == [0, 0, 1, 1]
    refusals = [err for returned, _, err in outcomes if returned == 1]
    assert all("cannot be taken from it" in err and "Traceback" not in err for err in refusals)
    assert balance_of(shop, code) == 1000
    redeemed = query(
        shop, "SELECT count(*), sum(amount_cents) FROM gift_card_entry e JOIN gift_card g"
        " ON g.id = e.card_id WHERE g.code = ? AND e.kind = 'redeem'", code.replace("-", ""),
    )  # fmt: skip
    assert redeemed == (2, -4000)
