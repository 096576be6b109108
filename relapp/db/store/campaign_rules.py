"""Automatic campaign rules (schema 16): their settings, who each one lists today, and the
member lists of the campaigns made from them.

Each list is of live customers (not archived, not erased) and leaves out whoever was on a
list of the same rule approved since a given moment (a campaign with that rule, through its
campaign_member rows), reached or left out alike. The moments and numbers are the domain's
(relapp.domain.campaigns.automatic); here they are only compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.bulk import insert_rows
from relapp.db.models import database

RULE_COLUMNS = (
    "rule", "enabled", "channel", "subject", "template", "number", "offer_kind", "offer_value",
    "offer_reward_id", "offer_min_spend_cents", "offer_valid_days", "updated_at",
)  # fmt: skip
_LIVE = "c.archived_at IS NULL AND c.erased_at IS NULL"


@dataclass(frozen=True)
class RuleRow:
    rule: str
    enabled: bool
    channel: str
    subject: str
    template: str
    number: int
    offer_kind: str | None
    offer_value: int
    offer_reward_id: int | None
    offer_min_spend_cents: int
    offer_valid_days: int
    updated_at: str | None


def rule_rows() -> list[RuleRow]:
    """The rules saved so far (a rule never saved has no row)."""
    rows = database.execute_sql(f"SELECT {', '.join(RULE_COLUMNS)} FROM campaign_rule")
    found = []
    for row in rows.fetchall():
        values = dict(zip(RULE_COLUMNS, row, strict=True))
        values["enabled"] = bool(values["enabled"])
        found.append(RuleRow(**values))
    return found


def save_rule(row: RuleRow) -> None:
    """Insert or replace the rule's row."""
    values = (
        row.rule, int(row.enabled), row.channel, row.subject, row.template, row.number,
        row.offer_kind, row.offer_value, row.offer_reward_id, row.offer_min_spend_cents,
        row.offer_valid_days, row.updated_at,
    )  # fmt: skip
    database.execute_sql("DELETE FROM campaign_rule WHERE rule = ?", (row.rule,))
    database.execute_sql(
        f"INSERT INTO campaign_rule ({', '.join(RULE_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(RULE_COLUMNS))})",
        values,
    )


# ------------------------------------------------------------------------------ the lists


def _not_listed_since(rule: str, since: str) -> tuple[str, list[object]]:
    """A LEFT JOIN (as `done`) of the contacts on a list of this rule approved after since;
    a contact is free when done.contact_id IS NULL. A join, not NOT IN: see
    campaigns.audience."""
    return (
        "LEFT JOIN (SELECT DISTINCT m.contact_id FROM campaign_member m"
        " JOIN campaign k ON k.id = m.campaign_id WHERE k.rule = ? AND k.created_at > ?)"
        " AS done ON done.contact_id = c.id",
        [rule, since],
    )


def _listed(select: str, sql: str, params: Sequence[object], count: bool) -> list[int] | int:
    if count:
        return int(database.execute_sql(f"SELECT count(*) FROM ({sql}) AS listed", params)
                   .fetchone()[0])  # fmt: skip
    return [contact_id for (contact_id,) in database.execute_sql(f"{sql} ORDER BY {select}",
                                                                  params).fetchall()]  # fmt: skip


def joined_since(joined_after: str, listed_since: str, *, count: bool = False) -> list[int] | int:
    """Live customers who joined (were created) after joined_after and were never on a
    welcome list approved after listed_since; their ids in id order, or how many."""
    done, params = _not_listed_since("welcome", listed_since)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE c.created_at > ? AND {_LIVE}"
        " AND done.contact_id IS NULL"
    )
    return _listed("c.id", sql, [*params, joined_after], count)


def born_on(
    days: Sequence[tuple[int, int]], listed_since: str, *, count: bool = False
) -> list[int] | int:
    """Live customers born on any of these (month, day)s, not on a birthday list approved
    after listed_since."""
    if not days:
        return 0 if count else []
    done, params = _not_listed_since("birthday", listed_since)
    pairs = " OR ".join("(c.birth_month = ? AND c.birth_day = ?)" for _ in days)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE c.birth_month IS NOT NULL AND ({pairs})"
        f" AND {_LIVE} AND done.contact_id IS NULL"
    )
    return _listed("c.id", sql, [*params, *(n for pair in days for n in pair)], count)


def drifted_before(before: str, *, count: bool = False) -> list[int] | int:
    """Live customers whose visits drifted (contact_rhythm.drifts_at) before this moment and
    who have not been on a win-back list approved since their last visit."""
    sql = (
        "SELECT c.id FROM contact_rhythm r JOIN contact c ON c.id = r.contact_id"
        " LEFT JOIN (SELECT m.contact_id, max(k.created_at) AS at FROM campaign_member m"
        " JOIN campaign k ON k.id = m.campaign_id WHERE k.rule = 'win_back'"
        " GROUP BY m.contact_id) AS done ON done.contact_id = c.id"
        f" WHERE r.drifts_at IS NOT NULL AND r.drifts_at < ? AND {_LIVE}"
        " AND (done.at IS NULL OR done.at < r.last_visit_at)"
    )
    return _listed("c.id", sql, [before], count)


def points_between(
    ranges: Sequence[tuple[int, int]], listed_since: str, *, count: bool = False
) -> list[int] | int:
    """Live customers whose points balance is in any of these [low, high) ranges, not on a
    nearing-reward list approved after listed_since."""
    if not ranges:
        return 0 if count else []
    done, params = _not_listed_since("nearing_reward", listed_since)
    spans = " OR ".join("(c.points_balance >= ? AND c.points_balance < ?)" for _ in ranges)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE ({spans}) AND {_LIVE} AND done.contact_id IS NULL"
    )
    return _listed("c.id", sql, [*params, *(n for span in ranges for n in span)], count)


# ------------------------------------------------------------------- a campaign's members


def insert_members(campaign_id: int, contact_ids: Sequence[int]) -> None:
    insert_rows(
        database, "campaign_member", ("campaign_id", "contact_id"),
        [(campaign_id, contact_id) for contact_id in contact_ids],
    )  # fmt: skip


def members_condition(campaign_id: int) -> tuple[str, tuple[object, ...]]:
    """The condition (on the bare contact table, as a segment's) that holds for the
    campaign's members."""
    return "id IN (SELECT contact_id FROM campaign_member WHERE campaign_id = ?)", (campaign_id,)


def delete_unproduced(campaign_id: int) -> bool:
    """Remove a campaign not produced yet (its members and offer go with it); whether it was."""
    cursor = database.execute_sql(
        "DELETE FROM campaign WHERE id = ? AND produced_at IS NULL", (campaign_id,)
    )
    return cursor.rowcount > 0
