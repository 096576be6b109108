"""What a campaign brought: customers back and their spend within 7/30/60 days, sent against
held out, with a confidence interval, and opt-outs after it."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from relapp.db.models import Interaction
from relapp.db.store import campaigns as store
from relapp.domain.campaigns.campaigns import CampaignError, create_campaign, produce_campaign
from relapp.domain.campaigns.results import campaign_results, difference_interval
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


def purchase(contact_id: int, moment, cents: int, refunded: bool = False) -> None:
    Interaction.create(
        contact=contact_id, kind="purchase", amount_cents=cents, occurred_at=moment,
        refunded_at=moment if refunded else None, created_at=moment, updated_at=moment,
    )  # fmt: skip


def test_the_interval_is_the_wald_interval_of_the_difference():
    difference, (low, high) = difference_interval(30, 100, 20, 100)
    spread = 1.96 * math.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)
    assert difference == pytest.approx(0.1)
    assert (low, high) == pytest.approx((0.1 - spread, 0.1 + spread))
    assert difference_interval(1, 10, 0, 0) is None


def test_results_count_who_came_back_and_spent_in_each_window(db):
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    people = [add_contact(f"P{n}", "Lee", phone="0412 000 000").id for n in range(10)]
    tag_contacts(people, "Regulars")
    for contact_id in people:
        record_consent(contact_id, "sms", True, "in person")
    produced_at = utc_now() - timedelta(days=40)
    create_campaign("Spring", "Regulars", "sms", "Hi {first_name}", holdout_percent=50,
                    now=produced_at)  # fmt: skip
    (spring,) = store.campaigns()
    produce_campaign(spring.id, lambda campaign, messages, progress: [], now=produced_at)
    sent = store.recipient_ids(spring.id, "sent")
    held = store.recipient_ids(spring.id, "holdout")
    assert len(sent) == len(held) == 5

    purchase(sent[0], produced_at + timedelta(days=3), 2000)
    purchase(sent[0], produced_at + timedelta(days=20), 500)
    purchase(sent[1], produced_at + timedelta(days=25), 1000)
    purchase(sent[2], produced_at + timedelta(days=6), 9999, refunded=True)  # came back; no spend
    purchase(sent[3], produced_at - timedelta(days=1), 700)  # before: not counted
    purchase(held[0], produced_at + timedelta(days=35), 300)
    record_consent(sent[4], "sms", False, "replied STOP")

    results = campaign_results(spring.id)
    week, month, two_months = results.windows
    assert (week.sent.came_back, week.sent.spend_cents, week.complete) == (2, 2000, True)
    assert (month.sent.came_back, month.sent.spend_cents) == (3, 3500)
    assert (month.holdout.came_back, month.holdout.members) == (0, 5)
    assert (two_months.holdout.came_back, two_months.holdout.spend_cents) == (1, 300)
    assert two_months.complete is False  # produced 40 days ago: the 60 days are not over
    assert month.difference == pytest.approx(3 / 5 - 0)
    low, high = month.interval
    assert low < month.difference < high
    assert results.opted_out == 1


def test_an_unproduced_campaign_has_no_results(db):
    save_segment("Everyone", ContactFilter())
    add_contact("Ann", "Lee", phone="0412 000 000")
    create_campaign("Later", "Everyone", "sms", "Hi")
    (later,) = store.campaigns()
    with pytest.raises(CampaignError, match="has not been produced yet"):
        campaign_results(later.id)
