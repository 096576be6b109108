"""Finding contacts: the full-text index and the rows a search shows.

SQLite engine: this whole module is SQLite's FTS5 (schema 3), the external-content table
contact_search over the view contact_search_source, kept by triggers in plain SQL. A
PostgreSQL engine (issue 16) brings its own module with the same functions (a tsvector
search); the domain (relapp.domain.contacts.search) keeps what it does with the user's text.

match_expression() lives here, not in the domain, because it writes FTS5's query language:
each term becomes a quoted phrase with a prefix star, so quotes, `-`, `*`, `OR`, emoji and the
like are just text, and FTS5 tokenizes a quoted chunk the same way it tokenized the documents
(`o'brien`, `+61 412` and `ann.lee@` all match). Compatibility characters (full-width letters
and digits, half-width katakana, ligatures, ª and º, superscripts) are indexed as stored: the
triggers are plain SQL, which cannot apply NFKC. So each term matches as typed OR in its NFKC
form: "ﾀﾛｳ" finds "ﾀﾛｳ", and "ＡＢＣ" finds both "ＡＢＣ" and "ABC" (but "ABC" does not find
"ＡＢＣ").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

from relapp.db.models import database
from relapp.db.store.dialect import in_json_list

# (id, kind, given_name, family_name, organisation, phone, email, card_number,
# points_balance, ladder_stage, archived)
HitRow = tuple[int, str, str, str, str, str | None, str | None, str | None, int, str, int]

_SELECT_HIT = (
    "SELECT c.id, c.kind, c.given_name, c.family_name, c.organisation, c.phone, c.email,"
    " c.card_number, c.points_balance, c.ladder_stage, c.archived_at IS NOT NULL"
    " FROM contact c"
)


def match_expression(terms: list[str]) -> str:
    """An FTS5 query matching documents that contain every term as a prefix, as typed or in
    its NFKC form (see the module's docstring)."""
    return " AND ".join(_term_expression(term) for term in terms)


def _term_expression(term: str) -> str:
    forms = dict.fromkeys((term, unicodedata.normalize("NFKC", term)))
    phrases = ['"' + form.replace('"', '""') + '"*' for form in forms if form.strip()]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def matching_hit_rows(
    terms: list[str], candidate_limit: int, limit: int, include_archived: bool
) -> list[HitRow]:
    """Contacts not erased holding every term as a prefix, best ranked first, then by id.

    Ranking scores every candidate; only the first candidate_limit matches (the oldest
    contacts first) are ranked, so a one-letter query on a big shop stays quick.
    """
    archived_rule = "" if include_archived else " AND c.archived_at IS NULL"
    return database.execute_sql(
        "WITH candidates AS (SELECT rowid AS id, rank FROM contact_search"
        " WHERE contact_search MATCH ? LIMIT ?) "
        f"{_SELECT_HIT} JOIN candidates USING (id)"
        f" WHERE c.erased_at IS NULL{archived_rule}"
        " ORDER BY candidates.rank, c.id LIMIT ?",
        (match_expression(terms), candidate_limit, limit),
    ).fetchall()


def hit_row_by_card(card_number: str) -> HitRow | None:
    """The contact not erased holding exactly this card number, archived or not."""
    return database.execute_sql(
        f"{_SELECT_HIT} WHERE c.card_number = ? AND c.erased_at IS NULL", (card_number,)
    ).fetchone()


def hit_rows(ids: Iterable[int]) -> list[HitRow]:
    """The contacts with these ids, erased ones left out."""
    return database.execute_sql(
        f"{_SELECT_HIT} WHERE c.id {in_json_list()} AND c.erased_at IS NULL",
        (json.dumps(sorted(set(ids))),),
    ).fetchall()


def merge_index_segments(pages: int) -> bool:
    """One step of FTS5's incremental optimise: ('merge', -N) starts it, ('merge', N) goes
    on, N pages at most. Whether it is done: the step changed fewer than 2 rows (FTS5's
    documented test)."""
    before = database.execute_sql("SELECT total_changes()").fetchone()[0]
    database.execute_sql(
        "INSERT INTO contact_search (contact_search, rank) VALUES ('merge', ?)", (pages,)
    )
    return database.execute_sql("SELECT total_changes()").fetchone()[0] - before < 2


def contacts_matching_text(placeholder: str = "?") -> str:
    """A subquery of the ids of the contacts whose search document matches the text query in
    placeholder (match_expression writes it). The FTS5 index contact_search
    (schema 3), whose rowid is the contact's id."""
    return f"SELECT rowid FROM contact_search WHERE contact_search MATCH {placeholder}"
