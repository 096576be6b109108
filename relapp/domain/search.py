"""Finding contacts as the counter does: part of a name, a phone fragment, an email or a card.

The storage behind it is SQLite FTS5 (schema 3); this module is the one place that knows, so
a PostgreSQL tsvector search can replace it behind the same functions.

User text never reaches FTS5's query language: it is cut at whitespace into at most
MAX_TERMS chunks, and each chunk becomes a quoted phrase with a prefix star, so quotes,
`-`, `*`, `OR`, emoji and the like are just text. FTS5 tokenizes a quoted chunk the same way
it tokenized the documents, so `o'brien`, `+61 412` and `ann.lee@` all match.

Compatibility characters (full-width letters and digits, half-width katakana, ligatures,
ª and º, superscripts) are indexed as stored: the index is kept by triggers in plain SQL so
that any program writing the contact table keeps search right, and plain SQL cannot apply
NFKC. So each chunk matches as typed OR in its NFKC form: "ﾀﾛｳ" finds "ﾀﾛｳ", and "ＡＢＣ"
finds both "ＡＢＣ" and "ABC" (but "ABC" does not find "ＡＢＣ").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from relapp.db.models import database
from relapp.domain.contacts import display_name

MAX_TERMS = 8
MAX_TERM_LENGTH = 64
DEFAULT_LIMIT = 20
# Ranking scores every candidate; a one-letter query on a big shop matches hundreds of
# thousands, so only this many (the oldest contacts first) are ranked. Typing more narrows it.
CANDIDATE_LIMIT = 2_000


@dataclass(frozen=True)
class ContactHit:
    id: int
    name: str
    phone: str | None
    email: str | None
    card_number: str | None
    points_balance: int
    ladder_stage: str
    archived: bool
    exact_card: bool = False


def search_terms(text: str) -> list[str]:
    """The chunks of user text worth searching for (those with a letter or digit)."""
    # Control characters (a NUL ends the query string inside SQLite) separate like spaces.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    chunks = [chunk[:MAX_TERM_LENGTH] for chunk in text.split()]
    return [chunk for chunk in chunks if any(ch.isalnum() for ch in chunk)][:MAX_TERMS]


def match_expression(terms: list[str]) -> str:
    """An FTS5 query matching documents that contain every term as a prefix, as typed or in
    its NFKC form (see the module's docstring)."""
    return " AND ".join(_term_expression(term) for term in terms)


def _term_expression(term: str) -> str:
    forms = dict.fromkeys((term, unicodedata.normalize("NFKC", term)))
    phrases = ['"' + form.replace('"', '""') + '"*' for form in forms if form.strip()]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


_SELECT_HIT = (
    "SELECT c.id, c.kind, c.given_name, c.family_name, c.organisation, c.phone, c.email,"
    " c.card_number, c.points_balance, c.ladder_stage, c.archived_at IS NOT NULL"
    " FROM contact c"
)


def search_contacts(
    text: str, limit: int = DEFAULT_LIMIT, include_archived: bool = False
) -> list[ContactHit]:
    """The contacts matching text, best first; an exact card number comes first of all."""
    limit = max(1, limit)
    hits: list[ContactHit] = []
    card = text.strip()
    if card.isdigit():
        exact = find_by_card(card)
        if exact is not None and (include_archived or not exact.archived):
            hits.append(exact)
    terms = search_terms(text)
    if not terms:
        return hits
    archived_rule = "" if include_archived else " AND c.archived_at IS NULL"
    rows = database.execute_sql(
        "WITH candidates AS (SELECT rowid AS id, rank FROM contact_search"
        " WHERE contact_search MATCH ? LIMIT ?) "
        f"{_SELECT_HIT} JOIN candidates USING (id)"
        f" WHERE c.erased_at IS NULL{archived_rule}"
        " ORDER BY candidates.rank, c.id LIMIT ?",
        (match_expression(terms), CANDIDATE_LIMIT, limit + len(hits)),
    ).fetchall()
    seen = {hit.id for hit in hits}
    hits += [_hit(row) for row in rows if row[0] not in seen]
    return hits[:limit]


def find_by_card(card_number: str) -> ContactHit | None:
    """The contact holding exactly this card (a scan), archived or not; None if nobody."""
    row = database.execute_sql(
        f"{_SELECT_HIT} WHERE c.card_number = ? AND c.erased_at IS NULL", (card_number,)
    ).fetchone()
    return None if row is None else _hit(row, exact_card=True)


def contact_hits(ids: Iterable[int]) -> dict[int, ContactHit]:
    """The contacts with these ids (erased ones left out), as search shows them."""
    rows = database.execute_sql(
        f"{_SELECT_HIT} WHERE c.id IN (SELECT value FROM json_each(?)) AND c.erased_at IS NULL",
        (json.dumps(sorted(set(ids))),),
    )
    return {row[0]: _hit(row) for row in rows}


def _hit(row: tuple, exact_card: bool = False) -> ContactHit:
    contact_id, kind, given, family, organisation, phone, email, card, points, stage, archived = row
    return ContactHit(
        id=contact_id,
        name=display_name(kind, given, family, organisation),
        phone=phone,
        email=email,
        card_number=card,
        points_balance=points,
        ladder_stage=stage,
        archived=bool(archived),
        exact_card=exact_card,
    )
