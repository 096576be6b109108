"""Progress to the next reward and the next tier, as the counter shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from relapp.db.models import Interaction, PointsEntry, Reward
from relapp.domain.loyalty.points import record_sale, reward_options
from relapp.domain.loyalty.progress import Progress, customer_progress
from relapp.domain.memberships.members import join
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import shop_today
from tests.domain.test_loyalty import START, set_up_program
from tests.factories import FakeClock, add_contact


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    return fake


@pytest.fixture
def shop(db, clock) -> dict[str, int]:
    # Free coffee 100, Gift card 500 (2 left), Retired mug 50 (inactive), Sold-out tote 300
    # (none left); Bronze from 0, Silver from 500.00, Gold from 1,500.00.
    return set_up_program()


def test_a_new_customer_is_told_what_the_next_reward_and_tier_take(shop):
    deborah = add_contact("Deborah", "Smith")
    record_sale(deborah.id, 6_200)
    assert customer_progress(deborah.id, 12) == Progress(
        balance=62,
        rewards_now=(),
        next_reward="Free coffee",
        points_to_next_reward=38,
        next_tier="Silver",
        spend_to_next_tier_cents=50_000 - 6_200,
    )


def test_rewards_in_reach_come_cheapest_first_and_the_top_tier_has_no_next(shop, clock):
    deborah = add_contact("Deborah", "Smith")
    record_sale(deborah.id, 160_000)  # 1,600 points at the Bronze rate, and Gold
    progress = customer_progress(deborah.id, 12)
    assert progress.rewards_now == ("Free coffee", "Gift card")  # not retired, not sold out
    assert (progress.next_reward, progress.points_to_next_reward) == (None, 0)
    assert (progress.next_tier, progress.spend_to_next_tier_cents) == (None, 0)


def test_only_the_tier_window_counts_and_refunds_do_not(shop, clock):
    deborah = add_contact("Deborah", "Smith")
    old = START - timedelta(days=400)
    Interaction.create(contact=deborah, kind="purchase", occurred_at=old, amount_cents=40_000,
                       created_at=old, updated_at=old)  # fmt: skip
    Interaction.create(contact=deborah, kind="purchase", occurred_at=START, amount_cents=30_000,
                       created_at=START, updated_at=START, refunded_at=START)  # fmt: skip
    Interaction.create(contact=deborah, kind="purchase", occurred_at=START, amount_cents=10_000,
                       created_at=START, updated_at=START)  # fmt: skip
    assert customer_progress(deborah.id, 12).spend_to_next_tier_cents == 40_000
    every_sale = customer_progress(deborah.id, 0)  # window 0: every purchase counts
    assert (every_sale.next_tier, every_sale.spend_to_next_tier_cents) == ("Gold", 100_000)


def test_nobody_has_no_progress(shop):
    assert customer_progress(404, 12) is None
    assert PointsEntry.select().count() == 0


def test_a_member_only_reward_is_named_to_its_members_only(shop, clock):
    """As F3's list: "Can redeem now" and the next reward never name a member-only reward to
    someone who is not a current member of one of its plans."""
    lounge = Reward.create(name="Lounge pass", points_cost=50, active=True, created_at=START).id
    mug = Reward.create(name="Members' mug", points_cost=80, active=True, created_at=START).id
    save_plan(Plan("Gold", length_months=12, member_rewards=(lounge, mug)), shop["Maya"])
    gold = next(
        line.plan.id for line in list_plans(shop_today(clock())) if line.plan.name == "Gold"
    )
    deborah = add_contact("Deborah", "Smith")
    record_sale(deborah.id, 6_200)  # 62 points: the pass, not the mug nor the coffee

    outsider = customer_progress(deborah.id, 12)
    assert outsider.rewards_now == ()
    assert (outsider.next_reward, outsider.points_to_next_reward) == ("Free coffee", 38)
    assert [o.name for o in reward_options(deborah.id) if o.affordable] == []

    join(deborah.id, gold, now=clock())
    member = customer_progress(deborah.id, 12)
    assert member.rewards_now == ("Lounge pass",)
    assert (member.next_reward, member.points_to_next_reward) == ("Members' mug", 18)
    assert [o.name for o in reward_options(deborah.id) if o.affordable] == ["Lounge pass"]
