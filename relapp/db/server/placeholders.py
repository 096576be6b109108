"""The store's SQL in psycopg's parameter style.

The store writes one SQL text for both engines with SQLite's parameters: `?` (positional) and
`:name` (named). psycopg wants `%s` and `%(name)s`, and reads every `%` as the start of one,
even inside a quoted literal (`LIKE '%x%'`). to_psycopg() rewrites a statement once (the
results are cached: the store has a few hundred distinct texts) and leaves alone what is
quoted ('...', "...", $tag$...$tag$), comments, and PostgreSQL's `::` casts.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]?[A-Za-z0-9_]*\$")


@lru_cache(maxsize=4096)
def to_psycopg(sql: str) -> str:
    """sql with `?` as `%s`, `:name` as `%(name)s` and a literal `%` as `%%`."""
    out: list[str] = []
    i, length = 0, len(sql)
    while i < length:
        char = sql[i]
        if char in "'\"":
            end = _closing_quote(sql, i, char)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = length if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = length if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(), tag.end())
            end = length if end < 0 else end + len(tag.group())
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "?":
            out.append("%s")
            i += 1
        elif char == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif char == ":" and (name := _NAME.match(sql, i + 1)):
            out.append(f"%({name.group()})s")
            i = name.end()
        elif char == "%":
            out.append("%%")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """The index just past the quoted text opening at start (a doubled quote is inside)."""
    i = start + 1
    while True:
        end = sql.find(quote, i)
        if end < 0:
            return len(sql)
        if sql.startswith(quote * 2, end):
            i = end + 2
            continue
        return end + 1
