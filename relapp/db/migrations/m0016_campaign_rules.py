"""Schema 16: automatic campaigns (issue 17): rules that fill a list in Today for the owner.

Each rule (welcome, birthday, win-back, nearing a reward) has one row in campaign_rule: on or
off, the channel and message it is sent by, its number (what it means depends on the rule:
relapp.domain.campaigns.automatic says), and an optional voucher offer. A rule never sends
anything by itself: Today lists who it picks, and the owner approves the list, which makes an
ordinary campaign (campaign.rule says which rule made it) whose members are that list
(campaign_member) rather than a saved segment. A customer on an approved list is not listed
by the same rule again for that occasion, whether the campaign reached them or left them out,
so nobody hears the same thing twice.

Frozen: later changes go in a new migration.
"""

from __future__ import annotations

from peewee import Database

from relapp.db.migrations.m0013_campaigns import CHANNELS

DESCRIPTION = "automatic campaign rules and the lists their campaigns were made from"

RULES = ("welcome", "birthday", "win_back", "nearing_reward")
OFFER_KINDS = ("points", "amount", "reward")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _statements(server: bool) -> tuple[str, ...]:
    key = "bigint" if server else "INTEGER"
    return (
        f"""CREATE TABLE campaign_rule (
            rule TEXT PRIMARY KEY CHECK (rule IN ({_quoted(RULES)})),
            enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
            channel TEXT NOT NULL CHECK (channel IN ({_quoted(CHANNELS)})),
            subject TEXT NOT NULL DEFAULT '',
            template TEXT NOT NULL CHECK (trim(template) <> ''),
            number INTEGER NOT NULL CHECK (number BETWEEN 0 AND 365),
            offer_kind TEXT CHECK (offer_kind IS NULL OR offer_kind IN ({_quoted(OFFER_KINDS)})),
            offer_value INTEGER NOT NULL DEFAULT 0 CHECK (offer_value >= 0),
            offer_reward_id {key} REFERENCES reward (id) ON DELETE SET NULL,
            offer_min_spend_cents INTEGER NOT NULL DEFAULT 0 CHECK (offer_min_spend_cents >= 0),
            offer_valid_days INTEGER NOT NULL DEFAULT 30
                CHECK (offer_valid_days BETWEEN 1 AND 365),
            updated_at TEXT
        )""",
        "ALTER TABLE campaign ADD COLUMN rule TEXT"
        f" CHECK (rule IS NULL OR rule IN ({_quoted(RULES)}))",
        "CREATE INDEX campaign_by_rule ON campaign (rule, created_at) WHERE rule IS NOT NULL",
        f"""CREATE TABLE campaign_member (
            campaign_id {key} NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
            contact_id {key} NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
            PRIMARY KEY (campaign_id, contact_id)
        )""",
        "CREATE INDEX campaign_member_contact ON campaign_member (contact_id)",
    )


def upgrade(db: Database) -> None:
    for statement in _statements(server=False):
        db.execute_sql(statement)


def server_upgrade(db: Database) -> None:
    for statement in _statements(server=True):
        db.execute_sql(statement)
