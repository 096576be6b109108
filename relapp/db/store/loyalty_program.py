"""The loyalty program's data: tiers, rewards and what the program owes in points.

The program's settings (points per unit, expiry, bonuses) are shop settings, stored with the
others. What a manager may change, and the audit of it, is relapp.domain.loyalty.program's;
redeeming
a reward is relapp.domain.loyalty.points's. Every function runs in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import distinct_from, equal_nocase, least

# -- tiers -------------------------------------------------------------------------------------


def tiers_by_threshold() -> list[tuple[int, str, int, int]]:
    """Every tier, lowest threshold first: (id, name, min_spend_cents, multiplier_percent)."""
    return database.execute_sql(
        "SELECT id, name, min_spend_cents, multiplier_percent FROM tier ORDER BY min_spend_cents"
    ).fetchall()


def tiers_with_customers() -> list[tuple[int, str, int, int, int]]:
    """Every tier, lowest threshold first, with how many active (not archived, not erased)
    contacts are in it: (id, name, min_spend_cents, multiplier_percent, customers)."""
    return database.execute_sql(
        "SELECT t.id, t.name, t.min_spend_cents, t.multiplier_percent,"
        " (SELECT count(*) FROM contact c WHERE c.tier_id = t.id"
        "  AND c.archived_at IS NULL AND c.erased_at IS NULL)"
        " FROM tier t ORDER BY t.min_spend_cents"
    ).fetchall()


def tier_with_name_or_threshold(
    name: str, min_spend_cents: int, other_than_id: int | None
) -> str | None:
    """The name of a tier other than other_than_id that has this name (in any letter case) or
    this threshold, if there is one."""
    row = database.execute_sql(
        f"SELECT name FROM tier WHERE ({equal_nocase('name')} OR min_spend_cents = ?)"
        f" AND {distinct_from('id')}",
        (name, min_spend_cents, other_than_id),
    ).fetchone()
    return None if row is None else row[0]


def insert_tier(name: str, min_spend_cents: int, multiplier_percent: int) -> int:
    return database.execute_sql(
        "INSERT INTO tier (name, min_spend_cents, multiplier_percent)"
        " VALUES (?, ?, ?) RETURNING id",
        (name, min_spend_cents, multiplier_percent),
    ).fetchone()[0]


def update_tier(tier_id: int, name: str, min_spend_cents: int, multiplier_percent: int) -> None:
    database.execute_sql(
        "UPDATE tier SET name = ?, min_spend_cents = ?, multiplier_percent = ? WHERE id = ?",
        (name, min_spend_cents, multiplier_percent, tier_id),
    )


# -- rewards ----------------------------------------------------------------------------------


def rewards_on_offer(points: int) -> list[tuple[int, str, str, int, int | None]]:
    """Active rewards in stock, those costing at most points first, then by cost and name:
    (id, name, description, points_cost, stock)."""
    return database.execute_sql(
        "SELECT id, name, description, points_cost, stock FROM reward"
        " WHERE active = 1 AND (stock IS NULL OR stock > 0)"
        " ORDER BY points_cost > ?, points_cost, name, id",
        (points,),
    ).fetchall()


def reward_for_redeeming(reward_id: int) -> tuple[str, int, int | None, bool] | None:
    """(name, points_cost, stock, active) of the reward, if it exists."""
    row = database.execute_sql(
        "SELECT name, points_cost, stock, active FROM reward WHERE id = ?", (reward_id,)
    ).fetchone()
    if row is None:
        return None
    name, cost, stock, active = row
    return name, cost, stock, bool(active)


def take_one_from_stock(reward_id: int) -> None:
    database.execute_sql("UPDATE reward SET stock = stock - 1 WHERE id = ?", (reward_id,))


def rewards_with_redemptions() -> list[tuple[int, str, str, int, int | None, bool, int]]:
    """Every reward, active first, then by cost and name, with how many times it was redeemed:
    (id, name, description, points_cost, stock, active, redeemed)."""
    return [
        (reward_id, name, description, cost, stock, bool(active), redeemed)
        for reward_id, name, description, cost, stock, active, redeemed in database.execute_sql(
            "SELECT r.id, r.name, r.description, r.points_cost, r.stock, r.active,"
            " (SELECT count(*) FROM points_entry e WHERE e.reward_id = r.id"
            "  AND e.kind = 'redeem')"
            " FROM reward r ORDER BY r.active DESC, r.points_cost, r.name"
        )
    ]


def insert_reward(
    name: str,
    description: str,
    points_cost: int,
    stock: int | None,
    active: bool,
    created_at: datetime,
) -> int:
    return database.execute_sql(
        "INSERT INTO reward (name, description, points_cost, stock, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (name, description, points_cost, stock, int(active), format_timestamp(created_at)),
    ).fetchone()[0]


def update_reward(
    reward_id: int,
    name: str,
    description: str,
    points_cost: int,
    stock: int | None,
    active: bool,
) -> None:
    database.execute_sql(
        "UPDATE reward SET name = ?, description = ?, points_cost = ?, stock = ?,"
        " active = ? WHERE id = ?",
        (name, description, points_cost, stock, int(active), reward_id),
    )


# -- what the program owes --------------------------------------------------------------------


def balances_by_tier() -> list[tuple[str, int, int]]:
    """Contacts (not erased) with points, per tier from the lowest, those without one first:
    (tier name or 'No tier', contacts, points)."""
    return database.execute_sql(
        "SELECT coalesce(t.name, 'No tier'), count(*), sum(c.points_balance)"
        " FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        " WHERE c.points_balance > 0 AND c.erased_at IS NULL"
        " GROUP BY c.tier_id, t.name, t.min_spend_cents ORDER BY coalesce(t.min_spend_cents, -1)"
    ).fetchall()


def points_expiring_between(after: datetime, until: datetime) -> int:
    """Positive entries expiring after `after` up to `until`, summed per contact and capped at
    the contact's balance (points already spent cannot expire)."""
    return database.execute_sql(
        f"SELECT coalesce(sum({least('due', 'c.points_balance')}), 0) FROM"
        " (SELECT contact_id, sum(points) AS due FROM points_entry"
        "  WHERE expires_at > ? AND expires_at <= ? AND points > 0 GROUP BY contact_id) e"
        " JOIN contact c ON c.id = e.contact_id WHERE c.points_balance > 0",
        (format_timestamp(after), format_timestamp(until)),
    ).fetchone()[0]
