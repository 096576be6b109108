"""Today's membership lists: renewals due and members in grace.

* Renewals due: a customer's latest membership (relapp.db.store.memberships) that is current
  and ends within its plan's reminder_days from today (today included; 0 days: only on its
  last day), soonest end first. A member who has renewed already has a later membership, so
  is not listed.
* Members in grace: a latest membership that has ended but whose grace lasts to today or
  later, soonest end of grace first.
Archived and erased customers are in neither; neither is a cancelled membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from relapp.db.migrations.m0019_memberships import MAX_DAYS
from relapp.db.store import memberships as store
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.rhythm import DEFAULT_LIMIT, Section


@dataclass(frozen=True)
class MemberDue:
    membership_id: int
    contact_id: int
    name: str
    plan: str
    ends_on: date
    grace_until: date
    days: int  # to the end (renewals due), or left in grace (members in grace); 0: today


def has_plans() -> bool:
    """Whether the shop has set up memberships at all (Today shows their lists if so)."""
    return store.any_plan()


def renewals_due(today: date, limit: int = DEFAULT_LIMIT) -> Section[MemberDue]:
    due_by_plan = {
        row.id: (today + timedelta(days=row.reminder_days)).isoformat() for row in store.plan_rows()
    }
    total, rows = store.renewals_due(today.isoformat(), due_by_plan, limit)
    found = [_due(row, today, grace=False) for row in rows]
    return Section(total, tuple(found))


def members_in_grace(today: date, limit: int = DEFAULT_LIMIT) -> Section[MemberDue]:
    # A grace is at most MAX_DAYS long: what ended longer ago is over (the search's bound).
    ended_after = (today - timedelta(days=MAX_DAYS)).isoformat()
    total, rows = store.in_grace(today.isoformat(), ended_after, limit)
    return Section(total, tuple(_due(row, today, grace=True) for row in rows))


def _due(row: store.DueRow, today: date, grace: bool) -> MemberDue:
    membership_id, contact_id, plan, ends_on, grace_until, *name = row
    ends, grace_end = date.fromisoformat(ends_on), date.fromisoformat(grace_until)
    days = ((grace_end if grace else ends) - today).days
    return MemberDue(membership_id, contact_id, display_name(*name), plan, ends, grace_end, days)
