"""Finding contacts who are probably the same customer, so they can be merged.

find_duplicate_pairs() returns pairs, strongest evidence first, because a merge always joins
two contacts and a person reviews them one pair at a time. Evidence, as reasons:

* "same phone": the same E.164 number;
* "same email": the same address, ignoring ASCII case (as the email index compares);
* "same name": the same given and family name after folding case, accents and spaces
  (name_key()); both names must be present, since "Ann" alone says little.

A phone or email held by more than MAX_GROUP_SIZE contacts (erased and merged ones counted)
is no evidence at all: a shop's own number typed for walk-ins or a placeholder address says
nothing about any two of them. A name shared by more than MAX_GROUP_SIZE contacts does not on
its own make a pair (a common name), but it still backs up a shared phone or email.
Archived contacts take part; erased contacts, contacts already merged (relapp.domain.contacts.merge)
and pairs dismissed with dismiss_pair() do not.

Order: more reasons first; among equals a shared phone before a shared email before a shared
name (so: phone+email+name, phone+email, phone+name, email+name, phone, email, name); then the
smaller group (two people sharing a value before ten); then ids.

Scale: the work stops as soon as the strongest `limit` pairs are certain, because the weaker
kinds of evidence cost more. Phones: SQL groups over the phone index, then only the grouped
contacts are read. Emails likewise, read only if the phone pairs leave room. Names need accent
folding, which SQLite lacks: name_key() is registered as an SQL function and SQLite groups
every contact by it, one pass over the name index, run only if the phone and email pairs leave
room. Email-only and name-only pairs are built only as far as the limit needs.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Final, Literal

from relapp.db.audit import write_audit
from relapp.db.models import database
from relapp.db.store import contacts as contact_store
from relapp.db.store import duplicates as duplicates_store
from relapp.db.store.duplicates import MemberRow
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.merged_records import merged_contact_ids
from relapp.domain.contacts.search import ContactHit, contact_hits
from relapp.errors import RelappError

SAME_PHONE = "same phone"
SAME_EMAIL = "same email"
SAME_NAME = "same name"
REASONS = (SAME_PHONE, SAME_EMAIL, SAME_NAME)
DEFAULT_LIMIT = 500
MAX_GROUP_SIZE = 10
DISMISSED_SETTING = "duplicates_dismissed"  # JSON list of [lower id, higher id]
CHECK_EVERY = 20_000  # rows between progress reports and cancel checks

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
Pair = tuple[int, int]

# The kinds of evidence, strongest first; a pair's tier is its index here.
_TIERS = (
    frozenset({SAME_PHONE, SAME_EMAIL, SAME_NAME}),
    frozenset({SAME_PHONE, SAME_EMAIL}),
    frozenset({SAME_PHONE, SAME_NAME}),
    frozenset({SAME_EMAIL, SAME_NAME}),
    frozenset({SAME_PHONE}),
    frozenset({SAME_EMAIL}),
    frozenset({SAME_NAME}),
)
_TIER = {reasons: tier for tier, reasons in enumerate(_TIERS)}
# Progress, in percent, when each pass ends; the name pass takes most of a full search.
_PHONES_DONE, _EMAILS_DONE = 10, 30
# Letters read as a plain letter with a mark but that Unicode does not decompose (Bjørn,
# Łukasz, Barış), so NFKD alone would keep them apart from the plain spelling.
_UNDECOMPOSED_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe",
     "þ": "th"}
)  # fmt: skip


class DuplicateSearchCancelled(RelappError):
    """The search for duplicates was cancelled; nothing was changed."""


@dataclass(frozen=True)
class DuplicatePair:
    """Two contacts that look like one customer; first is the older (lower id)."""

    first: ContactHit
    second: ContactHit
    reasons: tuple[str, ...]  # in REASONS order

    @property
    def ids(self) -> Pair:
        return (self.first.id, self.second.id)


def name_key(given_name: str | None, family_name: str | None) -> str | None:
    """Given and family name folded for comparison, or None unless both are present.

    Folding: case folded (ß is ss), Unicode compatibility decomposition (NFKD) with combining
    marks dropped (so é is e and ﬁ is fi), the few marked letters Unicode does not decompose
    read plain (ø is o, ı is i), runs of whitespace made one space.
    """
    given, family = _fold(given_name or ""), _fold(family_name or "")
    return f"{given}\x1f{family}" if given and family else None


def find_duplicate_pairs(
    limit: int = DEFAULT_LIMIT,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> list[DuplicatePair]:
    """Up to limit likely duplicate pairs, strongest first (see the module docstring).

    Args:
        progress: called with (percent done, 100) now and then, and (100, 100) at the end.
        cancelled: polled now and then; returning True stops the search by raising
            DuplicateSearchCancelled.
    """
    return _Search(max(1, limit), progress, cancelled).run()


def dismiss_pair(first_id: int, second_id: int, staff_id: int | None = None) -> Change:
    """Remember that these two are different customers, so the pair is not suggested again."""
    pair = _ordered(first_id, second_id)
    with database.atomic():
        if pair in dismissed_pairs():
            return Change.of(Entity.CONTACTS, contact_ids=frozenset(pair))
        # One statement appends, so two counters dismissing at once both keep their pair.
        duplicates_store.append_pair_to_setting(DISMISSED_SETTING, *pair)
        write_audit(
            "duplicate dismissed",
            "contact",
            pair[0],
            {"contact_ids": list(pair)},
            utc_now(),
            staff_id,
        )
    return Change.of(Entity.CONTACTS, contact_ids=frozenset(pair))


def dismissed_pairs() -> frozenset[Pair]:
    """Every pair dismissed as "not a duplicate", each as (lower id, higher id)."""
    value = duplicates_store.setting_value(DISMISSED_SETTING)
    if value is None:
        return frozenset()
    return frozenset(_ordered(first, second) for first, second in json.loads(value))


# (id, phone, email lower-cased as NOCASE does, name key)
_Member = tuple[int, str | None, str | None, str | None]
_PHONE: Final = 1
_EMAIL: Final = 2
_NAME: Final = 3


class _Search:
    """One search: the pairs found so far, each with its tier and group size."""

    def __init__(
        self, limit: int, progress: ProgressCallback | None, cancelled: CancelCheck | None
    ) -> None:
        self.limit = limit
        self.progress = progress
        self.cancelled = cancelled
        self.excluded = merged_contact_ids()
        self.dismissed = dismissed_pairs()
        self.found: dict[Pair, tuple[int, int]] = {}  # pair -> (tier, group size)

    def run(self) -> list[DuplicatePair]:
        self.report(0)
        self.add_phone_pairs()
        self.report(_PHONES_DONE)
        # Pairs sharing a phone are all known now, so the three strongest tiers are complete.
        if not self.has_room(_TIER[frozenset({SAME_PHONE, SAME_NAME})]):
            return self.result()
        email_groups = self.groups(duplicates_store.members_sharing_an_email, _EMAIL)
        self.add_pairs_sharing_a_name(email_groups, (SAME_EMAIL, SAME_NAME))
        self.report(_EMAILS_DONE)
        if self.has_room(_TIER[frozenset({SAME_PHONE})]):
            self.add_best_remaining(email_groups, (SAME_EMAIL,))
        if self.has_room(_TIER[frozenset({SAME_EMAIL})]):
            self.add_best_remaining(self.name_groups(), (SAME_NAME,))
        self.report(100)
        return self.result()

    def add_phone_pairs(self) -> None:
        groups = self.groups(duplicates_store.members_sharing_a_phone, _PHONE)
        backing = _uncrowded_emails({m[_EMAIL] for group in groups for m in group if m[_EMAIL]})
        for group in groups:
            for first, second in combinations(group, 2):
                reasons = [SAME_PHONE]
                if first[_EMAIL] in backing and first[_EMAIL] == second[_EMAIL]:
                    reasons.append(SAME_EMAIL)
                if first[_NAME] is not None and first[_NAME] == second[_NAME]:
                    reasons.append(SAME_NAME)
                self.add((first[0], second[0]), reasons, len(group))

    def add_pairs_sharing_a_name(
        self, groups: list[list[_Member]], reasons: tuple[str, ...]
    ) -> None:
        """Pairs within each group that also share a name and were not found already.

        A pair in an email group that also shares a phone was found with the phones (or
        the phone is crowded, and no evidence), so these are exactly the email+name pairs.
        """
        for group in groups:
            by_name: dict[str, list[_Member]] = defaultdict(list)
            for member in group:
                if member[_NAME] is not None:
                    by_name[member[_NAME]].append(member)
            for same_name in by_name.values():
                for first, second in combinations(same_name, 2):
                    self.add((first[0], second[0]), reasons, len(group))

    def add_best_remaining(self, groups: Iterable[list[_Member]], reasons: tuple[str, ...]) -> None:
        """The best pairs of a weaker tier not found already, only as many as can be shown.

        Every stronger pair is known by now, so a pair not found yet shares nothing but the
        groups' value.
        """
        tier = _TIER[frozenset(reasons)]
        room = self.limit - sum(1 for t, _ in self.found.values() if t < tier)
        if room <= 0:
            return
        by_size: dict[int, list[list[_Member]]] = defaultdict(list)
        for group in groups:
            by_size[len(group)].append(group)
        for size in sorted(by_size):
            pairs = sorted(
                pair
                for group in by_size[size]
                for pair in combinations((member[0] for member in group), 2)
                if pair not in self.found and pair not in self.dismissed
            )
            for pair in pairs[:room]:
                self.add(pair, reasons, size)
            room -= min(room, len(pairs))
            if not room:
                return

    def add(self, pair: Pair, reasons: Iterable[str], size: int) -> None:
        if pair not in self.dismissed and pair not in self.found:
            self.found[pair] = (_TIER[frozenset(reasons)], size)

    def has_room(self, complete_through: int) -> bool:
        """Whether fewer than limit pairs are in the tiers known completely so far."""
        certain = sum(1 for tier, _ in self.found.values() if tier <= complete_through)
        return certain < self.limit

    def groups(
        self, members: Callable[[int], Iterator[MemberRow]], column: Literal[1, 2, 3]
    ) -> list[list[_Member]]:
        """Live contacts grouped by one value, merged contacts left out, pairs possible.

        members: the store's read of the contacts sharing that value with a few others.
        """
        grouped: dict[str | None, list[_Member]] = defaultdict(list)
        for number, (cid, phone, email, given, family) in enumerate(
            members(MAX_GROUP_SIZE), start=1
        ):
            if number % CHECK_EVERY == 0:
                self.check_cancelled()
            if cid not in self.excluded:
                member = (cid, phone, _nocase(email) if email else None, name_key(given, family))
                grouped[member[column]].append(member)
        return [sorted(group) for group in grouped.values() if len(group) > 1]

    def name_groups(self) -> Iterator[list[_Member]]:
        """Live contacts grouped by name (ids only), reporting progress as SQLite goes."""
        total = contact_store.count_contacts() or 1

        def on_row(scanned: int) -> None:
            self.report(_EMAILS_DONE + (100 - _EMAILS_DONE) * scanned // total)

        for ids in _name_groups(on_row):
            members = sorted(cid for cid in ids if cid not in self.excluded)
            if len(members) > 1:
                yield [(cid, None, None, None) for cid in members]

    def result(self) -> list[DuplicatePair]:
        ranked = sorted(self.found, key=lambda pair: (*self.found[pair], pair))[: self.limit]
        contacts = contact_hits({cid for pair in ranked for cid in pair})
        return [
            DuplicatePair(
                contacts[first],
                contacts[second],
                tuple(r for r in REASONS if r in _TIERS[self.found[(first, second)][0]]),
            )
            for first, second in ranked
        ]

    def report(self, percent: int) -> None:
        """Tell progress how far the search is; every report is also a chance to cancel."""
        if self.progress is not None:
            self.progress(percent, 100)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise DuplicateSearchCancelled("The search for duplicates was cancelled.")


def _uncrowded_emails(emails: set[str]) -> set[str]:
    """Those of the (lower-case) emails held by at most MAX_GROUP_SIZE contacts."""
    return {
        _nocase(email) for email in duplicates_store.emails_held_by_at_most(emails, MAX_GROUP_SIZE)
    }


def _name_groups(on_row: Callable[[int], None]) -> list[list[int]]:
    """Ids of live contacts grouped by name_key(), two to MAX_GROUP_SIZE per name.

    SQLite calls back into Python for each contact's key; on_row(scanned) runs every
    CHECK_EVERY contacts and may raise to stop the query (its exception comes out here).
    """
    scanned = 0

    def key(given: str, family: str) -> str | None:
        nonlocal scanned
        scanned += 1
        if scanned % CHECK_EVERY == 0:
            on_row(scanned)
        return name_key(given, family)

    return duplicates_store.ids_grouped_by_name(key, MAX_GROUP_SIZE)


@lru_cache(maxsize=65_536)  # names repeat a lot; a shop has far fewer names than contacts
def _fold(text: str) -> str:
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.translate(_UNDECOMPOSED_LETTERS).split())


def _nocase(text: str) -> str:
    """Lower case for ASCII letters only, as SQLite's NOCASE compares."""
    return text.encode().lower().decode()


def _ordered(first_id: int, second_id: int) -> Pair:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)
