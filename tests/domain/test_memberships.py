"""Memberships (schema 19): plans a manager sets up, joining and renewing (a renewal is a new
row), cancelling, the welcome reward, a member's earn rate, member-only rewards and Today's
lists; on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.models import AuditLog, Contact, Interaction, PointsEntry, Reward, Staff, Tier
from relapp.db.store import memberships as store
from relapp.domain import clock
from relapp.domain.loyalty.points import (
    RewardUnavailable,
    record_sale,
    redeem_reward,
    reward_options,
)
from relapp.domain.memberships.lists import members_in_grace, renewals_due
from relapp.domain.memberships.members import (
    MembershipRefused,
    cancel,
    join,
    memberships_of,
    renew,
    renewal_terms,
    standing,
    terms,
)
from relapp.domain.memberships.plans import (
    Plan,
    PlanRefused,
    list_plans,
    plan_by_id,
    retire_plan,
    save_plan,
)
from relapp.domain.memberships.status import CANCELLED, CURRENT, EXPIRED, GRACE, PENDING
from relapp.domain.shop.staff import NotAllowed
from relapp.domain.timeline.today import today_queue
from tests.factories import add_contact

# Noon UTC: the same calendar day in every zone the test machine may be in but the far east.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
GOLD = Plan("Gold", fee_cents=5000, length_months=12, grace_days=14,
            points_multiplier_percent=150, discount_percent=10, reminder_days=30)  # fmt: skip


@pytest.fixture
def staff(db):
    moment = clock.utc_now()
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=moment)
    cashier = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=moment)
    return manager.id, cashier.id


@pytest.fixture
def at(monkeypatch):
    """at(moment): the clock reads that moment from now on."""

    def set_moment(moment: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: moment)

    set_moment(NOW)
    return set_moment


def gold(manager: int, **changes) -> int:
    save_plan(replace(GOLD, **changes), manager)
    return next(line.plan.id for line in list_plans(TODAY) if line.plan.name == GOLD.name)


def reward(name: str, cost: int, stock: int | None = None) -> int:
    return Reward.create(name=name, points_cost=cost, stock=stock, active=True,
                         created_at=NOW).id  # fmt: skip


# ------------------------------------------------------------------------------- plans


def test_a_manager_adds_a_plan_and_a_cashier_may_not(staff):
    manager, cashier = staff
    with pytest.raises(NotAllowed):
        save_plan(GOLD, cashier)
    plan_id = gold(manager)
    saved = plan_by_id(plan_id)
    assert replace(saved, id=None) == GOLD
    assert saved.length_text == "12 months" and saved.perk_text == "points ×1.5 · 10% discount"
    assert AuditLog.get(AuditLog.action == "membership plan added").entity_id == plan_id


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": " "}, "A membership plan needs a name."),
        ({"name": "gOLD"}, "There is a membership plan called Gold already."),
        ({"year_end": (12, 31)}, "one or the other"),
        ({"length_months": None}, "one or the other"),
        ({"length_months": None, "year_end": (4, 31)}, "a day every year has"),
        ({"length_months": 121}, "from 1 to 120 months"),
        ({"points_multiplier_percent": 90}, "100% (the normal rate)"),
        ({"discount_percent": 101}, "0% to 100%"),
        ({"fee_cents": -1}, "fee is from \\$0.00"),
        ({"welcome_reward_id": 999}, "not in the rewards catalogue"),
    ],
)
def test_a_plan_that_cannot_be_saved_is_refused_in_one_sentence(staff, changes, sentence):
    manager, _ = staff
    gold(manager)
    with pytest.raises(PlanRefused, match=sentence.replace("(", r"\(").replace(")", r"\)")):
        save_plan(replace(GOLD, name="Silver", **changes) if "name" not in changes
                  else replace(GOLD, **changes), manager)  # fmt: skip


def test_a_year_end_plan_of_29_february_is_allowed_and_a_retired_plan_takes_no_one(staff, at):
    manager, _ = staff
    plan_id = gold(manager, length_months=None, year_end=(2, 29))
    assert plan_by_id(plan_id).length_text == "to 29 February each year"
    assert terms(plan_id, date(2026, 3, 1)).ends_on == date(2027, 2, 28)
    retire_plan(plan_id, manager)
    ann = add_contact("Ann", "Lee")
    with pytest.raises(MembershipRefused, match="The Gold plan is retired"):
        join(ann.id, plan_id)


# -------------------------------------------------------------------- joining, renewing


def test_joining_records_the_membership_its_payment_and_a_note(staff, at):
    manager, cashier = staff
    plan_id = gold(manager)
    ann = add_contact("Ann", "Lee")
    joined = join(ann.id, plan_id, staff_id=cashier, now=NOW)

    member = joined.membership
    assert (member.starts_on, member.ends_on, member.grace_until) == (
        date(2026, 3, 10),
        date(2027, 3, 9),
        date(2027, 3, 23),
    )
    assert member.status(TODAY) == CURRENT and joined.paid_cents == 5000
    assert store.payments_of(member.id) == [(1, 5000, "2026-03-10 12:00:00", cashier)]
    note = Interaction.get(Interaction.contact == ann.id, Interaction.kind == "note")
    assert note.summary.startswith("Joined Gold membership: ") and "paid $50.00" in note.summary
    assert joined.change.contact_ids == {ann.id}
    shown = standing(ann.id, TODAY)
    assert shown is not None and (shown.status, shown.renewed_to) == (CURRENT, None)
    with pytest.raises(MembershipRefused, match=r"Ann Lee is a Gold member already .* renew"):
        join(ann.id, plan_id, now=NOW)


def test_a_free_plan_records_no_payment_and_a_waived_fee_none_either(staff, at):
    manager, _ = staff
    plan_id = gold(manager, fee_cents=0)
    joined = join(add_contact("Ann", "Lee").id, plan_id, now=NOW)
    assert joined.paid_cents == 0 and store.payments_of(joined.membership.id) == []
    with pytest.raises(MembershipRefused, match=r"A payment is from \$0\.00"):
        join(add_contact("Bo", "Ng").id, plan_id, paid_cents=-5, now=NOW)


def test_the_welcome_reward_goes_through_the_ledger_and_leaves_the_balance(staff, at):
    manager, _ = staff
    mug = reward("Members' mug", 300, stock=2)
    plan_id = gold(manager, welcome_reward_id=mug)
    ann = add_contact("Ann", "Lee")
    joined = join(ann.id, plan_id, now=NOW)

    assert (joined.welcome_reward, joined.welcome_note) == ("Members' mug", "")
    entries = list(
        PointsEntry.select().where(PointsEntry.contact == ann.id).order_by(PointsEntry.id)
    )
    assert [(e.kind, e.points, e.reward_id) for e in entries] == [
        ("bonus", 300, None), ("redeem", -300, mug)]  # fmt: skip
    assert entries[1].reverses_id == entries[0].id
    assert Contact.get_by_id(ann.id).points_balance == 0
    assert Reward.get_by_id(mug).stock == 1
    renewed = renew(joined.membership.id, now=NOW + timedelta(days=300))
    assert renewed.welcome_reward == ""  # on joining only
    Reward.update(stock=0).where(Reward.id == mug).execute()
    bo = join(add_contact("Bo", "Ng").id, plan_id, now=NOW)
    assert bo.welcome_reward == "" and "out of stock" in bo.welcome_note


def test_renewing_makes_a_new_row_from_the_old_end_and_keeps_the_history(staff, at):
    manager, _ = staff
    plan_id = gold(manager)
    ann = add_contact("Ann", "Lee")
    first = join(ann.id, plan_id, now=NOW).membership
    early = NOW + timedelta(days=340)  # 13 February 2027, before the end
    assert renewal_terms(first.id, today=early.date()).starts_on == date(2027, 3, 10)

    second = renew(first.id, paid_cents=4500, now=early).membership

    assert (second.starts_on, second.ends_on, second.renewed_from_id) == (
        date(2027, 3, 10),
        date(2028, 3, 9),
        first.id,
    )
    assert memberships_of(ann.id) == [first, second]  # the first is as it was
    assert second.status(early.date()) == PENDING
    shown = standing(ann.id, early.date())
    assert shown is not None and shown.membership == first and shown.renewed_to == second.ends_on
    with pytest.raises(MembershipRefused, match="renewed already, to Mar 9, 2028"):
        renew(first.id, now=early)
    assert [row[1] for row in store.payments_of(second.id)] == [4500]


def test_renewing_after_a_lapse_starts_today_and_only_the_latest_renews(staff, at):
    manager, _ = staff
    plan_id = gold(manager)
    ann = add_contact("Ann", "Lee")
    first = join(ann.id, plan_id, now=NOW).membership
    lapsed = datetime(2027, 6, 1, 12, tzinfo=UTC)
    assert first.status(lapsed.date()) == EXPIRED
    again = join(ann.id, plan_id, now=lapsed).membership  # joined afresh rather than renewed
    with pytest.raises(MembershipRefused, match="has a later membership"):
        renew(first.id, now=lapsed)
    later = datetime(2028, 9, 1, 12, tzinfo=UTC)
    renewed = renew(again.id, now=later).membership
    assert renewed.starts_on == date(2028, 9, 1)


def test_cancelling_ends_the_membership_and_its_renewal_but_not_an_expired_one(staff, at):
    manager, _ = staff
    plan_id = gold(manager)
    ann = add_contact("Ann", "Lee")
    first = join(ann.id, plan_id, now=NOW).membership
    second = renew(first.id, now=NOW + timedelta(days=300)).membership
    cancel(first.id, now=NOW + timedelta(days=301))
    assert {m.status(TODAY) for m in memberships_of(ann.id)} == {CANCELLED}
    with pytest.raises(MembershipRefused, match="cancelled already"):
        cancel(second.id)
    with pytest.raises(MembershipRefused, match="A cancelled membership cannot be renewed"):
        renew(second.id)
    bo = add_contact("Bo", "Ng")
    old = join(bo.id, plan_id, now=NOW).membership
    with pytest.raises(MembershipRefused, match="ended on Mar 9, 2027; there is nothing"):
        cancel(old.id, now=datetime(2028, 1, 1, 12, tzinfo=UTC))
    join(bo.id, plan_id, now=datetime(2028, 1, 1, 12, tzinfo=UTC))  # lapsed: may join again


# ---------------------------------------------------------------------- the earn rate


def test_a_current_member_earns_the_plans_multiplier_and_the_ledger_says_why(staff, at):
    manager, _ = staff
    plan_id = gold(manager, points_multiplier_percent=150)
    Tier.create(name="Silver", min_spend_cents=0, multiplier_percent=120)
    ann = add_contact("Ann", "Lee")
    bo = add_contact("Bo", "Ng")
    membership = join(ann.id, plan_id, now=NOW).membership

    sale = record_sale(ann.id, 1001)  # $10.01: 10.01 x 1.2 x 1.5 = 18.018
    plain = record_sale(bo.id, 1001)  # 10.01 x 1.2 = 12.012
    assert (sale.points, plain.points) == (18, 12)
    earned = PointsEntry.get(PointsEntry.interaction == sale.interaction_id)
    assert earned.reason == "Purchase of 10.01 (Gold member: points ×1.5)"
    assert PointsEntry.get(PointsEntry.interaction == plain.interaction_id).reason == (
        "Purchase of 10.01"
    )

    at(datetime(2027, 3, 15, 12, tzinfo=UTC))  # in grace: the normal rate
    assert membership.status(date(2027, 3, 15)) == GRACE
    assert record_sale(ann.id, 1000).points == 12


# ------------------------------------------------------------------ member-only rewards


def test_a_member_only_reward_is_refused_to_anyone_else_in_one_sentence(staff, at):
    manager, _ = staff
    lounge = reward("Lounge pass", 100)
    plan_id = gold(manager, member_rewards=(lounge,))
    ann = add_contact("Ann", "Lee")
    bo = add_contact("Bo", "Ng")
    for who in (ann, bo):
        record_sale(who.id, 20000)
    join(ann.id, plan_id, now=NOW)

    assert lounge not in [option.id for option in reward_options(bo.id)]
    with pytest.raises(
        RewardUnavailable, match=r"The Lounge pass is for current Gold members only\."
    ):
        redeem_reward(bo.id, lounge)
    assert lounge in [option.id for option in reward_options(ann.id)]
    redeem_reward(ann.id, lounge)
    assert PointsEntry.get(PointsEntry.reward == lounge).contact_id == ann.id


# --------------------------------------------------------------------- Today's lists


def test_today_lists_renewals_due_within_the_reminder_and_members_in_grace(staff, at):
    manager, _ = staff
    plan_id = gold(manager, length_months=1, reminder_days=7, grace_days=10)
    due = add_contact("Due", "Soon")
    later = add_contact("Not", "Yet")
    graced = add_contact("In", "Grace")
    renewed = add_contact("Re", "Newed")
    gone = add_contact("Arch", "Ived")
    join(due.id, plan_id, date(2026, 2, 15), now=NOW)  # ends 14 March: 4 days
    join(later.id, plan_id, date(2026, 3, 1), now=NOW)  # ends 31 March
    join(graced.id, plan_id, date(2026, 1, 31), now=NOW)  # ended 28 Feb, grace to 10 March
    join(renewed.id, plan_id, date(2026, 2, 12), now=NOW)  # ends 11 March, renewed
    renew(memberships_of(renewed.id)[0].id, now=NOW)
    join(gone.id, plan_id, date(2026, 2, 15), now=NOW)
    Contact.update(archived_at=NOW).where(Contact.id == gone.id).execute()
    late = add_contact("Late", "Comer")
    join(late.id, plan_id, date(2026, 2, 5), now=NOW)  # ended 4 March, grace to 14 March

    listed = renewals_due(TODAY)
    assert [(row.name, row.days) for row in listed.rows] == [("Due Soon", 4)]
    grace = members_in_grace(TODAY)
    assert [(row.name, row.plan, row.days) for row in grace.rows] == [
        ("In Grace", "Gold", 0), ("Late Comer", "Gold", 4)]  # fmt: skip
    queue = today_queue(NOW, TODAY)
    assert queue.memberships and queue.renewals_due.total == 1
    assert queue.members_in_grace.total == 2


def test_today_has_no_membership_lists_in_a_shop_without_plans(db):
    queue = today_queue(NOW, TODAY)
    assert not queue.memberships and queue.renewals_due.total == 0
