"""Schema 17: percent-off vouchers (issue 17): a fourth kind of offer, `percent`, whose value
is the percent taken off the purchase it is used with (1 to 100, whole).

Two CHECKs allow the kinds: voucher_offer.kind (schema 14) and campaign_rule.offer_kind
(schema 16). Both migrations are frozen (shops have them), so this one widens the CHECKs in
place, and adds one more to each table: a percent offer's value is 1 to 100
(voucher_offer_percent_value, campaign_rule_percent_value). The domain checks the same before
saving (relapp.domain.campaigns.campaigns.checked_offer); these are the last guard against
another program.

* SQLite cannot alter a CHECK. Its documentation ("Making Other Kinds Of Table Schema
  Changes", https://www.sqlite.org/lang_altertable.html) allows editing the stored CREATE
  TABLE text under PRAGMA writable_schema when the change does not affect the stored data,
  then raising PRAGMA schema_version so every connection reads the schema again. Widening a
  CHECK loosens it; the added CHECK can fail no existing row, since no row can be a percent
  offer before this migration (the old CHECK forbade the kind). So no row is rewritten, and
  a shop with a big voucher table upgrades at once. Each edit is an exact replacement that
  must change the text exactly once (else the upgrade stops, and rolls back, rather than
  guess at a schema someone else edited), and PRAGMA quick_check of both tables (which
  checks every CHECK against every row) must answer ok before the transaction commits.
* PostgreSQL alters constraints: the kind CHECK (found in pg_constraint as the one CHECK on
  that column alone, whatever its generated name) is dropped and made again under the same
  name with the wider list, and the percent CHECK added, in one ALTER TABLE per table.
"""

from __future__ import annotations

from functools import partial

from peewee import Database

from relapp.db.migrations.m0014_vouchers import KINDS as SCHEMA_14_KINDS
from relapp.db.migrations.m0016_campaign_rules import OFFER_KINDS as SCHEMA_16_KINDS
from relapp.db.migrations.stored_checks import column_check_name, edit_stored_tables
from relapp.db.migrations.stored_checks import quoted as _quoted

DESCRIPTION = "percent-off vouchers"

KINDS = ("points", "amount", "reward", "percent")
MAX_PERCENT = 100


# table: (the column of the kind, the column of the value, the name of the percent CHECK)
_TABLES = {
    "voucher_offer": ("kind", "value", "voucher_offer_percent_value"),
    "campaign_rule": ("offer_kind", "offer_value", "campaign_rule_percent_value"),
}
_OLD_KINDS = {"voucher_offer": SCHEMA_14_KINDS, "campaign_rule": SCHEMA_16_KINDS}


def _percent_check(kind: str, value: str) -> str:
    """A NULL kind (a rule without an offer) passes: NULL <> 'percent' is NULL."""
    return f"CHECK ({kind} <> 'percent' OR {value} BETWEEN 1 AND {MAX_PERCENT})"


def _widened(table: str, sql: str) -> str:
    """The stored CREATE TABLE text with the kind list widened and the percent CHECK added."""
    kind, value, name = _TABLES[table]
    old = f"{kind} IN ({_quoted(_OLD_KINDS[table])})"
    if sql.count(old) != 1:
        raise RuntimeError(
            f"Schema 17 cannot upgrade {table}: its stored definition does not read as schema"
            f" {14 if table == 'voucher_offer' else 16} left it ({old!r} found"
            f" {sql.count(old)} times). Nothing was changed."
        )
    sql = sql.replace(old, f"{kind} IN ({_quoted(KINDS)})")
    body = sql.rstrip()
    if not body.endswith(")"):
        raise RuntimeError(f"Schema 17 cannot upgrade {table}: its definition does not end in ).")
    added = f"CONSTRAINT {name} {_percent_check(kind, value)}"
    return f"{body[:-1].rstrip()},\n            {added}\n        )"


def upgrade(db: Database) -> None:
    """SQLite: the stored text edited (see the module's docstring), in the migration's
    transaction (relapp.db.migrations.stored_checks, shared with schema 19)."""
    edit_stored_tables(db, {table: partial(_widened, table) for table in _TABLES}, 17)


def server_upgrade(db: Database) -> None:
    for table, (kind, value, name) in _TABLES.items():
        check = column_check_name(db, table, kind, 17)
        allowed = f"{kind} IN ({_quoted(KINDS)})"
        if table == "campaign_rule":
            allowed = f"{kind} IS NULL OR {allowed}"
        db.execute_sql(
            f'ALTER TABLE {table} DROP CONSTRAINT "{check}",'
            f' ADD CONSTRAINT "{check}" CHECK ({allowed}),'
            f" ADD CONSTRAINT {name} {_percent_check(kind, value)}"
        )
