"""The few SQL constructs that differ between engines, as small functions.

Today they return SQLite's spelling. A second engine (PostgreSQL, issue 16) answers with its
own: `json_array_elements_text(%s::json)`, `lower(a) = lower(b)`, `string_agg`, ... The store's
aggregate modules build their SQL from these and never spell an engine's dialect themselves.
"""

from __future__ import annotations


def in_json_list(placeholder: str = "?") -> str:
    """`IN (...)` over a JSON array parameter: any number of ids in one parameter, no Python
    loop (SQLite unpacks it with json_each)."""
    return f"IN (SELECT value FROM {json_list(placeholder)})"


def json_list(placeholder: str = "?") -> str:
    """A FROM item listing a JSON array parameter's elements in a column named value."""
    return f"json_each({placeholder})"


def json_array_of(path_expression: str, path: str) -> str:
    """A FROM item listing the elements of the JSON array at path in a stored JSON column."""
    return f"json_each({path_expression}, '{path}')"


def json_field(column: str, path: str) -> str:
    """The value at path in a stored JSON column."""
    return f"json_extract({column}, '{path}')"


def json_array_agg(expression: str) -> str:
    """An aggregate gathering expression over the group into a JSON array (text)."""
    return f"json_group_array({expression})"


def nocase(expression: str) -> str:
    """expression compared and ordered without regard to letter case (ASCII, as SQLite's
    NOCASE; PostgreSQL will use lower())."""
    return f"{expression} COLLATE NOCASE"


def equal_nocase(left: str, right: str = "?") -> str:
    """left = right without regard to letter case."""
    return f"{left} = {right} COLLATE NOCASE"


def joined(expression: str, separator_sql: str) -> str:
    """An aggregate joining expression's values with a separator (an SQL expression)."""
    return f"group_concat({expression}, {separator_sql})"


def least(left: str, right: str) -> str:
    """The smaller of two values in a row (SQLite's two-argument min; PostgreSQL: least)."""
    return f"min({left}, {right})"


def distinct_from(left: str, right: str = "?") -> str:
    """left differs from right, NULL counting as a value (PostgreSQL: IS DISTINCT FROM)."""
    return f"{left} IS NOT {right}"


def without_index(column: str) -> str:
    """column, with the planner told not to use its index (SQLite's unary +; PostgreSQL has no
    such hint and takes the column as it is)."""
    return f"+{column}"


def indexed_by(table: str, index: str) -> str:
    """A FROM item reading table through the named index (SQLite's INDEXED BY, for where its
    planner picks a worse one without statistics; PostgreSQL has no such hint: the table)."""
    return f"{table} INDEXED BY {index}"


def starts_with(column: str, placeholder: str = "?") -> str:
    """column begins with the prefix given as prefix_pattern(prefix) in placeholder. SQLite's
    GLOB is case-sensitive, so it searches an index on column (PostgreSQL: LIKE)."""
    return f"{column} GLOB {placeholder}"


def prefix_pattern(prefix: str) -> str:
    """The parameter of starts_with(): prefix, its wildcard characters taken literally."""
    escaped = "".join(f"[{char}]" if char in "*?[" else char for char in prefix)
    return f"{escaped}*"


def character(code: int) -> str:
    """The one-character string of a code point, as SQL (SQLite's char; PostgreSQL: chr)."""
    return f"char({code})"


def like_nocase(left: str, pattern: str = "?") -> str:
    """left matches a LIKE pattern in which a backslash escapes % and _, ASCII letters in any
    case (SQLite's LIKE folds ASCII case; PostgreSQL will use ILIKE)."""
    return f"{left} LIKE {pattern} ESCAPE '\\'"


def json_array_build(*items: str) -> str:
    """A JSON array (text) of the SQL expressions items (PostgreSQL: json_build_array)."""
    return f"json_array({', '.join(items)})"


def json_array_append(array: str, item: str) -> str:
    """The JSON array array (text) with item added at its end (PostgreSQL: the jsonb ||)."""
    return f"json_insert({array}, '$[#]', {item})"


def not_indexed(table: str) -> str:
    """A FROM item reading table in storage order, no index (SQLite's NOT INDEXED, for a pass
    over most of a table; PostgreSQL has no such hint and its planner picks a sequential scan
    itself: the table)."""
    return f"{table} NOT INDEXED"


def count_true(condition: str) -> str:
    """An aggregate counting the rows of the group for which condition holds; NULL for no rows
    (SQLite sums the 0 or 1 a comparison gives; PostgreSQL: sum((condition)::int))."""
    return f"sum({condition})"
