"""Vouchers (schema 14): a campaign's offer, its single-use codes, and their redemption; and
a partner's code batch (schema 20): an offer of a partner's instead of a campaign's, its codes
bearer codes (no customer until one is redeemed).

Values go in and come out as stored; the rules (what a code looks like, when it may be used)
are relapp.domain.campaigns.vouchers'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.bulk import insert_rows
from relapp.db.models import database


@dataclass(frozen=True)
class OfferRow:
    id: int
    campaign_id: int
    kind: str  # points, amount, percent or reward
    value: int  # points, cents or the percent off; 0 for a reward
    reward_id: int | None
    reward_name: str | None
    min_spend_cents: int
    valid_from: str
    valid_until: str
    shared_code: str | None = None
    partner_id: int | None = None  # a partner's code batch (schema 20): no campaign
    direction: str | None = None  # theirs_here or ours_there, for a partner's batch
    label: str = ""  # a partner's batch's name


@dataclass(frozen=True)
class VoucherRow:
    id: int
    code: str
    contact_id: int | None  # None: a partner's bearer code not used yet
    redeemed_at: str | None
    offer: OfferRow
    campaign_name: str


_OFFER_COLUMNS = (
    "o.id, o.campaign_id, o.kind, o.value, o.reward_id, r.name, o.min_spend_cents,"
    " o.valid_from, o.valid_until, o.shared_code, o.partner_id, o.direction, o.label"
)
# What a voucher is called: its campaign's name, or for a partner's batch the partner's name
# and the batch's ("Café Luna, Spring cards"); needs campaign c and partner p joined.
_OFFER_NAME = "coalesce(c.name, p.name || CASE WHEN o.label = '' THEN '' ELSE ', ' || o.label END)"
_OWNERS = " LEFT JOIN campaign c ON c.id = o.campaign_id LEFT JOIN partner p ON p.id = o.partner_id"


def insert_offer(campaign_id: int, kind: str, value: int, reward_id: int | None,
                 min_spend_cents: int, valid_from: str, valid_until: str,
                 shared_code: str | None = None) -> int:  # fmt: skip
    return database.execute_sql(
        "INSERT INTO voucher_offer (campaign_id, kind, value, reward_id, min_spend_cents,"
        " valid_from, valid_until, shared_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            campaign_id,
            kind,
            value,
            reward_id,
            min_spend_cents,
            valid_from,
            valid_until,
            shared_code,
        ),
    ).fetchone()[0]


def offer_with_shared_code(code: str) -> tuple[OfferRow, str] | None:
    """The offer whose shared code this is (as stored), and its campaign's name."""
    row = database.execute_sql(
        f"SELECT {_OFFER_COLUMNS}, {_OFFER_NAME} FROM voucher_offer o"
        f"{_OWNERS} LEFT JOIN reward r ON r.id = o.reward_id"
        " WHERE o.shared_code = ?",
        (code,),
    ).fetchone()
    return None if row is None else (OfferRow(*row[:-1]), row[-1])


def insert_voucher(offer_id: int, contact_id: int, code: str) -> int:
    """One voucher row (a shared code's use by one customer); its id. The code is unique:
    a second use by the same customer fails here."""
    return database.execute_sql(
        "INSERT INTO voucher (offer_id, contact_id, code) VALUES (?, ?, ?) RETURNING id",
        (offer_id, contact_id, code),
    ).fetchone()[0]


def offer_of_campaign(campaign_id: int) -> OfferRow | None:
    row = database.execute_sql(
        f"SELECT {_OFFER_COLUMNS} FROM voucher_offer o LEFT JOIN reward r ON r.id = o.reward_id"
        " WHERE o.campaign_id = ?",
        (campaign_id,),
    ).fetchone()
    return None if row is None else OfferRow(*row)


def insert_vouchers(offer_id: int, codes: Sequence[tuple[int, str]]) -> None:
    """One voucher per (contact id, code), in the caller's transaction."""
    insert_rows(
        database,
        "voucher",
        ("offer_id", "contact_id", "code"),
        [(offer_id, contact_id, code) for contact_id, code in codes],
    )


def voucher_by_code(code: str) -> VoucherRow | None:
    row = database.execute_sql(
        f"SELECT v.id, v.code, v.contact_id, v.redeemed_at, {_OFFER_COLUMNS}, {_OFFER_NAME}"
        " FROM voucher v JOIN voucher_offer o ON o.id = v.offer_id"
        f"{_OWNERS} LEFT JOIN reward r ON r.id = o.reward_id"
        " WHERE v.code = ?",
        (code,),
    ).fetchone()
    if row is None:
        return None
    voucher_id, found_code, contact_id, redeemed_at, *offer, campaign_name = row
    return VoucherRow(voucher_id, found_code, contact_id, redeemed_at, OfferRow(*offer),
                      campaign_name)  # fmt: skip


def voucher_with_key(key: str) -> tuple[str, int] | None:
    """(code, contact id) of the voucher redeemed with this key, if any."""
    return database.execute_sql(
        "SELECT code, contact_id FROM voucher WHERE redeemed_key = ?", (key,)
    ).fetchone()


def mark_redeemed(
    voucher_id: int, redeemed_at: str, key: str, staff_id: int | None, contact_id: int
) -> bool:
    """Whether this call redeemed it (False: it was redeemed already). A bearer code (a
    partner's, no customer yet) becomes the customer's who redeems it."""
    cursor = database.execute_sql(
        "UPDATE voucher SET redeemed_at = ?, redeemed_key = ?, staff_id = ?,"
        " contact_id = coalesce(contact_id, ?) WHERE id = ? AND redeemed_at IS NULL",
        (redeemed_at, key, staff_id, contact_id, voucher_id),
    )
    return cursor.rowcount == 1


def codes_of_campaign(campaign_id: int) -> dict[int, str]:
    """contact id -> code of a produced campaign's vouchers."""
    return dict(
        database.execute_sql(
            "SELECT v.contact_id, v.code FROM voucher v JOIN voucher_offer o ON o.id = v.offer_id"
            " WHERE o.campaign_id = ?",
            (campaign_id,),
        ).fetchall()
    )


def redeemed_count(campaign_id: int) -> tuple[int, int]:
    """(vouchers issued, vouchers redeemed) of a campaign."""
    row = database.execute_sql(
        "SELECT count(*), count(v.redeemed_at) FROM voucher v"
        " JOIN voucher_offer o ON o.id = v.offer_id WHERE o.campaign_id = ?",
        (campaign_id,),
    ).fetchone()
    return int(row[0]), int(row[1])


def set_offer_window(offer_id: int, valid_from: str, valid_until: str) -> None:
    database.execute_sql(
        "UPDATE voucher_offer SET valid_from = ?, valid_until = ? WHERE id = ?",
        (valid_from, valid_until, offer_id),
    )


def active_reward_id(name: str) -> int | None:
    """The id of the offered reward called name (any letter case), if there is one."""
    from relapp.db.store.dialect import equal_nocase

    row = database.execute_sql(
        f"SELECT id FROM reward WHERE {equal_nocase('name')} AND active = 1", (name,)
    ).fetchone()
    return None if row is None else int(row[0])


def unused_by_campaign(now: str) -> list[tuple[str, str, int, str | None, int | None, str, int]]:
    """The vouchers not used yet and still valid at now, by offer: (campaign name, or a
    partner's batch's, kind, value, reward name, reward points cost, valid until, how many),
    by that name."""
    return database.execute_sql(
        f"SELECT {_OFFER_NAME} AS named, o.kind, o.value, r.name, r.points_cost, o.valid_until,"
        " count(*) FROM voucher v JOIN voucher_offer o ON o.id = v.offer_id"
        f"{_OWNERS} LEFT JOIN reward r ON r.id = o.reward_id"
        " WHERE v.redeemed_at IS NULL AND o.valid_until > ?"
        " GROUP BY o.id, c.name, p.name, o.label, o.kind, o.value, r.name, r.points_cost,"
        " o.valid_until ORDER BY named, o.id",
        (now,),
    ).fetchall()
