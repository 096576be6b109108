"""Schema 5: sales at the counter: one sale per sale key, refunds, one-off bonuses.

* interaction.sale_key: the key a counter makes once per sale screen. The unique index makes
  a double click, a double scan or two counters racing with the same key write one sale only.
* interaction.refunded_at: when a purchase was refunded. The purchase row stays (the timeline
  keeps what happened); tier spend counts only purchases that were not refunded.
* points_entry.occasion: what a one-off bonus was for ('welcome', 'birthday 2026',
  'referral #42'), unique per contact, so no bonus is ever given twice for one occasion.
  Adding a column fires no trigger and changes no ledger row: existing entries read NULL.
* points_entry_reward: the Loyalty view counts each reward's redemptions; without it that is
  a scan of the whole ledger (8 million entries on the 1,000,000-customer demo).
"""

from peewee import Database

DESCRIPTION = "sale keys, refunds of purchases, one-off bonus occasions"

STATEMENTS = (
    """ALTER TABLE interaction ADD COLUMN sale_key TEXT CHECK (sale_key IS NULL OR
        (kind = 'purchase' AND length(sale_key) BETWEEN 1 AND 100))""",
    """CREATE UNIQUE INDEX interaction_sale_key ON interaction (sale_key)
        WHERE sale_key IS NOT NULL""",
    """ALTER TABLE interaction ADD COLUMN refunded_at TEXT
        CHECK (refunded_at IS NULL OR kind = 'purchase')""",
    """ALTER TABLE points_entry ADD COLUMN occasion TEXT CHECK (occasion IS NULL OR
        (kind = 'bonus' AND trim(occasion) <> ''))""",
    """CREATE UNIQUE INDEX points_entry_occasion ON points_entry (occasion, contact_id)
        WHERE occasion IS NOT NULL""",
    """CREATE INDEX points_entry_reward ON points_entry (reward_id, kind)
        WHERE reward_id IS NOT NULL""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
