"""The demo shop is deterministic, realistic and obeys the shop's own rules."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections import Counter
from datetime import timedelta
from pathlib import Path

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from relapp.db.connection import open_database
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import Contact, database
from relapp.demo.generator import TIERS, DemoCancelled, generate_demo_shop
from relapp.domain.loyalty.cards import is_valid_card_number
from relapp.domain.loyalty.rules import tier_for_spend
from relapp.errors import RelappError
from tests.conftest import AS_OF

# PIN hashes carry a random salt by design, so they are the one thing two runs do not share.
NONDETERMINISTIC_COLUMNS = {("staff", "pin_hash")}


def dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            columns = [
                row[1]
                for row in connection.execute(f"PRAGMA table_info({table})")
                if (table, row[1]) not in NONDETERMINISTIC_COLUMNS
            ]
            order = ", ".join(str(n) for n in range(1, len(columns) + 1))
            result[table] = connection.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
            ).fetchall()
        return result


def build(path: Path, seed: int, contacts: int = 150) -> dict[str, list[tuple]]:
    db = open_database(path)
    generate_demo_shop(contacts, seed=seed, as_of=AS_OF)
    db.close()
    return dump(path)


def test_same_seed_gives_the_same_shop_row_for_row(tmp_path):
    first = build(tmp_path / "a.db", seed=42)
    second = build(tmp_path / "b.db", seed=42)
    assert first == second
    assert len(first["contact"]) == 150
    assert len(first["interaction"]) > 150


def test_another_seed_gives_another_shop(tmp_path):
    assert (
        build(tmp_path / "a.db", seed=1)["contact"] != build(tmp_path / "b.db", seed=2)["contact"]
    )


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A 1,500-customer demo shop, as raw rows, shared by the realism checks."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path)
    generate_demo_shop(1_500, seed=3, as_of=AS_OF)
    db.close()
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def scalar(connection: sqlite3.Connection, sql: str):
    return connection.execute(sql).fetchone()[0]


def test_every_cached_balance_equals_its_ledger(shop):
    mismatches = scalar(
        shop,
        "SELECT count(*) FROM contact c WHERE c.points_balance <> "
        "(SELECT coalesce(sum(points), 0) FROM points_entry p WHERE p.contact_id = c.id)",
    )
    assert mismatches == 0
    assert scalar(shop, "SELECT count(*) FROM points_entry WHERE kind = 'redeem'") > 0


def test_every_purchase_earned_its_points_exactly_once(shop):
    purchases = scalar(shop, "SELECT count(*) FROM interaction WHERE kind = 'purchase'")
    earned = scalar(
        shop, "SELECT count(DISTINCT interaction_id) FROM points_entry WHERE kind='earn'"
    )
    assert purchases > 1_500
    assert earned == purchases


def test_tiers_follow_the_last_twelve_months_of_spend(shop):
    end = parse_timestamp(scalar(shop, "SELECT max(occurred_at) FROM interaction"))
    window_start = format_timestamp(end.replace(hour=7, minute=30, second=0) - timedelta(days=365))
    rows = shop.execute(
        "SELECT c.id, c.tier_id, coalesce(sum(i.amount_cents), 0) FROM contact c "
        "JOIN interaction i ON i.contact_id = c.id AND i.kind = 'purchase' "
        "AND i.occurred_at >= ? GROUP BY c.id",
        (window_start,),
    ).fetchall()
    assert rows
    for contact_id, tier_id, spend in rows:
        assert tier_id == tier_for_spend(spend, TIERS).id, contact_id
    assert {tier_id for _, tier_id, _ in rows} == {1, 2, 3}


def test_phone_numbers_are_valid_e164_and_emails_valid_syntax(shop):
    phones = [row[0] for row in shop.execute("SELECT phone FROM contact WHERE phone IS NOT NULL")]
    invalid = [p for p in phones if not phonenumbers.is_valid_number(phonenumbers.parse(p))]
    assert phones and invalid == []
    assert any(not p.startswith("+61") for p in phones)  # some keep a foreign mobile
    bad_emails = []
    for (email,) in shop.execute("SELECT email FROM contact WHERE email IS NOT NULL"):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            bad_emails.append(email)
    assert bad_emails == []


def test_names_come_from_several_cultures_and_scripts(shop):
    scripts = Counter()
    for (name,) in shop.execute("SELECT given_name || family_name FROM contact"):
        letter = next((ch for ch in name if ch.isalpha()), "A")
        scripts[unicodedata.name(letter).split()[0]] += 1
    for script in ("LATIN", "GREEK", "CYRILLIC", "HEBREW", "ARABIC", "CJK", "HANGUL"):
        assert scripts[script] > 0, script
    assert scripts["LATIN"] > sum(scripts.values()) / 2


def test_history_has_realistic_rhythms_and_open_cases(shop):
    stages = dict(shop.execute("SELECT ladder_stage, count(*) FROM contact GROUP BY 1"))
    assert set(stages) == {"prospect", "customer", "client", "supporter", "advocate", "partner"}
    visits_per_customer = [
        row[0]
        for row in shop.execute(
            "SELECT count(*) FROM interaction WHERE kind = 'purchase' GROUP BY contact_id"
        )
    ]
    assert max(visits_per_customer) >= 25  # regulars
    assert sorted(visits_per_customer)[len(visits_per_customer) // 2] <= 6  # most are occasional
    span = shop.execute("SELECT min(occurred_at), max(occurred_at) FROM interaction").fetchone()
    assert span[0] < "2024-12-01" and span[1] >= "2026-11-21"
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE status = 'open'") > 0
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE status = 'resolved'") > 0
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE kind = 'feedback'") > 0
    assert scalar(shop, "SELECT count(*) FROM preference") > 0
    assert scalar(shop, "SELECT count(*) FROM consent WHERE granted = 0") > 0
    assert scalar(shop, "SELECT count(*) FROM contact_tag") > 0
    assert scalar(shop, "SELECT count(*) FROM task WHERE done_at IS NULL") > 0


def test_referrals_point_to_earlier_customers(shop):
    rows = shop.execute(
        "SELECT id, referred_by_id FROM contact WHERE referred_by_id IS NOT NULL"
    ).fetchall()
    assert rows
    assert all(referrer < contact for contact, referrer in rows)


def test_cards_are_unique_and_check_digit_valid(shop):
    cards = [
        row[0]
        for row in shop.execute("SELECT card_number FROM contact WHERE card_number IS NOT NULL")
    ]
    assert cards and len(set(cards)) == len(cards)
    assert all(is_valid_card_number(card) for card in cards)


def test_a_shop_with_customers_is_not_overwritten(demo_db):
    with pytest.raises(RelappError, match="already holds 60 contacts"):
        generate_demo_shop(10, as_of=AS_OF)
    assert Contact.select().count() == 60


def test_cancelling_writes_nothing(db):
    with pytest.raises(DemoCancelled):
        generate_demo_shop(5_000, as_of=AS_OF, progress=lambda done, total: False)
    assert Contact.select().count() == 0
    tables = db.execute_sql("SELECT count(*) FROM staff").fetchone()[0]
    assert tables == 0
    # The bulk load's dropped indexes came back with the rollback.
    names = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_schema WHERE type='index'")}
    assert {"interaction_contact_time", "points_entry_expiring", "contact_by_name"} <= names
    assert database.obj is db
