"""One way to the data: SQL is written only in relapp/db, and what only SQLite understands only
in the engine's own modules there, so that a second engine is an addition (issue 15).

The checks read the source: every string literal that is not a docstring is looked at, so an
SQL statement built from pieces is caught by its pieces.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import relapp

PACKAGE = Path(relapp.__file__).parent
# SQL statements as the code writes them: upper-case keywords followed by what makes them SQL.
SQL_TEXT = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|"
    r"\bDELETE\s+FROM\b|\bCREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\b|\bPRAGMA\b|"
    r"\bWHERE\s+\w+(\.\w+)?\s*(=|IN\b|IS\b|<|>)|\bCOLLATE\s+NOCASE\b",
    re.DOTALL,
)
# What only SQLite spells this way.
SQLITE_ONLY = re.compile(
    r"json_each|json_extract|json_group_array|group_concat|COLLATE\s+NOCASE|\bPRAGMA\b|"
    r"sqlite_schema|sqlite_master|INSERT\s+OR\s|\bMATCH\b|julianday|strftime|unixepoch"
)
# The SQLite engine: its connection, bulk loading, write lock, backups, migrations, the FTS5
# search, and the one module that spells the dialect for the aggregate modules.
SQLITE_ENGINE_FILES = (
    "db/connection.py",
    "db/bulk.py",
    "db/busy.py",
    "db/identity.py",
    "db/backups/",
    "db/migrations/",
    "db/store/dialect.py",
    "db/store/search.py",
    "db/store/engine.py",
    # The till's own outbox file (sales kept while the shop server is away): SQLite always.
    "db/outbox.py",
)


def literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring; f-strings in parts."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # its parts are read with it, below
            docstrings.update(id(part) for part in node.values)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            found.append((node.lineno, text))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            found.append((node.lineno, node.value))
    return found


def offenders(pattern: re.Pattern[str], allowed: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(allowed):
            continue
        source = path.read_text(encoding="utf-8")
        hits = [f"{line}: {text[:60]!r}" for line, text in literals(source) if pattern.search(text)]
        if "execute_sql" in source and pattern is SQL_TEXT:
            hits.append("calls execute_sql")
        if hits:
            found[relative] = hits
    return found


def test_the_checks_recognise_sql_and_sqlite_dialect():
    assert SQL_TEXT.search("SELECT id FROM contact WHERE x = ?")
    assert SQL_TEXT.search("UPDATE contact SET archived_at = ?")
    assert SQL_TEXT.search("INSERT OR IGNORE INTO contact_tag")
    assert not SQL_TEXT.search("Select a customer from the list")
    assert not SQL_TEXT.search("Update the tier where needed")
    assert SQLITE_ONLY.search("id IN (SELECT value FROM json_each(?))")
    assert SQLITE_ONLY.search("name = ? COLLATE NOCASE")
    assert not SQLITE_ONLY.search("INSERT INTO tag (name) VALUES (?) ON CONFLICT DO NOTHING")
    source = 'def f():\n    """SELECT a FROM b WHERE c = 1"""\n    return f"UPDATE t SET {x}"\n'
    assert [text for _, text in literals(source)] == ["UPDATE t SET {}"]


def test_no_sql_outside_the_store():
    assert offenders(SQL_TEXT, ("db/",)) == {}


def test_sqlite_only_constructs_live_in_the_sqlite_engine_modules():
    assert offenders(SQLITE_ONLY, SQLITE_ENGINE_FILES) == {}


# ------------------------------------------------------------------ queries through the models

# The peewee query methods of a model class: a call of one of them reads or writes the database.
QUERY_METHODS = frozenset({
    "select", "insert", "update", "delete", "get", "get_or_none", "create", "insert_many",
    "get_by_id", "replace", "delete_by_id",
})  # fmt: skip


def model_class_names() -> frozenset[str]:
    """The names of relapp.db.models' peewee model classes (Staff, Contact, ...)."""
    import inspect

    from peewee import Model

    from relapp.db import models

    return frozenset(
        name
        for name, value in vars(models).items()
        if inspect.isclass(value) and issubclass(value, Model) and value is not Model
    )


def model_queries(source: str, model_names: frozenset[str]) -> list[tuple[int, str]]:
    """(line, "Model.method") of every call of a query method on a model class by its name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in model_names
        ):
            found.append((node.lineno, f"{node.func.value.id}.{node.func.attr}"))
    return sorted(found)


def test_the_model_query_check_spots_a_query_and_ignores_other_calls():
    names = model_class_names()
    assert {"Staff", "Setting", "Contact", "Consent", "Interaction"} <= names
    source = (
        "from relapp.db.models import Staff\n"
        "rows = Staff.select()\n"
        "value = settings.get('shop_name')\n"
        "row = Staff.get_or_none(Staff.name == 'Sam')\n"
        "name = Staff.name\n"
        "Setting.insert(key='a', value='b').execute()\n"
    )
    assert model_queries(source, names) == [
        (2, "Staff.select"),
        (4, "Staff.get_or_none"),
        (6, "Setting.insert"),
    ]


def test_no_model_queries_outside_the_store():
    names = model_class_names()
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("db/"):
            continue
        hits = model_queries(path.read_text(encoding="utf-8"), names)
        if hits:
            found[relative] = [f"{line}: {call}" for line, call in hits]
    assert found == {}
