"""Schema 7: what the Today view needs to answer in well under a second at a million customers.

* contact_rhythm: one row per contact with at least one visit (an interaction of kind visit
  or purchase): how many, the first and the last. The usual interval between visits is their
  mean gap, which telescopes to (last - first) / (visits - 1), so these three columns describe
  it exactly: no running sums, and nothing to read back when a sale is recorded. drifts_at,
  generated from them, is the moment the customer counts as drifting away: the last visit
  plus twice the usual interval, or plus 30 days if that is longer; NULL below 3 visits, where
  there is no usual interval to speak of. Twice the interval is rounded down to whole
  seconds, so "now > drifts_at" is exactly "more than twice the interval and more than
  30 days ago" for the whole-second times the database stores. "Who is drifting" is then a
  range of one partial index (which SQLite 3.40 does not treat as covering, drifts_at being
  generated: the count reads rhythm rows, 15 ms for 100,000 drifters; correct by construction
  was worth more than that).
  Triggers in plain SQL keep it right for every writer (the app, the demo, a merge, an
  import, another SQLite tool): a new visit updates the row in place; a visit moved to
  another contact, re-dated, re-kinded or deleted rebuilds the contacts concerned from their
  history (a few rows through interaction_contact_time). Like the search index it is derived
  data and holds no foreign key (what refers to a contact are its own rows, not a cache of
  them); deleting the contact deletes its row.
* contact_inactive: the archived and erased contacts (few), with the columns that say so.
  Every Today count leaves them out with "contact_id NOT IN (that list)", read from this
  index once per query, so the counts read their own index only and never visit a
  contact row (thousands of random reads on a cold cache).
* task_open_contact, interaction_open_contact: the open tasks by due time and the open
  queries and complaints by age, each with its contact, for those counts. They supersede
  task_open_due and interaction_open (schema 1), which start with the same column under the
  same condition: those are dropped, or SQLite may pick them and read every row for its
  contact.
* interaction_outbound: the outbound contacts that count against the frequency cap (calls,
  emails, messages, campaigns), by time, so "who has been contacted N times in 30 days" reads
  a month of one small index instead of every interaction of the month.

Frozen: relapp.domain.contacts.rhythm states the same rules (a test checks them against this
SQL); later changes go in a new migration.
"""

from peewee import Database

DESCRIPTION = "Today view: visit rhythm per contact kept by triggers, indexes for its counts"

_VISIT = "('visit', 'purchase')"
_MONTH_SECONDS = 30 * 86_400


def _epoch(column: str) -> str:
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


_DRIFTS_AT = f"""CASE WHEN visits >= 3 THEN datetime({_epoch("last_visit_at")} + max(
        2 * ({_epoch("last_visit_at")} - {_epoch("first_visit_at")}) / (visits - 1),
        {_MONTH_SECONDS}), 'unixepoch') END"""


def _rebuild(contact: str) -> str:
    """SQL that rebuilds one contact's rhythm from its history (no row without a visit).

    "+kind" keeps the kind from choosing the index: through interaction_kind_staff_time
    (schema 6) one edited visit would read every visit of the shop. Naming the index instead
    would fail while bulk_load has dropped it (only inserts happen then, but still).
    """
    return f"""
        DELETE FROM contact_rhythm WHERE contact_id = {contact};
        INSERT INTO contact_rhythm (contact_id, visits, first_visit_at, last_visit_at)
            SELECT contact_id, count(*), min(occurred_at), max(occurred_at) FROM interaction
            WHERE contact_id = {contact} AND +kind IN {_VISIT} GROUP BY contact_id;"""


STATEMENTS = (
    f"""CREATE TABLE contact_rhythm (
        contact_id INTEGER PRIMARY KEY,
        visits INTEGER NOT NULL CHECK (visits > 0),
        first_visit_at TEXT NOT NULL,
        last_visit_at TEXT NOT NULL CHECK (last_visit_at >= first_visit_at),
        drifts_at TEXT GENERATED ALWAYS AS ({_DRIFTS_AT}) VIRTUAL
    )""",
    # One pass over the table, then a sort: through interaction_kind_staff_time, SQLite's own
    # choice, it is random reads of every visit (32 s instead of 5 s at a million customers).
    f"""INSERT INTO contact_rhythm (contact_id, visits, first_visit_at, last_visit_at)
        SELECT contact_id, count(*), min(occurred_at), max(occurred_at)
        FROM interaction NOT INDEXED WHERE kind IN {_VISIT} GROUP BY contact_id""",
    """CREATE INDEX contact_rhythm_drift ON contact_rhythm (drifts_at)
        WHERE drifts_at IS NOT NULL""",
    f"""CREATE TRIGGER contact_rhythm_visit_added AFTER INSERT ON interaction
    WHEN NEW.kind IN {_VISIT}
    BEGIN
        INSERT INTO contact_rhythm (contact_id, visits, first_visit_at, last_visit_at)
            VALUES (NEW.contact_id, 1, NEW.occurred_at, NEW.occurred_at)
        ON CONFLICT (contact_id) DO UPDATE SET
            visits = visits + 1,
            first_visit_at = min(first_visit_at, excluded.first_visit_at),
            last_visit_at = max(last_visit_at, excluded.last_visit_at);
    END""",
    f"""CREATE TRIGGER contact_rhythm_visit_changed
    AFTER UPDATE OF contact_id, kind, occurred_at ON interaction
    WHEN OLD.kind IN {_VISIT} OR NEW.kind IN {_VISIT}
    BEGIN {_rebuild("OLD.contact_id")}
    END""",
    f"""CREATE TRIGGER contact_rhythm_visit_moved AFTER UPDATE OF contact_id ON interaction
    WHEN (OLD.kind IN {_VISIT} OR NEW.kind IN {_VISIT}) AND NEW.contact_id <> OLD.contact_id
    BEGIN {_rebuild("NEW.contact_id")}
    END""",
    f"""CREATE TRIGGER contact_rhythm_visit_removed AFTER DELETE ON interaction
    WHEN OLD.kind IN {_VISIT}
    BEGIN {_rebuild("OLD.contact_id")}
    END""",
    """CREATE TRIGGER contact_rhythm_leaves_with_contact AFTER DELETE ON contact
    BEGIN
        DELETE FROM contact_rhythm WHERE contact_id = OLD.id;
    END""",
    """CREATE INDEX contact_inactive ON contact (id, archived_at, erased_at)
        WHERE archived_at IS NOT NULL OR erased_at IS NOT NULL""",
    "CREATE INDEX task_open_contact ON task (due_at, contact_id) WHERE done_at IS NULL",
    """CREATE INDEX interaction_open_contact ON interaction (occurred_at, contact_id)
        WHERE status = 'open'""",
    "DROP INDEX task_open_due",
    "DROP INDEX interaction_open",
    """CREATE INDEX interaction_outbound ON interaction (occurred_at, contact_id)
        WHERE direction = 'outbound' AND kind IN ('call', 'email', 'message', 'campaign')""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
