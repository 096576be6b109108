"""A prize draw anyone can run again: which entries count, and the winners drawn from them.

Pure: no clock, no database, nothing random here. The seed is chosen by the caller (a fresh
secrets.token_hex(16), or one the owner gives) and recorded with the draw, so the same seed
over the same entries gives the same winners on any computer, with any Python, or by hand
with a SHA-256 tool (the algorithm is ALGORITHM, printed on the draw's PDF):

1. Which entries count (sort_entries). Each entry is looked at in the order made, with the
   first reason that applies: the person was erased; entered outside the competition's
   dates; by a way of entering the competition does not allow; the person not eligible at
   the close (who may enter is the caller's to work out); or over the limit per person,
   counting only the person's entries that count so far (their first entries count, the
   later ones are left out). Valid entries are numbered by entrant: 1 for the person of the
   first valid entry, 2 for the next new person, and so on, so the record says which
   entries share a person without saying who.
2. The winners (draw_winners). Each valid entry's key is SHA-256 of the UTF-8 text
   seed + ":" + the entry's number in decimal, written as 64 lower-case hex digits. The
   entries are sorted by key, lowest first (the entry number breaks a tie, which never
   happens in practice), and walked in that order, taking each entry whose entrant has not
   already won, until the number of winners is reached or the entries run out. More entries
   give a person more chances, never two prizes. No modulo, no float: no bias.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# Why an entry does not count, in the order they are looked at (stored in the draw's record).
ERASED, OUTSIDE_DATES, ROUTE_NOT_ALLOWED, NOT_ELIGIBLE, OVER_LIMIT = (
    "erased", "outside_dates", "route", "not_eligible", "over_limit",
)  # fmt: skip
EXCLUSION_REASONS = (ERASED, OUTSIDE_DATES, ROUTE_NOT_ALLOWED, NOT_ELIGIBLE, OVER_LIMIT)

ALGORITHM = (
    'Each valid entry\'s key is the SHA-256 digest of the text seed + ":" + entry number '
    "(UTF-8, the number in decimal), written as 64 lower-case hexadecimal digits. The valid "
    "entries are sorted by key, lowest first, and walked in that order: an entry wins unless "
    "its entrant has already won, until the number of winners is reached. A person with "
    "several entries has several chances but can win only once."
)


@dataclass(frozen=True)
class EntryFacts:
    """What the draw needs to know of one entry."""

    id: int
    person: int | None  # the customer's number; None: the person is gone
    route: str
    entered_on: date  # the shop's day of the entry
    erased: bool
    eligible: bool  # whether the person may enter, as of the close


@dataclass(frozen=True)
class DrawRules:
    """The competition's terms that decide which entries count."""

    starts_on: date
    ends_on: date
    routes: frozenset[str]
    limit_per_person: int


@dataclass(frozen=True)
class Sorted:
    """The entries that count, as (entry number, entrant number) in entry order, and the
    ones that do not, as (entry number, reason)."""

    valid: list[tuple[int, int]]
    excluded: list[tuple[int, str]]


def sort_entries(entries: Iterable[EntryFacts], rules: DrawRules) -> Sorted:
    """Which entries count (module docstring, 1)."""
    valid: list[tuple[int, int]] = []
    excluded: list[tuple[int, str]] = []
    counted: dict[int, int] = {}  # person -> entries counted so far
    entrant: dict[int, int] = {}  # person -> their entrant number
    for entry in sorted(entries, key=lambda each: each.id):
        reason = _reason(entry, rules, counted)
        if reason is not None:
            excluded.append((entry.id, reason))
            continue
        assert entry.person is not None  # a gone person is "erased"
        counted[entry.person] = counted.get(entry.person, 0) + 1
        number = entrant.setdefault(entry.person, len(entrant) + 1)
        valid.append((entry.id, number))
    return Sorted(valid, excluded)


def _reason(entry: EntryFacts, rules: DrawRules, counted: dict[int, int]) -> str | None:
    if entry.person is None or entry.erased:
        return ERASED
    if not rules.starts_on <= entry.entered_on <= rules.ends_on:
        return OUTSIDE_DATES
    if entry.route not in rules.routes:
        return ROUTE_NOT_ALLOWED
    if not entry.eligible:
        return NOT_ELIGIBLE
    if counted.get(entry.person, 0) >= rules.limit_per_person:
        return OVER_LIMIT
    return None


def entry_key(seed: str, entry_id: int) -> str:
    """The entry's place in the draw: SHA-256 of seed:entry as lower-case hex."""
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


def draw_winners(seed: str, valid: Sequence[tuple[int, int]], winners: int) -> list[int]:
    """The winning entries in the order drawn (module docstring, 2); valid holds
    (entry number, entrant number) pairs."""
    ordered = sorted(valid, key=lambda pair: (entry_key(seed, pair[0]), pair[0]))
    won: list[int] = []
    entrants: set[int] = set()
    for entry_id, entrant in ordered:
        if len(won) == winners:
            break
        if entrant not in entrants:
            entrants.add(entrant)
            won.append(entry_id)
    return won
