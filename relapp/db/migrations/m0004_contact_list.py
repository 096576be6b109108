"""Schema 4: indexes for the contacts table's sort orders.

Each index holds the sort columns and then archived_at and erased_at, so the table can count
the active (or archived) contacts and skip to any position in one walk of the index, without
reading the contact rows themselves. The ladder-stage index is on the stage's rank in the ladder
(the same expression as relapp.domain.contact_list.STAGE_RANK_SQL, which a test checks).
"""

from peewee import Database

DESCRIPTION = "covering indexes for sorting and paging the contacts table"

_STAGE_RANK = (
    "CASE ladder_stage WHEN 'prospect' THEN 0 WHEN 'customer' THEN 1 WHEN 'client' THEN 2"
    " WHEN 'supporter' THEN 3 WHEN 'advocate' THEN 4 WHEN 'partner' THEN 5 ELSE 99 END"
)
_SORT_INDEXES = {
    "name": "family_name, given_name, id",
    "card": "card_number, id",
    # The stage itself is stored too: without it SQLite would read every row it skips.
    "stage": f"{_STAGE_RANK}, id, ladder_stage",
    "tier": "tier_id, id",
    "points": "points_balance, id",
    "since": "created_at, id",
}

STATEMENTS = (
    *(
        f"CREATE INDEX contact_by_{key} ON contact ({columns}, archived_at, erased_at)"
        for key, columns in _SORT_INDEXES.items()
    ),
    # Superseded by contact_by_name, which starts with the same columns.
    "DROP INDEX contact_name",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
