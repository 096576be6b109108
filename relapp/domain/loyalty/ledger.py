"""The loyalty ledger underneath relapp.domain.loyalty.points: entries, expiry and tiers.

Everything here runs inside a write transaction that the caller opened (see writing()), except
the two public batch functions, expire_due_points() and recompute_tier(), which open their own.
relapp.domain.loyalty.points documents the rules; this module applies them to the ledger, whose data
relapp.db.store.ledger reads and writes.

Expiry works on lots, replayed from the ledger by relapp.domain.loyalty.lots.remaining_lots(): each
positive entry is a lot with its expires_at; each negative entry spends the lot it reverses, if
any, then the soonest-expiring lots first. Points due to expire are the lots whose expires_at
has come (expires_at <= now) and that are still unspent, so an expiry can never take points
that were already spent, and the expire entry (dated now, after everything it follows) spends
exactly those lots when the ledger is replayed again: a second run finds nothing to expire.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.store import ledger, loyalty_program
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.merged_records import merged_into
from relapp.domain.contacts.naming import display_name
from relapp.domain.loyalty.lots import PointsLot, remaining_lots
from relapp.domain.loyalty.rules import TierRule, tier_for_spend
from relapp.domain.shop.formats import format_day
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.staff import (  # one class for "may not", whoever raises it
    NotAllowed as NotAllowed,  # re-exported: callers import it from here
)
from relapp.errors import RelappError

TIER_CHANGED = "tier changed"
# Contacts whose points are expired per transaction: a nightly run on a big shop must not hold
# the write lock for long, or a counter recording a sale meanwhile would wait.
EXPIRY_BATCH = 200


class CustomerNotFound(RelappError):
    """No live customer has this number or card."""


class NotEnoughPoints(RelappError):
    """The balance cannot pay for this; nothing was changed."""


class OutOfStock(RelappError):
    """The reward has none left."""


class RewardUnavailable(RelappError):
    """No such reward, or it is no longer offered."""


@dataclass(frozen=True)
class Customer:
    """The contact columns the loyalty rules read."""

    id: int
    name: str
    balance: int
    tier_id: int | None
    referred_by_id: int | None
    birth_month: int | None
    archived: bool

    @property
    def label(self) -> str:
        return f"{self.name} (#{self.id})" if self.name else f"customer #{self.id}"


@contextmanager
def writing() -> Iterator[None]:
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Every read that decides a write (a balance, a stock level, "is this the first purchase")
    happens after the lock is held, so two counters on one file cannot both act on the same
    reading. Nested in another transaction it is a savepoint of that one.
    """
    with lock_first():
        yield


def now_or(moment: datetime | None) -> datetime:
    return clock.utc_now() if moment is None else moment


def add_months(moment: datetime, months: int) -> datetime:
    """The same time of day, months later (or earlier), on the same day or the month's last."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def customer(contact_id: int) -> Customer:
    """The contact, unless it does not exist or was erased (CustomerNotFound)."""
    row = ledger.customer_row(contact_id)
    if row is None:
        raise CustomerNotFound(f"No customer with number {contact_id}.")
    return Customer(
        row.id,
        display_name(row.kind, row.given_name, row.family_name, row.organisation),
        row.points_balance,
        row.tier_id,
        row.referred_by_id,
        row.birth_month,
        row.archived,
    )


def live_customer(contact_id: int) -> Customer:
    """The contact, if points may be written for it: not erased, not archived."""
    found = customer(contact_id)
    if found.archived:
        survivor = merged_into(contact_id)
        if survivor is not None:
            raise RelappError(
                f"{found.label} was merged into customer number {survivor}; use that number."
            )
        raise RelappError(f"{found.label} is archived; unarchive the contact first.")
    return found


def check_staff(staff_id: int | None) -> None:
    """A staff member named for the record must exist (a programming error otherwise)."""
    if staff_id is None:
        return
    if not ledger.staff_exists(staff_id):
        raise NotAllowed(f"There is no staff member number {staff_id}.")


def balance_of(contact_id: int) -> int:
    return ledger.points_balance(contact_id)


def expiry_for(moment: datetime, months: int) -> datetime | None:
    """When points credited at moment expire under the program (None: never)."""
    return add_months(moment, months) if months > 0 else None


# Append one ledger entry; its id. The triggers move the balance and refuse an overdraw.
add_entry = ledger.insert_entry


def due_lots(lots: list[PointsLot], now: datetime) -> list[PointsLot]:
    """The unspent lots whose expiry has come."""
    return [lot for lot in lots if lot.expires_at is not None and lot.expires_at <= now]


def expire_contact(contact_id: int, now: datetime) -> int:
    """Write one expire entry for the contact's unspent points past expiry; return how many."""
    due = due_lots(remaining_lots(contact_id), now)
    points = sum(lot.points for lot in due)
    if points <= 0:
        return 0
    latest_expiry = max(lot.expires_at for lot in due if lot.expires_at is not None)
    earned_up_to = ledger.latest_earning_expiring_by(contact_id, latest_expiry)
    # Written as every day is written (the shop's locale); older entries keep their wording.
    reason = f"Points earned up to {format_day(earned_up_to)} expired"
    add_entry(contact_id, "expire", -points, now, reason)
    return points


def expire_due_points(now: datetime | None = None) -> int:
    """Expire every customer's unspent points whose expiry has come; return how many expired.

    One "expire" entry per customer per run, dated now. Idempotent: a second run at the same
    moment (or any time before the next lot falls due) writes nothing.
    """
    now = now_or(now)
    candidates = ledger.contacts_with_points_due(now)
    expired = 0
    for start in range(0, len(candidates), EXPIRY_BATCH):
        with writing():
            for contact_id in candidates[start : start + EXPIRY_BATCH]:
                expired += expire_contact(contact_id, now)
    return expired


def spendable(contact_id: int, balance: int, now: datetime) -> int:
    """The balance less points past expiry that the next expiry run will take."""
    return balance - sum(lot.points for lot in due_lots(remaining_lots(contact_id), now))


# -- tiers -------------------------------------------------------------------------------------


def tiers() -> list[TierRule]:
    return [TierRule(*row) for row in loyalty_program.tiers_by_threshold()]


def window_start(now: datetime, window_months: int) -> datetime | None:
    """Where the rolling tier window starts (None: all purchases count)."""
    return add_months(now, -window_months) if window_months > 0 else None


def tier_spend(contact_id: int, now: datetime, window_months: int) -> int:
    """Purchases not refunded, from the window's start up to now."""
    return ledger.purchase_spend(contact_id, window_start(now, window_months), now)


def tier_by_id(tier_id: int | None, rules: list[TierRule]) -> TierRule | None:
    return next((rule for rule in rules if rule.id == tier_id), None)


def apply_tier(contact_id: int, now: datetime, window_months: int) -> Change | None:
    """Set the contact's tier from its rolling spend; audit and return the change, if any."""
    rules = tiers()
    old_id = ledger.tier_id_of(contact_id)
    spend = tier_spend(contact_id, now, window_months)
    new = tier_for_spend(spend, rules)
    new_id = None if new is None else new.id
    if new_id == old_id:
        return None
    old = tier_by_id(old_id, rules)
    ledger.set_tier_id(contact_id, new_id)  # contact.updated_at stays: the tier is derived
    details = {
        "contact_id": contact_id,
        "old": None if old is None else old.name,
        "new": None if new is None else new.name,
        "old_tier_id": old_id,
        "new_tier_id": new_id,
        "spend_cents": spend,
        "window_months": window_months,
    }
    write_audit(TIER_CHANGED, "contact", contact_id, details, now)
    return Change.of(Entity.CONTACTS, Entity.TIERS, contact_ids=frozenset({contact_id}))


def place_tierless(now: datetime, window_months: int) -> int:
    """Put every customer without a tier in the one their spend reaches; returns how many.

    New customers start in the tier from 0 by themselves (a trigger, schema 9); this is for
    those already there when such a tier is added. A customer whose spend reaches no tier
    stays without one. Runs in the caller's transaction.
    """
    return ledger.place_tierless_contacts(window_start(now, window_months), now)


def recompute_tier(contact_id: int, now: datetime | None = None) -> Change | None:
    """Move the customer to the tier their rolling spend reaches; None if it stays.

    Spend is the sum of purchases not refunded over the last tier_window_months (all
    purchases if 0). Each change is recorded in the audit log ("tier changed", old and new).
    """
    now = now_or(now)
    with writing():
        customer(contact_id)
        return apply_tier(contact_id, now, load_settings().tier_window_months)
