"""The few SQL constructs that differ between engines, as small functions.

Each answers with the spelling of the engine the models are bound to just now: SQLite's for a
shop file, PostgreSQL's for a shop server (relapp.db.server). The store's aggregate modules
build their SQL from these, at call time (never in a module constant, which would freeze the
engine that happened to be bound at import), and never spell an engine's dialect themselves.
JSON lists of ids travel as one text parameter on both engines; `of` says what their
elements are, because PostgreSQL compares a bigint column only with numbers.
"""

from __future__ import annotations

from typing import Literal

from peewee import PostgresqlDatabase

from relapp.db.models import database

Elements = Literal["integer", "text"]


def on_server() -> bool:
    """Whether the models are bound to a PostgreSQL shop server just now."""
    return isinstance(database.obj, PostgresqlDatabase)


def _pg_elements(placeholder: str, of: Elements) -> str:
    """A subquery of a JSON array parameter's elements, as bigint or text, column value."""
    cast = "::bigint" if of == "integer" else ""
    return (
        f"SELECT value{cast} AS value"
        f" FROM jsonb_array_elements_text({placeholder}::jsonb) AS e(value)"
    )


def in_json_list(placeholder: str = "?", of: Elements = "integer") -> str:
    """`IN (...)` over a JSON array parameter: any number of ids in one parameter, no Python
    loop (SQLite unpacks it with json_each)."""
    if on_server():
        return f"IN ({_pg_elements(placeholder, of)})"
    return f"IN (SELECT value FROM json_each({placeholder}))"


def json_list(placeholder: str = "?", of: Elements = "integer", alias: str = "j") -> str:
    """A FROM item, named alias, listing a JSON array parameter's elements in a column named
    value."""
    if on_server():
        return f"({_pg_elements(placeholder, of)}) AS {alias}"
    return f"json_each({placeholder}) AS {alias}"


def _pg_path(path: str) -> str:
    """'$.a.b' as PostgreSQL's text-array path '{a,b}'."""
    return "'{" + ",".join(path.removeprefix("$.").split(".")) + "}'"


def json_array_of(path_expression: str, path: str, of: Elements = "integer") -> str:
    """A FROM item listing the elements of the JSON array at path in a stored JSON column,
    in a column named value."""
    if on_server():
        cast = "::bigint" if of == "integer" else ""
        return (
            f"(SELECT value{cast} AS value FROM jsonb_array_elements_text("
            f"({path_expression})::jsonb #> {_pg_path(path)}) AS e(value)) AS items"
        )
    return f"json_each({path_expression}, '{path}')"


def json_field(column: str, path: str, of: Elements = "text") -> str:
    """The value at path in a stored JSON column."""
    if on_server():
        cast = "::bigint" if of == "integer" else ""
        return f"(({column})::jsonb #>> {_pg_path(path)}){cast}"
    return f"json_extract({column}, '{path}')"


def json_array_agg(expression: str) -> str:
    """An aggregate gathering expression over the group into a JSON array (text); '[]' for
    no rows."""
    if on_server():
        return f"coalesce(json_agg({expression})::text, '[]')"
    return f"json_group_array({expression})"


def nocase(expression: str) -> str:
    """expression compared and ordered without regard to letter case (SQLite's NOCASE folds
    ASCII letters; PostgreSQL's lower() every letter)."""
    if on_server():
        return f"lower({expression})"
    return f"{expression} COLLATE NOCASE"


def equal_nocase(left: str, right: str = "?") -> str:
    """left = right without regard to letter case."""
    if on_server():
        return f"lower({left}) = lower({right})"
    return f"{left} = {right} COLLATE NOCASE"


def in_nocase(left: str, count: int) -> str:
    """left equals one of count parameters, without regard to letter case."""
    if on_server():
        return f"lower({left}) IN ({', '.join('lower(?)' for _ in range(count))})"
    return f"{left} COLLATE NOCASE IN ({', '.join('?' for _ in range(count))})"


def in_json_list_nocase(left: str, placeholder: str = "?") -> str:
    """left equals one of the texts of a JSON array parameter, without regard to letter
    case."""
    if on_server():
        texts = _pg_elements(placeholder, "text")
        return f"lower({left}) IN (SELECT lower(value) FROM ({texts}) AS j)"
    return f"{left} COLLATE NOCASE {in_json_list(placeholder, of='text')}"


def joined(expression: str, separator_sql: str) -> str:
    """An aggregate joining expression's values with a separator (an SQL expression)."""
    if on_server():
        return f"string_agg(({expression})::text, {separator_sql})"
    return f"group_concat({expression}, {separator_sql})"


def least(left: str, right: str) -> str:
    """The smaller of two values in a row."""
    return f"least({left}, {right})" if on_server() else f"min({left}, {right})"


def distinct_from(left: str, right: str = "?") -> str:
    """left differs from right, NULL counting as a value."""
    if on_server():
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def without_index(column: str) -> str:
    """column, with the planner told not to use its index (SQLite's unary +; PostgreSQL has no
    such hint and takes the column as it is)."""
    return column if on_server() else f"+{column}"


def indexed_by(table: str, index: str) -> str:
    """A FROM item reading table through the named index (SQLite's INDEXED BY, for where its
    planner picks a worse one without statistics; PostgreSQL has no such hint: the table)."""
    return table if on_server() else f"{table} INDEXED BY {index}"


def starts_with(column: str, placeholder: str = "?") -> str:
    """column begins with the prefix given as prefix_pattern(prefix) in placeholder,
    case-sensitively (SQLite's GLOB, which searches an index on column; PostgreSQL's LIKE)."""
    if on_server():
        return f"{column} LIKE {placeholder} ESCAPE '\\'"
    return f"{column} GLOB {placeholder}"


def prefix_pattern(prefix: str) -> str:
    """The parameter of starts_with(): prefix, its wildcard characters taken literally."""
    if on_server():
        escaped = "".join(f"\\{char}" if char in "\\%_" else char for char in prefix)
        return f"{escaped}%"
    escaped = "".join(f"[{char}]" if char in "*?[" else char for char in prefix)
    return f"{escaped}*"


def character(code: int) -> str:
    """The one-character string of a code point, as SQL."""
    return f"chr({code})" if on_server() else f"char({code})"


def like_nocase(left: str, pattern: str = "?") -> str:
    """left matches a LIKE pattern in which a backslash escapes % and _, letters in any case
    (SQLite's LIKE folds ASCII letters; PostgreSQL's ILIKE every letter)."""
    operator = "ILIKE" if on_server() else "LIKE"
    return f"{left} {operator} {pattern} ESCAPE '\\'"


def json_array_build(*items: str) -> str:
    """A JSON array of the SQL expressions items (text on SQLite; jsonb on a server, which
    nests as an array in another and is stored into a text column as its text)."""
    if on_server():
        return f"jsonb_build_array({', '.join(items)})"
    return f"json_array({', '.join(items)})"


def json_array_append(array: str, item: str) -> str:
    """The JSON array array with item (a json_array_build) added at its end."""
    if on_server():
        return f"(({array})::jsonb || jsonb_build_array({item}))"
    return f"json_insert({array}, '$[#]', {item})"


def not_indexed(table: str) -> str:
    """A FROM item reading table in storage order, no index (SQLite's NOT INDEXED, for a pass
    over most of a table; PostgreSQL has no such hint and its planner picks a sequential scan
    itself: the table)."""
    return table if on_server() else f"{table} NOT INDEXED"


def count_true(condition: str) -> str:
    """An aggregate counting the rows of the group for which condition holds; NULL for no rows
    (SQLite sums the 0 or 1 a comparison gives)."""
    return f"sum(({condition})::int)" if on_server() else f"sum({condition})"


def join_in_this_order() -> str:
    """An inner join whose left table the planner must read first (SQLite's CROSS JOIN; the
    PostgreSQL planner orders joins itself: JOIN)."""
    return "JOIN" if on_server() else "CROSS JOIN"


def ordered(column: str, descending: bool = False) -> str:
    """An ORDER BY term in which NULL sorts below every value, as SQLite has it (PostgreSQL
    puts NULL above: its sort indexes are built NULLS FIRST to match this)."""
    if on_server():
        return f"{column} DESC NULLS LAST" if descending else f"{column} NULLS FIRST"
    return f"{column} DESC" if descending else column
