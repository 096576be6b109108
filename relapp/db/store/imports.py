"""The import's data: its batches (import_batch, import_row: checked rows set aside until they
are saved), the lookups it makes for duplicates and card numbers, and its writes into contact
and contact_tag.

The rules (the duplicate policy, what a merge fills, when an import is decided) are in
relapp.exchange.importer; everything here runs inside the caller's transaction. Finding a
card's holder and inserting or updating one contact are relapp.db.store.contacts' work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.bulk import DeferredFullText, insert_rows
from relapp.db.models import database
from relapp.db.store.dialect import equal_nocase, in_json_list, json_list

# ------------------------------------------------------------------------------- batches


@dataclass(frozen=True)
class ImportBatch:
    """What a saver needs to know about a decided import."""

    source_name: str
    duplicates: str  # the policy: skip, merge or create
    staff_id: int | None
    columns: tuple[str, ...]  # the names of the values in each set-aside row, in order
    imported_at: str  # a stored timestamp


def interrupted_batches(saved_before: str) -> list[tuple[int, bool]]:
    """Each import nobody has moved on since saved_before (a stored timestamp), oldest first:
    (batch id, decided)."""
    return [
        (batch_id, bool(decided))
        for batch_id, decided in database.execute_sql(
            "SELECT id, decided_at IS NOT NULL FROM import_batch WHERE saved_at <= ? ORDER BY id",
            (saved_before,),
        )
    ]


def add_batch(
    source_name: str,
    duplicates: str,
    staff_id: int | None,
    columns: Sequence[str],
    stamp: str,
    rejected: int,
) -> int:
    """A new, undecided import; its id. stamp: when it was imported and last moved on."""
    return database.execute_sql(
        "INSERT INTO import_batch (source_name, duplicates, staff_id, columns, imported_at,"
        " saved_at, rejected) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (source_name, duplicates, staff_id, json.dumps(list(columns)), stamp, stamp, rejected),
    ).fetchone()[0]


def set_aside_rows(rows: Sequence[tuple[int, int, int, str]]) -> None:
    """Add checked rows to their import: (batch id, position, line, clean values as JSON)."""
    insert_rows(database, "import_row", ("batch_id", "position", "line", "clean"), rows)


def mark_batch_saved(batch_id: int, stamp: str) -> None:
    """Note that the import moved on at stamp (finish_interrupted_imports looks at it)."""
    database.execute_sql("UPDATE import_batch SET saved_at = ? WHERE id = ?", (stamp, batch_id))


def mark_batch_decided(batch_id: int, stamp: str) -> None:
    """Note that all the import's rows are set aside: from now on it is saved, not dropped."""
    database.execute_sql("UPDATE import_batch SET decided_at = ? WHERE id = ?", (stamp, batch_id))


def delete_first_rows(batch_id: int, count: int) -> int:
    """Delete the import's first count set-aside rows (by position); how many were deleted."""
    return database.execute_sql(
        "DELETE FROM import_row WHERE batch_id = ? AND position < ? + (SELECT"
        " min(position) FROM import_row WHERE batch_id = ?)",
        (batch_id, count, batch_id),
    ).rowcount


def delete_batch(batch_id: int) -> None:
    """Delete the import itself (its set-aside rows are deleted first, by the caller)."""
    database.execute_sql("DELETE FROM import_batch WHERE id = ?", (batch_id,))


def batch_to_save(batch_id: int) -> ImportBatch | None:
    """The import, or None if there is none with that id (another saver finished it)."""
    batch = database.execute_sql(
        "SELECT source_name, duplicates, staff_id, columns, imported_at FROM import_batch"
        " WHERE id = ?",
        (batch_id,),
    ).fetchone()
    if batch is None:
        return None
    source_name, duplicates, staff_id, columns, imported_at = batch
    return ImportBatch(source_name, duplicates, staff_id, tuple(json.loads(columns)), imported_at)


def pending_rows(batch_id: int, limit: int) -> list[tuple[int, int, str]]:
    """The import's next set-aside rows, by position: (position, line, clean values as JSON)."""
    return database.execute_sql(
        "SELECT position, line, clean FROM import_row WHERE batch_id = ? ORDER BY position LIMIT ?",
        (batch_id, limit),
    ).fetchall()


def delete_saved_rows(batch_id: int, last_position: int) -> None:
    """Delete the import's set-aside rows up to last_position (saved)."""
    database.execute_sql(
        "DELETE FROM import_row WHERE batch_id = ? AND position <= ?", (batch_id, last_position)
    )


def add_batch_counts(
    batch_id: int, imported: int, merged: int, skipped: int, rejected: int
) -> None:
    """Add a step's counts to the whole import's."""
    database.execute_sql(
        "UPDATE import_batch SET imported = imported + ?, merged = merged + ?,"
        " skipped = skipped + ?, rejected = rejected + ? WHERE id = ?",
        (imported, merged, skipped, rejected, batch_id),
    )


def batch_has_rows(batch_id: int) -> bool:
    """Whether rows of the import are still waiting to be saved."""
    return (
        database.execute_sql(
            "SELECT 1 FROM import_row WHERE batch_id = ? LIMIT 1", (batch_id,)
        ).fetchone()
        is not None
    )


def batch_counts(batch_id: int) -> tuple[int, int, int, int]:
    """The whole import's (imported, merged, skipped, rejected)."""
    return tuple(
        database.execute_sql(
            "SELECT imported, merged, skipped, rejected FROM import_batch WHERE id = ?",
            (batch_id,),
        ).fetchone()
    )


# ------------------------------------------------------------------------------- lookups


def _same(left: str, right: str, ignore_case: bool) -> str:
    return equal_nocase(left, right) if ignore_case else f"{left} = {right}"


def best_match_id(column: str, value: object, ignore_case: bool) -> int | None:
    """The contact not erased whose column holds value: not archived first, then the oldest.
    column: a contact column the caller names (card_number, email, phone)."""
    found = database.execute_sql(
        f"SELECT id FROM contact WHERE {_same(column, '?', ignore_case)} AND erased_at IS NULL"
        " ORDER BY archived_at IS NOT NULL, id LIMIT 1",
        (value,),
    ).fetchone()
    return found[0] if found else None


def best_match(column: str, value: object, ignore_case: bool) -> tuple[bool, int] | None:
    """As best_match_id, with whether that contact is archived: (archived, id)."""
    stored = database.execute_sql(
        f"SELECT archived_at IS NOT NULL, id FROM contact WHERE {_same(column, '?', ignore_case)}"
        " AND erased_at IS NULL ORDER BY archived_at IS NOT NULL, id LIMIT 1",
        (value,),
    ).fetchone()
    return None if stored is None else (bool(stored[0]), stored[1])


def matches_of(
    column: str, values: Sequence[object], ignore_case: bool
) -> list[tuple[object, bool, int]]:
    """Every contact not erased whose column holds one of values, in one query:
    (the value asked for, archived, id), in no particular order."""
    return [
        (value, bool(archived), contact_id)
        for value, archived, contact_id in database.execute_sql(
            f"SELECT j.value, c.archived_at IS NOT NULL, c.id FROM {json_list(of='text')}"
            f" JOIN contact AS c ON {_same(f'c.{column}', 'j.value', ignore_case)}"
            " AND c.erased_at IS NULL",
            (json.dumps(list(values)),),
        )
    ]


def holders_of_cards(cards: Sequence[object]) -> list[tuple[str, int]]:
    """(card number, contact id) for each of these cards that a contact holds."""
    return database.execute_sql(
        f"SELECT card_number, id FROM contact WHERE card_number {in_json_list(of='text')}",
        (json.dumps(list(cards)),),
    ).fetchall()


def has_opening_balance(contact_id: int) -> bool:
    """Whether the contact's ledger has an opening balance."""
    return (
        database.execute_sql(
            "SELECT 1 FROM points_entry WHERE contact_id = ? AND kind = 'opening' LIMIT 1",
            (contact_id,),
        ).fetchone()
        is not None
    )


def is_archived(contact_id: int) -> bool:
    """Whether the contact (which must exist) is archived."""
    return bool(
        database.execute_sql(
            "SELECT archived_at IS NOT NULL FROM contact WHERE id = ?", (contact_id,)
        ).fetchone()[0]
    )


def highest_contact_id() -> int:
    """The highest contact id in use, 0 if there is none."""
    return database.execute_sql("SELECT coalesce(max(id), 0) FROM contact").fetchone()[0]


# ------------------------------------------------------------------------------- writes


def deferred_contact_search() -> DeferredFullText:
    """The customer search index, fed in batches while an import step adds contacts (a
    context manager; see relapp.db.bulk.DeferredFullText)."""
    return DeferredFullText(
        database, "contact_search", "contact_search_source", "contact_search_insert"
    )
