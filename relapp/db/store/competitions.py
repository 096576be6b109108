"""Competitions and prize draws (schema 21): the competitions, their entries, the one draw of
each and its winners; the winners Today lists until they are told.

Dates (starts_on, ends_on and the days compared with them) go in and come out as ISO text,
YYYY-MM-DD; moments (entered_at, drawn_at, notified_at) in the stored timestamp form. The
draw's entry_ids and excluded are JSON text written and read by relapp.domain.listening; here
they are only stored. What a date or an entry means (open, valid, eligible) is the domain's.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import (
    distinct_from,
    equal_nocase,
    in_json_list,
    join_in_this_order,
    nocase,
)

COMPETITION_COLUMNS = (
    "id", "name", "starts_on", "ends_on", "rules", "eligibility", "segment_id", "by_counter",
    "by_paper", "by_purchase", "no_purchase_route", "limit_per_person", "winners",
    "created_at", "updated_at",
)  # fmt: skip
_FLAGS = ("by_counter", "by_paper", "by_purchase")
NAME_COLUMNS = "c.kind, c.given_name, c.family_name, c.organisation"


@dataclass(frozen=True)
class CompetitionRow:
    id: int
    name: str
    starts_on: str
    ends_on: str
    rules: str
    eligibility: str
    segment_id: int | None
    by_counter: bool
    by_paper: bool
    by_purchase: bool
    no_purchase_route: str
    limit_per_person: int
    winners: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class ListedCompetition:
    """A line of the Competitions page: the competition, its entries, when it was drawn."""

    competition: CompetitionRow
    entries: int
    drawn_at: str | None


def _competition(row: Sequence[object]) -> CompetitionRow:
    values = dict(zip(COMPETITION_COLUMNS, row, strict=True))
    for flag in _FLAGS:
        values[flag] = bool(values[flag])
    return CompetitionRow(**values)  # type: ignore[arg-type]


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in COMPETITION_COLUMNS)


def listed_competitions() -> list[ListedCompetition]:
    """Every competition with its number of entries and when it was drawn, the latest end
    first."""
    width = len(COMPETITION_COLUMNS)
    rows = database.execute_sql(
        f"SELECT {_columns('k')},"
        " (SELECT count(*) FROM competition_entry e WHERE e.competition_id = k.id),"
        " (SELECT d.drawn_at FROM competition_draw d WHERE d.competition_id = k.id)"
        " FROM competition k ORDER BY k.ends_on DESC, k.id DESC"
    ).fetchall()
    return [
        ListedCompetition(_competition(row[:width]), int(row[width]), row[width + 1])
        for row in rows
    ]


def competition_row(competition_id: int) -> CompetitionRow | None:
    row = database.execute_sql(
        f"SELECT {_columns('k')} FROM competition k WHERE k.id = ?", (competition_id,)
    ).fetchone()
    return None if row is None else _competition(row)


def competition_named(name: str, other_than_id: int | None) -> str | None:
    """The name of a competition other than other_than_id called name in any letter case."""
    row = database.execute_sql(
        f"SELECT name FROM competition WHERE {equal_nocase('name')} AND {distinct_from('id')}",
        (name, other_than_id),
    ).fetchone()
    return None if row is None else str(row[0])


def save_competition(competition_id: int | None, values: Mapping[str, object], now: str) -> int:
    """Insert a competition (competition_id None) or change one, from COMPETITION_COLUMNS but
    id and the two moments; its id."""
    names = [name for name in COMPETITION_COLUMNS if name not in ("id", "created_at", "updated_at")]
    params = [int(v) if isinstance(v, bool) else v for v in (values[name] for name in names)]
    if competition_id is None:
        return int(database.execute_sql(
            f"INSERT INTO competition ({', '.join(names)}, created_at, updated_at)"
            f" VALUES ({', '.join('?' * (len(names) + 2))}) RETURNING id",
            (*params, now, now),
        ).fetchone()[0])  # fmt: skip
    database.execute_sql(
        f"UPDATE competition SET {', '.join(f'{name} = ?' for name in names)}, updated_at = ?"
        " WHERE id = ?",
        (*params, now, competition_id),
    )
    return competition_id


def open_competitions(today: str) -> list[CompetitionRow]:
    """Competitions whose dates hold today and that are not drawn, the soonest end first."""
    rows = database.execute_sql(
        f"SELECT {_columns('k')} FROM competition k WHERE k.starts_on <= ? AND k.ends_on >= ?"
        " AND NOT EXISTS (SELECT 1 FROM competition_draw d WHERE d.competition_id = k.id)"
        f" ORDER BY k.ends_on, {nocase('k.name')}, k.id",
        (today, today),
    ).fetchall()
    return [_competition(row) for row in rows]


# ------------------------------------------------------------------- segments, members


def segment_name(segment_id: int) -> str | None:
    row = database.execute_sql("SELECT name FROM segment WHERE id = ?", (segment_id,)).fetchone()
    return None if row is None else str(row[0])


def segment_id_named(name: str) -> int | None:
    row = database.execute_sql(
        f"SELECT id FROM segment WHERE {equal_nocase('name')}", (name,)
    ).fetchone()
    return None if row is None else int(row[0])


def contacts_selected(where: str, params: Sequence[object], ids_json: str) -> set[int]:
    """Which of the contacts in ids_json (a JSON list) meet the condition on contact `where`
    (relapp.db.store.segments.selection_where's, with its params)."""
    rows = database.execute_sql(
        f"SELECT id FROM contact WHERE {where} AND id {in_json_list()}", (*params, ids_json)
    ).fetchall()
    return {int(contact_id) for (contact_id,) in rows}


def current_members(day: str, ids_json: str) -> set[int]:
    """Which of the contacts in ids_json had a membership (not cancelled) running on day."""
    rows = database.execute_sql(
        "SELECT DISTINCT contact_id FROM membership WHERE cancelled_at IS NULL"
        f" AND starts_on <= ? AND ends_on >= ? AND contact_id {in_json_list()}",
        (day, day, ids_json),
    ).fetchall()
    return {int(contact_id) for (contact_id,) in rows}


def purchase_of(interaction_id: int) -> int | None:
    """The customer of a purchase interaction not refunded; None if it is not one."""
    row = database.execute_sql(
        "SELECT contact_id FROM interaction WHERE id = ? AND kind = 'purchase'"
        " AND refunded_at IS NULL",
        (interaction_id,),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


# ----------------------------------------------------------------------------- entries

# id, contact_id (None: the person is gone), route, entered_at, erased (the person's row
# was erased), interaction_id.
EntryRow = tuple[int, int | None, str, str, bool, int | None]


def entries_of(competition_id: int) -> list[EntryRow]:
    """Every entry of the competition, in the order made (by id)."""
    rows = database.execute_sql(
        "SELECT e.id, e.contact_id, e.route, e.entered_at, c.erased_at IS NOT NULL,"
        " e.interaction_id FROM competition_entry e LEFT JOIN contact c ON c.id = e.contact_id"
        " WHERE e.competition_id = ? ORDER BY e.id",
        (competition_id,),
    ).fetchall()
    return [
        (int(id_), contact_id, route, entered_at, bool(erased), interaction_id)
        for id_, contact_id, route, entered_at, erased, interaction_id in rows
    ]


def entries_of_person(competition_id: int, contact_id: int) -> int:
    return int(database.execute_sql(
        "SELECT count(*) FROM competition_entry WHERE competition_id = ? AND contact_id = ?",
        (competition_id, contact_id),
    ).fetchone()[0])  # fmt: skip


def entry_counts_of_person(contact_id: int, competition_ids: Collection[int]) -> dict[int, int]:
    """competition id -> how many entries the customer has in it (none: absent)."""
    rows = database.execute_sql(
        "SELECT competition_id, count(*) FROM competition_entry WHERE contact_id = ?"
        f" AND competition_id {in_json_list()} GROUP BY competition_id",
        (contact_id, json.dumps(sorted(competition_ids))),
    ).fetchall()
    return {int(competition_id): int(count) for competition_id, count in rows}


def insert_entry(
    competition_id: int, contact_id: int, route: str, entered_at: str,
    interaction_id: int | None, staff_id: int | None,
) -> int:  # fmt: skip
    return int(database.execute_sql(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at,"
        " interaction_id, staff_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (competition_id, contact_id, route, entered_at, interaction_id, staff_id),
    ).fetchone()[0])  # fmt: skip


# ------------------------------------------------------------------------------- draws

# drawn_at, seed, entry_ids (JSON), excluded (JSON), staff_id
DrawRow = tuple[str, str, str, str, int | None]


def draw_row(competition_id: int) -> DrawRow | None:
    return database.execute_sql(
        "SELECT drawn_at, seed, entry_ids, excluded, staff_id FROM competition_draw"
        " WHERE competition_id = ?",
        (competition_id,),
    ).fetchone()


def insert_draw(
    competition_id: int, drawn_at: str, seed: str, entry_ids: str, excluded: str,
    staff_id: int | None,
) -> int:  # fmt: skip
    return int(database.execute_sql(
        "INSERT INTO competition_draw (competition_id, drawn_at, seed, entry_ids, excluded,"
        " staff_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (competition_id, drawn_at, seed, entry_ids, excluded, staff_id),
    ).fetchone()[0])  # fmt: skip


def insert_winner(competition_id: int, position: int, entry_id: int) -> None:
    database.execute_sql(
        "INSERT INTO competition_winner (competition_id, position, entry_id) VALUES (?, ?, ?)",
        (competition_id, position, entry_id),
    )


# position, entry_id, notified_at, contact_id, then the contact's name columns (kind,
# given, family, organisation; None when the person is gone), phone, email, erased.
WinnerRow = tuple[
    int, int, str | None, int | None, str | None, str | None, str | None, str | None,
    str | None, str | None, bool,
]  # fmt: skip
_WINNER_COLUMNS = (
    f"w.position, w.entry_id, w.notified_at, e.contact_id, {NAME_COLUMNS}, c.phone, c.email,"
    " c.erased_at IS NOT NULL"
)


def _winner(row: Sequence[object]) -> WinnerRow:
    return (*row[:-1], bool(row[-1]))  # type: ignore[return-value]


def winner_rows(competition_id: int) -> list[WinnerRow]:
    """The competition's winners in the order drawn."""
    rows = database.execute_sql(
        f"SELECT {_WINNER_COLUMNS} FROM competition_winner w"
        " JOIN competition_entry e ON e.id = w.entry_id"
        " LEFT JOIN contact c ON c.id = e.contact_id"
        " WHERE w.competition_id = ? ORDER BY w.position",
        (competition_id,),
    ).fetchall()
    return [_winner(row) for row in rows]


def mark_told(competition_id: int, position: int, now: str) -> bool:
    """Record that the winner was told; False if there is no such winner or they were told."""
    return bool(database.execute_sql(
        "UPDATE competition_winner SET notified_at = ? WHERE competition_id = ?"
        " AND position = ? AND notified_at IS NULL",
        (now, competition_id, position),
    ).rowcount)  # fmt: skip


# competition id, competition name, position, contact_id, the contact's name columns,
# phone, email.
UntoldRow = tuple[int, str, int, int, str, str, str, str, str | None, str | None]


def _untold_from() -> str:
    # The winners first: a few rows (at most 100 a competition), where the planner would
    # otherwise walk every entry of every competition to find them.
    return (
        f" FROM competition_winner w {join_in_this_order()} competition_entry e"
        " ON e.id = w.entry_id JOIN competition k ON k.id = w.competition_id"
        " JOIN contact c ON c.id = e.contact_id"
        " WHERE w.notified_at IS NULL AND c.erased_at IS NULL"
    )


def winners_to_tell(limit: int) -> tuple[int, list[UntoldRow]]:
    """Winners not yet told (their person still there): how many, and the first limit, the
    oldest draw first."""
    total = database.execute_sql(f"SELECT count(*){_untold_from()}").fetchone()[0]
    rows = database.execute_sql(
        f"SELECT k.id, k.name, w.position, e.contact_id, {NAME_COLUMNS}, c.phone, c.email"
        f"{_untold_from()} ORDER BY k.ends_on, k.id, w.position LIMIT ?",
        (limit,),
    ).fetchall()
    return int(total), rows
