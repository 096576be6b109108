"""The points ledger's data: entries, the balances and tiers cached on contacts, and sales.

A sale is a purchase interaction (with its sale_key when a till sent one); its points are
ledger entries pointing at it. The rules that decide what to write (earning, expiry, refunds,
bonuses) are in relapp.domain.loyalty.points*; the ledger's own invariants (append-only entries, the
cached balance, no overdraw) are triggers in the schema (migration 2). Every function runs in
the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import without_index

# -- the contact as the ledger reads it ----------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    """The contact columns the loyalty rules read."""

    id: int
    kind: str
    given_name: str
    family_name: str
    organisation: str
    points_balance: int
    tier_id: int | None
    referred_by_id: int | None
    birth_month: int | None
    archived: bool


def customer_row(contact_id: int) -> CustomerRow | None:
    """The contact, unless it does not exist or was erased."""
    row = database.execute_sql(
        "SELECT id, kind, given_name, family_name, organisation, points_balance, tier_id,"
        " referred_by_id, birth_month, archived_at IS NOT NULL FROM contact"
        " WHERE id = ? AND erased_at IS NULL",
        (contact_id,),
    ).fetchone()
    return None if row is None else _customer(row)


def _customer(
    row: tuple[int, str, str, str, str, int, int | None, int | None, int | None, int],
) -> CustomerRow:
    """CustomerRow of a row of its columns, then whether archived (0 or 1)."""
    return CustomerRow(*row[:9], bool(row[9]))


def contact_id_if_present(contact_id: int, archived_too: bool) -> int | None:
    """contact_id if that contact exists, is not erased and (unless archived_too) not archived."""
    archived = "" if archived_too else " AND archived_at IS NULL"
    row = database.execute_sql(
        f"SELECT id FROM contact WHERE id = ? AND erased_at IS NULL{archived}", (contact_id,)
    ).fetchone()
    return None if row is None else row[0]


def contact_not_erased(contact_id: int) -> bool:
    row = database.execute_sql(
        "SELECT 1 FROM contact WHERE id = ? AND erased_at IS NULL", (contact_id,)
    ).fetchone()
    return row is not None


def staff_exists(staff_id: int) -> bool:
    row = database.execute_sql("SELECT 1 FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return row is not None


def points_balance(contact_id: int) -> int:
    """The contact's cached balance (the triggers keep it the sum of its entries)."""
    return database.execute_sql(
        "SELECT points_balance FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()[0]


def tier_id_of(contact_id: int) -> int | None:
    return database.execute_sql(
        "SELECT tier_id FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()[0]


def set_tier_id(contact_id: int, tier_id: int | None) -> None:
    # updated_at stays: the tier is derived like the balance, and the contact editor reads a
    # newer updated_at as somebody else's edit.
    database.execute_sql("UPDATE contact SET tier_id = ? WHERE id = ?", (tier_id, contact_id))


def place_tierless_contacts(window_start: datetime | None, now: datetime) -> int:
    """Put every contact without a tier (not erased) in the highest tier its spend from
    window_start (None: all time) up to now reaches, if there is a tier from 0; how many."""
    return database.execute_sql(
        "UPDATE contact SET tier_id = (SELECT t.id FROM tier t WHERE t.min_spend_cents <="
        " (SELECT coalesce(sum(i.amount_cents), 0) FROM interaction i"
        "  WHERE i.contact_id = contact.id AND i.kind = 'purchase' AND i.refunded_at IS NULL"
        "  AND i.occurred_at >= ? AND i.occurred_at <= ?)"
        " ORDER BY t.min_spend_cents DESC LIMIT 1)"
        " WHERE tier_id IS NULL AND erased_at IS NULL"
        " AND EXISTS (SELECT 1 FROM tier WHERE min_spend_cents = 0)",
        (_since(window_start), format_timestamp(now)),
    ).rowcount


# -- entries -------------------------------------------------------------------------------------


def insert_entry(
    contact_id: int,
    kind: str,
    points: int,
    occurred_at: datetime,
    reason: str,
    *,
    expires_at: datetime | None = None,
    interaction_id: int | None = None,
    reward_id: int | None = None,
    reverses_id: int | None = None,
    staff_id: int | None = None,
    occasion: str | None = None,
) -> int:
    """Append one ledger entry; its id. The triggers move the balance and refuse an overdraw."""
    return database.execute_sql(
        "INSERT INTO points_entry (contact_id, kind, points, occurred_at, expires_at,"
        " interaction_id, reward_id, reverses_id, staff_id, reason, occasion)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            contact_id,
            kind,
            points,
            format_timestamp(occurred_at),
            None if expires_at is None else format_timestamp(expires_at),
            interaction_id,
            reward_id,
            reverses_id,
            staff_id,
            reason,
            occasion,
        ),
    ).fetchone()[0]


def entries_for_lots(contact_id: int) -> list[tuple[int, int, str | None, int | None]]:
    """The contact's entries in ledger order: (id, points, expires_at as stored, reverses_id).

    expires_at stays the stored text: it sorts chronologically, which the lot replay relies on.
    """
    return database.execute_sql(
        "SELECT id, points, expires_at, reverses_id FROM points_entry WHERE contact_id = ?"
        " ORDER BY occurred_at, id",
        (contact_id,),
    ).fetchall()


def latest_earning_expiring_by(contact_id: int, expires_by: datetime) -> datetime:
    """When the contact's latest positive entry expiring by expires_by was written."""
    earned_up_to = database.execute_sql(
        "SELECT max(occurred_at) FROM points_entry WHERE contact_id = ? AND points > 0"
        " AND expires_at <= ?",
        (contact_id, format_timestamp(expires_by)),
    ).fetchone()[0]
    return parse_timestamp(earned_up_to)


def contacts_with_points_due(now: datetime) -> list[int]:
    """Contacts with a positive balance and a positive entry whose expiry has come, by id."""
    return [
        row[0]
        for row in database.execute_sql(
            "SELECT DISTINCT p.contact_id FROM points_entry p JOIN contact c"
            " ON c.id = p.contact_id WHERE p.expires_at <= ? AND p.points > 0"
            " AND c.points_balance > 0 ORDER BY p.contact_id",
            (format_timestamp(now),),
        )
    ]


def occasion_used(occasion: str) -> bool:
    """Whether any entry was written for this occasion (unique per entry)."""
    row = database.execute_sql(
        "SELECT 1 FROM points_entry WHERE occasion = ? LIMIT 1", (occasion,)
    ).fetchone()
    return row is not None


def contact_has_occasion(contact_id: int, occasion: str) -> bool:
    row = database.execute_sql(
        "SELECT 1 FROM points_entry WHERE occasion = ? AND contact_id = ?",
        (occasion, contact_id),
    ).fetchone()
    return row is not None


def has_bonus_for(contact_id: int, occasion: str, legacy_reason: str) -> bool:
    """Whether the contact has a bonus entry for occasion, or one written before occasions
    existed (no occasion) with legacy_reason as its reason."""
    row = database.execute_sql(
        "SELECT 1 FROM points_entry WHERE contact_id = ? AND kind = 'bonus'"
        " AND (occasion = ? OR (occasion IS NULL AND reason = ?)) LIMIT 1",
        (contact_id, occasion, legacy_reason),
    ).fetchone()
    return row is not None


def opening_entry(contact_id: int) -> tuple[int, str] | None:
    """The contact's opening balance entry, if any: (points, occurred_at as stored)."""
    return database.execute_sql(
        "SELECT points, occurred_at FROM points_entry WHERE contact_id = ? AND kind = 'opening'"
        " LIMIT 1",
        (contact_id,),
    ).fetchone()


@dataclass(frozen=True)
class EntryRow:
    """One ledger entry as a statement shows it."""

    id: int
    occurred_at: datetime
    kind: str
    points: int
    reason: str
    expires_at: datetime | None
    sale_id: int | None  # the purchase of an earn entry


def latest_entries(contact_id: int, limit: int | None = None) -> list[EntryRow]:
    """The contact's entries, newest first (occurred_at, then id); the latest limit if given."""
    query = (
        "SELECT id, occurred_at, kind, points, reason, expires_at,"
        " CASE WHEN kind = 'earn' THEN interaction_id END FROM points_entry"
        " WHERE contact_id = ? ORDER BY occurred_at DESC, id DESC"
    )
    if limit is None:
        rows = database.execute_sql(query, (contact_id,)).fetchall()
    else:
        rows = database.execute_sql(f"{query} LIMIT ?", (contact_id, limit)).fetchall()
    return [
        EntryRow(
            entry_id,
            parse_timestamp(occurred_at),
            kind,
            points,
            reason,
            None if expires_at is None else parse_timestamp(expires_at),
            sale_id,
        )
        for entry_id, occurred_at, kind, points, reason, expires_at, sale_id in rows
    ]


# -- sales -------------------------------------------------------------------------------------


def has_purchase(contact_id: int) -> bool:
    row = database.execute_sql(
        "SELECT 1 FROM interaction WHERE contact_id = ? AND kind = 'purchase' LIMIT 1",
        (contact_id,),
    ).fetchone()
    return row is not None


def insert_purchase(
    contact_id: int,
    at: datetime,
    summary: str,
    amount_cents: int,
    staff_id: int | None,
    sale_key: str | None,
) -> int:
    """A purchase interaction occurring (and written) at `at`; its id. A sale_key already
    stored raises the unique index's IntegrityError."""
    stamp = format_timestamp(at)
    return database.execute_sql(
        "INSERT INTO interaction (contact_id, kind, occurred_at, summary, amount_cents,"
        " staff_id, created_at, updated_at, sale_key)"
        " VALUES (?, 'purchase', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (contact_id, stamp, summary, amount_cents, staff_id, stamp, stamp, sale_key),
    ).fetchone()[0]


def sale_by_key(sale_key: str) -> tuple[int, int, int | None] | None:
    """The interaction recorded under sale_key: (id, contact_id, amount_cents)."""
    return database.execute_sql(
        "SELECT id, contact_id, amount_cents FROM interaction WHERE sale_key = ?", (sale_key,)
    ).fetchone()


def sale_points(interaction_id: int) -> tuple[int, int]:
    """(points earned, bonus points given) by the entries of this interaction."""
    return database.execute_sql(
        "SELECT coalesce(sum(CASE WHEN kind = 'earn' THEN points END), 0),"
        " coalesce(sum(CASE WHEN kind = 'bonus' THEN points END), 0)"
        " FROM points_entry WHERE interaction_id = ?",
        (interaction_id,),
    ).fetchone()


@dataclass(frozen=True)
class InteractionForRefund:
    contact_id: int
    kind: str
    amount_cents: int | None
    refunded_at: str | None  # as stored


def interaction_for_refund(interaction_id: int) -> InteractionForRefund | None:
    row = database.execute_sql(
        "SELECT contact_id, kind, amount_cents, refunded_at FROM interaction WHERE id = ?",
        (interaction_id,),
    ).fetchone()
    return None if row is None else InteractionForRefund(*row)


@dataclass(frozen=True)
class EarnEntry:
    id: int
    points: int
    expires_at: datetime | None


def earn_entry_of(interaction_id: int) -> EarnEntry | None:
    """The earn entry of a sale, if it earned points."""
    row = database.execute_sql(
        "SELECT id, points, expires_at FROM points_entry"
        " WHERE interaction_id = ? AND kind = 'earn'",
        (interaction_id,),
    ).fetchone()
    if row is None:
        return None
    entry_id, points, expires_at = row
    return EarnEntry(entry_id, points, None if expires_at is None else parse_timestamp(expires_at))


def mark_refunded(interaction_id: int, at: datetime) -> int:
    """Mark the sale refunded at `at` unless it already is; how many rows changed (0 or 1)."""
    stamp = format_timestamp(at)
    return database.execute_sql(
        "UPDATE interaction SET refunded_at = ?, updated_at = ?"
        " WHERE id = ? AND refunded_at IS NULL",
        (stamp, stamp, interaction_id),
    ).rowcount


def insert_note(contact_id: int, at: datetime, summary: str, staff_id: int | None) -> int:
    """A note interaction occurring (and written) at `at`; its id."""
    stamp = format_timestamp(at)
    return database.execute_sql(
        "INSERT INTO interaction (contact_id, kind, occurred_at, summary, staff_id,"
        " created_at, updated_at) VALUES (?, 'note', ?, ?, ?, ?, ?) RETURNING id",
        (contact_id, stamp, summary, staff_id, stamp, stamp),
    ).fetchone()[0]


def purchase_spend(contact_id: int, window_start: datetime | None, now: datetime) -> int:
    """The contact's purchases not refunded, from window_start (None: all time) up to now."""
    return database.execute_sql(
        "SELECT coalesce(sum(amount_cents), 0) FROM interaction WHERE contact_id = ?"
        " AND kind = 'purchase' AND refunded_at IS NULL AND occurred_at >= ? AND occurred_at <= ?",
        (contact_id, _since(window_start), format_timestamp(now)),
    ).fetchone()[0]


def purchase_recorded_at(interaction_id: int) -> datetime | None:
    """When the purchase was written (created_at); None if there is no such purchase."""
    row = database.execute_sql(
        "SELECT created_at FROM interaction WHERE id = ? AND kind = 'purchase'",
        (interaction_id,),
    ).fetchone()
    return None if row is None else parse_timestamp(row[0])


@dataclass(frozen=True)
class RefundedSale:
    contact_id: int
    amount_cents: int | None
    points_reversed: int  # by the sale's reversal entries, as a positive number
    balance: int  # the contact's balance now


def refunded_sale(interaction_id: int) -> RefundedSale:
    row = database.execute_sql(
        "SELECT i.contact_id, i.amount_cents,"
        " (SELECT coalesce(-sum(points), 0) FROM points_entry"
        "  WHERE interaction_id = i.id AND kind = 'reversal'),"
        " c.points_balance"
        " FROM interaction i JOIN contact c ON c.id = i.contact_id WHERE i.id = ?",
        (interaction_id,),
    ).fetchone()
    return RefundedSale(*row)


def recent_purchase_amounts(contact_id: int, limit: int) -> list[int]:
    """The contact's latest purchase amounts (not refunded, above 0), newest first."""
    return _amounts(
        "SELECT amount_cents FROM interaction WHERE contact_id = ? AND kind = 'purchase'"
        " AND refunded_at IS NULL AND amount_cents > 0 ORDER BY occurred_at DESC LIMIT ?",
        (contact_id, limit),
    )


def shop_recent_purchase_amounts(limit: int) -> list[int]:
    """The shop's latest purchase amounts (not refunded, above 0), newest first."""
    # "+kind": walking interaction_time back from now reads a few hundred rows; through the
    # kind index SQLite would sort every purchase of the shop first (1.7 s at a million).
    return _amounts(
        f"SELECT amount_cents FROM interaction WHERE {without_index('kind')} = 'purchase'"
        " AND refunded_at IS NULL AND amount_cents > 0 ORDER BY occurred_at DESC LIMIT ?",
        (limit,),
    )


def _amounts(sql: str, parameters: tuple[object, ...]) -> list[int]:
    return [row[0] for row in database.execute_sql(sql, parameters)]


def _since(moment: datetime | None) -> str:
    """A lower bound for stored timestamps: every one is >= the empty string."""
    return "" if moment is None else format_timestamp(moment)
