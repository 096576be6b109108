"""Finding contacts: the full-text index and the rows a search shows.

SQLite engine: SQLite's FTS5 (schema 3), the external-content table contact_search over the
view contact_search_source, kept by triggers in plain SQL. On a PostgreSQL shop server each
function here answers with relapp.db.store.server_search's SQL instead (a folded document per
contact and a trigram index), with the same results; the callers use this module on both
engines. The domain (relapp.domain.contacts.search) keeps what it does with the user's text.

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
from relapp.db.store import server_search
from relapp.db.store.dialect import in_json_list, on_server

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
    its NFKC form (see the module's docstring). On a server: server_search's text query, for
    contacts_matching_text there."""
    if on_server():
        return server_search.match_expression(terms)
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
    contacts first) are ranked, so a one-letter query on a big shop stays quick. FTS5 ranks
    by bm25; a server by server_search.ranked_candidates' stand-in for it.
    """
    archived_rule = "" if include_archived else " AND c.archived_at IS NULL"
    if on_server():
        # The ranked candidates, best first, each looked up until limit are found (each
        # OFFSET 0 keeps its subquery as written, rather than a join over every contact).
        candidates, params = server_search.ranked_candidates(terms, candidate_limit)
        return database.execute_sql(
            f"SELECT hit.* FROM (SELECT id, rank FROM ({candidates}) AS ranked"
            f" ORDER BY rank, id OFFSET 0) AS k CROSS JOIN LATERAL ({_SELECT_HIT}"
            f" WHERE c.id = k.id AND c.erased_at IS NULL{archived_rule} OFFSET 0) AS hit"
            " ORDER BY k.rank, k.id LIMIT ?",
            (*params, limit),
        ).fetchall()
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
    documented test).

    A server has no FTS5 index to optimise: done at once. (An erased contact's old document
    stays in dead row versions of contact_search and in its trigram index until VACUUM,
    which autovacuum runs and which cannot run inside this transaction.)"""
    if on_server():
        return True
    before = database.execute_sql("SELECT total_changes()").fetchone()[0]
    database.execute_sql(
        "INSERT INTO contact_search (contact_search, rank) VALUES ('merge', ?)", (pages,)
    )
    return database.execute_sql("SELECT total_changes()").fetchone()[0] - before < 2


def contacts_matching_text(placeholder: str = "?") -> str:
    """A subquery of the ids of the contacts whose search document matches the text query in
    placeholder (match_expression writes it). The FTS5 index contact_search
    (schema 3), whose rowid is the contact's id; on a server, server_search's subquery."""
    if on_server():
        return server_search.contacts_matching_text(placeholder)
    return f"SELECT rowid FROM contact_search WHERE contact_search MATCH {placeholder}"
