"""Partners (schema 20): partner businesses, the customers who came through each (their
referral source, contact.referred_by_partner_id), a partner's code batches (voucher offers
of the partner's, with bearer codes), and the partner report's figures.

Dates (agreement_from, agreement_until) go in and come out as ISO text; moments in the
stored timestamp form. What they mean is relapp.domain.partners's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.dialect import equal_nocase
from relapp.db.store.today import NAME_COLUMNS

PARTNER_COLUMNS = (
    "id", "name", "contact_person", "phone", "email", "offers", "agreement_from",
    "agreement_until", "notes", "contact_id", "created_at", "updated_at",
)  # fmt: skip
_EDITABLE = frozenset(PARTNER_COLUMNS) - {"id", "created_at"}
# The customers a partner's figures count: not erased, and not a duplicate merged into
# another record (its survivor counts instead, once).
_COUNTED = "erased_at IS NULL AND merged_into_id IS NULL"
_COUNTED_C = "c.erased_at IS NULL AND c.merged_into_id IS NULL"


@dataclass(frozen=True)
class PartnerRow:
    id: int
    name: str
    contact_person: str
    phone: str
    email: str
    offers: str
    agreement_from: str | None
    agreement_until: str | None
    notes: str
    contact_id: int | None  # the business's own customer record, if it is one
    created_at: str
    updated_at: str


def _partner(row: Sequence[object]) -> PartnerRow:
    return PartnerRow(*row)  # type: ignore[arg-type]


def partner_rows() -> list[PartnerRow]:
    """Every partner, by name."""
    cursor = database.execute_sql(
        f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partner ORDER BY lower(name), id"
    )
    return [_partner(row) for row in cursor.fetchall()]


def partner_row(partner_id: int) -> PartnerRow | None:
    row = database.execute_sql(
        f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partner WHERE id = ?", (partner_id,)
    ).fetchone()
    return None if row is None else _partner(row)


def partner_named(name: str, other_than: int | None = None) -> PartnerRow | None:
    """The partner called name in any letter case (not other_than), if there is one."""
    row = database.execute_sql(
        f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partner WHERE {equal_nocase('name')}"
        " AND id <> ?",
        (name, other_than or 0),
    ).fetchone()
    return None if row is None else _partner(row)


def partner_of_contact(contact_id: int, other_than: int | None = None) -> PartnerRow | None:
    """The partner whose customer record this contact is (not other_than), if any."""
    row = database.execute_sql(
        f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partner WHERE contact_id = ? AND id <> ?",
        (contact_id, other_than or 0),
    ).fetchone()
    return None if row is None else _partner(row)


def save_partner(partner_id: int | None, values: Mapping[str, object], now: str) -> int:
    """Insert (partner_id None) or update a partner from column -> value; its id."""
    unknown = set(values) - _EDITABLE
    if unknown:
        raise ValueError(f"not partner columns: {sorted(unknown)}")
    if partner_id is None:
        columns = [*values, "created_at", "updated_at"]
        return database.execute_sql(
            f"INSERT INTO partner ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))}) RETURNING id",
            (*values.values(), now, now),
        ).fetchone()[0]
    assignments = "".join(f"{column} = ?, " for column in values)
    database.execute_sql(
        f"UPDATE partner SET {assignments}updated_at = ? WHERE id = ?",
        (*values.values(), now, partner_id),
    )
    return partner_id


@dataclass(frozen=True)
class PartnerCounts:
    customers: int  # live customers who came through the partner
    batches: int
    codes: int  # codes made in the partner's batches
    redeemed: int  # of those, redeemed


def partner_counts() -> dict[int, PartnerCounts]:
    """Each partner's figures for the Partners list, in two grouped reads."""
    customers = dict(
        database.execute_sql(
            "SELECT referred_by_partner_id, count(*) FROM contact"
            f" WHERE referred_by_partner_id IS NOT NULL AND {_COUNTED}"
            " GROUP BY referred_by_partner_id"
        ).fetchall()
    )
    codes = {
        partner_id: (int(batches), int(made), int(used))
        for partner_id, batches, made, used in database.execute_sql(
            "SELECT o.partner_id, count(DISTINCT o.id), count(v.id), count(v.redeemed_at)"
            " FROM voucher_offer o LEFT JOIN voucher v ON v.offer_id = o.id"
            " WHERE o.partner_id IS NOT NULL GROUP BY o.partner_id"
        ).fetchall()
    }
    return {
        partner_id: PartnerCounts(
            int(customers.get(partner_id, 0)), *codes.get(partner_id, (0,) * 3)
        )
        for partner_id in set(customers) | set(codes)
    }


# ------------------------------------------------------------------------------ customers


def referral_partner(contact_id: int) -> int | None:
    """The partner the contact came through, if any."""
    row = database.execute_sql(
        "SELECT referred_by_partner_id FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()
    return None if row is None else row[0]


def set_referral_partner(contact_id: int, partner_id: int | None, updated_at: str) -> None:
    database.execute_sql(
        "UPDATE contact SET referred_by_partner_id = ?, updated_at = ? WHERE id = ?",
        (partner_id, updated_at, contact_id),
    )


def set_referral_partner_if_none(contact_id: int, partner_id: int, updated_at: str) -> bool:
    """The partner recorded as the contact's referral source unless they have one; whether
    it was."""
    cursor = database.execute_sql(
        "UPDATE contact SET referred_by_partner_id = ?, updated_at = ?"
        " WHERE id = ? AND referred_by_partner_id IS NULL",
        (partner_id, updated_at, contact_id),
    )
    return cursor.rowcount == 1


def customers_of(partner_id: int, limit: int) -> tuple[int, list[tuple[object, ...]]]:
    """(how many, the newest limit of them as (id, created_at, card_number, then the
    NAME_COLUMNS)) of the live customers who came through the partner."""
    total = database.execute_sql(
        f"SELECT count(*) FROM contact WHERE referred_by_partner_id = ? AND {_COUNTED}",
        (partner_id,),
    ).fetchone()[0]
    rows = database.execute_sql(
        f"SELECT c.id, c.created_at, c.card_number, {NAME_COLUMNS} FROM contact c"
        f" WHERE c.referred_by_partner_id = ? AND {_COUNTED_C}"
        " ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
        (partner_id, limit),
    ).fetchall()
    return int(total), rows


# --------------------------------------------------------------------------- code batches


@dataclass(frozen=True)
class BatchRow:
    offer_id: int
    label: str
    direction: str
    kind: str
    value: int
    reward_name: str | None
    min_spend_cents: int
    valid_from: str
    valid_until: str
    codes: int
    redeemed: int


def insert_batch_offer(
    partner_id: int, direction: str, label: str, kind: str, value: int, reward_id: int | None,
    min_spend_cents: int, valid_from: str, valid_until: str,
) -> int:  # fmt: skip
    """A partner's offer (no campaign); its id."""
    return database.execute_sql(
        "INSERT INTO voucher_offer (partner_id, direction, label, kind, value, reward_id,"
        " min_spend_cents, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (partner_id, direction, label, kind, value, reward_id, min_spend_cents, valid_from,
         valid_until),
    ).fetchone()[0]  # fmt: skip


def insert_bearer_codes(offer_id: int, codes: Sequence[str]) -> None:
    """Codes of the offer that belong to nobody until redeemed, in the caller's transaction."""
    insert_rows(database, "voucher", ("offer_id", "code"), [(offer_id, code) for code in codes])


def existing_codes(codes: Sequence[str]) -> set[str]:
    """Which of these codes some voucher has already."""
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        found |= {
            code
            for (code,) in database.execute_sql(
                f"SELECT code FROM voucher WHERE code IN ({', '.join('?' * len(chunk))})",
                tuple(chunk),
            ).fetchall()
        }
    return found


def batch_rows(partner_id: int) -> list[BatchRow]:
    """The partner's batches, the newest first, each with its codes and those redeemed."""
    rows = database.execute_sql(
        "SELECT o.id, o.label, o.direction, o.kind, o.value, r.name, o.min_spend_cents,"
        " o.valid_from, o.valid_until, count(v.id), count(v.redeemed_at)"
        " FROM voucher_offer o LEFT JOIN voucher v ON v.offer_id = o.id"
        " LEFT JOIN reward r ON r.id = o.reward_id WHERE o.partner_id = ?"
        " GROUP BY o.id, o.label, o.direction, o.kind, o.value, r.name, o.min_spend_cents,"
        " o.valid_from, o.valid_until ORDER BY o.valid_from DESC, o.id DESC",
        (partner_id,),
    ).fetchall()
    return [BatchRow(*row) for row in rows]


def batch_row(offer_id: int) -> tuple[int, BatchRow] | None:
    """(partner id, the batch) of a partner's offer."""
    row = database.execute_sql(
        "SELECT o.partner_id, o.id, o.label, o.direction, o.kind, o.value, r.name,"
        " o.min_spend_cents, o.valid_from, o.valid_until, count(v.id), count(v.redeemed_at)"
        " FROM voucher_offer o LEFT JOIN voucher v ON v.offer_id = o.id"
        " LEFT JOIN reward r ON r.id = o.reward_id WHERE o.id = ? AND o.partner_id IS NOT NULL"
        " GROUP BY o.partner_id, o.id, o.label, o.direction, o.kind, o.value, r.name,"
        " o.min_spend_cents, o.valid_from, o.valid_until",
        (offer_id,),
    ).fetchone()
    return None if row is None else (row[0], BatchRow(*row[1:]))


def batch_codes(offer_id: int) -> list[tuple[str, str | None]]:
    """(code, redeemed_at) of a batch's codes, in the order they were made."""
    return database.execute_sql(
        "SELECT code, redeemed_at FROM voucher WHERE offer_id = ? ORDER BY id", (offer_id,)
    ).fetchall()


# ------------------------------------------------------------------------ report figures


def acquired(partner_id: int, since: str, until: str) -> list[tuple[int, str]]:
    """(contact id, created_at) of the customers (_COUNTED ones) who came through the
    partner and joined in [since, until), by when they joined."""
    return database.execute_sql(
        "SELECT id, created_at FROM contact WHERE referred_by_partner_id = ?"
        f" AND {_COUNTED} AND created_at >= ? AND created_at < ?"
        " ORDER BY created_at, id",
        (partner_id, since, until),
    ).fetchall()


def activity_of(
    partner_id: int, since: str, until: str
) -> list[tuple[int, str, str, int | None, str | None]]:
    """(contact id, kind, occurred_at, amount_cents, refunded_at) of every visit and purchase
    of the customers acquired(partner_id, since, until) would list, by contact and time."""
    return database.execute_sql(
        "SELECT i.contact_id, i.kind, i.occurred_at, i.amount_cents, i.refunded_at"
        " FROM interaction i JOIN contact c ON c.id = i.contact_id"
        f" WHERE c.referred_by_partner_id = ? AND {_COUNTED_C} AND c.created_at >= ?"
        " AND c.created_at < ? AND i.kind IN ('visit', 'purchase')"
        " ORDER BY i.contact_id, i.occurred_at",
        (partner_id, since, until),
    ).fetchall()


def codes_by_direction(partner_id: int, since: str, until: str) -> dict[str, tuple[int, int]]:
    """direction -> (codes made in batches made in [since, until), codes redeemed in it)."""
    rows = database.execute_sql(
        "SELECT o.direction,"
        " count(CASE WHEN o.valid_from >= ? AND o.valid_from < ? THEN v.id END),"
        " count(CASE WHEN v.redeemed_at >= ? AND v.redeemed_at < ? THEN v.id END)"
        " FROM voucher_offer o JOIN voucher v ON v.offer_id = o.id"
        " WHERE o.partner_id = ? GROUP BY o.direction",
        (since, until, since, until, partner_id),
    ).fetchall()
    return {direction: (int(made), int(used)) for direction, made, used in rows}


def partner_campaigns(partner_id: int, since: str, until: str) -> tuple[int, int, int, int]:
    """Of the partner-offer campaigns produced in [since, until): (how many, messages sent,
    vouchers they gave, of those redeemed)."""
    campaigns, sent = database.execute_sql(
        "SELECT count(DISTINCT c.id), count(r.contact_id) FROM campaign c"
        " LEFT JOIN campaign_recipient r ON r.campaign_id = c.id AND r.role = 'sent'"
        " WHERE c.partner_id = ? AND c.produced_at >= ? AND c.produced_at < ?",
        (partner_id, since, until),
    ).fetchone()
    given, used = database.execute_sql(
        "SELECT count(v.id), count(v.redeemed_at) FROM campaign c"
        " JOIN voucher_offer o ON o.campaign_id = c.id JOIN voucher v ON v.offer_id = o.id"
        " WHERE c.partner_id = ? AND c.produced_at >= ? AND c.produced_at < ?",
        (partner_id, since, until),
    ).fetchone()
    return int(campaigns), int(sent), int(given), int(used)


def partner_offer_consents() -> int:
    """How many live customers agree to partner offers now."""
    return database.execute_sql(
        "SELECT count(*) FROM consent_current k JOIN contact c ON c.id = k.contact_id"
        " WHERE k.channel = 'partner_offers' AND k.granted = 1"
        " AND c.archived_at IS NULL AND c.erased_at IS NULL"
    ).fetchone()[0]


def business_contacts(limit: int) -> list[tuple[object, ...]]:
    """(id, then the NAME_COLUMNS) of up to limit live business customers, by name."""
    return database.execute_sql(
        f"SELECT c.id, {NAME_COLUMNS} FROM contact c WHERE c.kind = 'business'"
        " AND c.archived_at IS NULL AND c.erased_at IS NULL"
        " ORDER BY lower(c.organisation), c.id LIMIT ?",
        (limit,),
    ).fetchall()
