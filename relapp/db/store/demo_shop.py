"""The demo shop's own rows: its staff, tiers, rewards, tags and segments, its membership
plans, partners and their code batches, written with the ids the generator chose (its
contacts and their history go in through db.bulk.insert_rows)."""

from __future__ import annotations

from collections.abc import Sequence

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.engine import execute_many

StaffRow = tuple[int, str, str, str, str]  # id, name, role, PIN hash, created_at
TierRow = tuple[int, str, int, int]  # id, name, min_spend_cents, multiplier_percent
RewardRow = tuple[int, str, str, int, int | None, str]  # id, name, description, cost, stock, at
SegmentRow = tuple[str, str, str, str]  # name, filter (JSON), created_at, updated_at
# id, name, fee_cents, length_months, grace_days, points_multiplier_percent, discount_percent,
# welcome_reward_id, reminder_days, created_at
PlanRow = tuple[int, str, int, int, int, int, int, int | None, int, str]
# id, name, contact_person, phone, email, offers, agreement_from, agreement_until, notes,
# created_at, updated_at
PartnerRow = tuple[int, str, str, str, str, str, str, str | None, str, str, str]
# id, partner_id, direction, label, kind, value, min_spend_cents, valid_from, valid_until
OfferRow = tuple[int, int, str, str, str, int, int, str, str]
# id, offer_id, code, contact_id, redeemed_at, redeemed_key, staff_id
CodeRow = tuple[int, int, str, int | None, str | None, str | None, int | None]


def insert_shop_rows(
    staff: Sequence[StaffRow],
    tiers: Sequence[TierRow],
    rewards: Sequence[RewardRow],
    tags: Sequence[tuple[int, str]],
    segments: Sequence[SegmentRow],
) -> None:
    execute_many(
        "INSERT INTO staff (id, name, role, pin_hash, active, created_at)"
        " VALUES (?, ?, ?, ?, 1, ?)",
        staff,
    )
    execute_many(
        "INSERT INTO tier (id, name, min_spend_cents, multiplier_percent) VALUES (?, ?, ?, ?)",
        tiers,
    )
    execute_many(
        "INSERT INTO reward (id, name, description, points_cost, stock, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?)",
        rewards,
    )
    execute_many("INSERT INTO tag (id, name) VALUES (?, ?)", tags)
    execute_many(
        "INSERT INTO segment (name, filter, created_at, updated_at) VALUES (?, ?, ?, ?)",
        segments,
    )
    if staff:
        # The shop (schema 11 made it when the file was created, stamped then) opened when
        # the demo's staff did: the same seed gives the same shop, row for row.
        database.execute_sql("UPDATE shop SET created_at = ? WHERE id = 1", (staff[0][4],))


def promote_referrers_to_advocates() -> None:
    """Someone who brought a friend in has moved up the ladder (clients and supporters)."""
    database.execute_sql(
        "UPDATE contact SET ladder_stage = 'advocate' WHERE ladder_stage IN "
        "('client', 'supporter') AND id IN "
        "(SELECT referred_by_id FROM contact WHERE referred_by_id IS NOT NULL)"
    )


def insert_plans_and_partners(
    plans: Sequence[PlanRow],
    plan_rewards: Sequence[tuple[int, int]],
    partners: Sequence[PartnerRow],
    offers: Sequence[OfferRow],
) -> None:
    """Membership plans (active, by months), the rewards only their members may take
    (plan_id, reward_id), partners (not linked to a customer yet: link_partner_records) and
    their code batches' offers."""
    execute_many(
        "INSERT INTO membership_plan (id, name, fee_cents, length_months, grace_days,"
        " points_multiplier_percent, discount_percent, welcome_reward_id, reminder_days,"
        " active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        plans,
    )
    execute_many("INSERT INTO plan_reward (plan_id, reward_id) VALUES (?, ?)", plan_rewards)
    execute_many(
        "INSERT INTO partner (id, name, contact_person, phone, email, offers, agreement_from,"
        " agreement_until, notes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        partners,
    )
    execute_many(
        "INSERT INTO voucher_offer (id, partner_id, direction, label, kind, value,"
        " min_spend_cents, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        offers,
    )


def insert_partner_codes(codes: Sequence[CodeRow]) -> None:
    """The batches' codes, those used naming their customer (once the customers are in)."""
    insert_rows(
        database, "voucher",
        ("id", "offer_id", "code", "contact_id", "redeemed_at", "redeemed_key", "staff_id"),
        codes,
    )  # fmt: skip


def link_partner_records(links: Sequence[tuple[int, int]]) -> None:
    """(contact_id, partner_id): the partner's own customer record (the ladder's partner
    stage is the generator's to give)."""
    execute_many("UPDATE partner SET contact_id = ? WHERE id = ?", links)
