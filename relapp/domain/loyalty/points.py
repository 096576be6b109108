"""The loyalty program at the counter: sales, refunds, rewards, bonuses, statements.

Points are money to the shop: no code path may lose, double or invent one. The database holds
the ledger's own rules (migration 2: append-only entries, cached balance = sum of entries,
never negative); this module holds the program's. Every write runs in one transaction that
takes the write lock first (BEGIN IMMEDIATE, see loyalty_ledger.writing()), and returns a
Change. Times are UTC (relapp.domain.clock). Import everything from here: sales and refunds
live in loyalty_sales, ledger entries, expiry lots and tiers in loyalty_ledger.

Rules:

* Finding a customer. find_customer("#123") is contact 123 if it exists and is neither
  archived nor erased; so is find_customer("123"), else the holder of card 123 (same
  conditions; with cards_only, for the command line, only the card holder); otherwise
  CustomerNotFound. Sales, redemptions, adjustments, opening balances and bonuses are for
  such live customers only: an archived or merged one is refused with a sentence saying why
  (a merged one names its survivor), an erased or unknown one is CustomerNotFound. Refunds,
  expiry and a referrer's bonus apply to whoever holds the sale or the points.
* Earning. A sale of amount_cents (more than 0, at most 1,000,000.00, else ValueError) earns
  loyalty_rules.points_for_purchase(amount, points_per_unit, tier multiplier, member
  multiplier), rounded down once. The tier is the one the customer's spend reached before
  this sale; the member multiplier is the plan's of a membership current on the sale's day
  (100 otherwise, in grace too), and the entry's reason names it ("Purchase of 12.50 (Gold
  member: points ×1.5)"). The purchase interaction (kind "purchase", amount_cents, summary)
  and its "earn" entry (interaction_id set, reason "Purchase of 12.50", expires_at = now +
  points_expiry_months, none if 0) are written in one transaction. A sale too small to
  earn a point is still recorded, without an entry.
* One sale per sale key. A counter makes a key once per sale screen and passes it with every
  attempt; the key is stored in interaction.sale_key (unique, schema 5). A sale whose key was
  already recorded writes nothing and returns the first sale's result with duplicate=True
  (its interaction, points and bonus; balance and tier as they are now). A key already used
  for another customer or amount is refused (RelappError): those points went elsewhere. Two
  counters racing with one key are caught by the unique index too.
* Referral bonus. On a customer's first purchase, if they were referred by someone and
  referral_bonus_points > 0, the referrer gets a "bonus" entry in the same transaction (reason
  naming the customer, occasion "referral #<customer>", interaction_id = that purchase, which
  is the customer's). It is given at most once per referred customer, to a referrer who is
  not erased. SaleResult.bonus_points is that bonus (credited to the referrer), else 0. A
  refund does not take it back: the referral happened.
* Tiers. recompute_tier() sets the tier whose threshold the customer's spend over the last
  tier_window_months reaches (every purchase if 0); spend = purchases not refunded. Each
  change is written to the audit log ("tier changed", old and new). Sales and refunds
  recompute the customer's tier in their transaction (before the sale, for its multiplier,
  and after). A tier change does not touch contact.updated_at (it is derived, like the
  balance).
* Expiry. Every positive entry written here (earn, bonus, opening balance, positive
  adjustment) expires points_expiry_months after it is written; 0 means never. Points are
  spent soonest-expiring first (lots replayed from the ledger by points_lots.remaining_lots()).
  expire_due_points() writes one "expire" entry per customer per run for unspent lots whose
  expires_at has come ("Points earned up to 2026-01-31 expired"); it never takes points already
  spent and a second run writes nothing. Before a sale, a refund, a redemption or an
  adjustment, the customer's own due points are expired in the same transaction, so expired
  points are never spent and the balance shown after is the real one.
* Redeeming. The reward must exist and be active (RewardUnavailable), be for this customer
  (a member-only reward: a current member of one of its plans, relapp.domain.memberships;
  else RewardUnavailable, "The Members' mug is for current Gold members only."), have stock
  None or > 0 (OutOfStock), and cost no more than the balance (NotEnoughPoints, "Ann Lee
  has 120 points; the Gift card costs 500."). A "redeem" entry of -cost with reward_id and
  the stock decrement are written in one transaction; any refusal changes nothing.
* Refunds. refund_sale() marks the purchase refunded (interaction.refunded_at; the purchase
  row stays) and adds a "note" interaction "Refund of 12.50 (sale #7): reason". Its earned
  points are taken back by a "reversal" entry (reverses_id = the earn entry), but only as far
  as the balance allows: points already spent on a reward stay spent (the customer keeps the
  reward; the shop absorbs the shortfall), and points of a sale whose expiry has passed are
  gone already (spent or expired), so nothing more is taken for them. The audit log row ("sale
  refunded") holds the amount, the points earned, reversed and the shortfall. A sale is
  refunded once (RelappError the second time); any staff member may refund.
* Adjustments are for managers only (Staff.role "manager", active; else NotAllowed), need a
  reason (ValueError) and may not overdraw (NotEnoughPoints). Audited ("points adjusted").
* Opening balance: points carried over from a previous program, once per customer (a second
  one is refused, so an import run twice cannot double it; correct it with an adjustment).
  Audited ("opening balance").
* Welcome bonus: once per customer (occasion "welcome"; the demo shop's older "Welcome bonus"
  entries count). Birthday bonus: for a customer with a birthday on record, once per
  calendar year of `today` (occasion "birthday 2026"); the shop decides the day. A bonus of 0
  points in the settings grants nothing (None). The unique occasion index makes a double
  grant impossible even between two counters.
* Changes. Each write returns a Change naming POINTS and CONTACTS (the cached balance) and,
  as relevant, INTERACTIONS (a sale, a refund), REWARDS (stock taken) and TIERS (a tier
  moved), with the ids of the customers touched (a referrer too). A duplicate sale returns an
  empty Change. Adjustments, refunds, opening balances and tier changes are written to the
  audit log; sales, redemptions and bonuses are recorded by the ledger itself.
* Statements list entries oldest first (occurred_at, then id) with a running balance; with a
  limit, the latest lines, their running balance still counted from the first entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.store import ledger, loyalty_program
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.search import find_by_card
from relapp.domain.loyalty.ledger import (
    Customer,
    CustomerNotFound,
    NotAllowed,
    NotEnoughPoints,
    OutOfStock,
    RewardUnavailable,
    add_entry,
    balance_of,
    check_staff,
    customer,
    expire_contact,
    expire_due_points,
    expiry_for,
    live_customer,
    recompute_tier,
    spendable,
    tier_by_id,
    tiers,
    writing,
)
from relapp.domain.loyalty.lots import remaining_lots
from relapp.domain.loyalty.sales import (
    SalePreview,
    SaleResult,
    preview_sale,
    record_sale,
    refund_sale,
)
from relapp.domain.memberships.members import members_only_rewards_for, reward_refusal
from relapp.domain.shop.settings import ShopSettings, load_settings
from relapp.domain.shop.staff import require_manager
from relapp.errors import RelappError

__all__ = [
    "CustomerNotFound",
    "NotAllowed",
    "NotEnoughPoints",
    "OutOfStock",
    "PointsSummary",
    "RewardOption",
    "RewardUnavailable",
    "SalePreview",
    "SaleResult",
    "StatementLine",
    "add_opening_balance",
    "adjust_points",
    "expire_due_points",
    "find_customer",
    "grant_birthday_bonus",
    "grant_welcome_bonus",
    "points_statement",
    "points_summary",
    "preview_sale",
    "recompute_tier",
    "record_sale",
    "redeem_reward",
    "refund_sale",
    "reward_options",
]

POINTS_ADJUSTED = "points adjusted"
OPENING_BALANCE = "opening balance"
WELCOME = "welcome"
_LEGACY_WELCOME_REASON = "Welcome bonus"  # the demo shop's entries, written before occasions


@dataclass(frozen=True)
class RewardOption:
    id: int
    name: str
    description: str
    points_cost: int
    stock: int | None
    affordable: bool


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    occurred_at: datetime
    kind: str
    points: int
    balance: int
    reason: str
    expires_at: datetime | None
    sale_id: int | None = None  # the purchase an earn entry is for: what a refund reverses


@dataclass(frozen=True)
class PointsSummary:
    contact_id: int
    name: str
    balance: int
    tier: str | None
    expiring_30_days: int
    next_expiry: datetime | None
    recent: list[StatementLine]


def find_customer(reference: str, archived_too: bool = False, *, cards_only: bool = False) -> int:
    """The live customer that reference names: "#123" is customer number 123; digits alone
    are customer number 123 if there is one, else card 123.

    archived_too: an archived customer is found as well (to read about them, e.g. a dossier).
    cards_only: digits alone are a card number and nothing else (the command line: a till's
    script must not reach customer 999 because nobody has card 999).
    """
    text = reference.strip()
    explicit = text.startswith("#")
    number = text[1:].strip() if explicit else text
    digits = number.isdigit() and number.isascii()
    # Beyond SQLite's integers a number is nobody's id (nor can it be bound); still a card.
    if digits and (explicit or not cards_only) and len(number) <= 19 and int(number) < 2**63:
        found = ledger.contact_id_if_present(int(number), archived_too)
        if found is not None:
            return found
    if digits and explicit:
        raise CustomerNotFound(f"No customer has number {number}.")
    if digits:
        hit = find_by_card(text)  # card numbers stay text: 32 digits are no integer
        if hit is not None and (archived_too or not hit.archived):
            return hit.id
        if cards_only:
            raise CustomerNotFound(f"No customer has card {text}.")
    raise CustomerNotFound(f"No customer with number or card {text}.")


# -- rewards -----------------------------------------------------------------------------------


def reward_options(contact_id: int, members_only_too: bool = False) -> list[RewardOption]:
    """Active rewards in stock, those the customer can afford first, then by cost; a
    member-only reward only for a current member of its plan, unless members_only_too (a
    till naming a reward by number: redeem_reward then says whose it is, rather than the
    reward seeming not to exist)."""
    found = customer(contact_id)
    now = clock.utc_now()
    points = spendable(contact_id, found.balance, now)
    rows = loyalty_program.rewards_on_offer(points)
    not_theirs = set() if members_only_too else members_only_rewards_for(contact_id, now)
    return [RewardOption(*row, affordable=row[3] <= points) for row in rows
            if row[0] not in not_theirs]  # fmt: skip


def redeem_reward(contact_id: int, reward_id: int, staff_id: int | None = None) -> Change:
    """Spend the reward's cost from the balance (oldest points first) and take one from stock.

    Raises:
        RewardUnavailable, OutOfStock, NotEnoughPoints: nothing was changed.
        DatabaseBusy: other work kept the write lock for longer than the busy timeout.
    """
    with write_transaction():  # a customer is waiting: see relapp.db.busy
        now = clock.utc_now()
        found = live_customer(contact_id)
        check_staff(staff_id)
        row = loyalty_program.reward_for_redeeming(reward_id)
        if row is None:
            raise RewardUnavailable(f"There is no reward number {reward_id}.")
        name, cost, stock, active = row
        if not active:
            raise RewardUnavailable(f"The {name} is no longer offered.")
        refusal = reward_refusal(contact_id, reward_id, name, now)
        if refusal is not None:
            raise RewardUnavailable(refusal)
        if stock is not None and stock <= 0:
            raise OutOfStock(f"The {name} is out of stock.")
        expire_contact(contact_id, now)
        balance = balance_of(contact_id)
        if balance < cost:
            raise NotEnoughPoints(
                f"{found.name or found.label} has {_points(balance)}; the {name} costs {cost:,}."
            )
        add_entry(
            contact_id,
            "redeem",
            -cost,
            now,
            f"Redeemed: {name}",
            reward_id=reward_id,
            staff_id=staff_id,
        )
        if stock is not None:
            loyalty_program.take_one_from_stock(reward_id)
    entities = [Entity.POINTS, Entity.CONTACTS] + ([Entity.REWARDS] if stock is not None else [])
    return Change.of(*entities, contact_ids=frozenset({contact_id}))


# -- manual entries and bonuses ----------------------------------------------------------------


def adjust_points(contact_id: int, points: int, reason: str, staff_id: int) -> Change:
    """A manager's correction, positive or negative, with a reason; audited.

    Raises:
        NotAllowed: staff_id is not an active manager.
        ValueError: no reason, or zero points.
        NotEnoughPoints: a negative adjustment larger than the balance.
    """
    require_manager(staff_id, "adjust points")
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for the adjustment.")
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise ValueError("An adjustment adds or removes at least one point.")
    with writing():
        now = clock.utc_now()
        found = live_customer(contact_id)
        settings = load_settings()
        expire_contact(contact_id, now)
        before = balance_of(contact_id)
        if before + points < 0:
            raise NotEnoughPoints(
                f"{found.name or found.label} has {_points(before)}; "
                f"{_points(-points)} cannot be taken away."
            )
        expires = expiry_for(now, settings.points_expiry_months) if points > 0 else None
        entry_id = add_entry(
            contact_id, "adjust", points, now, reason, expires_at=expires, staff_id=staff_id
        )
        details = {
            "contact_id": contact_id,
            "points": points,
            "reason": reason,
            "entry_id": entry_id,
            "balance_before": before,
            "balance_after": before + points,
        }
        write_audit(POINTS_ADJUSTED, "contact", contact_id, details, now, staff_id)
    return Change.of(Entity.POINTS, Entity.CONTACTS, contact_ids=frozenset({contact_id}))


def add_opening_balance(
    contact_id: int,
    points: int,
    reason: str,
    staff_id: int | None = None,
    *,
    settings: ShopSettings | None = None,
) -> Change:
    """Points carried over from a previous program; once per customer; audited.

    settings: the shop's, when the caller already holds them (an import adds thousands).

    Raises:
        ValueError: points not positive, or no reason.
        RelappError: the customer already has an opening balance.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValueError("An opening balance is a whole number of points above zero.")
    reason = reason.strip()
    if not reason:
        raise ValueError("Say where the opening balance comes from.")
    with writing():
        now = clock.utc_now()
        found = live_customer(contact_id)
        check_staff(staff_id)
        earlier = ledger.opening_entry(contact_id)
        if earlier is not None:
            raise RelappError(
                f"{found.label} already has an opening balance of {_points(earlier[0])}"
                f" (entered {earlier[1][:10]}); correct it with an adjustment."
            )
        expires = expiry_for(now, (settings or load_settings()).points_expiry_months)
        entry_id = add_entry(
            contact_id, "opening", points, now, reason, expires_at=expires, staff_id=staff_id
        )
        details = {"contact_id": contact_id, "points": points, "reason": reason}
        write_audit(
            OPENING_BALANCE, "contact", contact_id, details | {"entry_id": entry_id}, now, staff_id
        )
    return Change.of(Entity.POINTS, Entity.CONTACTS, contact_ids=frozenset({contact_id}))


def grant_welcome_bonus(contact_id: int) -> Change | None:
    """The program's welcome bonus, once per customer; None if none is due."""
    with writing():
        found = live_customer(contact_id)
        settings = load_settings()
        given = ledger.has_bonus_for(contact_id, WELCOME, _LEGACY_WELCOME_REASON)
        if settings.welcome_bonus_points <= 0 or given:
            return None
        return _grant_bonus(found, settings.welcome_bonus_points, "Welcome bonus", WELCOME)


def grant_birthday_bonus(contact_id: int, today: date | None = None) -> Change | None:
    """The birthday bonus for today's calendar year, at most once; None if none is due."""
    with writing():
        found = live_customer(contact_id)
        settings = load_settings()
        year = (today or clock.utc_now().date()).year
        occasion = f"birthday {year}"
        given = ledger.contact_has_occasion(contact_id, occasion)
        if settings.birthday_bonus_points <= 0 or found.birth_month is None or given:
            return None
        return _grant_bonus(
            found, settings.birthday_bonus_points, f"Birthday bonus {year}", occasion
        )


def _grant_bonus(found: Customer, points: int, reason: str, occasion: str) -> Change:
    now = clock.utc_now()
    add_entry(
        found.id,
        "bonus",
        points,
        now,
        reason,
        expires_at=expiry_for(now, load_settings().points_expiry_months),
        occasion=occasion,
    )
    return Change.of(Entity.POINTS, Entity.CONTACTS, contact_ids=frozenset({found.id}))


# -- reading -----------------------------------------------------------------------------------


def points_statement(contact_id: int, limit: int | None = None) -> list[StatementLine]:
    """The customer's ledger, oldest first, each line with the balance after it."""
    found = customer(contact_id)
    entries = ledger.latest_entries(contact_id, None if limit is None else max(0, limit))
    entries.reverse()
    running = found.balance - sum(entry.points for entry in entries)
    lines = []
    for entry in entries:
        running += entry.points
        lines.append(
            StatementLine(
                entry.id,
                entry.occurred_at,
                entry.kind,
                entry.points,
                running,
                entry.reason,
                entry.expires_at,
                entry.sale_id,
            )
        )
    return lines


def points_summary(contact_id: int, recent: int = 10) -> PointsSummary:
    """Balance, tier, what expires soon and the latest ledger lines, for the counter."""
    found = customer(contact_id)
    soon = clock.utc_now() + timedelta(days=30)
    dated = [
        (lot.points, lot.expires_at)
        for lot in remaining_lots(contact_id)
        if lot.expires_at is not None
    ]
    tier = tier_by_id(found.tier_id, tiers())
    return PointsSummary(
        contact_id,
        found.name,
        found.balance,
        None if tier is None else tier.name,
        sum(points for points, expires_at in dated if expires_at <= soon),
        min((expires_at for _, expires_at in dated), default=None),
        points_statement(contact_id, limit=recent),
    )


# -- checks ------------------------------------------------------------------------------------


def _points(count: int) -> str:
    return f"{count:,} point" if count == 1 else f"{count:,} points"
