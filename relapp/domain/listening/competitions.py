"""Competitions (prize draws): setting one up and entering customers. UK prize draws fall
under the CAP Code: no purchase necessary, the terms published, the winners chosen fairly;
the rules here follow from that (the draw itself: relapp.domain.listening.winners).

* A competition runs from its first to its last day (the shop's calendar days, both
  included). Its rules text is printed on the paper entry form. Who may enter: everyone, the
  customers of a saved segment (its conditions as they are when checked), or current members
  (a membership not cancelled running that day; relapp.domain.memberships). How: at the
  counter, on paper, by purchase. A purchase route always has a free route beside it (the
  schema refuses one without): the no-purchase route, described in words ("write in with
  your name and phone number") and recorded as its own route. A limit of entries per person
  and the number of winners. Setting one up is a manager's; its terms are audited, rules
  included. A drawn competition is not changed.
* Entering is refused in one sentence, nothing written: an unknown, erased or archived
  customer, a competition drawn already or outside its dates, a way of entering it does not
  allow, a customer not eligible that day, or the limit per person reached. An entry by
  purchase names the customer's sale. Entries log nothing on the timeline (a busy counter
  would bury it) and are not audited: the entry row itself says who entered, when, how and
  which staff member typed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import competitions as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.listing import ContactFilter, filter_where
from relapp.domain.loyalty.ledger import check_staff, live_customer
from relapp.domain.memberships.status import shop_today
from relapp.domain.shop.formats import format_day
from relapp.domain.shop.staff import require_manager
from relapp.domain.terms import (
    COMPETITION_ELIGIBILITIES,
    COMPETITION_ELIGIBILITY_NAMES,
    ENTRY_ROUTE_NAMES,
    ENTRY_ROUTES,
)
from relapp.errors import RelappError

MAX_NAME = 80
MAX_RULES = 5_000
MAX_NO_PURCHASE = 300
MAX_LIMIT = 100  # entries per person
MAX_WINNERS = 100
MAX_DAYS = 3_650  # the schema's bound on a survey's days; a competition runs at most this long
SUMMARY_LENGTH = 140
UPCOMING, OPEN, CLOSED, DRAWN = "upcoming", "open", "closed", "drawn"


class CompetitionRefused(RelappError):
    """The competition cannot be saved, entered or drawn as asked; nothing was changed."""


@dataclass(frozen=True)
class Competition:
    id: int
    name: str
    starts_on: date
    ends_on: date
    rules: str
    eligibility: str  # all, segment, members
    segment: str  # the segment's name for eligibility "segment", else ""
    by_counter: bool
    by_paper: bool
    by_purchase: bool
    no_purchase_route: str
    limit_per_person: int
    winners: int

    @property
    def routes(self) -> frozenset[str]:
        """The ways an entry may be made: a purchase route brings its free route."""
        allowed = {"counter"} if self.by_counter else set()
        if self.by_paper:
            allowed.add("paper")
        if self.by_purchase:
            allowed |= {"purchase", "no_purchase"}
        return frozenset(allowed)

    @property
    def routes_text(self) -> str:
        """ "At the counter, on paper" in the order of ENTRY_ROUTES; the free route of a
        purchase route is described on its own (no_purchase_route)."""
        names = [ENTRY_ROUTE_NAMES[route] for route in ENTRY_ROUTES
                 if route in self.routes and route != "no_purchase"]  # fmt: skip
        return ", ".join(names[:1] + [name.lower() for name in names[1:]])

    @property
    def summary(self) -> str:
        """The rules' first line, cut to one line of a dialog."""
        first = next((line.strip() for line in self.rules.splitlines() if line.strip()), "")
        return first if len(first) <= SUMMARY_LENGTH else first[: SUMMARY_LENGTH - 1] + "…"

    @property
    def eligibility_text(self) -> str:
        if self.eligibility == "segment":
            return f"Customers in the segment {self.segment!r}"
        return COMPETITION_ELIGIBILITY_NAMES[self.eligibility]

    @property
    def dates_text(self) -> str:
        return f"{format_day(self.starts_on)} to {format_day(self.ends_on)}"

    @property
    def ends_text(self) -> str:
        return format_day(self.ends_on)

    def state(self, today: date, drawn: bool = False) -> str:
        if drawn:
            return DRAWN
        if today < self.starts_on:
            return UPCOMING
        return OPEN if today <= self.ends_on else CLOSED


@dataclass(frozen=True)
class Listed:
    """A line of the Competitions page."""

    competition: Competition
    entries: int
    drawn_at: datetime | None

    def state(self, today: date) -> str:
        return self.competition.state(today, self.drawn_at is not None)


@dataclass(frozen=True)
class Draft:
    """A competition as the editor fills it in (dates as dates; the segment by name)."""

    name: str
    starts_on: date
    ends_on: date
    rules: str = ""
    eligibility: str = "all"
    segment: str = ""
    by_counter: bool = True
    by_paper: bool = False
    by_purchase: bool = False
    no_purchase_route: str = ""
    limit_per_person: int = 1
    winners: int = 1


@dataclass(frozen=True)
class Saved:
    competition: Competition
    change: Change


@dataclass(frozen=True)
class Entered:
    entry_id: int
    text: str  # "Mary Smith is entered in Spring hamper (entry 2 of 3)."
    change: Change


# ------------------------------------------------------------------------------ reading


def _competition(row: store.CompetitionRow) -> Competition:
    segment = ""
    if row.segment_id is not None:
        segment = store.segment_name(row.segment_id) or ""
    return Competition(
        row.id, row.name, date.fromisoformat(row.starts_on), date.fromisoformat(row.ends_on),
        row.rules, row.eligibility, segment, row.by_counter, row.by_paper, row.by_purchase,
        row.no_purchase_route, row.limit_per_person, row.winners,
    )  # fmt: skip


def find_competition(competition_id: int) -> Competition:
    row = store.competition_row(competition_id)
    if row is None:
        raise CompetitionRefused(f"There is no competition number {competition_id}.")
    return _competition(row)


def list_competitions() -> list[Listed]:
    """Every competition, the latest end first, with its entries and when drawn."""
    return [
        Listed(
            _competition(line.competition),
            line.entries,
            None if line.drawn_at is None else parse_timestamp(line.drawn_at),
        )
        for line in store.listed_competitions()
    ]


def drawn_competitions() -> list[Listed]:
    """The competitions drawn, the latest draw first (the Reports view's choice of a draw's
    record)."""
    drawn = [line for line in list_competitions() if line.drawn_at is not None]
    return sorted(drawn, key=lambda line: (line.drawn_at, line.competition.id), reverse=True)


def entrant_name(contact_id: int) -> str:
    """The customer's name as entries show it (CustomerNotFound if unknown or erased)."""
    found = live_customer(contact_id)
    return found.name or found.label


# ------------------------------------------------------------------------ setting one up


def save_competition(
    draft: Draft, competition_id: int | None = None, staff_id: int | None = None,
    *, as_owner: bool = False, now: datetime | None = None,
) -> Saved:  # fmt: skip
    """Make a competition (competition_id None) or change one not drawn yet; a manager's
    (as_owner: the shop owner at the command line, who may do what a manager may); audited.

    Raises:
        NotAllowed: not as_owner and not a signed-in manager.
        CompetitionRefused: a field out of range (one sentence naming it), the name taken,
            an unknown segment, a purchase route without a free one, or the competition
            drawn already.
    """
    moment = now or clock.utc_now()
    if not as_owner:
        require_manager(staff_id, "set up prize draws")
    draft = _cleaned(draft)
    with write_transaction():
        check_staff(staff_id)
        if competition_id is not None:
            find_competition(competition_id)
            if store.draw_row(competition_id) is not None:
                raise CompetitionRefused(
                    "This competition was drawn already: its terms stay as they were drawn."
                )
        taken = store.competition_named(draft.name, competition_id)
        if taken is not None:
            raise CompetitionRefused(f"There is a competition called {taken!r} already.")
        segment_id = None
        if draft.eligibility == "segment":
            segment_id = store.segment_id_named(draft.segment)
            if segment_id is None:
                raise CompetitionRefused(f"There is no saved segment called {draft.segment!r}.")
        values = {
            "name": draft.name, "starts_on": draft.starts_on.isoformat(),
            "ends_on": draft.ends_on.isoformat(), "rules": draft.rules,
            "eligibility": draft.eligibility, "segment_id": segment_id,
            "by_counter": draft.by_counter, "by_paper": draft.by_paper,
            "by_purchase": draft.by_purchase, "no_purchase_route": draft.no_purchase_route,
            "limit_per_person": draft.limit_per_person, "winners": draft.winners,
        }  # fmt: skip
        saved_id = store.save_competition(competition_id, values, format_timestamp(moment))
        # The terms as published, rules included: what entrants were told is on record.
        action = "competition made" if competition_id is None else "competition changed"
        write_audit(action, "competition", saved_id, values, moment, staff_id)
    return Saved(find_competition(saved_id), Change.of(Entity.COMPETITIONS))


def _cleaned(draft: Draft) -> Draft:
    """The draft with its texts tidied, or the first problem as a sentence."""
    name = " ".join(draft.name.split())
    rules = draft.rules.strip()
    free_route = " ".join(draft.no_purchase_route.split())
    if not name:
        raise CompetitionRefused("A competition needs a name.")
    if len(name) > MAX_NAME:
        raise CompetitionRefused(f"A competition's name has at most {MAX_NAME} characters.")
    if draft.ends_on < draft.starts_on:
        raise CompetitionRefused("A competition ends on or after the day it starts.")
    if (draft.ends_on - draft.starts_on).days > MAX_DAYS:
        raise CompetitionRefused(f"A competition runs for at most {MAX_DAYS:,} days.")
    if len(rules) > MAX_RULES:
        raise CompetitionRefused(f"The rules have at most {MAX_RULES:,} characters.")
    if draft.eligibility not in COMPETITION_ELIGIBILITIES:
        raise CompetitionRefused(f"Who may enter is one of {', '.join(COMPETITION_ELIGIBILITIES)}.")
    if draft.eligibility == "segment" and not draft.segment.strip():
        raise CompetitionRefused("Choose the saved segment whose customers may enter.")
    if not (draft.by_counter or draft.by_paper or draft.by_purchase):
        raise CompetitionRefused("Choose at least one way of entering.")
    if draft.by_purchase and not free_route:
        raise CompetitionRefused(
            "Entry by purchase needs a free way to enter too (no purchase necessary): describe it."
        )
    if len(free_route) > MAX_NO_PURCHASE:
        raise CompetitionRefused(
            f"The free way to enter is described in at most {MAX_NO_PURCHASE} characters."
        )
    for value, least, most, what in (
        (draft.limit_per_person, 1, MAX_LIMIT, "The entries per person are"),
        (draft.winners, 1, MAX_WINNERS, "The number of winners is"),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            raise CompetitionRefused(f"{what} from {least} to {most}.")
    return replace(
        draft, name=name, rules=rules, no_purchase_route=free_route if draft.by_purchase else "",
        segment=draft.segment.strip() if draft.eligibility == "segment" else "",
    )  # fmt: skip


# ----------------------------------------------------------------------------- entering


def counter_route(competition: Competition, with_sale: bool) -> str:
    """How an entry at the counter is made: with a sale just recorded, the purchase route of
    a competition entered by purchase; else the counter route, or else the free route."""
    if with_sale and competition.by_purchase:
        return "purchase"
    if competition.by_counter:
        return "counter"
    if competition.by_purchase:
        return "no_purchase"
    raise CompetitionRefused(f"{competition.name} is entered on paper, not at the counter.")


def offered_at_counter(contact_id: int, today: date | None = None) -> list[Competition]:
    """The competitions open today that the customer may still enter at the counter."""
    day = today or shop_today(clock.utc_now())
    found = [
        _competition(row)
        for row in store.open_competitions(day.isoformat())
        if row.by_counter or row.by_purchase
    ]
    if not found:
        return []
    counts = store.entry_counts_of_person(contact_id, [each.id for each in found])
    return [
        competition
        for competition in found
        if counts.get(competition.id, 0) < competition.limit_per_person
        and eligible_among(competition, [contact_id], day)
    ]


def enter(
    competition_id: int, contact_id: int, route: str, staff_id: int | None = None,
    sale_interaction_id: int | None = None, *, now: datetime | None = None,
) -> Entered:  # fmt: skip
    """Enter the customer in the competition by route (module docstring).

    Raises:
        CompetitionRefused: drawn, closed or not open yet, a route not allowed, a purchase
            entry without the customer's sale, not eligible, or over the limit per person.
        CustomerNotFound, RelappError: the customer is unknown, erased or archived.
    """
    moment = now or clock.utc_now()
    today = shop_today(moment)
    if route not in ENTRY_ROUTES:
        raise CompetitionRefused(f"An entry is made {', '.join(ENTRY_ROUTES)}, not {route!r}.")
    with write_transaction():
        competition = find_competition(competition_id)
        name = entrant_name(contact_id)
        check_staff(staff_id)
        _check_open(competition, today)
        if route not in competition.routes:
            way = "without a purchase" if route == "no_purchase" else ENTRY_ROUTE_NAMES[route]
            raise CompetitionRefused(
                f"{competition.name} is not entered {way.lower()}:"
                f" it is entered {competition.routes_text.lower()}."
            )
        if route == "purchase":
            if sale_interaction_id is None or store.purchase_of(sale_interaction_id) != contact_id:
                raise CompetitionRefused(
                    f"An entry with a purchase needs {name}'s sale; without one, enter them"
                    " by the free route."
                )
        elif sale_interaction_id is not None:
            raise CompetitionRefused("Only an entry with a purchase names a sale.")
        if not eligible_among(competition, [contact_id], today):
            raise CompetitionRefused(
                f"{name} cannot enter {competition.name}: it is for "
                f"{_eligible_words(competition)} only."
            )
        made = store.entries_of_person(competition.id, contact_id)
        if made >= competition.limit_per_person:
            times = "once" if made == 1 else f"{made} times"
            raise CompetitionRefused(
                f"{name} has entered {competition.name} {times} already, the most for one person."
            )
        entry_id = store.insert_entry(
            competition.id, contact_id, route, format_timestamp(moment), sale_interaction_id,
            staff_id,
        )  # fmt: skip
    text = f"{name} is entered in {competition.name}."
    if competition.limit_per_person > 1:
        text = text[:-1] + f" (entry {made + 1} of {competition.limit_per_person})."
    return Entered(
        entry_id, text, Change.of(Entity.COMPETITIONS, contact_ids=frozenset({contact_id}))
    )


def _check_open(competition: Competition, today: date) -> None:
    if store.draw_row(competition.id) is not None:
        raise CompetitionRefused(f"{competition.name} was drawn already; it takes no entries.")
    if today < competition.starts_on:
        raise CompetitionRefused(
            f"{competition.name} opens on {format_day(competition.starts_on)}; it takes no"
            " entries before then."
        )
    if today > competition.ends_on:
        raise CompetitionRefused(
            f"{competition.name} closed on {format_day(competition.ends_on)}; it takes no more"
            " entries."
        )


def _eligible_words(competition: Competition) -> str:
    if competition.eligibility == "members":
        return "current members"
    return f"the customers in the segment {competition.segment!r}"


def eligible_among(competition: Competition, contact_ids: list[int], day: date) -> set[int]:
    """Which of the customers may enter the competition on day."""
    wanted = set(contact_ids)
    if not wanted:
        return set()
    ids_json = json.dumps(sorted(wanted))
    if competition.eligibility == "all":
        return wanted
    if competition.eligibility == "members":
        return store.current_members(day.isoformat(), ids_json)
    where, params = filter_where(ContactFilter(segment=competition.segment, archived="all"))
    return store.contacts_selected(where, params, ids_json)
