"""Schema 6: the timeline's activity feed, filtered, and open follow-ups per history entry.

* interaction_kind_staff_time: the activity feed filtered by kind or by staff member reads
  one range of this index per (kind, staff member) pair, newest first, instead of walking
  interaction_time and skipping what does not match; for a staff member or a kind with no
  entries that walk read all 10 million interactions of the 1,000,000-customer demo (30 s).
  About 400 MB there, built in about 12 s.
* task_interaction: the open tasks of a page of history entries, and the foreign key's
  ON DELETE SET NULL when an entry is deleted, without reading every task.

A customer's timeline needs nothing new: interaction_contact_time ends with the row id, so it
pages by (occurred_at, id); a customer's ledger entries (points_entry_contact) are few
enough to sort (measured: tests/benchmarks/bench_timeline.py).
"""

from peewee import Database

DESCRIPTION = "activity feed by kind and staff member, open tasks per history entry"

STATEMENTS = (
    "CREATE INDEX interaction_kind_staff_time ON interaction (kind, staff_id, occurred_at)",
    """CREATE INDEX task_interaction ON task (interaction_id)
        WHERE interaction_id IS NOT NULL""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
