"""Random sequences of loyalty operations against an independent model of the program.

The model keeps each customer's points as lots (points, expiry) and spends them as the rules
say: soonest-expiring first, a refund from its own sale's lot first. After every step the
database must agree with it, and hold on its own: every balance is the sum of its entries and
never negative, no expiry takes points that were spent, tiers match the rolling spend, no
ledger row ever changes, and a refused operation changes nothing at all.
"""

from __future__ import annotations

import calendar
import copy
import itertools
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.loyalty import points as loyalty
from relapp.domain.loyalty.lots import PointsLot, remaining_lots
from relapp.domain.loyalty.points import NotEnoughPoints, OutOfStock, RewardUnavailable
from relapp.errors import RelappError
from tests.domain.test_loyalty import FakeClock, set_up_program
from tests.factories import add_contact

START = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)  # a month's end: expiry dates get clamped
PROGRAM = {
    "points_per_unit": 1,
    "points_expiry_months": 2,
    "tier_window_months": 3,
    "welcome_bonus_points": 50,
    "birthday_bonus_points": 100,
    "referral_bonus_points": 100,
}
TIERS = (("Bronze", 0, 100), ("Silver", 20_000, 125), ("Gold", 60_000, 150))
# name -> (cost, stock, active); "Nothing" is a reward id that does not exist.
REWARDS = {
    "Free coffee": (100, None, True),
    "Gift card": (500, 2, True),
    "Retired mug": (50, None, False),
    "Sold-out tote": (300, 0, True),
    "Nothing": None,
}
CUSTOMERS = 4


def add_months(moment: datetime, months: int) -> datetime:
    """Written again here, so the model does not borrow the code it checks."""
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


@dataclass
class Lot:
    points: int
    expires: datetime | None
    sequence: int
    entry: int | None  # the ledger entry it came from, while still on that entry's contact


def soonest_first(lot: Lot) -> tuple:
    """Soonest expiry first, points that never expire last; older lots first on a tie."""
    return (lot.expires is None, lot.expires or START, lot.sequence)


@dataclass
class Sale:
    owner: int
    moment: datetime
    amount: int
    points: int
    bonus: int
    earn_entry: int | None
    expires: datetime | None
    refunded: bool = False


@dataclass
class Model:
    """The loyalty program as the rules describe it, in plain Python."""

    customers: list[int]
    reward_ids: dict[str, int]
    now: datetime = START
    lots: dict[int, list[Lot]] = field(default_factory=dict)
    sales: dict[int, Sale] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    stock: dict[str, int | None] = field(default_factory=dict)
    tier: dict[int, str | None] = field(default_factory=dict)
    expired: dict[int, int] = field(default_factory=dict)
    merged: set[int] = field(default_factory=set)
    occasions: set[tuple[int, str]] = field(default_factory=set)
    tier_changes: int = 0
    lots_made: int = 0

    def __post_init__(self) -> None:
        for contact_id in self.customers:
            self.lots[contact_id] = []
            self.tier[contact_id] = "Bronze"  # as the template enrols them
            self.expired[contact_id] = 0
        self.stock = {name: spec[1] for name, spec in REWARDS.items() if spec}

    # -- points --

    def balance(self, contact_id: int) -> int:
        return sum(lot.points for lot in self.lots[contact_id])

    def credit(self, contact_id: int, points: int, entry: int | None = None) -> None:
        expires = add_months(self.now, PROGRAM["points_expiry_months"])
        self.lots[contact_id].append(Lot(points, expires, self.next_sequence(), entry))

    def next_sequence(self) -> int:
        self.lots_made += 1
        return self.lots_made

    def spend(self, contact_id: int, points: int, own_lot: int | None = None) -> None:
        lots = self.lots[contact_id]
        order = sorted(lots, key=soonest_first)
        order = [lot for lot in order if lot.entry == own_lot and own_lot is not None] + [
            lot for lot in order if not (lot.entry == own_lot and own_lot is not None)
        ]
        for lot in order:
            taken = min(points, lot.points)
            lot.points -= taken
            points -= taken
        assert points == 0, "the model overdrew"
        self.lots[contact_id] = [lot for lot in lots if lot.points]

    def expire(self, contact_id: int) -> int:
        lots = self.lots[contact_id]
        due = sum(lot.points for lot in lots if lot.expires and lot.expires <= self.now)
        self.lots[contact_id] = [
            lot for lot in lots if not (lot.expires and lot.expires <= self.now)
        ]
        self.expired[contact_id] += due
        return due

    def lots_as_replayed(self, contact_id: int) -> list[PointsLot]:
        combined: dict[datetime | None, int] = {}
        for lot in sorted(self.lots[contact_id], key=soonest_first):
            combined[lot.expires] = combined.get(lot.expires, 0) + lot.points
        return [PointsLot(points, expires) for expires, points in combined.items()]

    # -- tiers --

    def spend_in_window(self, contact_id: int) -> int:
        start = add_months(self.now, -PROGRAM["tier_window_months"])
        return sum(
            sale.amount
            for sale in self.sales.values()
            if sale.owner == contact_id and not sale.refunded and start <= sale.moment <= self.now
        )

    def tier_for(self, contact_id: int) -> str | None:
        spend = self.spend_in_window(contact_id)
        return max((t for t in TIERS if t[1] <= spend), key=lambda t: t[1], default=(None,))[0]

    def recompute_tier(self, contact_id: int) -> None:
        new = self.tier_for(contact_id)
        if new != self.tier[contact_id]:
            self.tier[contact_id] = new
            self.tier_changes += 1

    # -- operations; each raises the error the program should raise --

    def live(self, contact_id: int) -> None:
        if contact_id in self.merged:
            raise RelappError("merged")

    def sale(self, contact_id, amount, key, referrer) -> tuple:
        if key in self.keys:
            sale = self.sales[self.keys[key]]
            if (sale.owner, sale.amount) != (contact_id, amount):
                raise RelappError("key used for another sale")
            return ("duplicate", self.keys[key])
        self.live(contact_id)
        self.expire(contact_id)
        self.recompute_tier(contact_id)
        multiplier = {t[0]: t[2] for t in TIERS}.get(self.tier[contact_id], 100)
        points = amount * PROGRAM["points_per_unit"] * multiplier // 10_000
        first = not any(sale.owner == contact_id for sale in self.sales.values())
        bonus = 0
        if first and referrer is not None and (0, f"referral #{contact_id}") not in self.occasions:
            self.occasions.add((0, f"referral #{contact_id}"))
            self.credit(referrer, PROGRAM["referral_bonus_points"])
            bonus = PROGRAM["referral_bonus_points"]
        return ("sale", points, bonus)

    def sale_written(self, contact_id, amount, key, interaction_id, earn_entry, points, bonus):
        expires = add_months(self.now, PROGRAM["points_expiry_months"]) if points else None
        self.sales[interaction_id] = Sale(
            contact_id, self.now, amount, points, bonus, earn_entry, expires
        )
        if key is not None:
            self.keys[key] = interaction_id
        if points:
            self.credit(contact_id, points, earn_entry)
        self.recompute_tier(contact_id)

    def refund(self, interaction_id: int) -> None:
        sale = self.sales[interaction_id]
        if sale.refunded:
            raise RelappError("refunded twice")
        owner = sale.owner
        self.expire(owner)
        if sale.points:
            lapsed = sale.expires is not None and sale.expires <= self.now
            taken = 0 if lapsed else min(sale.points, self.balance(owner))
            self.spend(owner, taken, own_lot=sale.earn_entry)
        sale.refunded = True
        self.recompute_tier(owner)

    def redeem(self, contact_id: int, reward: str) -> None:
        self.live(contact_id)
        if REWARDS[reward] is None or not REWARDS[reward][2]:
            raise RewardUnavailable(reward)
        cost = REWARDS[reward][0]
        if self.stock[reward] == 0:
            raise OutOfStock(reward)
        self.expire(contact_id)
        if self.balance(contact_id) < cost:
            raise NotEnoughPoints(reward)
        self.spend(contact_id, cost)
        if self.stock[reward] is not None:
            self.stock[reward] -= 1

    def adjust(self, contact_id: int, points: int) -> None:
        self.live(contact_id)
        self.expire(contact_id)
        if self.balance(contact_id) + points < 0:
            raise NotEnoughPoints("overdraw")
        if points > 0:
            self.credit(contact_id, points)
        else:
            self.spend(contact_id, -points)

    def once(self, contact_id: int, occasion: str, points: int) -> bool:
        self.live(contact_id)
        if (contact_id, occasion) in self.occasions:
            return False
        self.occasions.add((contact_id, occasion))
        self.credit(contact_id, points)
        return True

    def opening(self, contact_id: int, points: int) -> None:
        if not self.once(contact_id, "opening", points):
            raise RelappError("second opening balance")

    def birthday(self, contact_id: int, has_birthday: bool) -> bool:
        self.live(contact_id)
        if not has_birthday:
            return False
        return self.once(contact_id, f"birthday {self.now.year}", PROGRAM["birthday_bonus_points"])

    def merge(self, survivor: int, other: int) -> None:
        if survivor == other or {survivor, other} & self.merged:
            raise RelappError("merge refused")
        for lot in sorted(self.lots[other], key=soonest_first):
            self.lots[survivor].append(Lot(lot.points, lot.expires, self.next_sequence(), None))
        self.lots[other] = []
        for sale in self.sales.values():
            if sale.owner == other:
                sale.owner = survivor
        rank = {None: -1} | {t[0]: t[1] for t in TIERS}
        self.tier[survivor] = max(self.tier[survivor], self.tier[other], key=rank.__getitem__)
        self.merged.add(other)
        self.recompute_tier(survivor)  # the app recalculates the survivor's tier after a merge

    def next_expiry(self) -> datetime:
        """The first moment some points fall due (to the second), else a day from now."""
        dates = [lot.expires for lots in self.lots.values() for lot in lots if lot.expires]
        future = [moment for moment in dates if moment > self.now]
        return min(future, default=self.now + timedelta(days=1))

    def expire_all(self) -> int:
        return sum(self.expire(contact_id) for contact_id in self.customers)

    def nightly(self) -> int:
        expired = self.expire_all()
        for contact_id in self.customers:
            if contact_id not in self.merged:
                self.recompute_tier(contact_id)
        return expired


# -- the database side ---------------------------------------------------------------------------


def ledger_rows() -> list[tuple]:
    return database.execute_sql("SELECT * FROM points_entry ORDER BY id").fetchall()


def everything() -> tuple:
    return tuple(
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("points_entry", "interaction", "reward", "contact", "audit_log")
    )


def check_invariants(model: Model, ledger_before: list[tuple]) -> list[tuple]:
    rows = ledger_rows()
    assert rows[: len(ledger_before)] == ledger_before, "a ledger row changed or disappeared"
    mismatched = database.execute_sql(
        "SELECT c.id, c.points_balance, coalesce(sum(p.points), 0) FROM contact c"
        " LEFT JOIN points_entry p ON p.contact_id = c.id GROUP BY c.id"
        " HAVING c.points_balance <> coalesce(sum(p.points), 0) OR c.points_balance < 0"
    ).fetchall()
    assert mismatched == []
    window_start = add_months(model.now, -PROGRAM["tier_window_months"])
    for contact_id in model.customers:
        balance, tier = database.execute_sql(
            "SELECT points_balance, (SELECT name FROM tier WHERE tier.id = tier_id) FROM contact"
            " WHERE id = ?",
            (contact_id,),
        ).fetchone()
        assert balance == model.balance(contact_id), contact_id
        assert remaining_lots(contact_id) == model.lots_as_replayed(contact_id), contact_id
        expired = database.execute_sql(
            "SELECT coalesce(-sum(points), 0) FROM points_entry"
            " WHERE contact_id = ? AND kind = 'expire'",
            (contact_id,),
        ).fetchone()[0]
        assert expired == model.expired[contact_id], contact_id
        if contact_id in model.merged:
            continue
        spend = database.execute_sql(
            "SELECT coalesce(sum(amount_cents), 0) FROM interaction WHERE contact_id = ?"
            " AND kind = 'purchase' AND refunded_at IS NULL AND occurred_at >= ?",
            (contact_id, window_start.strftime("%Y-%m-%d %H:%M:%S")),
        ).fetchone()[0]
        assert spend == model.spend_in_window(contact_id)
        assert tier == model.tier[contact_id], contact_id
    changes = database.execute_sql(
        "SELECT count(*) FROM audit_log WHERE action = 'tier changed'"
    ).fetchone()[0]
    assert changes == model.tier_changes
    return rows


def apply(model: Model, operation: tuple, ids: dict[str, int], clock: FakeClock) -> Model:
    """Run one operation on the model (a copy) and the database; return the model after."""
    kind, *args = operation
    trial = copy.deepcopy(model)
    customers = model.customers
    expected_error: type[Exception] | None = None
    expected = None
    before = everything()
    try:
        if kind == "sale":
            contact_id = customers[args[0]]
            referrer = database.execute_sql(
                "SELECT referred_by_id FROM contact WHERE id = ?", (contact_id,)
            ).fetchone()[0]
            expected = trial.sale(contact_id, args[1], args[2], referrer)
        elif kind == "refund":
            if not trial.sales:
                return model
            interaction_id = sorted(trial.sales)[args[0] % len(trial.sales)]
            trial.refund(interaction_id)
        elif kind == "redeem":
            trial.redeem(customers[args[0]], args[1])
        elif kind == "adjust":
            trial.adjust(customers[args[0]], args[1])
        elif kind == "opening":
            trial.opening(customers[args[0]], args[1])
        elif kind == "welcome":
            expected = trial.once(customers[args[0]], "welcome", PROGRAM["welcome_bonus_points"])
        elif kind == "birthday":
            contact_id = customers[args[0]]
            birth_month = database.execute_sql(  # a merge may have brought a birthday
                "SELECT birth_month FROM contact WHERE id = ?", (contact_id,)
            ).fetchone()[0]
            expected = trial.birthday(contact_id, birth_month is not None)
        elif kind == "merge":
            trial.merge(customers[args[0]], customers[args[1]])
        elif kind == "advance":  # the clock moves; no job runs
            trial.now += timedelta(days=args[0])
        elif kind == "to_expiry":
            trial.now = trial.next_expiry()
        elif kind == "expire":
            expected = trial.expire_all()
        elif kind == "nightly":
            expected = trial.nightly()
    except RelappError as error:
        expected_error = type(error)

    try:
        result = run(kind, args, model, ids, clock, trial)
    except RelappError as error:
        assert expected_error is not None, f"{operation} refused: {error}"
        assert issubclass(type(error), expected_error), (operation, error)
        assert everything() == before, f"{operation} was refused but changed something"
        event(f"{kind}: refused ({type(error).__name__})")
        return model
    event(f"{kind}: done")
    assert expected_error is None, f"{operation} should have been refused"

    if kind == "sale":
        contact_id, amount, key = customers[args[0]], args[1], args[2]
        if expected[0] == "duplicate":
            sale = model.sales[expected[1]]
            assert result.duplicate and result.interaction_id == expected[1]
            assert (result.points, result.bonus_points) == (sale.points, sale.bonus)
            assert everything() == before
        else:
            _, points, bonus = expected
            assert not result.duplicate
            assert (result.points, result.bonus_points) == (points, bonus)
            earn = database.execute_sql(
                "SELECT id FROM points_entry WHERE interaction_id = ? AND kind = 'earn'",
                (result.interaction_id,),
            ).fetchone()
            trial.sale_written(
                contact_id, amount, key, result.interaction_id, earn and earn[0], points, bonus
            )
            assert result.balance == trial.balance(contact_id)
            assert result.tier == trial.tier[contact_id]
    elif kind in ("welcome", "birthday"):
        assert (result is not None) == expected
    elif kind in ("expire", "nightly"):
        assert result == expected
        assert loyalty.expire_due_points() == 0  # a second run at the same moment: nothing
    if kind == "nightly":
        for contact_id in set(customers) - trial.merged:
            assert trial.tier[contact_id] == trial.tier_for(contact_id)
    touched = {
        "sale": lambda: customers[args[0]],
        "refund": lambda: trial.sales[sorted(trial.sales)[args[0] % len(trial.sales)]].owner,
        "merge": lambda: customers[args[0]],
    }
    duplicate = kind == "sale" and result.duplicate  # writes nothing, recalculates nothing
    if kind in touched and not duplicate:  # recalculated now, so it matches the spend exactly
        contact_id = touched[kind]()
        assert trial.tier[contact_id] == trial.tier_for(contact_id)
    return trial


def run(kind: str, args: list, model: Model, ids: dict[str, int], clock: FakeClock, trial):
    customers = model.customers
    if kind == "sale":
        return loyalty.record_sale(customers[args[0]], args[1], sale_key=args[2])
    if kind == "refund":
        interaction_id = sorted(model.sales)[args[0] % len(model.sales)]
        return loyalty.refund_sale(interaction_id, "Returned")
    if kind == "redeem":
        return loyalty.redeem_reward(customers[args[0]], ids.get(args[1], 9_999))
    if kind == "adjust":
        return loyalty.adjust_points(customers[args[0]], args[1], "Stock take", ids["Maya"])
    if kind == "opening":
        return loyalty.add_opening_balance(customers[args[0]], args[1], "Old card")
    if kind == "welcome":
        return loyalty.grant_welcome_bonus(customers[args[0]])
    if kind == "birthday":
        return loyalty.grant_birthday_bonus(customers[args[0]])
    if kind == "merge":
        change = merge_contacts(customers[args[0]], customers[args[1]])
        loyalty.recompute_tier(customers[args[0]])
        return change
    if kind == "advance":
        return clock.advance(days=args[0])
    if kind == "to_expiry":
        clock.moment = trial.now
        return clock.moment
    if kind == "expire":
        return loyalty.expire_due_points()
    if kind == "nightly":
        expired = loyalty.expire_due_points()
        for contact_id in set(customers) - model.merged:
            loyalty.recompute_tier(contact_id)
        return expired
    raise AssertionError(kind)


customer = st.integers(0, CUSTOMERS - 1)
amounts = st.sampled_from([1, 99, 1_250, 9_999, 25_000, 70_000]) | st.integers(5_000, 90_000)
ARGUMENTS = {
    "sale": (customer, amounts, st.sampled_from([None, None, None, None, "k1", "k2"])),
    "redeem": (
        customer,
        st.sampled_from(["Free coffee"] * 3 + ["Gift card"] * 2 + sorted(REWARDS)),
    ),
    "refund": (st.integers(0, 30),),
    "advance": (st.sampled_from([1, 20, 45, 62, 200]),),
    "to_expiry": (),
    "expire": (),
    "nightly": (),
    "adjust": (customer, st.integers(1, 400) | st.integers(-400, -1)),
    "opening": (customer, st.integers(1, 800)),
    "merge": (customer, customer),
    "birthday": (customer,),
    "welcome": (customer,),
}
# Sales and redemptions are drawn most often: they are most of a shop's day.
KINDS = (
    ["sale"] * 6
    + ["redeem"] * 3
    + ["refund"] * 2
    + sorted(set(ARGUMENTS) - {"sale", "redeem", "refund"})
)
operations = st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), *ARGUMENTS[kind]))
# Earn, refer, redeem, repeat a key, let the oldest points lapse, refund after spending,
# merge and refund from the survivor: the paths where a point could be lost or doubled.
STORY = [
    ("sale", 0, 70_000, "k1"),
    ("sale", 1, 9_999, None),
    ("redeem", 0, "Gift card"),
    ("sale", 0, 70_000, "k1"),
    ("advance", 45),
    ("sale", 0, 25_000, None),
    ("refund", 0),
    ("advance", 20),
    ("redeem", 0, "Free coffee"),
    ("merge", 2, 0),
    ("refund", 2),
    ("birthday", 2),
    ("adjust", 2, -1),
    ("to_expiry",),
    ("sale", 2, 100, None),
    ("advance", 200),
    ("expire",),
    ("nightly",),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A small shop: the program, and Ann, Ben (referred by Ann), Cat, Dan (referred by Cat)."""
    path = tmp_path_factory.mktemp("loyalty") / "template.db"
    opened = open_database(path)
    ids = set_up_program(PROGRAM, TIERS)
    ann = add_contact("Ann", "Lee", birth_month=2, birth_day=29)
    ben = add_contact("Ben", "Ng", referred_by=ann)
    cat = add_contact("Cat", "Ode", birth_month=12, birth_day=1)
    dan = add_contact("Dan", "Park", referred_by=cat)
    database.execute_sql("UPDATE contact SET tier_id = (SELECT id FROM tier WHERE name = 'Bronze')")
    opened.close()
    return path, ids, [ann.id, ben.id, cat.id, dan.id]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=6, max_size=40))
@example(steps=STORY)
def test_random_operations_keep_every_invariant(template, tmp_path, steps):
    template_path, ids, customers = template
    path = tmp_path / f"shop-{next(_copies)}.db"
    shutil.copy(template_path, path)
    clock = FakeClock(START)
    opened = open_database(path)
    try:
        with (
            mock.patch("relapp.domain.clock.utc_now", clock),
            mock.patch("relapp.domain.contacts.merge.utc_now", clock),
        ):
            model = Model(customers, ids)
            rows = check_invariants(model, [])
            for step in steps:
                model = apply(model, step, ids, clock)
                assert model.now == clock.moment
                rows = check_invariants(model, rows)
    finally:
        opened.close()


_copies = itertools.count()
