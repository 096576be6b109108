"""Contacts: the contact rows (insert, read, update), their preferences and social handles,
changes to many contacts at once, the rhythm of their visits and outbound contacts, their
consent log's new events, and the shop's totals (current customers, points, open queries).

Values go in and come out as stored: timestamps as text in the stored form
(relapp.db.fields.format_timestamp), rows as tuples in the order the docstrings name. The rules
(which fields are valid, who may be changed, what counts as drifting away or as too many
contacts) are the domain's: relapp.domain.contacts.enrolment, contact_editing, bulk_actions and
contact_rhythm.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.dialect import (
    equal_nocase,
    in_json_list,
    indexed_by,
    prefix_pattern,
    starts_with,
)
from relapp.db.store.today import INACTIVE_CONTACTS_SQL, LIVE_SQL, NAME_COLUMNS

# Every column of the contact table: the only names a caller's column list may put into SQL.
CONTACT_COLUMNS = frozenset({
    "id", "kind", "given_name", "family_name", "organisation", "email", "phone", "phone_national",
    "street", "locality", "region", "postcode", "country", "birth_year", "birth_month",
    "birth_day", "card_number", "ladder_stage", "referred_by_id", "merged_into_id", "source",
    "notes", "created_at", "updated_at", "archived_at", "erased_at", "points_balance",
    "tier_id", "referred_by_partner_id",
})  # fmt: skip

# The chosen contacts that may be changed at all; :chosen is the JSON array of their ids.


def chosen_unerased() -> str:
    """The contacts of the JSON id list in :chosen, erased ones left out."""
    return f"contact.id {in_json_list(':chosen')} AND contact.erased_at IS NULL"


# Word for word as the partial indexes of schema 7 say them, so that SQLite uses those.
OUTBOUND_SQL = "direction = 'outbound' AND kind IN ('call', 'email', 'message', 'campaign')"


# ------------------------------------------------------------------------------ one contact


def insert_contact(values: Mapping[str, object]) -> int:
    """A new contact with these column values (names from CONTACT_COLUMNS); its id.

    created_at and updated_at have no default and must be given. Columns left out take the
    schema's defaults: '' for names, address, source and notes, 'person', 'prospect', points
    0, and no id of one's own choosing, email, phone, card, birthday, referrer or tier.
    """
    columns = _known_columns(values)
    return database.execute_sql(
        f"INSERT INTO contact ({', '.join(columns)})"
        f" VALUES ({', '.join('?' for _ in columns)}) RETURNING id",
        tuple(values.values()),
    ).fetchone()[0]


def insert_contacts(columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    """Many new contacts in one statement (relapp.db.bulk.insert_rows: one JSON parameter);
    columns as for insert_contact, and id may be chosen. For the import and the demo shop."""
    insert_rows(database, "contact", _known_columns(columns), rows)


def contact_values(contact_id: int, columns: Sequence[str]) -> tuple[Any, ...] | None:
    """The contact's values of these columns, in their order; None if there is no such
    contact (erased ones included)."""
    return database.execute_sql(
        f"SELECT {', '.join(_known_columns(columns))} FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()


def count_contacts() -> int:
    """How many contact rows there are (erased and merged ones included)."""
    return database.execute_sql("SELECT count(*) FROM contact").fetchone()[0]


def unerased_contact_values(contact_id: int, columns: Sequence[str]) -> dict[str, object] | None:
    """The contact's values of these columns by name; None if it is missing or erased."""
    row = database.execute_sql(
        f"SELECT {', '.join(_known_columns(columns))} FROM contact"
        " WHERE id = ? AND erased_at IS NULL",
        (contact_id,),
    ).fetchone()
    return None if row is None else dict(zip(columns, row, strict=True))


def update_contact(contact_id: int, changed: Mapping[str, object], updated_at: str) -> None:
    """Set these columns of the contact, and its updated_at."""
    assignments = "".join(f"{column} = ?, " for column in _known_columns(changed))
    database.execute_sql(
        f"UPDATE contact SET {assignments}updated_at = ? WHERE id = ?",
        (*changed.values(), updated_at, contact_id),
    )


def name_parts(contact_id: int) -> tuple[str, str, str, str] | None:
    """(kind, given_name, family_name, organisation), as display_name takes them; erased
    contacts too. None if there is no such contact."""
    return database.execute_sql(
        "SELECT kind, given_name, family_name, organisation FROM contact WHERE id = ?",
        (contact_id,),
    ).fetchone()


def given_and_family_name(contact_id: int) -> tuple[str, str] | None:
    """(given_name, family_name); None if there is no such contact."""
    return database.execute_sql(
        "SELECT given_name, family_name FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()


def is_unerased(contact_id: int) -> bool:
    """Whether the contact exists and has not been erased (archived ones count)."""
    row = database.execute_sql(
        "SELECT erased_at FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()
    return row is not None and row[0] is None


def referral_chain_reaches(start_id: int, wanted_id: int) -> bool:
    """Whether wanted_id is start_id's referrer, or its referrer's, and so on up the chain."""
    # UNION (not UNION ALL) ends the walk even if imported data already holds a circle.
    row = database.execute_sql(
        "WITH RECURSIVE chain(id) AS (SELECT ? UNION SELECT c.referred_by_id FROM contact c"
        " JOIN chain ON c.id = chain.id WHERE c.referred_by_id IS NOT NULL)"
        " SELECT 1 FROM chain WHERE id = ? LIMIT 1",
        (start_id, wanted_id),
    ).fetchone()
    return row is not None


def card_holder(card_number: str) -> int | None:
    """The id of the contact holding this card number (erased ones too), if any."""
    row = database.execute_sql(
        "SELECT id FROM contact WHERE card_number = ?", (card_number,)
    ).fetchone()
    return None if row is None else row[0]


def highest_card_number(prefix: str, length: int) -> str | None:
    """The highest card number that starts with prefix and has this many digits."""
    return database.execute_sql(
        f"SELECT max(card_number) FROM contact WHERE {starts_with('card_number')}"
        " AND length(card_number) = ?",
        (prefix_pattern(prefix), length),
    ).fetchone()[0]


def unerased_with_phone(phone: str) -> list[tuple[int, str, str]]:
    """(id, given_name, family_name) of the unerased contacts with this phone (E.164)."""
    return database.execute_sql(
        "SELECT id, given_name, family_name FROM contact WHERE phone = ? AND erased_at IS NULL",
        (phone,),
    ).fetchall()


def unerased_with_email(email: str) -> list[tuple[int, str, str]]:
    """(id, given_name, family_name) of the unerased contacts with this email, in any
    (ASCII) letter case."""
    return database.execute_sql(
        "SELECT id, given_name, family_name FROM contact"
        f" WHERE {equal_nocase('email')} AND erased_at IS NULL",
        (email,),
    ).fetchall()


def _known_columns(columns: Sequence[str] | Mapping[str, object]) -> list[str]:
    """The column names, refused (ValueError) unless each is a contact column: they go into
    the SQL text itself."""
    names = list(columns)
    unknown = [name for name in names if name not in CONTACT_COLUMNS]
    if unknown:
        raise ValueError(f"not columns of a contact: {', '.join(unknown)}")
    return names


# ------------------------------------------------------------------------ the shop's totals


def current_count_and_points() -> tuple[int, int]:
    """(how many, their points balances summed) of the contacts neither archived nor erased."""
    count, points = database.execute_sql(
        "SELECT count(id), coalesce(sum(points_balance), 0) FROM contact"
        " WHERE archived_at IS NULL AND erased_at IS NULL"
    ).fetchone()
    return count, points


def count_interactions_with_status(status: str) -> int:
    """How many interactions (of every contact) have this status."""
    return database.execute_sql(
        "SELECT count(*) FROM interaction WHERE status = ?", (status,)
    ).fetchone()[0]


# ------------------------------------------------------------------------------ consent log


def insert_consent_event(
    contact_id: int,
    channel: str,
    granted: bool,
    occurred_at: str,
    method: str,
    staff_id: int | None,
) -> None:
    """Append one event to the contact's consent log (occurred_at in the stored form)."""
    database.execute_sql(
        "INSERT INTO consent (contact_id, channel, granted, occurred_at, method, staff_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (contact_id, channel, int(bool(granted)), occurred_at, method, staff_id),
    )


# ---------------------------------------------------------------- preferences and handles


def preferences_of(contact_id: int) -> list[tuple[int, str, str]]:
    """(row id, kind, value) of the contact's preferences, the oldest first."""
    return database.execute_sql(
        "SELECT id, kind, value FROM preference WHERE contact_id = ? ORDER BY id", (contact_id,)
    ).fetchall()


def insert_preference(contact_id: int, kind: str, value: str, created_at: str) -> None:
    database.execute_sql(
        "INSERT INTO preference (contact_id, kind, value, created_at) VALUES (?, ?, ?, ?)",
        (contact_id, kind, value, created_at),
    )


def delete_preference(row_id: int) -> None:
    database.execute_sql("DELETE FROM preference WHERE id = ?", (row_id,))


def social_handles_of(contact_id: int) -> list[tuple[int, str, str]]:
    """(row id, network, handle) of the contact's social handles, the oldest first."""
    return database.execute_sql(
        "SELECT id, network, handle FROM social_handle WHERE contact_id = ? ORDER BY id",
        (contact_id,),
    ).fetchall()


def insert_social_handle(contact_id: int, network: str, handle: str) -> None:
    database.execute_sql(
        "INSERT INTO social_handle (contact_id, network, handle) VALUES (?, ?, ?)",
        (contact_id, network, handle),
    )


def delete_social_handle(row_id: int) -> None:
    database.execute_sql("DELETE FROM social_handle WHERE id = ?", (row_id,))


# ---------------------------------------------------------------------------- many contacts
# The chosen ids travel as one JSON array parameter: no limit on the number of SQL variables,
# and no Python loop per contact. Erased contacts are never among those changed.


def unerased_among(chosen_ids: Sequence[int]) -> list[int]:
    """Those of the chosen contacts that exist and are not erased."""
    return _ids(
        f"SELECT id FROM contact WHERE {chosen_unerased()}",
        {"chosen": json.dumps(list(chosen_ids))},
    )


def mark_updated(contact_ids: Sequence[int], updated_at: str) -> None:
    """Set the contacts' updated_at (an editor open on one then sees a newer row)."""
    database.execute_sql(
        f"UPDATE contact SET updated_at = ? WHERE id {in_json_list()}",
        (updated_at, json.dumps(list(contact_ids))),
    )


def move_to_stage(chosen_ids: Sequence[int], stage: str, now: str) -> list[int]:
    """Put the chosen unerased contacts not on this ladder stage on it; their ids."""
    return _update_chosen(
        "ladder_stage = :stage", "ladder_stage <> :stage", chosen_ids, now, stage=stage
    )


def archive_unarchived(chosen_ids: Sequence[int], now: str) -> list[int]:
    """Archive the chosen unerased contacts that are not archived, as of now; their ids."""
    return _update_chosen("archived_at = :now", "archived_at IS NULL", chosen_ids, now)


def unarchive_unmerged(chosen_ids: Sequence[int], now: str) -> list[int]:
    """Unarchive the chosen unerased contacts that are archived and were never merged into
    another; their ids."""
    return _update_chosen(
        "archived_at = NULL", "archived_at IS NOT NULL AND merged_into_id IS NULL", chosen_ids, now
    )


def _update_chosen(
    assignment: str, needs_change: str, chosen_ids: Sequence[int], now: str, **values: object
) -> list[int]:
    """One UPDATE of the chosen contacts that need the change, updated_at set to now; the ids
    of those changed. The SQL may use :now and the named values."""
    params = {"chosen": json.dumps(list(chosen_ids)), "now": now, **values}
    return _ids(
        f"UPDATE contact SET updated_at = :now, {assignment}"
        f" WHERE {chosen_unerased()} AND {needs_change} RETURNING id",
        params,
    )


def _ids(sql: str, params: dict[str, object]) -> list[int]:
    return [row[0] for row in database.execute_sql(sql, params)]


# ------------------------------------------------------------ visits and outbound contacts
# contact_rhythm holds each customer's visits in brief, kept by triggers (schema 7).


def rhythm_of(contact_id: int) -> tuple[int, str, str, str | None] | None:
    """(visits, first_visit_at, last_visit_at, drifts_at) of the contact; None if they never
    visited."""
    return database.execute_sql(
        "SELECT visits, first_visit_at, last_visit_at, drifts_at FROM contact_rhythm"
        " WHERE contact_id = ?",
        (contact_id,),
    ).fetchone()


def count_drifting(before: str) -> int:
    """How many active contacts have a drifts_at before this moment."""
    return database.execute_sql(
        "SELECT count(*) FROM contact_rhythm WHERE drifts_at IS NOT NULL AND drifts_at < ?"
        f" AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}",
        (before,),
    ).fetchone()[0]


def drifting(before: str, limit: int) -> list[tuple[int, int, str, str, str, str, str, str, str]]:
    """The first active contacts with a drifts_at before this moment, the earliest first:
    (contact_id, visits, first_visit_at, last_visit_at, drifts_at, kind, given_name,
    family_name, organisation)."""
    return database.execute_sql(
        "SELECT r.contact_id, r.visits, r.first_visit_at, r.last_visit_at, r.drifts_at,"
        f" {NAME_COLUMNS} FROM contact_rhythm r JOIN contact c ON c.id = r.contact_id"
        f" WHERE r.drifts_at IS NOT NULL AND r.drifts_at < ? AND {LIVE_SQL}"
        " ORDER BY r.drifts_at, r.contact_id LIMIT ?",
        (before, limit),
    ).fetchall()


def outbound_counts_from(since: str, until: str, at_least: int) -> list[tuple[int, int]]:
    """(contact_id, count) of the active contacts with at least this many outbound contacts
    in (since, until], the most contacted first."""
    return database.execute_sql(
        # Named: without statistics SQLite prefers interaction_kind_staff_time (schema 6) and
        # reads every campaign ever sent.
        f"SELECT contact_id, count(*) FROM {indexed_by('interaction', 'interaction_outbound')}"
        f" WHERE occurred_at > ? AND occurred_at <= ? AND {OUTBOUND_SQL}"
        f" AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}"
        " GROUP BY contact_id HAVING count(*) >= ? ORDER BY count(*) DESC, contact_id",
        (since, until, at_least),
    ).fetchall()


def outbound_moments(contact_id: int, since: str, until: str) -> list[str]:
    """When the contact's outbound contacts in (since, until] happened, the oldest first
    (through the index of their history: interaction_outbound would read everyone's)."""
    return [
        row[0]
        for row in database.execute_sql(
            "SELECT occurred_at FROM"
            f" {indexed_by('interaction', 'interaction_contact_time')} WHERE contact_id = ?"
            f" AND occurred_at > ? AND occurred_at <= ? AND {OUTBOUND_SQL} ORDER BY occurred_at",
            (contact_id, since, until),
        )
    ]


# (card_number, id, kind, given_name, family_name, organisation, points_balance)
CardRow = tuple[str, int, str, str, str, str, int]


def card_holder_rows() -> Iterator[CardRow]:
    """Every card held by a customer who is neither archived nor erased, with what a till
    needs to find them while the shop server is away, a few thousand rows at a time."""
    cursor = database.execute_sql(
        "SELECT card_number, id, kind, given_name, family_name, organisation, points_balance"
        " FROM contact WHERE card_number IS NOT NULL AND archived_at IS NULL"
        " AND erased_at IS NULL"
    )
    while rows := cursor.fetchmany(5000):
        yield from rows
