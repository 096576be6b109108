"""The demo shop's own rows: its staff, tiers, rewards, tags and segments, written with the ids
the generator chose (its contacts and their history go in through db.bulk.insert_rows)."""

from __future__ import annotations

from collections.abc import Sequence

from relapp.db.models import database
from relapp.db.store.engine import execute_many

StaffRow = tuple[int, str, str, str, str]  # id, name, role, PIN hash, created_at
TierRow = tuple[int, str, int, int]  # id, name, min_spend_cents, multiplier_percent
RewardRow = tuple[int, str, str, int, int | None, str]  # id, name, description, cost, stock, at
SegmentRow = tuple[str, str, str, str]  # name, filter (JSON), created_at, updated_at


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
