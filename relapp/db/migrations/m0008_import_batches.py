"""Schema 8: an import is saved in short steps, all or nothing.

Checking a file's rows takes long (cleaning, looking for duplicates); saving them into the
shop in one transaction held the write lock for as long (18 s for 200,000 rows), and the
counter could not record a sale meanwhile. Now the checked rows are first set aside here, a
few thousand per transaction; the import is decided when the last of them is (decided_at).
They are then moved into the shop a few hundred at a time, each step its own transaction that
also deletes the rows it moved. If Relapp stops half way (a crash, a power cut), the next
import or the next daily round (relapp.exchange.importer.finish_interrupted_imports) saves the
rest of a decided import, and deletes the rows of one that was not decided: an import is
never left half done.

* import_batch: one per import being set aside or saved: what the file was called, the
  duplicate policy, who imported it and when (the contacts' created_at), the names of the
  cleaned values each row holds (a JSON array), the running counts for the audit row, and
  when a step was last saved (an import nobody has moved on for a while was interrupted).
* import_row: a checked row waiting to be saved: its line in the file and a JSON array of
  the opening points (or null), then the cleaned values in the order import_batch.columns
  names them.
"""

from peewee import Database

DESCRIPTION = "imports saved in short steps"

STATEMENTS = (
    """CREATE TABLE import_batch (
        id INTEGER PRIMARY KEY,
        source_name TEXT NOT NULL,
        duplicates TEXT NOT NULL CHECK (duplicates IN ('skip', 'merge', 'create')),
        staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
        columns TEXT NOT NULL CHECK (json_valid(columns)),
        imported_at TEXT NOT NULL,
        decided_at TEXT,
        saved_at TEXT NOT NULL,
        imported INTEGER NOT NULL DEFAULT 0,
        merged INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE import_row (
        batch_id INTEGER NOT NULL REFERENCES import_batch (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        line INTEGER NOT NULL,
        clean TEXT NOT NULL,
        PRIMARY KEY (batch_id, position)
    ) WITHOUT ROWID""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
