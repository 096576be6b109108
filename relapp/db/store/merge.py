"""Merged contacts: who was merged into whom, and the reads and writes of a merge.

A merge keeps the merged contact, archived, with contact.merged_into_id naming the survivor
(schema 10). The rules (which values the survivor keeps, how points move, what the audit row
says) are relapp.domain.contacts.merge's; these functions run inside its transaction. Times go in in
their stored form (relapp.db.fields.format_timestamp).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from relapp.db.models import database
from relapp.db.store.dialect import in_json_list

# ------------------------------------------------------------------------- merged records


def merged_into(contact_id: int) -> int | None:
    """The survivor this contact was merged into, or None if it never was (or is no contact)."""
    row = database.execute_sql(
        "SELECT merged_into_id FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()
    return None if row is None else row[0]


def merged_contact_ids() -> frozenset[int]:
    """Every contact that has been merged into another."""
    rows = database.execute_sql("SELECT id FROM contact WHERE merged_into_id IS NOT NULL")
    return frozenset(row[0] for row in rows)


def merged_into_this(contact_id: int) -> list[int]:
    """The contacts merged straight into this one (not those merged into them), by id."""
    rows = database.execute_sql(
        "SELECT id FROM contact WHERE merged_into_id = ? ORDER BY id", (contact_id,)
    )
    return [row[0] for row in rows]


# -------------------------------------------------------------------------------- reading


def contact_name_parts(contact_id: int) -> tuple[int, str, str, str, str] | None:
    """(id, kind, given_name, family_name, organisation) of a contact; None if no such
    contact."""
    return database.execute_sql(
        "SELECT id, kind, given_name, family_name, organisation FROM contact WHERE id = ?",
        (contact_id,),
    ).fetchone()


def partners_linked(contact_ids: Sequence[int]) -> list[tuple[int, str]]:
    """(contact id, partner name) of the partners whose business record is one of these
    contacts."""
    return database.execute_sql(
        f"SELECT contact_id, name FROM partner WHERE contact_id {in_json_list()}"
        " ORDER BY contact_id",
        (json.dumps(list(contact_ids)),),
    ).fetchall()


def higher_tier(first_id: int, second_id: int) -> int | None:
    """Of two tiers, the one with the higher minimum spend; None if neither exists."""
    row = database.execute_sql(
        "SELECT id FROM tier WHERE id IN (?, ?) ORDER BY min_spend_cents DESC LIMIT 1",
        (first_id, second_id),
    ).fetchone()
    return None if row is None else row[0]


def _shared_use(customer: str) -> str:
    """The code of a customer's use of the voucher's shared promotion code (CODE:customer,
    relapp.domain.campaigns.vouchers), NULL for a voucher of its own; customer is the SQL
    naming the customer's id."""
    return (
        "((SELECT o.shared_code FROM voucher_offer o WHERE o.id = voucher.offer_id)"
        f" || ':' || CAST({customer} AS TEXT))"
    )


# Statements that move rows, each with a count of rows it moved; what stays behind is a
# duplicate of something the survivor already has, and is removed after. A tag or social
# handle the survivor has already stays behind because of NOT EXISTS, which asks exactly
# what the table's unique key would refuse (portable, unlike SQLite's UPDATE OR IGNORE).
_MOVES = {
    "interactions": ("UPDATE interaction SET contact_id = :survivor WHERE contact_id = :other",),
    "tasks": ("UPDATE task SET contact_id = :survivor WHERE contact_id = :other",),
    "tags": (
        "UPDATE contact_tag SET contact_id = :survivor WHERE contact_id = :other AND NOT EXISTS"
        " (SELECT 1 FROM contact_tag mine WHERE mine.contact_id = :survivor"
        " AND mine.tag_id = contact_tag.tag_id)",
        "DELETE FROM contact_tag WHERE contact_id = :other",
    ),
    "preferences": (
        "UPDATE preference SET contact_id = :survivor WHERE contact_id = :other AND NOT EXISTS"
        " (SELECT 1 FROM preference mine WHERE mine.contact_id = :survivor"
        " AND mine.kind = preference.kind AND mine.value = preference.value)",
        "DELETE FROM preference WHERE contact_id = :other",
    ),
    "consent_events": ("UPDATE consent SET contact_id = :survivor WHERE contact_id = :other",),
    "social_handles": (
        "UPDATE social_handle SET contact_id = :survivor WHERE contact_id = :other"
        " AND NOT EXISTS (SELECT 1 FROM social_handle mine WHERE mine.contact_id = :survivor"
        " AND mine.network = social_handle.network AND mine.handle = social_handle.handle)",
        "DELETE FROM social_handle WHERE contact_id = :other",
    ),
    "referrals": (
        "UPDATE contact SET referred_by_id = :survivor"
        " WHERE referred_by_id = :other AND id <> :survivor",
    ),
    # The holder only: a card's balance and ledger stay as they are.
    "gift_cards": ("UPDATE gift_card SET contact_id = :survivor WHERE contact_id = :other",),
    # Their payments and renewals name the membership, not the contact: they follow.
    "memberships": ("UPDATE membership SET contact_id = :survivor WHERE contact_id = :other",),
    # The partner the customer came through: the survivor keeps its own, else takes this one.
    "referral_partner": (
        "UPDATE contact SET referred_by_partner_id = (SELECT theirs.referred_by_partner_id"
        " FROM contact theirs WHERE theirs.id = :other)"
        " WHERE id = :survivor AND referred_by_partner_id IS NULL AND EXISTS (SELECT 1"
        " FROM contact theirs WHERE theirs.id = :other"
        " AND theirs.referred_by_partner_id IS NOT NULL)",
    ),
    # A partner's link to its business record (one record per partner: the domain refuses
    # to merge two records that are each a partner's before anything moves).
    "partner_link": ("UPDATE partner SET contact_id = :survivor WHERE contact_id = :other",),
    "vouchers": (
        "UPDATE voucher SET contact_id = :survivor WHERE contact_id = :other",
        # A shared promotion code is once per customer: its use is stored as CODE:customer.
        # The merged record's use becomes the survivor's unless the survivor has one, so the
        # customer cannot use the code again under the survivor's number.
        f"UPDATE voucher SET code = {_shared_use(':survivor')}"
        f" WHERE contact_id = :survivor AND code = {_shared_use(':other')}"
        " AND NOT EXISTS (SELECT 1 FROM voucher mine"
        f" WHERE mine.code = {_shared_use(':survivor')})",
    ),
    # Named survey responses (their answers name the response), the record of when they
    # were asked, and competition entries (a draw names entries, not customers).
    "survey_responses": (
        "UPDATE survey_response SET contact_id = :survivor WHERE contact_id = :other",
    ),
    "surveys_asked": ("UPDATE survey_asked SET contact_id = :survivor WHERE contact_id = :other",),
    "competition_entries": (
        "UPDATE competition_entry SET contact_id = :survivor WHERE contact_id = :other",
    ),
}

# The same, counted without moving anything, for the preview.
_COUNTS = {
    "interactions": "SELECT count(*) FROM interaction WHERE contact_id = :other",
    "tasks": "SELECT count(*) FROM task WHERE contact_id = :other",
    "tags": "SELECT count(*) FROM contact_tag theirs WHERE contact_id = :other AND NOT EXISTS"
    " (SELECT 1 FROM contact_tag mine WHERE mine.contact_id = :survivor"
    " AND mine.tag_id = theirs.tag_id)",
    "preferences": "SELECT count(*) FROM preference theirs WHERE contact_id = :other"
    " AND NOT EXISTS (SELECT 1 FROM preference mine WHERE mine.contact_id = :survivor"
    " AND mine.kind = theirs.kind AND mine.value = theirs.value)",
    "consent_events": "SELECT count(*) FROM consent WHERE contact_id = :other",
    "social_handles": "SELECT count(*) FROM social_handle theirs WHERE contact_id = :other"
    " AND NOT EXISTS (SELECT 1 FROM social_handle mine WHERE mine.contact_id = :survivor"
    " AND mine.network = theirs.network AND mine.handle = theirs.handle)",
    "referrals": "SELECT count(*) FROM contact WHERE referred_by_id = :other AND id <> :survivor",
    "gift_cards": "SELECT count(*) FROM gift_card WHERE contact_id = :other",
    "memberships": "SELECT count(*) FROM membership WHERE contact_id = :other",
    "referral_partner": "SELECT count(*) FROM contact mine JOIN contact theirs"
    " ON theirs.id = :other WHERE mine.id = :survivor AND mine.referred_by_partner_id IS NULL"
    " AND theirs.referred_by_partner_id IS NOT NULL",
    "partner_link": "SELECT count(*) FROM partner WHERE contact_id = :other",
    "vouchers": "SELECT count(*) FROM voucher WHERE contact_id = :other",
    "survey_responses": "SELECT count(*) FROM survey_response WHERE contact_id = :other",
    "surveys_asked": "SELECT count(*) FROM survey_asked WHERE contact_id = :other",
    "competition_entries": "SELECT count(*) FROM competition_entry WHERE contact_id = :other",
}


def rows_to_move(survivor_id: int, other_id: int) -> dict[str, int]:
    """What moving other's rows to survivor would move, by kind (the keys of move_rows),
    duplicates of the survivor's rows not counted."""
    ids = {"survivor": survivor_id, "other": other_id}
    return {what: database.execute_sql(sql, ids).fetchone()[0] for what, sql in _COUNTS.items()}


# -------------------------------------------------------------------------------- writing


def retire_merged_contact(contact_id: int, survivor_id: int, notes: str, now: str) -> None:
    """Archive the merged contact (if it is not yet), point it at the survivor, clear its card
    number and set its notes."""
    database.execute_sql(
        "UPDATE contact SET card_number = NULL, notes = ?, archived_at = coalesce(archived_at, ?),"
        " merged_into_id = ?, updated_at = ? WHERE id = ?",
        (notes, now, survivor_id, now, contact_id),
    )


def set_contact_values(contact_id: int, values: Mapping[str, object]) -> None:
    """Set these contact columns of the contact."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    database.execute_sql(
        f"UPDATE contact SET {assignments} WHERE id = ?", (*values.values(), contact_id)
    )


def move_rows(survivor_id: int, other_id: int) -> dict[str, int]:
    """Move other's interactions, tasks, tags, preferences, consent events, social handles,
    referrals, gift cards, memberships, vouchers, survey responses, when they were asked,
    competition entries and a partner's link to survivor, and its referral partner if the
    survivor has none; a duplicate of one the survivor has is deleted instead. The number
    moved of each kind (the keys of _MOVES)."""
    ids = {"survivor": survivor_id, "other": other_id}
    moved = {}
    for what, (move, *cleanup) in _MOVES.items():
        moved[what] = database.execute_sql(move, ids).rowcount
        for statement in cleanup:
            database.execute_sql(statement, ids)
    return moved


def add_transfer_entry(
    contact_id: int,
    points: int,
    occurred_at: str,
    expires_at: str | None,
    staff_id: int | None,
    reason: str,
) -> int:
    """A new 'transfer' entry in the points ledger; returns its id."""
    return database.execute_sql(
        "INSERT INTO points_entry (contact_id, kind, points, occurred_at, expires_at,"
        " staff_id, reason) VALUES (?, 'transfer', ?, ?, ?, ?, ?) RETURNING id",
        (contact_id, points, occurred_at, expires_at, staff_id, reason),
    ).fetchone()[0]
