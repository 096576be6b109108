"""Finding contacts on a PostgreSQL shop server: FTS5's answers, in PostgreSQL's words.

relapp.db.store.search hands over to this module when the models are bound to a server
(dialect.on_server()); the callers keep using that module's functions. The server keeps one
document per contact in contact_search (relapp.db.server.schema), the same text FTS5 indexes
on a shop file, folded: ' ' || relapp_fold(...) || ' ', where relapp_fold lowercases, removes
accents (unaccent) and turns every run of characters other than letters and digits into one
space; an erased contact's document is ''. A pg_trgm GIN index serves LIKE on it.

FTS5's quoted prefix phrase "term"* (tokenizer unicode61 remove_diacritics 2) becomes: the
term, folded by relapp_fold itself (so accents fold exactly as the documents' did), starts a
word of the document, `document LIKE '% ' || folded || '%'`. A term that folds to several
words ("ann.lee@", "+61 412") thus matches them as consecutive words, the last as a prefix,
as FTS5's phrase does; a term that folds to nothing (only punctuation or emoji) matches
nothing, as FTS5's empty phrase. Every term must match, each as typed or in its NFKC form
(term_forms(); see relapp.db.store.search). relapp_fold leaves only letters, digits and
single spaces, so no LIKE wildcard can come from the user; the patterns escape them anyway.
"""

from __future__ import annotations

import json
import unicodedata

from relapp.db.migrations.m0012_word_starts import LONGEST_START
from relapp.db.migrations.m0012_word_starts import TABLE as WORD_STARTS


def term_forms(term: str) -> list[str]:
    """The spellings a term matches as: as typed, and its NFKC form if that differs."""
    forms = dict.fromkeys((term, unicodedata.normalize("NFKC", term)))
    return [form for form in forms if form.strip()]


def _folded(text_sql: str) -> str:
    """SQL: the text folded as the documents are, LIKE's wildcards escaped (with the default
    escape character, a backslash); NULL when it folds to nothing, so that it matches
    nothing."""
    folded = f"nullif(relapp_fold({text_sql}), '')"
    return rf"replace(replace(replace({folded}, '\', '\\'), '%', '\%'), '_', '\_')"


def _starts_a_word(text_sql: str) -> str:
    """SQL: the LIKE pattern of the documents in which the text starts a word."""
    return f"'% ' || {_folded(text_sql)} || '%'"


def _is_a_word(text_sql: str) -> str:
    """SQL: the LIKE pattern of the documents in which the text is a whole word (or words)."""
    return f"'% ' || {_folded(text_sql)} || ' %'"


# How many of the walked term's contacts, in id order, are checked before the trigram index
# is used for the rest: candidate_limit times this.
_WALK_FACTOR = 10


def ranked_candidates(terms: list[str], candidate_limit: int) -> tuple[str, list[object]]:
    """A query of (id, rank) of the first candidate_limit contacts, in id order, whose
    document holds every term as a prefix, and its parameters (one per form of a term). rank
    (an array, lower first) stands in for FTS5's bm25 on short name searches: more terms that
    are whole words of the document first, then shorter documents.

    FTS5 reads a prefix's contacts in id order and stops at candidate_limit; a trigram index
    finds them in no order, so it would read every match of a common term (a single letter:
    a third of a big shop) to keep the first ones. So one term, the longest (the fewest
    contacts, most likely), is walked in contact_word_start (schema 12): the contacts with a
    word starting as its first word does (up to four letters), in id order; every match is
    among them. A longer first word is checked against the words its first four letters
    start, which that index holds, so no document is read for a contact without the word.
    Each contact walked is checked against every term; the walk stops at candidate_limit
    matches (a single term: nearly every contact walked matches), or after candidate_limit *
    _WALK_FACTOR contacts. If it stopped there with fewer matches, the terms are rare enough
    for the trigram index to find the rest quickly: the matches after the head's last (no
    contact between that one and the end of the walk matches; ids are positive; `+ 0` keeps
    the planner from reading the id index for this too).

    head reads walk as written, in id order (a CTE is read lazily and in order; an ORDER BY
    there would make the planner, which cannot know that order, sort the whole walk first).
    Its documents are read one by one (`OFFSET 0` keeps the planner from joining them all
    through the trigram index instead). The patterns are made once (patterns), not for each
    document. None of this depends on the planner's estimates, which the generic plan of a
    prepared statement does without.
    """
    limit = int(candidate_limit)
    walk_limit = limit * _WALK_FACTOR
    columns: list[str] = []
    params: list[object] = []
    matching: list[str] = []
    whole: list[str] = []
    for number, term in enumerate(terms):
        forms = term_forms(term)
        prefixes: list[str] = []
        words: list[str] = []
        for form_number, form in enumerate(forms):
            name = f"{number}_{form_number}"
            columns += [f"{_starts_a_word('?')} AS p{name}", f"{_is_a_word('?')} AS w{name}"]
            params += [form, form]
            prefixes.append(f"document LIKE (SELECT p{name} FROM patterns)")
            words.append(f"document LIKE (SELECT w{name} FROM patterns)")
        matching.append(f"({' OR '.join(prefixes)})" if prefixes else "false")
        whole.append(f"CASE WHEN {' OR '.join(words)} THEN 1 ELSE 0 END" if words else "0")
    # Every form of a term folds alike (relapp_fold applies NFKC itself), so one form's
    # start stands for the term's.
    walked = max(terms, key=lambda term: len(term.strip()), default="")
    columns.append(f"left(walked.word, {LONGEST_START}) AS walk_start")
    columns.append(
        f"CASE WHEN length(walked.word) > {LONGEST_START} THEN '% ' || walked.word || '%'"
        " ELSE '%' END AS walk_words"
    )
    condition = " AND ".join(matching) or "false"
    sql = (
        f"WITH patterns AS MATERIALIZED (SELECT {', '.join(columns)}"
        " FROM (SELECT split_part(relapp_fold(?), ' ', 1) AS word) AS walked),"
        f" walk AS MATERIALIZED (SELECT contact_id FROM {WORD_STARTS}"
        ' WHERE start = (SELECT walk_start FROM patterns) COLLATE "C"'
        " AND words LIKE (SELECT walk_words FROM patterns)"
        f" ORDER BY contact_id LIMIT {walk_limit}),"
        " head AS MATERIALIZED (SELECT w.contact_id, d.document FROM walk AS w"
        " CROSS JOIN LATERAL (SELECT document FROM contact_search s"
        f" WHERE s.contact_id = w.contact_id OFFSET 0) AS d WHERE {condition} LIMIT {limit}),"
        " rest AS MATERIALIZED (SELECT contact_id, document FROM contact_search"
        f" WHERE {condition} AND CASE WHEN (SELECT count(*) FROM head) < {limit}"
        f" THEN (SELECT count(*) FROM walk) = {walk_limit} ELSE false END"
        " AND contact_id + 0 > (SELECT coalesce(max(contact_id), 0) FROM head)),"
        " matches AS (SELECT contact_id, document FROM head UNION ALL (SELECT contact_id,"
        f" document FROM rest ORDER BY contact_id LIMIT {limit} - (SELECT count(*) FROM head)))"
        f" SELECT contact_id AS id, ARRAY[-({' + '.join(whole) or '0'}), length(document)]"
        " AS rank FROM matches"
    )
    return sql, [*params, walked]


def match_expression(terms: list[str]) -> str:
    """The text query of contacts_matching_text: a JSON list of each term's forms."""
    return json.dumps([term_forms(term) for term in terms], ensure_ascii=False)


def contacts_matching_text(placeholder: str = "?") -> str:
    """A subquery of the ids of the contacts whose document holds every term of the text query
    in placeholder (match_expression writes it) as a prefix, in one form or another.

    The terms' patterns are made once (terms). One term is matched with the trigram index:
    the one whose forms fold longest (the fewest documents, most likely), or one that folds to
    nothing (which finds none); every term is then checked on what it finds.
    """
    return (
        "WITH terms AS MATERIALIZED ("
        f" SELECT t.n, array_agg({_starts_a_word('f.form')}) AS patterns,"
        f" count({_folded('f.form')}) AS folded,"
        f" min(length({_folded('f.form')})) AS shortest"
        f" FROM jsonb_array_elements(({placeholder})::jsonb) WITH ORDINALITY AS t(forms, n)"
        " LEFT JOIN LATERAL jsonb_array_elements_text(t.forms) AS f(form) ON true"
        " GROUP BY t.n) "
        "SELECT s.contact_id FROM contact_search s"
        " WHERE s.document LIKE ANY ((SELECT patterns FROM terms"
        " ORDER BY folded = 0 DESC, shortest DESC, n LIMIT 1)::text[])"
        " AND NOT EXISTS (SELECT FROM terms"
        " WHERE NOT coalesce(s.document LIKE ANY (terms.patterns), false))"
    )
