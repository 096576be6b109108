"""A competition's draw: made once, recorded so that anyone can run it again, verified, and
its winners told (the competition and its entries: relapp.domain.listening.competitions; the
algorithm, pure: relapp.domain.listening.draw).

* The draw is made once (the schema's UNIQUE), by a manager, from the day after the
  competition's end: drawing earlier would leave out people who still enter in time, which
  the CAP Code's "winners chosen from all valid entries" forbids; so an early draw is refused,
  not merely confirmed. Which entries count is worked out as of the close (the person erased,
  outside the dates, a way not allowed, not eligible at the close, over the limit); segment
  eligibility is checked as of the draw, as a segment is a set of conditions, not a list kept
  by day. A draw with no valid entries records nothing.
* The record: the seed (secrets.token_hex(16) unless given), the valid entries in entry order
  with their anonymous entrant numbers ([[entry, entrant], ...]) and the excluded ones with
  their reasons ([[entry, reason], ...]). The entrant numbers make the record enough to run
  the draw again even after a winner is erased or merged (their entries then have another
  person or none). verify() runs it again and says whether the winners are the recorded ones,
  and which entries were added or removed since.
* Each winner gets a note on their timeline ("Won the draw: Spring hamper"), the draw is
  audited, and Today lists the winners until someone marks them told (audited too).
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from phonenumbers import NumberParseException

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import competitions as store
from relapp.db.store import ledger
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.phones import display_phone
from relapp.domain.listening.competitions import (
    Competition,
    CompetitionRefused,
    eligible_among,
    find_competition,
)
from relapp.domain.listening.draw import DrawRules, EntryFacts, draw_winners, sort_entries
from relapp.domain.loyalty.ledger import check_staff
from relapp.domain.memberships.status import shop_today
from relapp.domain.shop.formats import format_day
from relapp.domain.shop.staff import require_manager
from relapp.errors import excerpt

MAX_SEED = 200


@dataclass(frozen=True)
class Winner:
    position: int
    entry_id: int
    contact_id: int | None
    name: str  # "" when the person was erased
    phone: str | None
    email: str | None
    told_at: datetime | None

    @property
    def reach(self) -> str:
        """How to reach them: phone and email, or a word why not."""
        ways = [way for way in (_phone(self.phone), self.email) if way]
        if self.contact_id is None:
            return "erased: cannot be reached"
        return " · ".join(ways) or "no phone or email on file"


def _phone(stored: str | None) -> str | None:
    """A stored number as people read it (+61 412 345 678); as stored if it is not one."""
    if not stored:
        return None
    try:
        return display_phone(stored)
    except NumberParseException:
        return stored


@dataclass(frozen=True)
class RecordedDraw:
    """A competition's draw as recorded: everything needed to run it again."""

    competition: Competition
    drawn_at: datetime
    seed: str
    valid: list[tuple[int, int]]  # (entry number, entrant number), in entry order
    excluded: list[tuple[int, str]]  # (entry number, reason)
    winners: list[Winner]

    @property
    def excluded_counts(self) -> dict[str, int]:
        return dict(Counter(reason for _entry, reason in self.excluded))


@dataclass(frozen=True)
class Preview:
    """What a draw made now would draw from: shown in its confirmation."""

    competition: Competition
    valid: int
    persons: int
    excluded_counts: dict[str, int]

    @property
    def question(self) -> str:
        count = min(self.competition.winners, self.persons)
        winners = "1 winner" if count == 1 else f"{count} winners"
        entries = "1 valid entry" if self.valid == 1 else f"{self.valid:,} valid entries"
        return f"Draw {winners} from {entries}? This cannot be undone."


@dataclass(frozen=True)
class Drawn:
    draw: RecordedDraw
    change: Change


@dataclass(frozen=True)
class Verification:
    """The draw run again from its record, and what changed since."""

    draw: RecordedDraw
    again: list[int]  # the winning entries the record gives now, in order
    added: list[int]  # entries made since the draw (not in its record)
    removed: list[int]  # entries in the record that are gone

    @property
    def recorded(self) -> list[int]:
        return [winner.entry_id for winner in self.draw.winners]

    @property
    def matches(self) -> bool:
        return self.again == self.recorded


# ------------------------------------------------------------------------------- drawing


def _shop_day(stamp: str) -> date:
    return shop_today(parse_timestamp(stamp))


def _facts(competition: Competition) -> list[EntryFacts]:
    """Every entry of the competition as the draw sees it, eligibility as of the close."""
    rows = store.entries_of(competition.id)
    people = sorted({row[1] for row in rows if row[1] is not None and not row[4]})
    eligible = eligible_among(competition, people, competition.ends_on)
    return [
        EntryFacts(id_, person, route, _shop_day(entered_at), erased,
                   person is not None and person in eligible)
        for id_, person, route, entered_at, erased, _interaction in rows
    ]  # fmt: skip


def _rules(competition: Competition) -> DrawRules:
    return DrawRules(
        competition.starts_on, competition.ends_on, competition.routes,
        competition.limit_per_person,
    )  # fmt: skip


def _check_drawable(competition: Competition, today: date) -> None:
    if store.draw_row(competition.id) is not None:
        raise CompetitionRefused(f"{competition.name} was drawn already.")
    if today <= competition.ends_on:
        raise CompetitionRefused(
            f"{competition.name} runs to {format_day(competition.ends_on)}: draw it from"
            f" {format_day(competition.ends_on + timedelta(days=1))}, once every entry is in."
        )


def preview(competition_id: int, *, today: date | None = None) -> Preview:
    """What a draw made now would draw from (CompetitionRefused if it cannot be drawn)."""
    competition = find_competition(competition_id)
    _check_drawable(competition, today or shop_today(clock.utc_now()))
    sorted_ = sort_entries(_facts(competition), _rules(competition))
    persons = len({entrant for _entry, entrant in sorted_.valid})
    counts = dict(Counter(reason for _entry, reason in sorted_.excluded))
    return Preview(competition, len(sorted_.valid), persons, counts)


def make_draw(
    competition_id: int, seed: str | None = None, staff_id: int | None = None,
    *, as_owner: bool = False, now: datetime | None = None,
) -> Drawn:  # fmt: skip
    """Draw the competition's winners and record the draw (module docstring); a manager's
    (as_owner: the shop owner at the command line).

    Raises:
        NotAllowed: not as_owner and not a signed-in manager.
        CompetitionRefused: drawn already, not yet ended, a blank or overlong seed, or no
            valid entries (nothing recorded).
    """
    moment = now or clock.utc_now()
    if not as_owner:
        require_manager(staff_id, "draw a competition")
    chosen = secrets.token_hex(16) if seed is None else seed.strip()
    if not chosen:
        raise CompetitionRefused("A seed has at least one character other than a space.")
    if len(chosen) > MAX_SEED:
        raise CompetitionRefused(f"A seed has at most {MAX_SEED} characters.")
    with write_transaction():
        check_staff(staff_id)
        competition = find_competition(competition_id)
        _check_drawable(competition, shop_today(moment))
        sorted_ = sort_entries(_facts(competition), _rules(competition))
        if not sorted_.valid:
            raise CompetitionRefused(
                f"{competition.name} has no valid entries, so there is nobody to draw;"
                " nothing was recorded."
            )
        winners = draw_winners(chosen, sorted_.valid, competition.winners)
        stamp = format_timestamp(moment)
        store.insert_draw(
            competition.id, stamp, chosen, json.dumps(sorted_.valid),
            json.dumps(sorted_.excluded), staff_id,
        )  # fmt: skip
        people = {id_: person for id_, person, *_rest in store.entries_of(competition.id)}
        for position, entry_id in enumerate(winners, start=1):
            store.insert_winner(competition.id, position, entry_id)
            person = people[entry_id]
            assert person is not None  # valid entries have their person
            ledger.insert_note(person, moment, f"Won the draw: {competition.name}", staff_id)
        details = {
            "seed": chosen, "entries": len(sorted_.valid), "excluded": len(sorted_.excluded),
            "winners": winners,
        }  # fmt: skip
        write_audit("competition drawn", "competition", competition.id, details, moment,
                    staff_id)  # fmt: skip
        drawn = recorded_draw(competition.id)
    assert drawn is not None
    contact_ids = frozenset(w.contact_id for w in drawn.winners if w.contact_id is not None)
    change = Change.of(Entity.COMPETITIONS, Entity.INTERACTIONS, contact_ids=contact_ids)
    return Drawn(drawn, change)


def recorded_draw(competition_id: int) -> RecordedDraw | None:
    """The competition's draw as recorded, None if it is not drawn."""
    competition = find_competition(competition_id)
    row = store.draw_row(competition.id)
    if row is None:
        return None
    drawn_at, seed, entry_ids, excluded, _staff = row
    try:
        valid = [(int(entry), int(entrant)) for entry, entrant in json.loads(entry_ids)]
        left_out = [(int(entry), str(reason)) for entry, reason in json.loads(excluded)]
    except (ValueError, TypeError) as error:
        raise CompetitionRefused(
            f"The record of {competition.name}'s draw cannot be read ({excerpt(str(error))})."
        ) from None
    return RecordedDraw(
        competition, parse_timestamp(drawn_at), seed, valid, left_out, winners_of(competition.id)
    )


def winners_of(competition_id: int) -> list[Winner]:
    """The competition's winners in the order drawn (none before the draw)."""
    found = []
    for row in store.winner_rows(competition_id):
        (position, entry_id, told_at, contact_id, kind, given, family, organisation, phone,
         email, erased) = row  # fmt: skip
        gone = contact_id is None or erased
        name = "" if gone else display_name(kind or "", given or "", family or "",
                                            organisation or "")  # fmt: skip
        found.append(Winner(
            position, entry_id, None if gone else contact_id, name,
            None if gone else phone, None if gone else email,
            None if told_at is None else parse_timestamp(told_at),
        ))  # fmt: skip
    return found


def verify(competition_id: int) -> Verification:
    """Run the recorded draw again from its seed and entries (CompetitionRefused if the
    competition is not drawn)."""
    drawn = recorded_draw(competition_id)
    if drawn is None:
        name = find_competition(competition_id).name
        raise CompetitionRefused(f"{name} has not been drawn yet: there is nothing to verify.")
    again = draw_winners(drawn.seed, drawn.valid, drawn.competition.winners)
    recorded = {entry for entry, _ in drawn.valid} | {entry for entry, _ in drawn.excluded}
    now = {row[0] for row in store.entries_of(competition_id)}
    return Verification(drawn, again, sorted(now - recorded), sorted(recorded - now))


# ------------------------------------------------------------------------------ winners


def mark_told(
    competition_id: int, position: int, staff_id: int | None = None,
    *, now: datetime | None = None,
) -> Change:  # fmt: skip
    """Record that the winner at position was told of their prize; audited.

    Raises:
        CompetitionRefused: no such winner, or told already.
    """
    moment = now or clock.utc_now()
    with write_transaction():
        check_staff(staff_id)
        competition = find_competition(competition_id)
        winner = next((w for w in winners_of(competition.id) if w.position == position), None)
        if winner is None:
            raise CompetitionRefused(f"{competition.name} has no winner number {position}.")
        if not store.mark_told(competition.id, position, format_timestamp(moment)):
            raise CompetitionRefused(f"{winner.name or 'This winner'} was marked told already.")
        details = {"position": position, "entry_id": winner.entry_id,
                   "contact_id": winner.contact_id}  # fmt: skip
        write_audit("competition winner told", "competition", competition.id, details, moment,
                    staff_id)  # fmt: skip
    contact_ids = frozenset() if winner.contact_id is None else frozenset({winner.contact_id})
    return Change.of(Entity.COMPETITIONS, contact_ids=contact_ids)


@dataclass(frozen=True)
class WinnerToTell:
    """A line of Today's "Prize winners to contact"."""

    competition_id: int
    competition: str
    position: int
    contact_id: int
    name: str
    phone: str | None
    email: str | None

    @property
    def reach(self) -> str:
        ways = (_phone(self.phone), self.email)
        return " · ".join(way for way in ways if way) or "no phone or email on file"


def winners_to_tell(limit: int) -> tuple[int, list[WinnerToTell]]:
    """Winners not marked told: how many, and the first limit, the oldest draw first."""
    total, rows = store.winners_to_tell(limit)
    return total, [
        WinnerToTell(competition_id, competition, position, contact_id,
                     display_name(kind, given, family, organisation), phone, email)
        for (competition_id, competition, position, contact_id, kind, given, family,
             organisation, phone, email) in rows
    ]  # fmt: skip
