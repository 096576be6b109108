"""Finding contacts as the counter does: part of a name, a phone fragment, an email or a card.

User text is cut at whitespace into at most MAX_TERMS chunks of a letter or digit at least
(search_terms()); a digits-only text is also looked up as a card number, which comes first.

The index behind it is the store's (relapp.db.store.search: SQLite's FTS5 on a file, a
trigram-indexed table of folded documents on a shop server), which alone writes the query:
each chunk must begin a word, as typed OR in its NFKC form ("ＡＢＣ" finds "ABC"), and user
text never reaches the engine as syntax. match_expression is that function, still importable
from here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from relapp.db.store import search as search_store
from relapp.db.store.search import HitRow

# match_expression (the FTS5 query) stays importable from here for callers that filter with
# the index themselves (relapp.domain.contacts.listing).
from relapp.db.store.search import match_expression as match_expression
from relapp.domain.contacts.naming import display_name

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
    rows = search_store.matching_hit_rows(
        terms, CANDIDATE_LIMIT, limit + len(hits), include_archived
    )
    seen = {hit.id for hit in hits}
    hits += [_hit(row) for row in rows if row[0] not in seen]
    return hits[:limit]


def find_by_card(card_number: str) -> ContactHit | None:
    """The contact holding exactly this card (a scan), archived or not; None if nobody."""
    row = search_store.hit_row_by_card(card_number)
    return None if row is None else _hit(row, exact_card=True)


def contact_hits(ids: Iterable[int]) -> dict[int, ContactHit]:
    """The contacts with these ids (erased ones left out), as search shows them."""
    rows = search_store.hit_rows(ids)
    return {row[0]: _hit(row) for row in rows}


def _hit(row: HitRow, exact_card: bool = False) -> ContactHit:
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
