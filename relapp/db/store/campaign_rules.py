"""Automatic campaign rules (schema 16): their settings, who each one lists today, and the
member lists of the campaigns made from them.

Each list is of live customers (not archived, not erased) and leaves out whoever was on a
list of the same rule produced since a given moment (a produced campaign with that rule,
through its campaign_member rows), reached or left out alike. The moments and numbers are
the domain's (relapp.domain.campaigns.automatic); here they are only compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.memberships import latest_condition

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
    """A LEFT JOIN (as `done`) of the contacts on a list of this rule produced after since;
    a contact is free when done.contact_id IS NULL. A join, not NOT IN: see
    campaigns.audience."""
    return (
        "LEFT JOIN (SELECT DISTINCT m.contact_id FROM campaign_member m"
        " JOIN campaign k ON k.id = m.campaign_id WHERE k.rule = ? AND k.created_at > ?"
        " AND k.produced_at IS NOT NULL)"
        " AS done ON done.contact_id = c.id",
        [rule, since],
    )


@dataclass(frozen=True)
class ListQuery:
    """A rule's list: SQL selecting the contacts' ids (as c.id), and its parameters."""

    sql: str
    params: tuple[object, ...]


NOBODY = ListQuery("SELECT c.id FROM contact c WHERE 1 = 0", ())


def count_listed(query: ListQuery) -> int:
    return int(database.execute_sql(f"SELECT count(*) FROM ({query.sql}) AS listed",
                                    query.params).fetchone()[0])  # fmt: skip


def listed_ids(query: ListQuery) -> list[int]:
    """The ids in id order. Sorted here: an ORDER BY makes SQLite walk the contacts in id
    order and look each one up in the rhythm table (1.2 s for 100,000 drifting customers of
    1,000,000, against 0.8 s)."""
    return sorted(id_ for (id_,) in database.execute_sql(query.sql, query.params).fetchall())


def insert_members_listed(campaign_id: int, query: ListQuery) -> int:
    """The list as the campaign's members, in one statement (330,000 ids sent back and forth
    took 5.4 s on a shop server); how many."""
    cursor = database.execute_sql(
        f"INSERT INTO campaign_member (campaign_id, contact_id) SELECT ?, listed.id"
        f" FROM ({query.sql}) AS listed",
        (campaign_id, *query.params),
    )
    return int(cursor.rowcount)


def joined_since(joined_after: str, listed_since: str) -> ListQuery:
    """Live customers who joined (were created) after joined_after and were never on a
    welcome list produced after listed_since."""
    done, params = _not_listed_since("welcome", listed_since)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE c.created_at > ? AND {_LIVE}"
        " AND done.contact_id IS NULL"
    )
    return ListQuery(sql, (*params, joined_after))


def born_on(days: Sequence[tuple[int, int]], listed_since: str) -> ListQuery:
    """Live customers born on any of these (month, day)s, not on a birthday list produced
    after listed_since."""
    if not days:
        return NOBODY
    done, params = _not_listed_since("birthday", listed_since)
    pairs = " OR ".join("(c.birth_month = ? AND c.birth_day = ?)" for _ in days)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE c.birth_month IS NOT NULL AND ({pairs})"
        f" AND {_LIVE} AND done.contact_id IS NULL"
    )
    return ListQuery(sql, (*params, *(n for pair in days for n in pair)))


def drifted_before(before: str) -> ListQuery:
    """Live customers whose visits drifted (contact_rhythm.drifts_at) before this moment and
    who have not been on a win-back list produced since their last visit."""
    sql = (
        "SELECT c.id FROM contact_rhythm r JOIN contact c ON c.id = r.contact_id"
        " LEFT JOIN (SELECT m.contact_id, max(k.created_at) AS at FROM campaign_member m"
        " JOIN campaign k ON k.id = m.campaign_id WHERE k.rule = 'win_back'"
        " AND k.produced_at IS NOT NULL"
        " GROUP BY m.contact_id) AS done ON done.contact_id = c.id"
        f" WHERE r.drifts_at IS NOT NULL AND r.drifts_at < ? AND {_LIVE}"
        " AND (done.at IS NULL OR done.at < r.last_visit_at)"
    )
    return ListQuery(sql, (before,))


def lapsed_between(since: str, before: str) -> ListQuery:
    """Live customers whose latest membership (not cancelled: relapp.db.store.memberships)
    left its grace from since up to before (ISO dates: grace_until from since, before
    before), not on a lapsed-member list produced since that grace ended, so once per lapse
    (a renewal, then a lapse again, lists them again)."""
    sql = (
        "SELECT c.id FROM membership m JOIN contact c ON c.id = m.contact_id"
        " LEFT JOIN (SELECT mm.contact_id, max(k.created_at) AS at FROM campaign_member mm"
        " JOIN campaign k ON k.id = mm.campaign_id WHERE k.rule = 'lapsed_member'"
        " AND k.produced_at IS NOT NULL"
        " GROUP BY mm.contact_id) AS done ON done.contact_id = c.id"
        " WHERE m.cancelled_at IS NULL AND m.grace_until >= ? AND m.grace_until < ?"
        f" AND {_LIVE} AND {latest_condition()} AND (done.at IS NULL OR done.at < m.grace_until)"
    )
    return ListQuery(sql, (since, before))


def points_between(ranges: Sequence[tuple[int, int]], listed_since: str) -> ListQuery:
    """Live customers whose points balance is in any of these [low, high) ranges, not on a
    nearing-reward list produced after listed_since."""
    if not ranges:
        return NOBODY
    done, params = _not_listed_since("nearing_reward", listed_since)
    spans = " OR ".join("(c.points_balance >= ? AND c.points_balance < ?)" for _ in ranges)
    sql = (
        f"SELECT c.id FROM contact c {done} WHERE ({spans}) AND {_LIVE} AND done.contact_id IS NULL"
    )
    return ListQuery(sql, (*params, *(n for span in ranges for n in span)))


# ------------------------------------------------------------------- a campaign's members


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


def delete_unproduced_of_rule(rule: str) -> int:
    """Remove the rule's campaigns not produced (left by a window closed mid-approval); how
    many."""
    cursor = database.execute_sql(
        "DELETE FROM campaign WHERE rule = ? AND produced_at IS NULL", (rule,)
    )
    return int(cursor.rowcount)


def members_count(campaign_id: int) -> int:
    return int(database.execute_sql(
        "SELECT count(*) FROM campaign_member WHERE campaign_id = ?", (campaign_id,)
    ).fetchone()[0])  # fmt: skip
