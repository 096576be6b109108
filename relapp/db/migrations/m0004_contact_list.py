"""Schema 4: what the contacts table needs to stay fast at a million contacts.

Sort indexes: each holds the sort columns, then archived_at, erased_at, ladder_stage and
tier_id, so the table can count, filter by stage or tier, and skip to any position in one walk
of the index without reading the contact rows. The ladder-stage index is on the stage's rank in
the ladder (the same expression as relapp.domain.contacts.listing.STAGE_RANK_SQL; a test checks).

Current consent: the consent log is the record; consent_current holds each contact's latest
event per channel, kept by triggers, so "who may we email" is an index lookup rather than a
search through a million contacts' logs.
"""

from peewee import Database

DESCRIPTION = "contacts table: covering sort indexes, current consent per channel"

_STAGE_RANK = (
    "CASE ladder_stage WHEN 'prospect' THEN 0 WHEN 'customer' THEN 1 WHEN 'client' THEN 2"
    " WHEN 'supporter' THEN 3 WHEN 'advocate' THEN 4 WHEN 'partner' THEN 5 ELSE 99 END"
)
_SORT_INDEXES = {
    "name": "family_name, given_name, id",
    "card": "card_number, id",
    "stage": f"{_STAGE_RANK}, id",
    "tier": "tier_id, id",
    "points": "points_balance, id",
    "since": "created_at, id",
}
_FILTER_COLUMNS = "archived_at, erased_at, ladder_stage, tier_id"


def _recompute_current(contact: str, channel: str) -> str:
    """SQL that sets one contact's current consent on one channel from the log."""
    return f"""
        DELETE FROM consent_current WHERE contact_id = {contact} AND channel = {channel};
        INSERT INTO consent_current (contact_id, channel, granted)
            SELECT contact_id, channel, granted FROM consent
            WHERE contact_id = {contact} AND channel = {channel}
            ORDER BY occurred_at DESC, id DESC LIMIT 1;"""


STATEMENTS = (
    *(
        f"CREATE INDEX contact_by_{key} ON contact ({columns}, {_FILTER_COLUMNS})"
        for key, columns in _SORT_INDEXES.items()
    ),
    # Superseded by contact_by_name, which starts with the same columns.
    "DROP INDEX contact_name",
    """CREATE TABLE consent_current (
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        granted INTEGER NOT NULL,
        PRIMARY KEY (contact_id, channel)
    ) WITHOUT ROWID""",
    "CREATE INDEX consent_current_by_channel ON consent_current (channel, granted, contact_id)",
    f"""CREATE TRIGGER consent_current_insert AFTER INSERT ON consent BEGIN
        {_recompute_current("NEW.contact_id", "NEW.channel")}
    END""",
    f"""CREATE TRIGGER consent_current_update AFTER UPDATE ON consent BEGIN
        {_recompute_current("OLD.contact_id", "OLD.channel")}
        {_recompute_current("NEW.contact_id", "NEW.channel")}
    END""",
    f"""CREATE TRIGGER consent_current_delete AFTER DELETE ON consent BEGIN
        {_recompute_current("OLD.contact_id", "OLD.channel")}
    END""",
    """INSERT INTO consent_current (contact_id, channel, granted)
        SELECT contact_id, channel, granted FROM (
            SELECT contact_id, channel, granted, row_number() OVER (
                PARTITION BY contact_id, channel ORDER BY occurred_at DESC, id DESC) AS latest
            FROM consent)
        WHERE latest = 1""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
