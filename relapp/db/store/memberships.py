"""Memberships (schema 19): plans, the rewards only their members may take, customers'
memberships and what was paid for them; the lists Today shows and the members report's
figures.

Dates (starts_on, ends_on, grace_until and the days compared with them) go in and come out
as ISO text, YYYY-MM-DD, which sorts as the calendar does; moments (paid_at, cancelled_at,
created_at) in the stored timestamp form. What a date means (the status, who is due) is
relapp.domain.memberships's; here they are only compared.

A customer's *latest* membership is the one no other of theirs (not cancelled) starts after
(the same start: the later row). A renewal or a new joining makes the one before it no longer
the latest, so the lists (due, in grace, lapsed) look at latest memberships only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from relapp.db.models import database
from relapp.db.store.dialect import distinct_from, equal_nocase

PLAN_COLUMNS = (
    "id", "name", "fee_cents", "length_months", "year_end_month", "year_end_day",
    "grace_days", "points_multiplier_percent", "discount_percent", "welcome_reward_id",
    "reminder_days", "active",
)  # fmt: skip
_LIVE = "c.archived_at IS NULL AND c.erased_at IS NULL"


def latest_condition(alias: str = "m") -> str:
    """Holds for a membership (as alias) that is its customer's latest (module docstring);
    true of a cancelled one too if nothing started after it, so callers leave those out."""
    return (
        f"NOT EXISTS (SELECT 1 FROM membership n WHERE n.contact_id = {alias}.contact_id"
        f" AND n.cancelled_at IS NULL AND (n.starts_on > {alias}.starts_on"
        f" OR (n.starts_on = {alias}.starts_on AND n.id > {alias}.id)))"
    )


# ------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanRow:
    id: int
    name: str
    fee_cents: int
    length_months: int | None
    year_end_month: int | None
    year_end_day: int | None
    grace_days: int
    points_multiplier_percent: int
    discount_percent: int
    welcome_reward_id: int | None
    reminder_days: int
    active: bool


def _plan(row: Sequence[object]) -> PlanRow:
    values = dict(zip(PLAN_COLUMNS, row, strict=True))
    values["active"] = bool(values["active"])
    return PlanRow(**values)  # type: ignore[arg-type]


def plan_rows() -> list[PlanRow]:
    """Every plan, active ones first, then by name."""
    cursor = database.execute_sql(
        f"SELECT {', '.join(PLAN_COLUMNS)} FROM membership_plan ORDER BY active DESC, name, id"
    )
    return [_plan(row) for row in cursor.fetchall()]


def plan_row(plan_id: int) -> PlanRow | None:
    row = database.execute_sql(
        f"SELECT {', '.join(PLAN_COLUMNS)} FROM membership_plan WHERE id = ?", (plan_id,)
    ).fetchone()
    return None if row is None else _plan(row)


def plan_named(name: str, other_than_id: int | None) -> str | None:
    """The name of a plan other than other_than_id called name in any letter case, if any."""
    row = database.execute_sql(
        f"SELECT name FROM membership_plan WHERE {equal_nocase('name')} AND {distinct_from('id')}",
        (name, other_than_id),
    ).fetchone()
    return None if row is None else str(row[0])


def save_plan(plan_id: int | None, values: Mapping[str, object], created_at: str) -> int:
    """Insert a plan (plan_id None) or change one, from PLAN_COLUMNS but id; its id."""
    names = [name for name in PLAN_COLUMNS if name != "id"]
    params = [int(v) if isinstance(v, bool) else v for v in (values[name] for name in names)]
    if plan_id is None:
        return int(database.execute_sql(
            f"INSERT INTO membership_plan ({', '.join(names)}, created_at)"
            f" VALUES ({', '.join('?' * (len(names) + 1))}) RETURNING id",
            (*params, created_at),
        ).fetchone()[0])  # fmt: skip
    database.execute_sql(
        f"UPDATE membership_plan SET {', '.join(f'{name} = ?' for name in names)} WHERE id = ?",
        (*params, plan_id),
    )
    return plan_id


def current_counts(today: str) -> dict[int, int]:
    """plan id -> how many memberships of it are current on today (not cancelled)."""
    rows = database.execute_sql(
        "SELECT plan_id, count(*) FROM membership WHERE cancelled_at IS NULL"
        " AND starts_on <= ? AND ends_on >= ? GROUP BY plan_id",
        (today, today),
    ).fetchall()
    return {int(plan_id): int(count) for plan_id, count in rows}


def plan_reward_ids(plan_id: int) -> list[int]:
    """The rewards only this plan's current members may take."""
    rows = database.execute_sql(
        "SELECT reward_id FROM plan_reward WHERE plan_id = ? ORDER BY reward_id", (plan_id,)
    ).fetchall()
    return [int(reward_id) for (reward_id,) in rows]


def set_plan_rewards(plan_id: int, reward_ids: Sequence[int]) -> None:
    database.execute_sql("DELETE FROM plan_reward WHERE plan_id = ?", (plan_id,))
    for reward_id in reward_ids:
        database.execute_sql(
            "INSERT INTO plan_reward (plan_id, reward_id) VALUES (?, ?)", (plan_id, reward_id)
        )


def plans_of_reward(reward_id: int) -> list[tuple[int, str]]:
    """(id, name) of the plans whose members alone may take this reward; none: anyone."""
    return [
        (int(plan_id), str(name))
        for plan_id, name in database.execute_sql(
            "SELECT p.id, p.name FROM plan_reward r JOIN membership_plan p ON p.id = r.plan_id"
            " WHERE r.reward_id = ? ORDER BY p.name",
            (reward_id,),
        ).fetchall()
    ]


def member_only_reward_ids() -> dict[int, list[int]]:
    """reward id -> the plans whose members alone may take it (rewards for anyone absent)."""
    found: dict[int, list[int]] = {}
    for reward_id, plan_id in database.execute_sql(
        "SELECT reward_id, plan_id FROM plan_reward ORDER BY reward_id, plan_id"
    ).fetchall():
        found.setdefault(int(reward_id), []).append(int(plan_id))
    return found


# ------------------------------------------------------------------------- memberships

MEMBERSHIP_COLUMNS = (
    "m.id, m.contact_id, m.plan_id, p.name, m.starts_on, m.ends_on, m.grace_until,"
    " m.renewed_from_id, m.cancelled_at, p.points_multiplier_percent, p.discount_percent,"
    " m.created_at"
)
# id, contact_id, plan_id, plan name, starts_on, ends_on, grace_until, renewed_from_id,
# cancelled_at, multiplier percent, discount percent, created_at.
MembershipRow = tuple[int, int, int, str, str, str, str, int | None, str | None, int, int, str]


def memberships_of(contact_id: int) -> list[MembershipRow]:
    """The customer's memberships, oldest start first (the same start: older row first)."""
    return database.execute_sql(
        f"SELECT {MEMBERSHIP_COLUMNS} FROM membership m"
        " JOIN membership_plan p ON p.id = m.plan_id WHERE m.contact_id = ?"
        " ORDER BY m.starts_on, m.id",
        (contact_id,),
    ).fetchall()


def membership_row(membership_id: int) -> MembershipRow | None:
    return database.execute_sql(
        f"SELECT {MEMBERSHIP_COLUMNS} FROM membership m"
        " JOIN membership_plan p ON p.id = m.plan_id WHERE m.id = ?",
        (membership_id,),
    ).fetchone()


def insert_membership(
    contact_id: int, plan_id: int, starts_on: str, ends_on: str, grace_until: str,
    renewed_from_id: int | None, created_at: str, staff_id: int | None,
) -> int:  # fmt: skip
    return int(database.execute_sql(
        "INSERT INTO membership (contact_id, plan_id, starts_on, ends_on, grace_until,"
        " renewed_from_id, created_at, staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (contact_id, plan_id, starts_on, ends_on, grace_until, renewed_from_id, created_at,
         staff_id),
    ).fetchone()[0])  # fmt: skip


def renewal_of(membership_id: int) -> int | None:
    """The membership that renews this one, if any."""
    row = database.execute_sql(
        "SELECT id FROM membership WHERE renewed_from_id = ?", (membership_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def cancel_membership(membership_id: int, at: str) -> int:
    """Mark it cancelled, if it is not already; how many rows changed (0 or 1)."""
    return int(database.execute_sql(
        "UPDATE membership SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
        (at, membership_id),
    ).rowcount)  # fmt: skip


def insert_payment(
    membership_id: int, amount_cents: int, paid_at: str, staff_id: int | None
) -> int:
    return int(database.execute_sql(
        "INSERT INTO membership_payment (membership_id, amount_cents, paid_at, staff_id)"
        " VALUES (?, ?, ?, ?) RETURNING id",
        (membership_id, amount_cents, paid_at, staff_id),
    ).fetchone()[0])  # fmt: skip


def payments_of(membership_id: int) -> list[tuple[int, int, str, int | None]]:
    """(id, amount_cents, paid_at, staff_id), oldest first."""
    return database.execute_sql(
        "SELECT id, amount_cents, paid_at, staff_id FROM membership_payment"
        " WHERE membership_id = ? ORDER BY paid_at, id",
        (membership_id,),
    ).fetchall()


def best_current_perk(contact_id: int, today: str) -> tuple[str, int] | None:
    """(plan name, points multiplier percent) of the customer's membership current on today
    with the highest multiplier, if they have one (not cancelled, started, not ended)."""
    row = database.execute_sql(
        "SELECT p.name, p.points_multiplier_percent FROM membership m"
        " JOIN membership_plan p ON p.id = m.plan_id"
        " WHERE m.contact_id = ? AND m.cancelled_at IS NULL AND m.starts_on <= ?"
        " AND m.ends_on >= ? ORDER BY p.points_multiplier_percent DESC, m.id LIMIT 1",
        (contact_id, today, today),
    ).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def current_plan_ids(contact_id: int, today: str) -> set[int]:
    """The plans the customer is a current member of on today."""
    rows = database.execute_sql(
        "SELECT plan_id FROM membership WHERE contact_id = ? AND cancelled_at IS NULL"
        " AND starts_on <= ? AND ends_on >= ?",
        (contact_id, today, today),
    ).fetchall()
    return {int(plan_id) for (plan_id,) in rows}


# ------------------------------------------------------------------------ Today's lists

# membership id, contact id, plan name, ends_on, grace_until, then the contact's name
# columns (kind, given, family, organisation).
DueRow = tuple[int, int, str, str, str, str, str, str, str]
_DUE_COLUMNS = (
    "m.id, m.contact_id, p.name, m.ends_on, m.grace_until,"
    " c.kind, c.given_name, c.family_name, c.organisation"
)


def _due_where(due_by_plan: Mapping[int, str]) -> tuple[str, list[object]]:
    """ends_on at most the plan's own last day to be listed (CASE over the plans)."""
    if not due_by_plan:
        return "1 = 0", []
    cases = " ".join("WHEN ? THEN ?" for _ in due_by_plan)
    params: list[object] = [value for pair in due_by_plan.items() for value in pair]
    return f"m.ends_on <= CASE m.plan_id {cases} END", params


def _renewals_due_from(today: str, due_by_plan: Mapping[int, str]) -> tuple[str, list[object]]:
    where, params = _due_where(due_by_plan)
    return (
        " FROM membership m JOIN membership_plan p ON p.id = m.plan_id"
        " JOIN contact c ON c.id = m.contact_id"
        f" WHERE m.cancelled_at IS NULL AND m.ends_on >= ? AND m.ends_on <= ? AND {where}"
        f" AND m.starts_on <= ? AND {_LIVE} AND {latest_condition()}",
        [today, max(due_by_plan.values(), default=today), *params, today],
    )


def renewals_due(
    today: str, due_by_plan: Mapping[int, str], limit: int
) -> tuple[int, list[DueRow]]:
    """Current memberships (the customer's latest) ending from today to their plan's date
    in due_by_plan (plan id -> the last end date listed): how many, and the first limit,
    soonest end first."""
    sql, params = _renewals_due_from(today, due_by_plan)
    total = database.execute_sql(f"SELECT count(*){sql}", params).fetchone()[0]
    rows = database.execute_sql(
        f"SELECT {_DUE_COLUMNS}{sql} ORDER BY m.ends_on, m.contact_id LIMIT ?", (*params, limit)
    ).fetchall()
    return int(total), rows


def _in_grace_from(today: str, ended_after: str) -> tuple[str, list[object]]:
    return (
        " FROM membership m JOIN membership_plan p ON p.id = m.plan_id"
        " JOIN contact c ON c.id = m.contact_id"
        " WHERE m.cancelled_at IS NULL AND m.ends_on < ? AND m.ends_on >= ?"
        f" AND m.grace_until >= ? AND {_LIVE} AND {latest_condition()}",
        [today, ended_after, today],
    )


def in_grace(today: str, ended_after: str, limit: int) -> tuple[int, list[DueRow]]:
    """Memberships (the customer's latest) ended before today whose grace lasts to today or
    later (ended on or after ended_after, the longest grace ago: the search's bound): how
    many, and the first limit, soonest end of grace first."""
    sql, params = _in_grace_from(today, ended_after)
    total = database.execute_sql(f"SELECT count(*){sql}", params).fetchone()[0]
    rows = database.execute_sql(
        f"SELECT {_DUE_COLUMNS}{sql} ORDER BY m.grace_until, m.contact_id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return int(total), rows


def any_plan() -> bool:
    """Whether the shop has set up any membership plan (retired ones count)."""
    return database.execute_sql("SELECT 1 FROM membership_plan LIMIT 1").fetchone() is not None


# --------------------------------------------------------------------- members report


def current_by_plan(today: str) -> list[tuple[str, int, int, int, bool]]:
    """Every plan with (name, current members, members in grace, fee_cents, active) on
    today; active plans first, then by name."""
    return [
        (str(name), int(current), int(grace), int(fee), bool(active))
        for name, current, grace, fee, active in database.execute_sql(
            "SELECT p.name,"
            " (SELECT count(*) FROM membership m WHERE m.plan_id = p.id AND m.cancelled_at IS NULL"
            "  AND m.starts_on <= ? AND m.ends_on >= ?),"
            " (SELECT count(*) FROM membership m WHERE m.plan_id = p.id AND m.cancelled_at IS NULL"
            f"  AND m.ends_on < ? AND m.grace_until >= ? AND {latest_condition()}),"
            " p.fee_cents, p.active FROM membership_plan p ORDER BY p.active DESC, p.name",
            (today, today, today, today),
        ).fetchall()
    ]


def started_by_month(since: str, until: str) -> list[tuple[str, bool, int]]:
    """(YYYY-MM, a renewal?, how many) of memberships not cancelled starting from since up
    to until, both included."""
    return [
        (str(month), bool(renewal), int(count))
        for month, renewal, count in database.execute_sql(
            "SELECT substr(starts_on, 1, 7) AS month,"
            " CASE WHEN renewed_from_id IS NULL THEN 0 ELSE 1 END AS renewal, count(*)"
            " FROM membership WHERE cancelled_at IS NULL AND starts_on >= ? AND starts_on <= ?"
            " GROUP BY substr(starts_on, 1, 7),"
            " CASE WHEN renewed_from_id IS NULL THEN 0 ELSE 1 END",
            (since, until),
        ).fetchall()
    ]


def lapsed_grace_ends(since: str, before: str) -> list[str]:
    """The last day of grace of each latest membership (not cancelled) whose grace ended
    from since up to before today (excluded): each is a lapse."""
    return [
        str(day)
        for (day,) in database.execute_sql(
            "SELECT m.grace_until FROM membership m WHERE m.cancelled_at IS NULL"
            f" AND m.grace_until >= ? AND m.grace_until < ? AND {latest_condition()}",
            (since, before),
        ).fetchall()
    ]


def ended_and_renewed(since: str, before: str) -> tuple[int, int]:
    """Of the memberships not cancelled that ended from since up to before (excluded): how
    many, and how many of them were renewed."""
    total, renewed = database.execute_sql(
        "SELECT count(*), count(r.id) FROM membership m"
        " LEFT JOIN membership r ON r.renewed_from_id = m.id AND r.cancelled_at IS NULL"
        " WHERE m.cancelled_at IS NULL AND m.ends_on >= ? AND m.ends_on < ?",
        (since, before),
    ).fetchone()
    return int(total), int(renewed)


def payments_since(since: str) -> list[tuple[str, int]]:
    """(paid_at, amount_cents) of every payment from since (a stored moment) on."""
    return [
        (str(paid_at), int(amount))
        for paid_at, amount in database.execute_sql(
            "SELECT paid_at, amount_cents FROM membership_payment WHERE paid_at >= ?", (since,)
        ).fetchall()
    ]
