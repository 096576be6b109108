"""Automatic campaigns: each rule's list in Today, approving it as a campaign of exactly those
customers, and nobody listed twice for one occasion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.models import Interaction, Reward
from relapp.db.store import campaigns as campaign_store
from relapp.domain.campaigns.automatic import (
    DEFAULT_RULES,
    approve,
    discard,
    listed,
    rule_named,
    rules,
    save_rule,
    waiting_lists,
)
from relapp.domain.campaigns.campaigns import CampaignError, produce_campaign
from relapp.domain.campaigns.listing import campaign_reach
from relapp.domain.campaigns.templates import TemplateError
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.contacts.editing import record_consent
from tests.factories import add_contact

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


def rewards(*costs: int) -> None:
    for number, cost in enumerate(costs):
        Reward.create(name=("Coffee", "Lunch")[number], points_cost=cost, active=True,
                      created_at=NOW)  # fmt: skip


def turn_on(name: str, **changes) -> None:
    save_rule(replace(DEFAULT_RULES[name], enabled=True, **changes), now=NOW)


def visits(contact, *days_ago: int) -> None:
    for days in days_ago:
        when = NOW - timedelta(days=days)
        Interaction.create(contact=contact, kind="visit", occurred_at=when, created_at=when,
                           updated_at=when)  # fmt: skip


def test_rules_are_off_until_the_owner_turns_them_on(db):
    assert [rule.rule for rule in rules()] == [
        "welcome", "birthday", "win_back", "nearing_reward", "lapsed_member"]  # fmt: skip
    assert not any(rule.enabled for rule in rules())
    add_contact("New", "Comer", created_at=NOW - timedelta(days=1))
    assert waiting_lists(NOW, TODAY) == []
    turn_on("welcome")
    assert [(w.rule.rule, w.count) for w in waiting_lists(NOW, TODAY)] == [("welcome", 1)]


def test_welcome_lists_who_joined_in_the_window_once_ever(db):
    turn_on("welcome", number=14)
    fresh = add_contact("Fresh", "One", created_at=NOW - timedelta(days=3))
    add_contact("Old", "Timer", created_at=NOW - timedelta(days=15))
    add_contact("Gone", "Away", created_at=NOW - timedelta(days=2), archived_at=NOW)
    rule = rule_named("welcome")
    assert listed(rule, NOW, TODAY) == [fresh.id]

    campaign_id = approve("welcome", now=NOW, today=TODAY)

    made = campaign_store.campaign(campaign_id)
    assert made.rule == "welcome" and made.name == "Welcome 2026-06-10"
    assert listed(rule, NOW, TODAY) == [fresh.id]  # approved, not produced yet
    produce_campaign(campaign_id, lambda *_: [], now=NOW)
    assert listed(rule, NOW + timedelta(days=1), TODAY) == []  # produced: not listed again
    later = add_contact("Later", "One", created_at=NOW + timedelta(hours=1))
    assert listed(rule, NOW + timedelta(days=1), TODAY) == [later.id]


def test_birthday_lists_the_days_ahead_and_29_february_on_the_28th(db):
    turn_on("birthday", number=7)
    soon = add_contact("Soon", "Born", birth_month=6, birth_day=17)
    add_contact("Late", "Born", birth_month=6, birth_day=18)  # 8 days ahead
    leap = add_contact("Leap", "Born", birth_month=2, birth_day=29)
    rule = rule_named("birthday")
    assert listed(rule, NOW, TODAY) == [soon.id]
    # 2027 is a common year: 29 February is kept on 28 February, 7 days after the 21st.
    feb = datetime(2027, 2, 21, 9, tzinfo=UTC)
    assert listed(rule, feb, date(2027, 2, 21)) == [leap.id]


def test_birthday_once_a_year(db):
    turn_on("birthday", number=7)
    soon = add_contact("Soon", "Born", birth_month=6, birth_day=12)
    produce_campaign(approve("birthday", now=NOW, today=TODAY), lambda *_: [], now=NOW)
    rule = rule_named("birthday")
    assert listed(rule, NOW + timedelta(days=1), date(2026, 6, 11)) == []
    next_year = NOW + timedelta(days=365)
    assert listed(rule, next_year, date(2027, 6, 10)) == [soon.id]


def test_win_back_once_each_time_a_customer_drifts(db):
    turn_on("win_back", number=0)
    regular = add_contact("Reg", "Ular")
    visits(regular, 90, 80, 70)  # every 10 days, then away for 70: drifting
    steady = add_contact("Stea", "Dy")
    visits(steady, 30, 20, 10)
    rule = rule_named("win_back")
    assert listed(rule, NOW, TODAY) == [regular.id]
    produce_campaign(approve("win_back", now=NOW, today=TODAY), lambda *_: [], now=NOW)
    assert listed(rule, NOW, TODAY) == []
    # They come back, then drift away again: listed again (and the steady one now drifts too).
    visits(regular, -3)  # three days after the list was approved
    assert listed(rule, NOW + timedelta(days=4), TODAY) == []
    assert listed(rule, NOW + timedelta(days=200), TODAY) == [regular.id, steady.id]


def test_win_back_waits_the_rules_days_after_drifting(db):
    turn_on("win_back", number=365)
    regular = add_contact("Reg", "Ular")
    visits(regular, 90, 80, 70)
    assert listed(rule_named("win_back"), NOW, TODAY) == []


def test_nearing_a_reward_by_percent_of_the_next_reward(db):
    rewards(100, 500)
    turn_on("nearing_reward", number=80)
    people = {points: add_contact(f"P{points}", "X", points_balance=points)
              for points in (79, 80, 99, 100, 399, 400, 499, 500)}  # fmt: skip
    rule = rule_named("nearing_reward")
    expected = [people[p].id for p in (80, 99, 400, 499)]
    assert listed(rule, NOW, TODAY) == expected


def member(name: str, plan_id: int, starts_on: date) -> int:
    """A customer who joined the plan on starts_on; their membership's id."""
    from relapp.domain.memberships.members import join

    contact = add_contact(name, "Member")
    return join(contact.id, plan_id, starts_on, now=NOW).membership.id


def monthly_plan(grace_days: int = 5) -> int:
    from relapp.db.models import Staff
    from relapp.domain.memberships.plans import Plan, list_plans, save_plan

    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=NOW)
    save_plan(Plan("Monthly", fee_cents=1000, length_months=1, grace_days=grace_days), manager.id)
    return list_plans(TODAY)[0].plan.id


def test_lapsed_members_are_listed_once_per_lapse_until_they_renew(db):
    from relapp.db.models import Contact
    from relapp.domain.memberships.members import renew

    turn_on("lapsed_member", number=30)
    plan_id = monthly_plan(grace_days=5)
    lapsed = member("Lapsed", plan_id, date(2026, 4, 20))  # ends 19 May, grace to 24 May
    today = member("Today", plan_id, date(2026, 5, 5))  # ends 4 June, grace to 9 June
    member("Grace", plan_id, date(2026, 5, 6))  # grace to 10 June: still in grace
    current = member("Current", plan_id, date(2026, 5, 20))  # ends 19 June, grace to 24 June
    member("Long", plan_id, date(2026, 3, 1))  # grace to 5 May: lapsed 36 days ago
    renewed = member("Renewed", plan_id, date(2026, 4, 20))
    renew(renewed, now=NOW)  # late: from today to 9 July, grace to 14 July
    member("Gone", plan_id, date(2026, 4, 20))
    Contact.update(archived_at=NOW).where(Contact.given_name == "Gone").execute()
    contact_of = {m: store_contact(m) for m in (lapsed, today, current, renewed)}
    rule = rule_named("lapsed_member")
    assert rule.text.list_label == "members who did not renew"
    assert listed(rule, NOW, TODAY) == [contact_of[lapsed], contact_of[today]]

    produce_campaign(approve("lapsed_member", now=NOW, today=TODAY), lambda *_: [], now=NOW)
    assert listed(rule, NOW, TODAY) == []  # once per lapse
    # Back, then gone again: a new lapse, listed again.
    renew(lapsed, now=NOW + timedelta(days=1))  # 11 June to 10 July, grace to 15 July
    later = NOW + timedelta(days=40)  # 20 July: who lapsed since 20 June
    assert listed(rule, later, later.date()) == sorted(
        contact_of[m] for m in (lapsed, current, renewed)
    )


def store_contact(membership_id: int) -> int:
    from relapp.domain.memberships.members import membership_by_id

    return membership_by_id(membership_id).contact_id


def test_approving_makes_a_campaign_of_exactly_the_list_and_produces_it(db):
    turn_on("welcome", channel="sms", template="Welcome {first_name}!")
    reached = add_contact("Texts", "Ok", phone="0412 000 001", created_at=NOW - timedelta(days=1))
    record_consent(reached.id, "sms", True, "in person")
    silent = add_contact("No", "Consent", phone="0412 000 002", created_at=NOW - timedelta(days=1))
    add_contact("Older", "Customer", phone="0412 000 003", created_at=NOW - timedelta(days=60))

    campaign_id = approve("welcome", now=NOW, today=TODAY)
    reach = campaign_reach(campaign_store.campaign(campaign_id), now=NOW)
    assert (reach.sent, reach.left_out["no_consent"]) == (1, 1)

    produced = produce_campaign(campaign_id, lambda *_: [], now=NOW)
    assert produced.sent == 1
    assert campaign_store.recipient_ids(campaign_id, "sent") == [reached.id]
    assert campaign_store.recipient_ids(campaign_id, "left_out", "no_consent") == [silent.id]
    # Left out is still "done" for this occasion: nobody comes back on tomorrow's list.
    assert listed(rule_named("welcome"), NOW + timedelta(days=1), TODAY) == []


def test_a_discarded_list_comes_back(db):
    turn_on("welcome")
    fresh = add_contact("Fresh", "One", created_at=NOW - timedelta(days=1))
    campaign_id = approve("welcome", now=NOW, today=TODAY)
    assert discard(campaign_id) is True
    assert campaign_store.campaign(campaign_id) is None
    assert listed(rule_named("welcome"), NOW, TODAY) == [fresh.id]


def test_an_approval_left_unproduced_gives_way_to_the_next(db):
    turn_on("welcome")
    fresh = add_contact("Fresh", "One", created_at=NOW - timedelta(days=1))
    left = approve("welcome", now=NOW, today=TODAY)  # the window closed while it was shown
    again = approve("welcome", now=NOW, today=TODAY)
    assert left and [made.id for made in campaign_store.campaigns()] == [again]
    assert campaign_store.campaign(again).name == "Welcome 2026-06-10"
    assert listed(rule_named("welcome"), NOW, TODAY) == [fresh.id]


def test_two_lists_on_one_day_get_different_names(db):
    turn_on("welcome", channel="letter")
    add_contact("One", "A", created_at=NOW - timedelta(days=1))
    first = approve("welcome", now=NOW, today=TODAY)
    produce_campaign(first, lambda *_: [], now=NOW)
    add_contact("Two", "B", created_at=NOW)
    second = approve("welcome", now=NOW + timedelta(hours=1), today=TODAY)
    assert campaign_store.campaign(first).name == "Welcome 2026-06-10"
    assert campaign_store.campaign(second).name == "Welcome 2026-06-10 (2)"


def test_approving_is_refused_when_off_or_empty(db):
    with pytest.raises(CampaignError, match="is off"):
        approve("welcome", now=NOW, today=TODAY)
    turn_on("welcome")
    with pytest.raises(CampaignError, match="Nobody is on the welcome list"):
        approve("welcome", now=NOW, today=TODAY)
    assert campaign_store.campaigns() == []


def test_a_rule_with_a_voucher_gives_each_recipient_a_code(db):
    turn_on("birthday", channel="sms", template="Happy birthday {first_name}: {voucher_code}",
            offer=Offer("points", 50, valid_days=14))  # fmt: skip
    born = add_contact("Born", "Soon", phone="0412 000 004", birth_month=6, birth_day=11)
    record_consent(born.id, "sms", True, "in person")
    stored = rule_named("birthday")
    assert stored.offer is not None and (stored.offer.kind, stored.offer.value) == ("points", 50)
    campaign_id = approve("birthday", now=NOW, today=TODAY)
    written = []
    produce_campaign(campaign_id, lambda _c, messages, _p: written.extend(messages) or [], now=NOW)
    assert len(written) == 1 and written[0].voucher_code


def test_wrong_rules_are_refused_in_one_sentence(db):
    with pytest.raises(TemplateError):
        save_rule(replace(DEFAULT_RULES["welcome"], template="Hi {frist_name}"))
    with pytest.raises(CampaignError, match="from 50 to 99"):
        save_rule(replace(DEFAULT_RULES["nearing_reward"], number=20))
    with pytest.raises(CampaignError, match="code of their own"):
        save_rule(replace(DEFAULT_RULES["welcome"], offer=Offer("points", 5, shared_code="HELLO")))
    assert not any(rule.enabled for rule in rules())


def test_merge_fields_for_the_next_reward_and_the_birthday_bonus(db):
    from relapp.domain.campaigns.campaigns import messages
    from relapp.domain.shop.settings import save_settings

    rewards(100, 500)
    save_settings(birthday_bonus_points=25)
    saver = add_contact("Sav", "Er", points_balance=420)
    draft = replace(
        campaign_store.CampaignRow(0, "", "sms", "", "", "x", 0, False, 0, None, "", None, None),
        template="{points_to_go} to {next_reward}; {reward} now; +{birthday_bonus}",
    )
    assert messages(draft, [saver.id])[0].body == "80 to Lunch; Coffee now; +25"


def test_a_list_nobody_can_be_reached_on_is_recorded_as_done(db):
    turn_on("welcome", channel="letter")
    no_address = add_contact("No", "Address", created_at=NOW - timedelta(days=1))
    campaign_id = approve("welcome", now=NOW, today=TODAY)
    produced = produce_campaign(campaign_id, None, now=NOW)
    assert (produced.sent, produced.files) == (0, ())
    assert campaign_store.recipient_ids(campaign_id, "left_out", "no_consent") == [no_address.id]
    assert listed(rule_named("welcome"), NOW, TODAY) == []


def test_a_segment_campaign_of_nobody_reachable_is_still_refused(db):
    from relapp.domain.campaigns.campaigns import create_campaign
    from relapp.domain.contacts.bulk_actions import tag_contacts
    from relapp.domain.contacts.listing import ContactFilter, save_segment

    tag_contacts([add_contact("No", "Address").id], "Regulars")
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    create_campaign("Spring", "Regulars", "letter", "Hello {first_name}")
    [made] = campaign_store.campaigns()
    with pytest.raises(CampaignError, match="nothing was produced"):
        produce_campaign(made.id, None)
