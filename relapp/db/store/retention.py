"""Retention: the counts behind the retention summary (relapp.domain.timeline.retention holds what
they
mean: who is a customer, what a visit, a purchase, an active or a lapsed customer is).

Times go in in their stored form (relapp.db.fields.format_timestamp): `end` is the end of the
period, history dated from then on is left out of every count.

How it stays fast at a million customers (see relapp.domain.timeline.retention's docstring for the
measures): visits, first and last visit per customer come from contact_rhythm, kept by
triggers (schema 7), and the tier and stage counts from one walk of a covering index. Two
figures need the history itself, each read once in storage order.

One shop's figures (the shop_ functions) come from that shop's interactions alone: shop 1's
are those naming it and those with no shop (written before schema 11). contact_rhythm counts
every shop's visits together, so these read the history, in storage order as the all-shops
passes do: through an index each row is a random read. Measured at 50,000 customers (513,727
interactions, a third of them at a second shop): shop 1's customers took 0.8 s through
interaction_time instead of 0.13 s, the second shop's figures 1.0 s through
interaction_shop_time instead of 0.56 s. (A branch with a small share of the history would be
quicker through its index; the scan is never slower than one pass.) The all-shops queries are
untouched by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relapp.db.models import database
from relapp.db.store.dialect import count_true, not_indexed, without_index
from relapp.db.store.shops import of_shop
from relapp.db.store.today import INACTIVE_CONTACTS_SQL


def live_customers_by_tier(stages: Sequence[str]) -> list[tuple[Any, ...]]:
    """Live customers per tier: (tier_id or None, how many, then how many at each of stages).

    One walk of the index contact_by_tier: it holds every column asked for, in tier order, so
    neither a contact row nor a sort is needed (grouping by tier and stage would sort a
    million entries)."""
    per_stage = ", ".join(count_true("ladder_stage = ?") for _ in stages)
    return database.execute_sql(
        f"SELECT tier_id, count(*), {per_stage} FROM contact"
        " WHERE archived_at IS NULL AND erased_at IS NULL GROUP BY tier_id",
        tuple(stages),
    ).fetchall()


def visit_figures(end: str, active_from: str, lapsed_before: str) -> tuple[int, int, int, int, int]:
    """(visited, last visit from active_from on, last visit before lapsed_before, with at least
    one purchase, with two or more) among live customers, counting history before end.

    A customer's purchases are their visits less those of kind visit and the refunded
    purchases: those are about an eighth of the history in the demo, found in one pass over it
    and counted per customer, then joined to the rhythm rows through an index SQLite builds
    for the purpose.
    """
    params = {"end": end, "active_from": active_from, "lapsed_before": lapsed_before}
    active, lapsed = count_true("last_at >= :active_from"), count_true("last_at < :lapsed_before")
    buyers, repeat_buyers = count_true("purchases >= 1"), count_true("purchases >= 2")
    row = database.execute_sql(
        f"""WITH {_rhythm_sql()},
        not_purchases (contact_id, visits) AS (
            SELECT contact_id, count(*) FROM {not_indexed("interaction")}
            WHERE (kind = 'visit' OR refunded_at IS NOT NULL) AND occurred_at < :end
            GROUP BY contact_id
        ),
        per_customer (last_at, purchases) AS (
            SELECT r.last_at, r.visits - coalesce(n.visits, 0)
            FROM rhythm r LEFT JOIN not_purchases n ON n.contact_id = r.contact_id
            WHERE r.contact_id NOT IN {INACTIVE_CONTACTS_SQL}
        )
        SELECT count(*), {active}, {lapsed},
            {buyers}, {repeat_buyers}
        FROM per_customer""",
        params,
    ).fetchone()
    # count_true() over no rows is NULL
    visited, active_count, lapsed_count, buyer_count, repeat_count = (count or 0 for count in row)
    return visited, active_count, lapsed_count, buyer_count, repeat_count


def month_table(end: str, month_starts: Sequence[str]) -> tuple[list[int], list[int]]:
    """For each month (month_starts: each month's start, oldest first; the last month ends at
    end), how many live customers visited for the first time, and how many visited at all."""
    months = len(month_starts)
    params = {"end": end, **{f"m{index}": start for index, start in enumerate(month_starts)}}
    new = dict(
        database.execute_sql(
            f"WITH {_rhythm_sql()} SELECT {_month_index('first_at', months)}, count(*)"
            f" FROM rhythm WHERE first_at >= :m0 AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}"
            " GROUP BY 1",
            params,
        ).fetchall()
    )
    # Who visited in a month takes one pass over the history in storage order: no index holds
    # kind, customer and time together, and through one every visit would be a random read of
    # its row. Archived and erased customers are taken off afterwards, from their own
    # histories (few, through interaction_contact_time): asking for each row of the pass
    # whether its customer is one of them costs a tenth of the pass.
    everyone = _visitors(params, months, not_indexed("interaction"), "")
    gone = _visitors(params, months, "interaction", f"AND contact_id IN {INACTIVE_CONTACTS_SQL}")
    return [new.get(m, 0) for m in range(months)], [
        everyone.get(m, 0) - gone.get(m, 0) for m in range(months)
    ]


def _visitors(params: dict[str, str], months: int, source: str, only: str) -> dict[int, int]:
    """Month index -> how many customers (of those `only` allows) visited in that month.
    ("+kind": not through the kind index, which would read every visit of the shop.)"""
    return dict(
        database.execute_sql(
            f"SELECT {_month_index('occurred_at', months)}, count(DISTINCT contact_id)"
            f" FROM {source} WHERE {without_index('kind')} IN ('visit', 'purchase')"
            f" AND occurred_at >= :m0 AND occurred_at < :end {only} GROUP BY 1",
            params,
        ).fetchall()
    )


def _month_index(column: str, stop: int, start: int = 0) -> str:
    """SQL for which of the months start..stop-1 a time in them falls in (0: the oldest of
    the table): a binary search over the months' local-midnight starts :m1, :m2, ..., which
    compare with the stored UTC text as they are."""
    if stop - start == 1:
        return str(start)
    middle = (start + stop) // 2
    return (
        f"CASE WHEN {column} < :m{middle} THEN {_month_index(column, middle, start)}"
        f" ELSE {_month_index(column, stop, middle)} END"
    )


def _rhythm_sql() -> str:
    """Each customer's visits, first and last visit by the end of the period: contact_rhythm's
    row, or, for the few whose last visit is later (none, for a summary of today), the same
    rebuilt from their history ("+kind" keeps that on interaction_contact_time: the kind index
    would read every visit of the shop). A customer with no visit by then has no row."""
    return f"""rhythm (contact_id, visits, first_at, last_at) AS (
        SELECT contact_id, visits, first_visit_at, last_visit_at FROM contact_rhythm
        WHERE last_visit_at < :end
        UNION ALL
        SELECT contact_id, count(*), min(occurred_at), max(occurred_at) FROM interaction
        WHERE contact_id IN (SELECT contact_id FROM contact_rhythm WHERE last_visit_at >= :end)
            AND {without_index("kind")} IN ('visit', 'purchase') AND occurred_at < :end
        GROUP BY contact_id
    )"""


# ------------------------------------------------------------------------------- one shop


def shop_customers_by_tier(shop_id: int, end: str, stages: Sequence[str]) -> list[tuple[Any, ...]]:
    """live_customers_by_tier() of the live customers with at least one interaction (of any
    kind) at this shop before end."""
    per_stage = ", ".join(count_true("ladder_stage = ?") for _ in stages)
    return database.execute_sql(
        f"SELECT tier_id, count(*), {per_stage} FROM contact"
        " WHERE archived_at IS NULL AND erased_at IS NULL AND id IN ("
        f"SELECT contact_id FROM {not_indexed('interaction')} WHERE {of_shop(shop_id)}"
        " AND occurred_at < ?)"
        " GROUP BY tier_id",
        (*stages, end),
    ).fetchall()


def shop_visit_figures(
    shop_id: int, end: str, active_from: str, lapsed_before: str
) -> tuple[int, int, int, int, int]:
    """visit_figures() counting only the visits and purchases made at this shop: (visited it,
    last visit there from active_from on, last visit there before lapsed_before, with at
    least one purchase there, with two or more) among live customers, history before end."""
    params = {"end": end, "active_from": active_from, "lapsed_before": lapsed_before}
    active, lapsed = count_true("last_at >= :active_from"), count_true("last_at < :lapsed_before")
    buyers, repeat_buyers = count_true("purchases >= 1"), count_true("purchases >= 2")
    purchase = count_true("kind = 'purchase' AND refunded_at IS NULL")
    row = database.execute_sql(
        f"""WITH per_customer (contact_id, last_at, purchases) AS (
            SELECT contact_id, max(occurred_at), {purchase} FROM {not_indexed("interaction")}
            WHERE {without_index("kind")} IN ('visit', 'purchase') AND occurred_at < :end
                AND {of_shop(shop_id)}
            GROUP BY contact_id
        )
        SELECT count(*), {active}, {lapsed}, {buyers}, {repeat_buyers}
        FROM per_customer WHERE contact_id NOT IN {INACTIVE_CONTACTS_SQL}""",
        params,
    ).fetchone()
    visited, active_count, lapsed_count, buyer_count, repeat_count = (count or 0 for count in row)
    return visited, active_count, lapsed_count, buyer_count, repeat_count


def shop_month_table(
    shop_id: int, end: str, month_starts: Sequence[str]
) -> tuple[list[int], list[int]]:
    """month_table() for this shop: per month, how many live customers visited it for the
    first time, and how many visited it at all."""
    months = len(month_starts)
    params = {"end": end, **{f"m{index}": start for index, start in enumerate(month_starts)}}
    visits = (
        f"{without_index('kind')} IN ('visit', 'purchase') AND occurred_at < :end"
        f" AND {of_shop(shop_id)}"
    )
    new = dict(
        database.execute_sql(
            f"""WITH firsts (contact_id, first_at) AS (
                SELECT contact_id, min(occurred_at) FROM {not_indexed("interaction")} WHERE {visits}
                GROUP BY contact_id
            )
            SELECT {_month_index("first_at", months)}, count(*) FROM firsts
            WHERE first_at >= :m0 AND contact_id NOT IN {INACTIVE_CONTACTS_SQL} GROUP BY 1""",
            params,
        ).fetchall()
    )
    seen = dict(
        database.execute_sql(
            f"SELECT {_month_index('occurred_at', months)}, count(DISTINCT contact_id)"
            f" FROM {not_indexed('interaction')} WHERE {visits} AND occurred_at >= :m0"
            f" AND contact_id NOT IN {INACTIVE_CONTACTS_SQL} GROUP BY 1",
            params,
        ).fetchall()
    )
    return [new.get(m, 0) for m in range(months)], [seen.get(m, 0) for m in range(months)]


def shop_rhythms_quiet_since(
    shop_id: int, last_before: str, min_visits: int
) -> list[tuple[int, str, str]]:
    """(visits, first visit, last visit) at this shop, all recorded history, of each live
    customer with at least min_visits visits there and none from last_before on: those who may
    be drifting away from it (the rule itself is the domain's)."""
    return database.execute_sql(
        f"SELECT count(*), min(occurred_at), max(occurred_at) FROM {not_indexed('interaction')}"
        f" WHERE {without_index('kind')} IN ('visit', 'purchase') AND {of_shop(shop_id)}"
        f" AND contact_id NOT IN {INACTIVE_CONTACTS_SQL}"
        " GROUP BY contact_id HAVING count(*) >= ? AND max(occurred_at) < ?",
        (min_visits, last_before),
    ).fetchall()
