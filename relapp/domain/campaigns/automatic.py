"""Automatic campaigns: rules that fill a list in Today every day for the owner to approve.

A rule never sends anything by itself. Today shows how many customers each rule that is on
lists; approving a list makes an ordinary campaign from exactly those customers (the rule
recorded on it), which is then produced as any campaign is, with the same rules for who is
left out (consent, the contact cap, another campaign in the last RECENT_DAYS days, ...).

The rules, and what each one's number means:

* welcome: customers who joined in the last `number` days (default 14) and have never been
  on a welcome list.
* birthday: customers whose birthday is kept from today to `number` days ahead (default 7;
  29 February is kept on 28 February in a common year, as Today does), not on a birthday
  list in the last BIRTHDAY_ONCE days, so once a year.
* win_back: customers drifting away by their own rhythm (relapp.domain.contacts.rhythm) for
  at least `number` days (default 7), not on a win-back list since their last visit, so once
  each time they drift.
* nearing_reward: customers whose points are at least `number` percent (default 80) of the
  next reward's cost but short of it, not on a nearing-reward list in the last
  NEARING_ONCE days.
* lapsed_member (schema 19): members whose membership left its grace in the last `number`
  days (default 30; relapp.domain.memberships) and who have not renewed or joined again
  since, not on a lapsed-member list since that lapse, so once per lapse.

Whoever was on a list once it is produced is not listed again by that rule for that
occasion, reached or left out alike: a customer without consent does not come back every
day. A list approved but not produced hides nobody, and approving the rule again replaces it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.migrations.m0013_campaigns import CHANNELS
from relapp.db.migrations.m0019_memberships import RULES
from relapp.db.store import campaign_rules as store
from relapp.db.store import campaigns as campaign_store
from relapp.domain.campaigns.campaigns import CampaignError, checked_offer, insert_campaign
from relapp.domain.campaigns.templates import check_template
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.rhythm import moment_to_the_second
from relapp.domain.loyalty.program import list_rewards
from relapp.domain.timeline.today import birthday_window
from relapp.errors import RelappError

RECENT_DAYS = 7  # a rule's campaign leaves out whoever another campaign reached this recently
BIRTHDAY_ONCE = timedelta(days=300)
NEARING_ONCE = timedelta(days=60)
NUMBER_LIMITS = {"welcome": (1, 90), "birthday": (0, 30), "win_back": (0, 365),
                 "nearing_reward": (50, 99), "lapsed_member": (1, 365)}  # fmt: skip


@dataclass(frozen=True)
class RuleText:
    title: str  # "Birthday"
    number_label: str  # what the number means, "{n}" for it
    list_label: str  # the Today line: what the list holds


RULE_TEXTS = {
    "welcome": RuleText("Welcome", "joined in the last {n} days",
                        "new customers to welcome"),
    "birthday": RuleText("Birthday", "birthday within {n} days",
                         "birthdays coming up"),
    "win_back": RuleText("Win-back", "drifting away for {n} days or more",
                         "regulars drifting away"),
    "nearing_reward": RuleText("Nearing a reward", "at least {n}% of the next reward",
                               "customers close to a reward"),
    "lapsed_member": RuleText("Lapsed member", "membership lapsed in the last {n} days",
                              "members who did not renew"),
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    rule: str
    enabled: bool
    channel: str
    template: str
    number: int
    subject: str = ""
    offer: Offer | None = None

    @property
    def text(self) -> RuleText:
        return RULE_TEXTS[self.rule]


DEFAULT_RULES = {
    "welcome": Rule(
        "welcome",
        False,
        "email",
        number=14,
        subject="Welcome to {shop_name}",
        template="Hello {first_name},\n\nThank you for joining {shop_name}. Every purchase"
        " earns you points; you have {points} already.\n\nSee you soon!",
    ),
    "birthday": Rule(
        "birthday",
        False,
        "email",
        number=7,
        subject="Happy birthday from {shop_name}",
        template="Happy birthday, {first_name}!\n\nOn your birthday we add {birthday_bonus}"
        " points to your card. Come and celebrate with us.\n\n{shop_name}",
    ),
    "win_back": Rule(
        "win_back",
        False,
        "letter",
        number=7,
        template="Dear {first_name},\n\nWe have missed you at {shop_name}. Your {points}"
        " points are waiting for you.\n\nWe hope to see you soon.",
    ),
    "nearing_reward": Rule(
        "nearing_reward",
        False,
        "email",
        number=80,
        subject="Only {points_to_go} points to {next_reward}",
        template="Hello {first_name},\n\nYou have {points} points: only {points_to_go} more"
        " and {next_reward} is yours.\n\n{shop_name}",
    ),
    "lapsed_member": Rule(
        "lapsed_member",
        False,
        "letter",
        number=30,
        template="Dear {first_name},\n\nYour membership of {shop_name} has ended, and we"
        " would love to have you back. Renew at the counter any time: your {points} points"
        " are still yours.\n\n{shop_name}",
    ),
}


def rules() -> list[Rule]:
    """Every rule, in RULES order: as saved, or its default (off) if never saved."""
    rewards = {reward.id: reward.name for reward in list_rewards()}
    saved = {row.rule: _rule(row, rewards) for row in store.rule_rows()}
    return [saved.get(name, DEFAULT_RULES[name]) for name in RULES]


def rule_named(name: str) -> Rule:
    for rule in rules():
        if rule.rule == name:
            return rule
    raise CampaignError(f"There is no automatic campaign {name!r}; there are {', '.join(RULES)}.")


def _rule(row: store.RuleRow, rewards: dict[int, str]) -> Rule:
    offer = None
    if row.offer_kind is not None:
        offer = Offer(
            row.offer_kind, row.offer_value,
            reward_name=rewards.get(row.offer_reward_id or 0, ""),
            min_spend_cents=row.offer_min_spend_cents, valid_days=row.offer_valid_days,
        )  # fmt: skip
    return Rule(row.rule, row.enabled, row.channel, row.template, row.number, row.subject, offer)


def save_rule(rule: Rule, *, now: datetime | None = None) -> Change:
    """Store the rule; raises CampaignError (one sentence) if any part of it is wrong."""
    if rule.rule not in RULES:
        raise CampaignError(f"There is no automatic campaign {rule.rule!r}.")
    if rule.channel not in CHANNELS:
        raise CampaignError(f"The channel is one of {', '.join(CHANNELS)}, not {rule.channel!r}.")
    lowest, highest = NUMBER_LIMITS[rule.rule]
    if not lowest <= rule.number <= highest:
        meaning = RULE_TEXTS[rule.rule].number_label.format(n="N")
        raise CampaignError(f"For {meaning}, N is from {lowest} to {highest}.")
    check_template(rule.template)
    subject = rule.subject.strip() if rule.channel == "email" else ""
    if subject:
        check_template(subject)
    if rule.offer is not None and rule.offer.shared_code.strip():
        raise CampaignError(
            "An automatic campaign's voucher gives each customer a code of their own."
        )
    reward_id = checked_offer(rule.offer) if rule.offer is not None else None
    offer = rule.offer
    with write_transaction():
        store.save_rule(store.RuleRow(
            rule.rule, rule.enabled, rule.channel, subject, rule.template, rule.number,
            offer.kind if offer else None, offer.value if offer and offer.kind != "reward" else 0,
            reward_id, offer.min_spend_cents if offer else 0, offer.valid_days if offer else 30,
            format_timestamp(now or utc_now()),
        ))  # fmt: skip
    return Change.of(Entity.CAMPAIGNS)


class RuleRefused(CampaignError):
    """One of several rules saved together is wrong (rule: which); none was saved."""

    def __init__(self, rule: str, sentence: str) -> None:
        super().__init__(sentence)
        self.rule = rule


def save_rules(changed: Sequence[Rule], *, now: datetime | None = None) -> Change:
    """Store these rules, all or none; raises RuleRefused naming the rule at fault (or
    DatabaseBusy, no rule's)."""
    with write_transaction():
        for rule in changed:
            try:
                save_rule(rule, now=now)
            except RelappError as error:
                raise RuleRefused(rule.rule, str(error)) from None
    return Change.of(Entity.CAMPAIGNS)


# ---------------------------------------------------------------------------- the lists


def listed(rule: Rule, now: datetime | None = None, today: date | None = None) -> list[int]:
    """The ids of the customers the rule lists now, in id order."""
    return store.listed_ids(_query(rule, now, today))


def listed_count(rule: Rule, now: datetime | None = None, today: date | None = None) -> int:
    return store.count_listed(_query(rule, now, today))


@dataclass(frozen=True)
class Waiting:
    rule: Rule
    count: int


def waiting_lists(now: datetime | None = None, today: date | None = None) -> list[Waiting]:
    """The rules that are on and list somebody now, in RULES order, with how many."""
    found = []
    for rule in rules():
        if rule.enabled:
            count = listed_count(rule, now, today)
            if count:
                found.append(Waiting(rule, count))
    return found


def _query(rule: Rule, now: datetime | None, today: date | None) -> store.ListQuery:
    now = moment_to_the_second(now)
    today = today or now.astimezone().date()
    if rule.rule == "welcome":
        return store.joined_since(format_timestamp(now - timedelta(days=rule.number)), "")
    if rule.rule == "birthday":
        days = sorted(birthday_window(today, rule.number))
        return store.born_on(days, format_timestamp(now - BIRTHDAY_ONCE))
    if rule.rule == "win_back":
        return store.drifted_before(format_timestamp(now - timedelta(days=rule.number)))
    if rule.rule == "lapsed_member":
        # Lapsed on the day after the grace ended: in the last N days (today included) is a
        # grace that ended from N days ago up to yesterday.
        since = today - timedelta(days=rule.number)
        return store.lapsed_between(since.isoformat(), today.isoformat())
    return store.points_between(_nearing_ranges(rule.number), format_timestamp(now - NEARING_ONCE))


def _nearing_ranges(percent: int) -> list[tuple[int, int]]:
    """[low, high) points ranges that are at least percent of the next reward's cost: for
    each active reward, from percent of its cost (but not below the cheaper reward's cost,
    where the next reward is that one) up to its cost."""
    costs = sorted({r.points_cost for r in list_rewards() if r.active and r.points_cost > 0})
    ranges = []
    below = 0
    for cost in costs:
        low = max(below, math.ceil(cost * percent / 100))
        if low < cost:
            ranges.append((low, cost))
        below = cost
    return ranges


# ---------------------------------------------------------------------------- approving


def approve(
    name: str, *, staff_id: int | None = None, now: datetime | None = None,
    today: date | None = None,
) -> int:  # fmt: skip
    """Make a campaign of the rule's list as it is now; its id. The owner then produces it,
    or discards it. Raises CampaignError if the rule is off or lists nobody."""
    rule = rule_named(name)
    if not rule.enabled:
        raise CampaignError(f"The {rule.text.title.lower()} campaign is off; turn it on first.")
    moment = moment_to_the_second(now)
    day = today or moment.astimezone().date()
    reward_id = checked_offer(rule.offer) if rule.offer is not None else None
    with write_transaction():
        # One approval of a rule at a time: one left unproduced (the window closed while it
        # was shown, or another till is approving it now) gives way to this one.
        store.delete_unproduced_of_rule(rule.rule)
        query = _query(rule, moment, day)
        if not store.count_listed(query):
            raise CampaignError(f"Nobody is on the {rule.text.title.lower()} list today.")
        campaign_id = insert_campaign({
            "name": _free_name(f"{rule.text.title} {day.isoformat()}"), "channel": rule.channel,
            "segment_name": f"{rule.text.title} list of {day.isoformat()}",
            "subject": rule.subject, "template": rule.template, "holdout_percent": 0,
            "transactional": 0, "recent_days": RECENT_DAYS,
            "created_at": format_timestamp(moment), "staff_id": staff_id, "rule": rule.rule,
        }, rule.offer, reward_id, moment)  # fmt: skip
        store.insert_members_listed(campaign_id, query)
    return campaign_id


def _free_name(name: str) -> str:
    """name, or "name (2)", "name (3)", ... if a campaign has it already."""
    candidate, number = name, 1
    while campaign_store.campaign_named(candidate) is not None:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def discard(campaign_id: int) -> bool:
    """Remove an approved list's campaign that was not produced (the owner cancelled), so
    its customers are listed again; whether there was one to remove."""
    with write_transaction():
        return store.delete_unproduced(campaign_id)
