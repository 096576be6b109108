"""The loyalty program, rule by rule, checked by what the database holds afterwards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from peewee import IntegrityError

from relapp.db.models import (
    AuditLog,
    Contact,
    Interaction,
    PointsEntry,
    Reward,
    Staff,
    Tier,
    database,
)
from relapp.domain.changes import Entity
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.loyalty import sales as loyalty_sales
from relapp.domain.loyalty.ledger import add_months
from relapp.domain.loyalty.lots import PointsLot, remaining_lots
from relapp.domain.loyalty.points import (
    CustomerNotFound,
    NotAllowed,
    NotEnoughPoints,
    OutOfStock,
    RewardUnavailable,
    add_opening_balance,
    adjust_points,
    expire_due_points,
    find_customer,
    grant_birthday_bonus,
    grant_welcome_bonus,
    points_statement,
    points_summary,
    preview_sale,
    recompute_tier,
    record_sale,
    redeem_reward,
    refund_sale,
    reward_options,
)
from relapp.domain.shop.settings import save_settings
from relapp.errors import RelappError
from tests.factories import FakeClock, add_contact

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
PROGRAM = {
    "points_per_unit": 1,
    "points_expiry_months": 12,
    "tier_window_months": 12,
    "welcome_bonus_points": 50,
    "birthday_bonus_points": 100,
    "referral_bonus_points": 100,
}
# (name, min spend in cents, multiplier %)
TIERS = (("Bronze", 0, 100), ("Silver", 50_000, 125), ("Gold", 150_000, 150))


def set_up_program(program: dict | None = None, tiers=TIERS) -> dict[str, int]:
    """Settings, tiers, staff and rewards; returns the ids tests refer to by name."""
    save_settings(**(program or PROGRAM))
    for name, spend, multiplier in tiers:
        Tier.create(name=name, min_spend_cents=spend, multiplier_percent=multiplier)
    ids = {}
    for name, role, active in (("Maya", "manager", True), ("Sam", "counter", True),
                               ("Old boss", "manager", False)):  # fmt: skip
        ids[name] = Staff.create(
            name=name, role=role, pin_hash="unused", active=active, created_at=START
        ).id
    rewards = (
        ("Free coffee", 100, None, True),
        ("Gift card", 500, 2, True),
        ("Retired mug", 50, None, False),
        ("Sold-out tote", 300, 0, True),
    )
    for name, cost, stock, active in rewards:
        ids[name] = Reward.create(
            name=name, points_cost=cost, stock=stock, active=active, created_at=START
        ).id
    return ids


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    monkeypatch.setattr("relapp.domain.contacts.merge.utc_now", fake)
    return fake


@pytest.fixture
def shop(db, clock) -> dict[str, int]:
    return set_up_program()


@pytest.fixture
def ann(shop) -> Contact:
    return add_contact("Ann", "Lee", card_number="270000000017", birth_month=5, birth_day=17)


def ledger_rows() -> list[tuple]:
    return database.execute_sql("SELECT * FROM points_entry ORDER BY id").fetchall()


def entries(contact: Contact | int) -> list[PointsEntry]:
    contact_id = contact if isinstance(contact, int) else contact.id
    return list(
        PointsEntry.select().where(PointsEntry.contact == contact_id).order_by(PointsEntry.id)
    )


def balance(contact: Contact | int) -> int:
    contact_id = contact if isinstance(contact, int) else contact.id
    return Contact.get_by_id(contact_id).points_balance


def tier_name(contact: Contact) -> str | None:
    tier_id = Contact.get_by_id(contact.id).tier_id
    return None if tier_id is None else Tier.get_by_id(tier_id).name


def audit_rows(action: str) -> list[dict]:
    rows = AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)
    return [json.loads(row.details) | {"_staff_id": row.staff_id} for row in rows]


def snapshot() -> tuple:
    """Everything a refused operation must leave as it was."""
    return tuple(
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("points_entry", "interaction", "reward", "contact", "audit_log")
    )


def give(contact: Contact, points: int) -> None:
    add_opening_balance(contact.id, points, "Card from the old shop")


# -- finding a customer ------------------------------------------------------------------------


def test_a_customer_is_found_by_number_then_by_card(ann):
    assert find_customer(str(ann.id)) == ann.id
    assert find_customer(" 270000000017 ") == ann.id
    archived = add_contact("Arch", "Ived", card_number="270000000025", archived_at=START)
    for text in (str(archived.id), "270000000025", "999999", "ann", ""):
        with pytest.raises(CustomerNotFound, match=f"^No customer with number or card {text}.$"):
            find_customer(text)


def test_a_number_that_is_nobodys_id_is_read_as_a_card(ann):
    holder = add_contact("Card", "Holder", card_number="4242")
    assert find_customer("4242") == holder.id
    add_contact("Odd", "Card", card_number=f"{ann.id:04d}")
    assert find_customer(f"{ann.id:04d}") == ann.id  # a live customer's number comes first


# -- earning -----------------------------------------------------------------------------------


def test_a_sale_writes_the_purchase_and_its_earn_entry(ann, shop, clock):
    result = record_sale(ann.id, 1250, staff_id=shop["Sam"], summary="Scarf")

    sale = Interaction.get_by_id(result.interaction_id)
    assert (sale.contact_id, sale.kind, sale.amount_cents, sale.summary) == (
        ann.id, "purchase", 1250, "Scarf"
    )  # fmt: skip
    assert (sale.occurred_at, sale.staff_id, sale.sale_key, sale.refunded_at) == (
        START, shop["Sam"], None, None
    )  # fmt: skip
    [earn] = entries(ann)
    assert (earn.kind, earn.points, earn.interaction_id, earn.staff_id) == (
        "earn", 12, sale.id, shop["Sam"]
    )  # fmt: skip
    assert earn.reason == "Purchase of 12.50"
    assert (earn.occurred_at, earn.expires_at) == (START, datetime(2027, 3, 10, 9, 30, tzinfo=UTC))
    assert (result.points, result.bonus_points, result.balance, result.duplicate) == (
        12,
        0,
        12,
        False,
    )
    assert result.tier == tier_name(ann) == "Bronze"
    assert result.change.entities >= {Entity.POINTS, Entity.INTERACTIONS, Entity.CONTACTS}
    assert result.change.contact_ids == {ann.id}
    assert balance(ann) == 12


def test_points_follow_the_rate_and_tier_multiplier_rounded_down(ann, clock):
    save_settings(points_per_unit=3)
    record_sale(ann.id, 60_000)  # Bronze: 600 x 3; the spend reaches Silver afterwards
    assert tier_name(ann) == "Silver"
    preview = preview_sale(ann.id, 1099)
    result = record_sale(ann.id, 1099)
    # 10.99 x 3 points x 125% = 41.2 -> 41
    assert (preview.points, preview.multiplier_percent, preview.tier) == (41, 125, "Silver")
    assert result.points == 41 and preview.balance_after == result.balance == 1_800 + 41


def test_a_sale_too_small_for_a_point_is_still_recorded(ann):
    result = record_sale(ann.id, 99)
    assert result.points == 0
    assert Interaction.get_by_id(result.interaction_id).amount_cents == 99
    assert entries(ann) == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "must be more than 0.00"),
        (-500, "must be more than 0.00"),
        (100_000_001, r"at most 1,000,000\.00"),
        (12.5, "whole number of cents"),
        (True, "whole number of cents"),
    ],
)
def test_an_impossible_amount_is_refused_and_writes_nothing(ann, amount, message):
    before = snapshot()
    with pytest.raises(ValueError, match=message):
        record_sale(ann.id, amount)
    with pytest.raises(ValueError, match=message):
        preview_sale(ann.id, amount)
    assert snapshot() == before


def test_the_largest_allowed_sale_is_accepted(ann):
    assert record_sale(ann.id, 100_000_000).points == 1_000_000


def test_a_failure_after_the_purchase_is_written_rolls_it_back(ann, monkeypatch):
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loyalty_sales, "add_entry", broken)
    with pytest.raises(RuntimeError):
        record_sale(ann.id, 5000, sale_key="k-1")
    assert snapshot() == before


@pytest.mark.sqlite_only(
    reason="SQLite's BEGIN IMMEDIATE, seen through its trace callback; the server's lock:"
    " tests/db/test_server_concurrency.py"
)
def test_a_sale_takes_the_write_lock_before_it_reads_anything(ann, db):
    statements = []
    db.connection().set_trace_callback(statements.append)
    try:
        record_sale(ann.id, 5000, sale_key="lock")
    finally:
        db.connection().set_trace_callback(None)
    begin = statements.index("BEGIN IMMEDIATE")
    # Only the quick look for an earlier sale with this key comes before the lock (and the
    # busy timeout set aside while the lock is asked for: see relapp.db.busy).
    reads = [text for text in statements[:begin] if not text.startswith("PRAGMA busy_timeout")]
    assert all("sale_key = " in statement for statement in reads)
    assert begin < min(i for i, text in enumerate(statements) if "points_balance" in text)
    assert statements[-1] == "COMMIT"


def test_sales_are_refused_for_archived_merged_and_erased_customers(ann, shop):
    other = add_contact("Anne", "Lee")
    merge_contacts(ann.id, other.id)
    with pytest.raises(RelappError, match=f"merged into customer number {ann.id}"):
        record_sale(other.id, 1000)
    archived = add_contact("Arch", "Ived", archived_at=START)
    with pytest.raises(RelappError, match="is archived"):
        record_sale(archived.id, 1000)
    erased = add_contact("", "", erased_at=START)
    with pytest.raises(CustomerNotFound):
        record_sale(erased.id, 1000)
    with pytest.raises(CustomerNotFound):
        record_sale(99_999, 1000)


# -- one sale per key --------------------------------------------------------------------------


def test_the_same_sale_key_records_one_sale(ann):
    first = record_sale(ann.id, 2500, sale_key="3f2c-till-1")
    again = record_sale(ann.id, 2500, sale_key="3f2c-till-1")

    assert again.duplicate and not first.duplicate
    assert (again.interaction_id, again.points, again.balance, again.tier) == (
        first.interaction_id, first.points, first.balance, first.tier
    )  # fmt: skip
    assert not again.change.entities
    assert Interaction.select().where(Interaction.kind == "purchase").count() == 1
    assert [e.points for e in entries(ann)] == [25]


def test_a_key_used_for_another_sale_is_refused(ann):
    bob = add_contact("Bob", "Day")
    record_sale(ann.id, 2500, sale_key="K")
    before = snapshot()
    for contact_id, amount in ((bob.id, 2500), (ann.id, 2600)):
        with pytest.raises(RelappError, match="Sale key K was already used"):
            record_sale(contact_id, amount, sale_key="K")
    assert snapshot() == before


def test_two_counters_racing_with_one_key_write_one_sale(ann, monkeypatch):
    """The other counter commits between our check and our insert: the index catches it."""
    first = record_sale(ann.id, 2500, sale_key="race")
    real = loyalty_sales._earlier_sale
    calls = []

    def blind_at_first(*args):
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)

    monkeypatch.setattr(loyalty_sales, "_earlier_sale", blind_at_first)
    again = record_sale(ann.id, 2500, sale_key="race")
    assert again.duplicate and again.interaction_id == first.interaction_id
    assert len(calls) == 3
    assert [e.points for e in entries(ann)] == [25]


def test_the_database_refuses_a_second_sale_with_one_key(ann):
    record_sale(ann.id, 2500, sale_key="db")
    with pytest.raises(IntegrityError, match="sale_key"):
        Interaction.create(
            contact=ann, kind="purchase", amount_cents=1, occurred_at=START, sale_key="db",
            created_at=START, updated_at=START,
        )  # fmt: skip


# -- referral bonus ----------------------------------------------------------------------------


def test_a_first_purchase_credits_the_referrer_once(ann, clock):
    newcomer = add_contact("Nia", "New", referred_by=ann)

    first = record_sale(newcomer.id, 1000, sale_key="first")
    record_sale(newcomer.id, 1000)

    [bonus] = entries(ann)
    assert (bonus.kind, bonus.points, bonus.interaction_id) == ("bonus", 100, first.interaction_id)
    assert bonus.reason == f"Referral bonus: Nia New (#{newcomer.id}) made a first purchase"
    assert bonus.expires_at == add_months(START, 12)
    assert first.bonus_points == 100 and first.change.contact_ids == {ann.id, newcomer.id}
    assert record_sale(newcomer.id, 1000, sale_key="first").bonus_points == 100  # duplicate
    assert balance(ann) == 100 and balance(newcomer) == 20


def test_no_referral_bonus_without_referrer_or_when_the_program_gives_none(ann):
    save_settings(referral_bonus_points=0)
    newcomer = add_contact("Nia", "New", referred_by=ann)
    assert record_sale(newcomer.id, 1000).bonus_points == 0
    assert entries(ann) == []


def test_a_referrer_named_after_the_first_purchase_gets_no_bonus(ann):
    regular = add_contact("Rex", "Regular")
    record_sale(regular.id, 1000)
    Contact.update(referred_by=ann).where(Contact.id == regular.id).execute()
    assert record_sale(regular.id, 1000).bonus_points == 0
    assert entries(ann) == []


# -- tiers -------------------------------------------------------------------------------------


def test_the_tier_follows_rolling_spend_and_each_change_is_audited(ann, clock):
    record_sale(ann.id, 40_000)
    assert tier_name(ann) == "Bronze"
    clock.advance(days=100)
    assert record_sale(ann.id, 20_000).tier == "Silver"
    clock.advance(days=300)  # the first sale has left the 12-month window
    change = recompute_tier(ann.id)
    assert tier_name(ann) == "Bronze"
    assert change.entities == {Entity.CONTACTS, Entity.TIERS} and change.contact_ids == {ann.id}
    assert recompute_tier(ann.id) is None
    # Ann was in Bronze from her enrolment (it starts at nothing): no change to record then.
    changes = [(row["old"], row["new"], row["spend_cents"]) for row in audit_rows("tier changed")]
    assert changes == [("Bronze", "Silver", 60_000), ("Silver", "Bronze", 20_000)]
    assert Contact.get_by_id(ann.id).updated_at == ann.updated_at


def test_a_contact_without_any_tier_configured_keeps_none(db, clock):
    set_up_program(tiers=())
    customer = add_contact("Tia", "Tierless")
    assert record_sale(customer.id, 90_000).tier is None
    assert recompute_tier(customer.id) is None and audit_rows("tier changed") == []


# -- redeeming ---------------------------------------------------------------------------------


def test_redeeming_spends_points_and_takes_one_from_stock(ann, shop):
    give(ann, 1200)
    change = redeem_reward(ann.id, shop["Gift card"], staff_id=shop["Sam"])

    redeem = entries(ann)[-1]
    assert (redeem.kind, redeem.points, redeem.reward_id, redeem.staff_id, redeem.reason) == (
        "redeem", -500, shop["Gift card"], shop["Sam"], "Redeemed: Gift card"
    )  # fmt: skip
    assert Reward.get_by_id(shop["Gift card"]).stock == 1
    assert balance(ann) == 700
    assert change.entities == {Entity.POINTS, Entity.CONTACTS, Entity.REWARDS}

    redeem_reward(ann.id, shop["Free coffee"])
    assert Reward.get_by_id(shop["Free coffee"]).stock is None
    assert balance(ann) == 600


def test_not_enough_points_says_so_and_changes_nothing(ann, shop):
    give(ann, 120)
    before = snapshot()
    with pytest.raises(
        NotEnoughPoints, match=r"^Ann Lee has 120 points; the Gift card costs 500\.$"
    ):
        redeem_reward(ann.id, shop["Gift card"])
    assert snapshot() == before


def test_unavailable_and_sold_out_rewards_are_refused(ann, shop):
    give(ann, 5000)
    redeem_reward(ann.id, shop["Gift card"])
    redeem_reward(ann.id, shop["Gift card"])
    before = snapshot()
    with pytest.raises(OutOfStock, match="Gift card is out of stock"):
        redeem_reward(ann.id, shop["Gift card"])
    with pytest.raises(RewardUnavailable, match="Retired mug is no longer offered"):
        redeem_reward(ann.id, shop["Retired mug"])
    with pytest.raises(RewardUnavailable, match="no reward number 999"):
        redeem_reward(ann.id, 999)
    assert snapshot() == before
    assert Reward.get_by_id(shop["Gift card"]).stock == 0


def test_reward_options_list_affordable_rewards_first_then_by_cost(ann, shop):
    give(ann, 200)
    options = reward_options(ann.id)
    assert [(o.name, o.affordable) for o in options] == [
        ("Free coffee", True), ("Gift card", False)
    ]  # fmt: skip
    assert options[1].stock == 2 and options[1].points_cost == 500


def test_the_oldest_points_are_spent_first(ann, shop, clock):
    record_sale(ann.id, 30_000)  # 300 points, expire first
    clock.advance(days=30)
    record_sale(ann.id, 40_000)  # 400 points, a month later
    redeem_reward(ann.id, shop["Gift card"])
    assert remaining_lots(ann.id) == [PointsLot(200, add_months(START + timedelta(days=30), 12))]


def test_points_past_expiry_cannot_be_redeemed(ann, shop, clock):
    record_sale(ann.id, 30_000)
    clock.advance(days=200)
    record_sale(ann.id, 25_000)
    clock.advance(days=200)  # the first 300 points are past their expiry, not yet expired
    assert [o.affordable for o in reward_options(ann.id)] == [True, False]
    with pytest.raises(NotEnoughPoints, match="has 250 points"):
        redeem_reward(ann.id, shop["Gift card"])
    assert balance(ann) == 550  # the refusal rolled back the expiry too
    redeem_reward(ann.id, shop["Free coffee"])
    assert [(e.kind, e.points) for e in entries(ann)[-2:]] == [("expire", -300), ("redeem", -100)]
    assert balance(ann) == 150


# -- expiry ------------------------------------------------------------------------------------


def test_expiry_takes_only_unspent_points_past_their_date_once(ann, shop, clock):
    record_sale(ann.id, 30_000)  # 300, expire 2027-03-10
    add_contact("Zed", "Zero")
    clock.advance(days=100)
    record_sale(ann.id, 20_000)  # 200, expire later
    redeem_reward(ann.id, shop["Free coffee"])  # spends 100 of the first 300
    save_settings(points_expiry_months=0)
    give(ann, 70)  # never expires
    clock.moment = add_months(START, 12)

    assert expire_due_points() == 200
    assert expire_due_points() == 0
    clock.advance(days=1)
    assert expire_due_points() == 0

    expired = [e for e in entries(ann) if e.kind == "expire"]
    assert [(e.points, e.occurred_at) for e in expired] == [(-200, add_months(START, 12))]
    # The day as the shop writes days (en_US by default).
    assert expired[0].reason == "Points earned up to Mar 10, 2026 expired"
    assert balance(ann) == 270
    assert expire_due_points(clock.moment + timedelta(days=500)) == 200
    assert balance(ann) == 70


def test_expiry_writes_one_entry_per_customer_per_run(shop, clock):
    customers = [add_contact(f"C{n}", "Shopper") for n in range(3)]
    for number, customer in enumerate(customers):
        record_sale(customer.id, 1000 * (number + 1))
        record_sale(customer.id, 500)
    assert expire_due_points(add_months(START, 13)) == 10 + 20 + 30 + 3 * 5
    expired = PointsEntry.select().where(PointsEntry.kind == "expire")
    assert sorted((e.contact_id, e.points) for e in expired) == [
        (customers[0].id, -15), (customers[1].id, -25), (customers[2].id, -35)
    ]  # fmt: skip


# -- refunds -----------------------------------------------------------------------------------


def test_a_refund_reverses_the_points_and_keeps_the_purchase(ann, shop, clock):
    sale = record_sale(ann.id, 60_000, summary="Coat")
    assert sale.tier == "Silver"
    clock.advance(hours=2)
    change = refund_sale(sale.interaction_id, "Wrong size", staff_id=shop["Sam"])

    earn, reversal = entries(ann)
    assert (reversal.kind, reversal.points, reversal.reverses_id, reversal.interaction_id) == (
        "reversal", -600, earn.id, sale.interaction_id
    )  # fmt: skip
    assert reversal.reason == "Refund of 600.00: Wrong size"
    purchase = Interaction.get_by_id(sale.interaction_id)
    assert (purchase.kind, purchase.amount_cents, purchase.refunded_at) == (
        "purchase", 60_000, clock.moment
    )  # fmt: skip
    note = Interaction.select().where(Interaction.kind == "note").get()
    assert note.summary == f"Refund of 600.00 (sale #{sale.interaction_id}): Wrong size"
    [audited] = audit_rows("sale refunded")
    assert (audited["points_earned"], audited["points_reversed"], audited["shortfall"]) == (
        600, 600, 0
    )  # fmt: skip
    assert audited["_staff_id"] == shop["Sam"]
    assert balance(ann) == 0 and tier_name(ann) == "Bronze"  # refunded spend does not count
    assert Entity.TIERS in change.entities and change.contact_ids == {ann.id}


def test_points_already_spent_stay_spent_and_the_shortfall_is_audited(ann, shop):
    sale = record_sale(ann.id, 60_000)
    redeem_reward(ann.id, shop["Gift card"])  # 100 left of the 600 earned

    refund_sale(sale.interaction_id, "Returned")

    assert [e.points for e in entries(ann)] == [600, -500, -100]
    assert balance(ann) == 0
    [audited] = audit_rows("sale refunded")
    assert (audited["points_reversed"], audited["shortfall"]) == (100, 500)
    assert "keeps what they took" in audited["shortfall_because"]


def test_a_sale_is_refunded_once(ann):
    sale = record_sale(ann.id, 5000)
    refund_sale(sale.interaction_id, "Returned")
    before = snapshot()
    with pytest.raises(RelappError, match="already refunded"):
        refund_sale(sale.interaction_id, "Returned again")
    assert snapshot() == before


def test_refunds_need_a_reason_and_a_sale(ann):
    sale = record_sale(ann.id, 5000)
    note = Interaction.create(
        contact=ann, kind="note", occurred_at=START, created_at=START, updated_at=START
    )
    with pytest.raises(ValueError, match="reason"):
        refund_sale(sale.interaction_id, "  ")
    for number in (note.id, 12345):
        with pytest.raises(RelappError, match=f"no sale number {number}"):
            refund_sale(number, "Returned")


def test_refunding_a_sale_without_points_marks_it_and_reverses_nothing(ann):
    sale = record_sale(ann.id, 50)
    refund_sale(sale.interaction_id, "Returned")
    assert entries(ann) == []
    assert Interaction.get_by_id(sale.interaction_id).refunded_at is not None


def test_points_of_a_sale_past_expiry_are_not_taken_twice(ann, clock):
    old = record_sale(ann.id, 30_000)
    clock.moment = add_months(START, 12) - timedelta(days=1)
    record_sale(ann.id, 20_000)
    clock.advance(days=2)  # the old sale's 300 points have expired
    refund_sale(old.interaction_id, "Late return")
    assert [(e.kind, e.points) for e in entries(ann)] == [
        ("earn", 300), ("earn", 200), ("expire", -300)
    ]  # fmt: skip
    assert audit_rows("sale refunded")[0]["shortfall"] == 300
    assert balance(ann) == 200


def test_a_sale_moved_by_a_merge_is_refunded_from_the_survivor(ann, shop):
    other = add_contact("Anne", "Lee")
    sale = record_sale(other.id, 40_000)
    merge_contacts(ann.id, other.id)
    refund_sale(sale.interaction_id, "Returned")
    assert balance(ann) == 0 and balance(other) == 0
    assert entries(ann)[-1].reverses_id == entries(other)[0].id


# -- adjustments, opening balances, bonuses ----------------------------------------------------


def test_only_an_active_manager_adjusts_and_always_with_a_reason(ann, shop):
    before = snapshot()
    for staff_id in (shop["Sam"], shop["Old boss"], 999):
        with pytest.raises(NotAllowed, match="Only a manager"):
            adjust_points(ann.id, 50, "Goodwill", staff_id)
    with pytest.raises(ValueError, match="reason"):
        adjust_points(ann.id, 50, " ", shop["Maya"])
    with pytest.raises(ValueError, match="at least one point"):
        adjust_points(ann.id, 0, "Nothing", shop["Maya"])
    with pytest.raises(NotEnoughPoints, match="has 0 points; 5 points cannot be taken away"):
        adjust_points(ann.id, -5, "Typo", shop["Maya"])
    assert snapshot() == before

    change = adjust_points(ann.id, 80, "Goodwill after a late delivery", shop["Maya"])
    adjust_points(ann.id, -30, "Typed 80 for 50", shop["Maya"])

    assert [(e.kind, e.points, e.staff_id) for e in entries(ann)] == [
        ("adjust", 80, shop["Maya"]), ("adjust", -30, shop["Maya"])
    ]  # fmt: skip
    assert entries(ann)[0].expires_at == add_months(START, 12)
    audited = audit_rows("points adjusted")
    assert [(a["points"], a["reason"], a["balance_after"]) for a in audited] == [
        (80, "Goodwill after a late delivery", 80), (-30, "Typed 80 for 50", 50)
    ]  # fmt: skip
    assert change.entities == {Entity.POINTS, Entity.CONTACTS}


def test_an_opening_balance_is_entered_once(ann, shop):
    add_opening_balance(ann.id, 340, "Paper card #123", staff_id=shop["Sam"])
    with pytest.raises(RelappError, match="already has an opening balance of 340 points"):
        add_opening_balance(ann.id, 340, "Paper card #123")
    for points in (0, -5):
        with pytest.raises(ValueError, match="above zero"):
            add_opening_balance(ann.id, points, "Paper card")
    [entry] = entries(ann)
    assert (entry.kind, entry.points, entry.reason) == ("opening", 340, "Paper card #123")
    [audited] = audit_rows("opening balance")
    assert (audited["points"], audited["entry_id"], audited["_staff_id"]) == (
        340, entry.id, shop["Sam"]
    )  # fmt: skip


def test_the_welcome_bonus_is_given_once(ann):
    change = grant_welcome_bonus(ann.id)
    assert change.contact_ids == {ann.id}
    assert grant_welcome_bonus(ann.id) is None
    [entry] = entries(ann)
    assert (entry.kind, entry.points, entry.reason, entry.occasion) == (
        "bonus", 50, "Welcome bonus", "welcome"
    )  # fmt: skip


def test_the_demo_shops_welcome_bonuses_count_as_given(demo_db):
    welcomed = PointsEntry.get(PointsEntry.reason == "Welcome bonus").contact_id
    before = balance(welcomed)
    assert grant_welcome_bonus(welcomed) is None
    assert balance(welcomed) == before


def test_the_birthday_bonus_is_given_once_a_calendar_year(ann, clock):
    assert grant_birthday_bonus(ann.id, today=date(2026, 5, 17)) is not None
    assert grant_birthday_bonus(ann.id, today=date(2026, 12, 31)) is None
    assert grant_birthday_bonus(ann.id, today=date(2027, 5, 17)) is not None
    assert [(e.points, e.reason) for e in entries(ann)] == [
        (100, "Birthday bonus 2026"), (100, "Birthday bonus 2027")
    ]  # fmt: skip
    nobody = add_contact("No", "Birthday")
    assert grant_birthday_bonus(nobody.id) is None


def test_a_bonus_the_program_does_not_give_grants_nothing(ann):
    save_settings(welcome_bonus_points=0, birthday_bonus_points=0)
    assert grant_welcome_bonus(ann.id) is None
    assert grant_birthday_bonus(ann.id) is None
    assert entries(ann) == []


def test_the_database_refuses_a_second_bonus_for_one_occasion(ann):
    grant_welcome_bonus(ann.id)
    with pytest.raises(IntegrityError, match="occasion"):
        PointsEntry.create(
            contact=ann, kind="bonus", points=50, occurred_at=START, reason="again",
            occasion="welcome",
        )  # fmt: skip


# -- statements --------------------------------------------------------------------------------


def test_the_statement_runs_oldest_first_with_a_running_balance(ann, shop, clock):
    record_sale(ann.id, 30_000)
    clock.advance(days=1)
    redeem_reward(ann.id, shop["Free coffee"])
    clock.advance(days=1)
    grant_welcome_bonus(ann.id)

    lines = points_statement(ann.id)
    assert [(line.kind, line.points, line.balance) for line in lines] == [
        ("earn", 300, 300), ("redeem", -100, 200), ("bonus", 50, 250)
    ]  # fmt: skip
    assert lines[0].expires_at == add_months(START, 12) and lines[1].expires_at is None
    assert lines[1].occurred_at == START + timedelta(days=1)
    assert points_statement(ann.id, limit=2) == lines[1:]
    assert points_statement(ann.id, limit=0) == []


def test_the_summary_shows_balance_tier_and_what_expires_soon(ann, clock):
    record_sale(ann.id, 60_000)
    clock.advance(days=40)
    record_sale(ann.id, 10_000)
    clock.moment = add_months(START, 12) - timedelta(days=10)

    summary = points_summary(ann.id, recent=1)
    assert (summary.name, summary.balance, summary.tier) == ("Ann Lee", 600 + 125, "Silver")
    assert (summary.expiring_30_days, summary.next_expiry) == (600, add_months(START, 12))
    assert [line.points for line in summary.recent] == [125]
    with pytest.raises(CustomerNotFound):
        points_summary(424242)


# -- schema 5 ----------------------------------------------------------------------------------


def test_schema_5_keeps_keys_refunds_and_occasions_where_they_belong(ann):
    note = Interaction.create(
        contact=ann, kind="note", occurred_at=START, created_at=START, updated_at=START
    )
    for column, value in (("sale_key", "k"), ("refunded_at", "2026-01-01 00:00:00")):
        with pytest.raises(IntegrityError, match=r"(?i)check constraint"):
            database.execute_sql(
                f"UPDATE interaction SET {column} = ? WHERE id = ?", (value, note.id)
            )
    with pytest.raises(IntegrityError, match=r"(?i)check constraint"):
        PointsEntry.create(
            contact=ann, kind="opening", points=5, occurred_at=START, reason="x", occasion="welcome"
        )
