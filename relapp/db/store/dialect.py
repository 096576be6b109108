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
