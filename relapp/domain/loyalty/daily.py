"""The loyalty program's daily round: expire due points, give today's birthday bonuses,
move customers down a tier when old purchases leave the rolling window, and expire what is
left on gift cards past their expiry.

The app runs it at start-up and then every hour (it only writes what is due, so running it
often costs a few index lookups); a second counter on the same database running it at the
same moment finds nothing left to do.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from relapp.db.busy import TakingTurns
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import interactions, ledger
from relapp.db.store import today as today_lists
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.giftcards.ledger import expire_gift_cards
from relapp.domain.loyalty.ledger import (
    EXPIRY_BATCH,
    expire_contact,
    now_or,
    window_start,
    writing,
)
from relapp.domain.loyalty.points import grant_birthday_bonus, recompute_tier
from relapp.domain.shop.settings import load_settings, save_settings

# With no record of the last sweep, purchases that left the window this long ago are checked.
FIRST_SWEEP_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class DailyResult:
    expired_points: int
    birthday_bonuses: int
    tier_changes: int = 0
    imports_finished: int = 0  # imports a crash had stopped half way, saved now (the app's
    # round does that too: relapp.ui.daily_round.whole_round)
    gift_card_cents_expired: int = 0  # left on gift cards whose expiry came

    @property
    def change(self) -> Change:
        wrote = (
            self.expired_points or self.birthday_bonuses or self.tier_changes
        ) or self.imports_finished
        changed = Change.of(Entity.POINTS, Entity.CONTACTS) if wrote else Change.of()
        if self.gift_card_cents_expired:
            return Change.union(changed, Change.of(Entity.GIFT_CARDS, Entity.CONTACTS))
        return changed


def run_daily_jobs(today: date | None = None, now: datetime | None = None) -> DailyResult:
    """Expire what is due, give the birthday bonus to today's birthdays (once a year), move
    down the customers whose purchases have left the tier window since the last round, and
    let what is left on gift cards past their expiry go.

    Each customer is a transaction of its own, and the round takes turns with the counter
    (relapp.db.busy.TakingTurns): a sale meanwhile waits a tenth of a second at most."""
    today = today or date.today()  # the shop's own calendar day
    turns = TakingTurns()
    expired = expire_due_points_taking_turns(now, turns)
    bonuses = 0
    if load_settings().birthday_bonus_points > 0:
        for contact_id in birthdays_on(today):
            if grant_birthday_bonus(contact_id, today) is not None:
                bonuses += 1
            turns.turn()
    tier_changes = sweep_tier_window(now or utc_now(), turns)
    gift_cards = expire_gift_cards(now, turns)
    return DailyResult(expired, bonuses, tier_changes, gift_card_cents_expired=gift_cards)


def expire_due_points_taking_turns(now: datetime | None, turns: TakingTurns) -> int:
    """relapp.domain.loyalty.points.expire_due_points, the same batches of customers, with turns
    between them for the counter (expire_due_points runs its batches back to back)."""
    moment = now_or(now)
    candidates = ledger.contacts_with_points_due(moment)
    expired = 0
    for start in range(0, len(candidates), EXPIRY_BATCH):
        with writing():
            for contact_id in candidates[start : start + EXPIRY_BATCH]:
                expired += expire_contact(contact_id, moment)
        turns.turn()
    return expired


def sweep_tier_window(now: datetime, turns: TakingTurns | None = None) -> int:
    """Recompute the tier of everyone with a purchase that left the rolling window between
    the last sweep and now; returns how many tiers changed. A sale recomputes its own
    customer at once; this catches those who simply stopped buying."""
    settings = load_settings()
    if settings.tier_window_months == 0:
        return 0  # every purchase counts forever: nothing ever leaves the window
    last = parse_timestamp(settings.tier_sweep_at) if settings.tier_sweep_at else None
    previous = last or now - FIRST_SWEEP_LOOKBACK
    window = settings.tier_window_months
    # window > 0, so both starts are moments (not None: "all purchases count").
    left_from = cast(datetime, window_start(previous, window))
    left_until = cast(datetime, window_start(now, window))
    contact_ids = interactions.contacts_with_purchases_between(
        format_timestamp(left_from), format_timestamp(left_until)
    )
    turns = turns or TakingTurns()
    changed = 0
    for contact_id in contact_ids:
        changed += recompute_tier(contact_id, now) is not None
        turns.turn()
    save_settings(tier_sweep_at=format_timestamp(now))
    return changed


def birthdays_on(day: date) -> list[int]:
    """Active customers whose birthday is this day; 29 February counts on the 28th in a
    year without one."""
    days = [day.day]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        days.append(29)
    return today_lists.contacts_born_on(day.month, days)
