"""Schema 9: every customer is in a tier when the lowest tier starts at nothing.

A customer's tier was set only when a sale recomputed it, so whoever had not bought anything
yet (a new customer, an imported one, most of a demo shop's) had none: the Loyalty tab's tier
counts did not add up to the Contacts tab's customers, and a tier meant "has bought" rather
than what the program says.

* contact_starts_in_lowest_tier: a contact written without a tier gets the tier whose
  threshold is 0, if the program has one (a new contact has spent nothing). A trigger, like
  the search index and the visit rhythm, so that every writer is covered: enrolment, the
  contacts editor, an import, the demo, another SQLite tool. A contact written with a tier
  keeps it; the trigger's UPDATE names tier_id only, which no other trigger watches.
* The customers without a tier now get the one their spend over the tier window reaches
  (purchases not refunded, as relapp.domain.loyalty.ledger.tier_spend counts them): none if
  the lowest threshold is above what they spent. Like the demo's tiers, these placements are
  not written to the audit log one by one: nothing about the customers changed, only what
  the program always said of them.

Frozen: later changes go in a new migration.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from peewee import Database

DESCRIPTION = "every customer in a tier when the lowest tier starts at 0"

STATEMENTS = (
    """CREATE TRIGGER contact_starts_in_lowest_tier AFTER INSERT ON contact
    WHEN NEW.tier_id IS NULL AND EXISTS (SELECT 1 FROM tier WHERE min_spend_cents = 0)
    BEGIN
        UPDATE contact SET tier_id = (SELECT id FROM tier WHERE min_spend_cents = 0)
        WHERE id = NEW.id;
    END""",
)

# The highest tier a customer's spend since ? reaches (NULL: none).
PLACE_TIERLESS = """
    UPDATE contact SET tier_id = (
        SELECT t.id FROM tier t WHERE t.min_spend_cents <= (
            SELECT coalesce(sum(i.amount_cents), 0) FROM interaction i
            WHERE i.contact_id = contact.id AND i.kind = 'purchase'
            AND i.refunded_at IS NULL AND i.occurred_at >= ? AND i.occurred_at <= ?)
        ORDER BY t.min_spend_cents DESC LIMIT 1)
    WHERE tier_id IS NULL AND erased_at IS NULL"""

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def _months_back(moment: datetime, months: int) -> datetime:
    """The same time of day months earlier, on the same day or that month's last."""
    index = moment.month - 1 - months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))  # fmt: skip


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
    row = db.execute_sql("SELECT value FROM setting WHERE key = 'tier_window_months'").fetchone()
    window = int(row[0]) if row else 12
    now = datetime.now(UTC).replace(microsecond=0)
    start = "" if window <= 0 else _months_back(now, window).strftime(TIMESTAMP_FORMAT)
    db.execute_sql(PLACE_TIERLESS, (start, now.strftime(TIMESTAMP_FORMAT)))
