"""Customers' memberships: joining, renewing, cancelling, and what the Counter and a sale
need to know about them.

Rules chosen here (the dates and the status: relapp.domain.memberships.status):

* Joining. A live customer (not archived, not erased) joins an active plan from a day (by
  default today, the shop's day; at most a year either side of it), to the end the plan
  gives. A customer with a membership that is current, pending or in grace is refused ("renew
  instead"): one membership at a time. What was paid (by default the plan's fee; 0 for a free
  plan, or a fee waived) is recorded as a payment when it is more than 0. The history gets a
  note ("Joined Gold: 1 Jan 2026 to 31 Dec 2026, paid $50.00"), the audit log the joining.
* The welcome reward. A plan's welcome reward is given on joining (not on renewing) through
  the ledger as any reward is: a bonus of its cost ("Membership welcome: Free coffee",
  occasion "membership welcome #M", so once per membership) and its redemption at once,
  reversing that bonus, so the balance and the customer's own points are untouched and the
  reward's stock and redemption count move. A reward no longer offered or out of stock is
  not given; the outcome says so, and the joining stands.
* Renewing is a new membership naming the one it renews, never an edit: it starts the day
  after the old end, or today if that has passed (a lapsed member renewing starts today), on
  the same plan unless another is chosen, for that plan's length. Only a customer's latest
  membership can be renewed, once, and not a cancelled one.
* Cancelling marks the membership and the renewals after it cancelled (now); an expired one
  cannot be cancelled (nothing is left of it). Payments stay as they were: a refund is the
  shop's business, outside Relapp.
* The earn rate: a member whose membership is current on the day of a sale (the shop's day
  of the moment paid) earns the plan's multiplier on top of the tier's (the best plan if
  several), rounded down once; in grace they earn the normal rate, as grace is for renewing,
  not for the perks. The ledger's reason says so (relapp.domain.loyalty.sales).
* Member-only rewards: only a current member of one of the reward's plans may redeem it
  (relapp.domain.loyalty.points refuses anyone else in a sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import ledger, loyalty_program
from relapp.db.store import memberships as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.loyalty.ledger import add_entry, check_staff, live_customer
from relapp.domain.memberships.plans import Plan, plan_by_id
from relapp.domain.memberships.status import (
    CANCELLED,
    CURRENT,
    EXPIRED,
    GRACE,
    PENDING,
    Membership,
    end_of,
    grace_end,
    renewal_start,
    shop_today,
)
from relapp.domain.shop.formats import format_day, format_money
from relapp.domain.shop.money import MAX_AMOUNT_CENTS
from relapp.errors import RelappError

BACKDATE_DAYS = 365  # how far from today a joining may start, either side


class MembershipRefused(RelappError):
    """The joining, renewal or cancellation cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Terms:
    """What joining (or renewing) on a plan from a day gives: shown before it is done."""

    plan: Plan
    starts_on: date
    ends_on: date
    grace_until: date
    fee_cents: int


@dataclass(frozen=True)
class Joined:
    membership: Membership
    paid_cents: int
    welcome_reward: str  # the reward given on joining, "" if none
    welcome_note: str  # why a plan's welcome reward was not given, "" if it was (or none)
    change: Change


@dataclass(frozen=True)
class Standing:
    """The membership the Counter shows for a customer today, and what comes after it."""

    membership: Membership
    status: str
    renewed_to: date | None  # the end of a renewal already made (pending), if any

    @property
    def perk_applies(self) -> bool:
        return self.status == CURRENT


def _membership(row: store.MembershipRow) -> Membership:
    (id_, contact_id, plan_id, plan_name, starts_on, ends_on, grace_until, renewed_from_id,
     cancelled_at, multiplier, discount, _created) = row  # fmt: skip
    return Membership(
        id_, contact_id, plan_id, plan_name, date.fromisoformat(starts_on),
        date.fromisoformat(ends_on), date.fromisoformat(grace_until), renewed_from_id,
        parse_timestamp(cancelled_at) if cancelled_at else None, multiplier, discount,
    )  # fmt: skip


def memberships_of(contact_id: int) -> list[Membership]:
    """The customer's memberships, oldest start first: their history."""
    return [_membership(row) for row in store.memberships_of(contact_id)]


def membership_by_id(membership_id: int) -> Membership:
    row = store.membership_row(membership_id)
    if row is None:
        raise MembershipRefused(f"There is no membership number {membership_id}.")
    return _membership(row)


def _latest(memberships: list[Membership]) -> Membership | None:
    """The customer's latest membership not cancelled (the store's rule, in Python)."""
    live = [m for m in memberships if m.cancelled_at is None]
    return max(live, key=lambda m: (m.starts_on, m.id), default=None)


def latest_membership(contact_id: int) -> Membership | None:
    """The customer's latest membership not cancelled (the one a renewal renews), if any."""
    return _latest(memberships_of(contact_id))


def standing(contact_id: int, today: date | None = None) -> Standing | None:
    """What the Counter says about the customer's membership on today: the one current (else
    in grace, else the soonest pending), or else the latest (expired, or cancelled if that
    is all there is); None for a customer who never joined."""
    day = today or shop_today()
    memberships = memberships_of(contact_id)
    if not memberships:
        return None
    by_status: dict[str, list[Membership]] = {}
    for membership in memberships:
        by_status.setdefault(membership.status(day), []).append(membership)
    if CURRENT in by_status or GRACE in by_status:
        shown = max(by_status.get(CURRENT) or by_status[GRACE], key=lambda m: (m.ends_on, m.id))
    elif PENDING in by_status:
        shown = min(by_status[PENDING], key=lambda m: (m.starts_on, m.id))
    else:
        shown = _latest(memberships) or max(memberships, key=lambda m: (m.starts_on, m.id))
    renewals = {m.renewed_from_id: m for m in memberships if m.cancelled_at is None}
    renewed_to = None
    follow = renewals.get(shown.id)
    while follow is not None:
        renewed_to = follow.ends_on
        follow = renewals.get(follow.id)
    return Standing(shown, shown.status(day), renewed_to)


# --------------------------------------------------------------------- joining, renewing


def terms(plan_id: int, starts_on: date) -> Terms:
    """What joining the plan from starts_on gives: its end, grace and fee."""
    plan = plan_by_id(plan_id)
    ends_on = end_of(starts_on, plan.length_months, plan.year_end)
    return Terms(plan, starts_on, ends_on, grace_end(ends_on, plan.grace_days), plan.fee_cents)


def renewal_terms(
    membership_id: int, plan_id: int | None = None, today: date | None = None
) -> Terms:
    """What renewing this membership (on its plan, or plan_id) gives, from the right day."""
    old = membership_by_id(membership_id)
    return terms(plan_id or old.plan_id, renewal_start(old.ends_on, today or shop_today()))


def join(
    contact_id: int, plan_id: int, starts_on: date | None = None, paid_cents: int | None = None,
    staff_id: int | None = None, *, now: datetime | None = None,
) -> Joined:  # fmt: skip
    """The customer joins the plan (module docstring); what was made.

    Raises:
        MembershipRefused: a retired plan, a start too far away, a payment out of range, or a
            customer who is a member already.
        CustomerNotFound, RelappError: the customer is unknown, erased or archived.
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    moment = now or clock.utc_now()
    today = shop_today(moment)
    start = starts_on or today
    if abs((start - today).days) > BACKDATE_DAYS:
        raise MembershipRefused(
            f"A membership starts within {BACKDATE_DAYS} days of today; check the start day."
        )
    with write_transaction():
        found = live_customer(contact_id)
        check_staff(staff_id)
        offer = _offered(plan_id, start, "join")
        for held in memberships_of(contact_id):
            state = held.status(today)
            if state in (CURRENT, PENDING, GRACE):
                raise MembershipRefused(
                    f"{found.name or found.label} is a {held.plan_name} member already"
                    f" ({_state_words(held, state)}): renew instead."
                )
        paid = _paid(paid_cents, offer)
        return _make(found.name or found.label, contact_id, offer, None, paid, staff_id, moment)


def renew(
    membership_id: int, plan_id: int | None = None, paid_cents: int | None = None,
    staff_id: int | None = None, *, now: datetime | None = None,
) -> Joined:  # fmt: skip
    """A new membership renewing this one (module docstring); what was made.

    Raises:
        MembershipRefused: cancelled, renewed already, not the latest, or a retired plan.
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    moment = now or clock.utc_now()
    today = shop_today(moment)
    with write_transaction():
        old = membership_by_id(membership_id)
        found = live_customer(old.contact_id)
        check_staff(staff_id)
        if old.cancelled_at is not None:
            raise MembershipRefused("A cancelled membership cannot be renewed; join instead.")
        renewal = store.renewal_of(old.id)
        if renewal is not None:
            renewed = membership_by_id(renewal)
            raise MembershipRefused(
                f"This membership was renewed already, to {format_day(renewed.ends_on)}."
            )
        latest = _latest(memberships_of(old.contact_id))
        if latest is not None and latest.id != old.id:
            raise MembershipRefused(
                f"{found.name or found.label} has a later membership ({latest.plan_name}, to"
                f" {format_day(latest.ends_on)}): renew that one."
            )
        offer = _offered(plan_id or old.plan_id, renewal_start(old.ends_on, today), "renew")
        paid = _paid(paid_cents, offer)
        return _make(found.name or found.label, old.contact_id, offer, old, paid, staff_id,
                     moment)  # fmt: skip


def _offered(plan_id: int, start: date, doing: str) -> Terms:
    made = terms(plan_id, start)
    if not made.plan.active:
        raise MembershipRefused(
            f"The {made.plan.name} plan is retired: choose another plan to {doing} on."
        )
    return made


def _paid(paid_cents: int | None, offer: Terms) -> int:
    paid = offer.fee_cents if paid_cents is None else paid_cents
    if isinstance(paid, bool) or not isinstance(paid, int) or not 0 <= paid <= MAX_AMOUNT_CENTS:
        raise MembershipRefused(
            f"A payment is from {format_money(0)} to {format_money(MAX_AMOUNT_CENTS)}, in whole"
            " cents."
        )
    return paid


def _make(
    name: str, contact_id: int, offer: Terms, old: Membership | None, paid: int,
    staff_id: int | None, moment: datetime,
) -> Joined:  # fmt: skip
    """Write the membership, its payment, the note and the audit; the welcome reward on a
    joining. Inside the caller's write transaction."""
    stamp = format_timestamp(moment)
    plan = offer.plan
    assert plan.id is not None
    membership_id = store.insert_membership(
        contact_id, plan.id, offer.starts_on.isoformat(), offer.ends_on.isoformat(),
        offer.grace_until.isoformat(), None if old is None else old.id, stamp, staff_id,
    )  # fmt: skip
    if paid > 0:
        store.insert_payment(membership_id, paid, stamp, staff_id)
    verb = "Joined" if old is None else "Renewed"
    paid_text = f", paid {format_money(paid)}" if paid else ""
    ledger.insert_note(
        contact_id, moment,
        f"{verb} {plan.name} membership: {format_day(offer.starts_on)} to"
        f" {format_day(offer.ends_on)}{paid_text}", staff_id,
    )  # fmt: skip
    welcome, note = "", ""
    if old is None and plan.welcome_reward_id is not None:
        welcome, note = _give_welcome(contact_id, membership_id, plan, moment, staff_id)
    details = {
        "contact_id": contact_id, "plan": plan.name, "starts_on": offer.starts_on.isoformat(),
        "ends_on": offer.ends_on.isoformat(), "paid_cents": paid,
        "renews": None if old is None else old.id, "welcome_reward": welcome or None,
    }  # fmt: skip
    action = "membership joined" if old is None else "membership renewed"
    write_audit(action, "membership", membership_id, details, moment, staff_id)
    entities = [Entity.MEMBERSHIPS, Entity.CONTACTS, Entity.INTERACTIONS]
    if welcome:
        entities += [Entity.POINTS, Entity.REWARDS]
    change = Change.of(*entities, contact_ids=frozenset({contact_id}))
    return Joined(membership_by_id(membership_id), paid, welcome, note, change)


def _give_welcome(
    contact_id: int, membership_id: int, plan: Plan, moment: datetime, staff_id: int | None
) -> tuple[str, str]:
    """(the reward given, "") or ("", why not)."""
    assert plan.welcome_reward_id is not None
    found = loyalty_program.reward_for_redeeming(plan.welcome_reward_id)
    if found is None:
        return "", "The plan's welcome reward is no longer in the catalogue."
    reward, cost, stock, active = found
    if not active:
        return "", f"The welcome {reward} is no longer offered, so it was not given."
    if stock is not None and stock <= 0:
        return "", f"The welcome {reward} is out of stock, so it was not given."
    bonus = add_entry(
        contact_id, "bonus", cost, moment, f"Membership welcome: {reward} ({plan.name})",
        staff_id=staff_id, occasion=f"membership welcome #{membership_id}",
    )  # fmt: skip
    ledger.insert_entry(
        contact_id, "redeem", -cost, moment, f"Redeemed: {reward} (membership welcome)",
        reward_id=plan.welcome_reward_id, reverses_id=bonus, staff_id=staff_id,
    )  # fmt: skip
    if stock is not None:
        loyalty_program.take_one_from_stock(plan.welcome_reward_id)
    return reward, ""


def cancel(
    membership_id: int, staff_id: int | None = None, *, now: datetime | None = None
) -> Change:
    """Cancel the membership and any renewal after it (module docstring); audited.

    Raises:
        MembershipRefused: cancelled already, or expired.
    """
    moment = now or clock.utc_now()
    today = shop_today(moment)
    with write_transaction():
        check_staff(staff_id)
        shown = membership_by_id(membership_id)
        state = shown.status(today)
        if state == CANCELLED:
            raise MembershipRefused("This membership was cancelled already.")
        if state == EXPIRED:
            raise MembershipRefused(
                f"This membership ended on {format_day(shown.ends_on)}; there is nothing to cancel."
            )
        cancelled = [shown.id]
        follow = store.renewal_of(shown.id)
        while follow is not None:
            cancelled.append(follow)
            follow = store.renewal_of(follow)
        stamp = format_timestamp(moment)
        for cancelled_id in cancelled:
            store.cancel_membership(cancelled_id, stamp)
        details = {"contact_id": shown.contact_id, "plan": shown.plan_name,
                   "memberships": cancelled}  # fmt: skip
        write_audit("membership cancelled", "membership", shown.id, details, moment, staff_id)
        ledger.insert_note(
            shown.contact_id, moment, f"{shown.plan_name} membership cancelled", staff_id
        )
    return Change.of(Entity.MEMBERSHIPS, Entity.CONTACTS, Entity.INTERACTIONS,
                     contact_ids=frozenset({shown.contact_id}))  # fmt: skip


def _state_words(membership: Membership, state: str) -> str:
    if state == CURRENT:
        return f"until {format_day(membership.ends_on)}"
    if state == PENDING:
        return f"from {format_day(membership.starts_on)}"
    return f"in grace until {format_day(membership.grace_until)}"


# ---------------------------------------------------------------- for sales and rewards


def member_rate(contact_id: int, moment: datetime) -> tuple[str, int] | None:
    """(plan name, points multiplier percent) for a sale at moment, if the customer is a
    current member that day (the best plan if several); None: the normal rate."""
    found = store.best_current_perk(contact_id, shop_today(moment).isoformat())
    if found is None or found[1] == 100:
        return None
    return found


def reward_refusal(contact_id: int, reward_id: int, reward: str, moment: datetime) -> str | None:
    """Why this customer may not take a member-only reward now; None if they may (or it is
    for everyone)."""
    plans = store.plans_of_reward(reward_id)
    if not plans:
        return None
    current = store.current_plan_ids(contact_id, shop_today(moment).isoformat())
    if any(plan_id in current for plan_id, _name in plans):
        return None
    names = " or ".join(name for _id, name in plans)
    return f"The {reward} is for current {names} members only."


def members_only_rewards_for(contact_id: int, moment: datetime) -> set[int]:
    """The member-only rewards this customer may not take now (to leave off their list)."""
    current = store.current_plan_ids(contact_id, shop_today(moment).isoformat())
    return {
        reward_id
        for reward_id, plan_ids in store.member_only_reward_ids().items()
        if not current.intersection(plan_ids)
    }
