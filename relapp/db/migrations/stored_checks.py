"""Widening a CHECK in place, on both engines: shared by the migrations that do it (17, 19).

Not a migration itself (it is not listed in relapp.db.migrations). Each function says which
schema it is working for in its error messages, so a failed upgrade names its migration.

* SQLite cannot alter a CHECK. Its documentation ("Making Other Kinds Of Table Schema
  Changes", https://www.sqlite.org/lang_altertable.html) allows editing the stored CREATE
  TABLE text under PRAGMA writable_schema when the change does not affect the stored data,
  then raising PRAGMA schema_version so every connection reads the schema again; PRAGMA
  quick_check of each table edited (which checks every CHECK against every row) must then
  answer ok, else the migration's transaction rolls back.
* PostgreSQL alters constraints: the CHECK on a column (the one CHECK on that column alone,
  whatever its generated name) is found in pg_constraint, then the caller drops it and makes
  it again under the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from peewee import Database


def quoted(values: tuple[str, ...]) -> str:
    """'a', 'b', 'c': a list of codes as a CHECK's IN (...) holds them."""
    return ", ".join(f"'{value}'" for value in values)


def edit_stored_tables(
    db: Database, edits: Mapping[str, Callable[[str], str]], version: int
) -> None:
    """SQLite: each table's stored CREATE TABLE text replaced by its edit of it (the edit
    raises if the text is not as expected), the schema version raised, then every table
    edited checked; in the migration's transaction. version: the schema being made."""
    before = db.execute_sql("PRAGMA schema_version").fetchone()[0]
    db.execute_sql("PRAGMA writable_schema = ON")
    try:
        for table, edit in edits.items():
            (sql,) = db.execute_sql(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            changed = db.execute_sql(
                "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
                (edit(sql), table),
            ).rowcount
            if changed != 1:
                raise RuntimeError(
                    f"Schema {version} changed {changed} definitions of {table}, not 1."
                )
        db.execute_sql(f"PRAGMA schema_version = {int(before) + 1:d}")
    finally:
        db.execute_sql("PRAGMA writable_schema = OFF")
    for table in edits:
        answer = [row[0] for row in db.execute_sql(f"PRAGMA quick_check({table})").fetchall()]
        if answer != ["ok"]:
            raise RuntimeError(f"Schema {version} left {table} failing its checks: {answer[:3]}.")


def column_check_name(db: Database, table: str, column: str, version: int) -> str:
    """PostgreSQL: the name of the one CHECK on table.column alone, quoted for a statement's
    double quotes; RuntimeError (nothing changed) if there is not exactly one."""
    found = db.execute_sql(
        "SELECT c.conname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.contype = 'c' AND c.conrelid = ?::regclass AND a.attname = ?"
        " AND cardinality(c.conkey) = 1",
        (table, column),
    ).fetchall()
    if len(found) != 1:
        raise RuntimeError(
            f"Schema {version} cannot upgrade {table} on the server: {len(found)} CHECKs of"
            f" {column}'s codes, not 1. Nothing was changed."
        )
    return str(found[0][0]).replace('"', '""')
