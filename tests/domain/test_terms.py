"""The codes in relapp.domain.terms are exactly the ones the database accepts: a new kind is
an edit of terms plus a migration, and this test fails until both are made."""

from __future__ import annotations

import re

import pytest

from relapp.db.models import database
from relapp.domain import terms


def allowed_values(table: str, column: str) -> set[str]:
    """The values a CHECK (column IN (...)) of the table's schema allows."""
    sql = database.execute_sql(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    found = re.search(rf"CHECK \((?:{column} IS NULL OR )?{column} IN\s*\(([^)]*)\)\)", sql)
    assert found, f"no CHECK on {table}.{column}"
    return set(re.findall(r"'([^']*)'", found[1]))


@pytest.mark.parametrize(
    ("table", "column", "codes"),
    [
        ("contact", "kind", terms.CONTACT_KINDS),
        ("contact", "ladder_stage", terms.LADDER_STAGES),
        ("preference", "kind", terms.PREFERENCE_KINDS),
        ("consent", "channel", terms.CONSENT_CHANNELS),
        ("interaction", "kind", terms.INTERACTION_KINDS),
        ("interaction", "direction", terms.DIRECTIONS),
        ("staff", "role", terms.STAFF_ROLES),
        ("points_entry", "kind", terms.POINTS_ENTRY_KINDS),
        ("gift_card_entry", "kind", terms.GIFT_CARD_ENTRY_KINDS),
        ("voucher_offer", "direction", terms.PARTNER_DIRECTIONS),
    ],
)
@pytest.mark.sqlite_only(
    reason="reads SQLite's CHECKs; tests/db/test_server_schema.py holds the server's CHECKs to them"
)
def test_each_code_list_is_what_the_schema_allows(db, table, column, codes):
    assert set(codes) == allowed_values(table, column)


def test_every_interaction_kind_has_a_name_and_one_direction_rule(db):
    kinds = set(terms.INTERACTION_KINDS)
    assert kinds <= set(terms.KIND_NAMES)
    assert kinds == set(terms.SUMMARY_HINTS)
    ruled = [
        terms.DIRECTION_REQUIRED_KINDS,
        set(terms.DEFAULT_DIRECTIONS),
        terms.NO_DIRECTION_KINDS,
    ]
    for kind in kinds:
        assert sum(kind in rule for rule in ruled) <= 1, kind
    assert set(terms.DEFAULT_DIRECTIONS) >= terms.ALWAYS_OUTBOUND_KINDS
    assert set(terms.OPEN_UNTIL_RESOLVED_KINDS) <= kinds
    assert set(terms.LEDGER_KIND_NAMES) == set(terms.POINTS_ENTRY_KINDS)
    assert set(terms.GIFT_CARD_ENTRY_NAMES) == set(terms.GIFT_CARD_ENTRY_KINDS)
    assert set(terms.CHANNEL_NAMES) == set(terms.CONSENT_CHANNELS)
    assert set(terms.PARTNER_DIRECTION_NAMES) == set(terms.PARTNER_DIRECTIONS)
    assert set(terms.DIRECTION_NAMES) == set(terms.DIRECTIONS)
    assert kinds <= set(terms.KIND_COLOURS)
    for rule in (terms.NETWORK_KINDS, terms.SCORED_KINDS, terms.RECORDED_BY_SALES_KINDS):
        assert rule <= kinds
