"""Making a campaign, seeing who it would reach, and producing it.

Rules chosen here:

* A campaign is made from a saved segment (archived members included, so they can be shown
  as left out), for one channel, with a message template whose merge fields are checked when
  it is made. Its name is unique in any letter case. A segment of nobody is refused then.
* Who is left out, and why: each member gets the FIRST reason that applies, in the order of
  REASONS (archived; tagged "Do not contact"; no current consent for the channel; nothing to
  reach them by on it; at the shop's contact cap in the last 30 days, unless the campaign is
  transactional; reached by another campaign in the last recent_days days). A preview and
  the produced campaign count the same way.
* Hold-out: holdout_percent of the members not left out, rounded down, chosen by a random
  generator whose seed is recorded (random.Random(seed).sample over their ids in id order),
  so anyone can make the same choice again. They get nothing.
* Producing happens once. The channel's files are written first; then, in one transaction,
  every member's row (sent, holdout, left_out with its reason), an outbound `campaign`
  interaction for each one sent (it counts towards the cap and shows in the dossier), and
  the campaign's produced moment. If the files cannot be written, or the work is
  cancelled, nothing is recorded and the files made so far are removed.
* A campaign can carry a partner's offer (schema 20): then "no current consent" means for the
  channel or for partner offers, a consent purpose of its own (agreeing to the shop's emails
  never covers a partner's products).
* An email campaign can instead (or as well) be sent from Relapp: its emails, made before
  anything is written, are queued in the outbox in that same transaction
  (relapp.domain.campaigns.outbox sends them), so a campaign is never recorded without its
  emails nor its emails queued without the campaign.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.migrations.m0013_campaigns import CHANNELS, REASONS
from relapp.db.store import campaign_rules as rule_store
from relapp.db.store import campaigns as store
from relapp.db.store import partners as partner_store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.outbox import OutgoingEmail, queue_emails
from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.campaigns.templates import check_template, render
from relapp.domain.campaigns.vouchers import Offer, new_code, printed, shared_form
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.listing import (
    ContactFilter,
    UnknownSegment,
    filter_where,
    segment_filter,
)
from relapp.domain.contacts.naming import display_name
from relapp.domain.loyalty.program import RewardRow, list_rewards
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError

CAP_WINDOW = timedelta(days=30)
MAX_NAME = 80
REASON_WORDS = {
    "inactive": "archived",
    "do_not_contact": "on the do-not-contact list",
    "no_consent": "no consent for this channel",
    "no_address": "nothing to reach them by on this channel",
    "at_cap": "at the contact cap",
    "recent_campaign": "reached by another campaign recently",
}
# A partner's offer is left out for no consent to partner offers too (schema 20).
PARTNER_REASON_WORDS = {
    **REASON_WORDS,
    "no_consent": "no consent to partner offers or this channel",
}


def reason_words(partner_offer: bool) -> dict[str, str]:
    """How the reasons are worded for a campaign (a partner's offer or not)."""
    return PARTNER_REASON_WORDS if partner_offer else REASON_WORDS


CHANNEL_WORDS = {"letter": "letters", "email": "emails", "sms": "text messages", "call": "calls"}


class CampaignError(RelappError):
    """A campaign cannot be made or produced as asked; nothing was changed."""


@dataclass(frozen=True)
class Audience:
    """Who a campaign reaches: the members not left out (sent and held out), and the others
    by reason, each list in id order."""

    reached: tuple[int, ...]
    left_out: dict[str, tuple[int, ...]]

    @property
    def members(self) -> int:
        return len(self.reached) + sum(len(ids) for ids in self.left_out.values())


@dataclass(frozen=True)
class Produced:
    campaign_id: int
    sent: int
    held_out: int
    left_out: dict[str, int]
    files: tuple[Path, ...]
    change: Change
    queued: int = 0  # emails put in the outbox, to send from Relapp


# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool]
# write_files(campaign, messages, progress) -> the files made (raises to stop).
WriteFiles = Callable[[store.CampaignRow, list[Message], Progress | None], list[Path]]
# emails(campaign, messages, progress) -> the emails to queue in the outbox (raises to stop).
EmailsToQueue = Callable[
    [store.CampaignRow, list[Message], Progress | None], Sequence[OutgoingEmail]
]


def create_campaign(
    name: str,
    segment: str,
    channel: str,
    template: str,
    *,
    subject: str = "",
    holdout_percent: int = 0,
    transactional: bool = False,
    recent_days: int = 14,
    offer: Offer | None = None,
    partner_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Change:
    """A new campaign (with its voucher offer, if any); raises CampaignError (one sentence)
    if any part of it is wrong. partner_id: the campaign carries that partner's offer, so it
    reaches only customers who agreed to partner offers (as well as to the channel)."""
    name = " ".join(name.split())
    if not name:
        raise CampaignError("A campaign needs a name.")
    if len(name) > MAX_NAME:
        raise CampaignError(f"A campaign's name has at most {MAX_NAME} characters.")
    if channel not in CHANNELS:
        raise CampaignError(f"The channel is one of {', '.join(CHANNELS)}, not {channel!r}.")
    if not 0 <= holdout_percent <= 50:
        raise CampaignError("The hold-out group is between 0 and 50 percent of the customers.")
    if not 0 <= recent_days <= 365:
        raise CampaignError("The days since another campaign are between 0 and 365.")
    check_template(template)
    reward_id = checked_offer(offer) if offer is not None else None
    if channel == "email" and subject.strip():
        check_template(subject)
    if store.campaign_named(name) is not None:
        raise CampaignError(f"There is a campaign called {name!r} already.")
    if partner_id is not None and partner_store.partner_row(partner_id) is None:
        raise CampaignError(f"There is no partner number {partner_id}.")
    members = audience(segment, channel, now=now).members
    if members == 0:
        raise CampaignError(f"The segment {segment!r} holds nobody, so there is nobody to reach.")
    moment = now or utc_now()
    with write_transaction():
        insert_campaign({
            "name": name, "channel": channel, "segment_name": segment,
            "subject": subject.strip(), "template": template, "holdout_percent": holdout_percent,
            "transactional": int(transactional), "recent_days": recent_days,
            "created_at": format_timestamp(moment), "staff_id": staff_id,
            "partner_id": partner_id,
        }, offer, reward_id, moment)  # fmt: skip
    return Change.of(Entity.CAMPAIGNS)


def insert_campaign(
    values: dict[str, object], offer: Offer | None, reward_id: int | None, moment: datetime
) -> int:
    """In the caller's transaction: the campaign (its columns' values) and its voucher offer,
    checked already; its id."""
    campaign_id = store.insert_campaign(values)
    if offer is not None:  # valid from when it is produced: see produce_campaign
        until = moment + timedelta(days=offer.valid_days)
        voucher_store.insert_offer(
            campaign_id, offer.kind, offer.value, reward_id, offer.min_spend_cents,
            format_timestamp(moment), format_timestamp(until),
            shared_form(offer.shared_code) or None,
        )  # fmt: skip
    return campaign_id


MAX_OFFER = {"points": 1_000_000, "amount": 1_000_000, "percent": 100}  # points; cents; %


def checked_offer(offer: Offer) -> int | None:
    """The reward's id for a reward offer; raises CampaignError if the offer is wrong."""
    if offer.kind not in ("points", "amount", "percent", "reward"):
        raise CampaignError(
            f"A voucher gives points, an amount, a percent off or a reward, not {offer.kind!r}."
        )
    if offer.kind == "percent" and not 0 < offer.value <= MAX_OFFER["percent"]:
        raise CampaignError("A voucher's percent off is a whole number from 1 to 100.")
    if offer.kind in MAX_OFFER and not 0 < offer.value <= MAX_OFFER[offer.kind]:
        raise CampaignError("A voucher's value is more than nothing and at most 10,000.00.")
    if not 0 <= offer.min_spend_cents <= 100_000_000:
        raise CampaignError("A voucher's least purchase is between nothing and 1,000,000.00.")
    if not 1 <= offer.valid_days <= 365:
        raise CampaignError("A voucher is valid for 1 to 365 days.")
    shared = shared_form(offer.shared_code)
    if offer.shared_code.strip():
        if not (4 <= len(shared) <= 20 and shared.isascii() and shared.isalnum()):
            raise CampaignError(
                f"A shared code is 4 to 20 letters and digits, such as SPRING10, not"
                f" {offer.shared_code.strip()[:30]!r}."
            )
        if voucher_store.offer_with_shared_code(shared) is not None:
            raise CampaignError(f"The shared code {shared} belongs to another campaign.")
    if offer.kind != "reward":
        return None
    reward_id = voucher_store.active_reward_id(offer.reward_name)
    if reward_id is None:
        raise CampaignError(f"There is no reward called {offer.reward_name!r} on offer.")
    return reward_id


def audience(
    segment: str, channel: str, *, transactional: bool = False, recent_days: int = 14,
    now: datetime | None = None, partner_offer: bool = False,
) -> Audience:  # fmt: skip
    """Who a campaign on this segment and channel would reach now, and who it leaves out
    (partner_offer: a partner's offer, for those who agreed to partner offers only)."""
    try:
        where, params = filter_where(_members(segment))
    except UnknownSegment as error:
        raise CampaignError(str(error)) from None
    return _audience(where, params, channel, transactional, recent_days, now, partner_offer)


def campaign_audience(campaign: store.CampaignRow, *, now: datetime | None = None) -> Audience:
    """Who the campaign would reach now: its segment's members, or for a campaign made from
    an automatic rule's list, that list's (raises CampaignError if its segment is gone)."""
    if campaign.rule is None:
        return audience(
            campaign.segment_name, campaign.channel, transactional=campaign.transactional,
            recent_days=campaign.recent_days, now=now,
            partner_offer=campaign.partner_id is not None,
        )  # fmt: skip
    where, params = rule_store.members_condition(campaign.id)
    return _audience(
        where, params, campaign.channel, campaign.transactional, campaign.recent_days, now,
        campaign.partner_id is not None,
    )  # fmt: skip


def _audience(
    where: str, params: Sequence[object], channel: str, transactional: bool, recent_days: int,
    now: datetime | None, partner_offer: bool = False,
) -> Audience:  # fmt: skip
    moment = now or utc_now()
    until = format_timestamp(moment)
    rows = store.audience(
        where,
        params,
        channel,
        cap=None if transactional else load_settings().contact_cap_per_30_days,
        cap_since=format_timestamp(moment - CAP_WINDOW),
        recent_since=format_timestamp(moment - timedelta(days=recent_days))
        if recent_days
        else None,
        until=until,
        partner_offer=partner_offer,
    )
    reached = tuple(contact_id for contact_id, reason in rows if reason is None)
    left_out: dict[str, list[int]] = {reason: [] for reason in REASONS}
    for contact_id, reason in rows:
        if reason is not None:
            left_out[reason].append(contact_id)
    return Audience(reached, {reason: tuple(ids) for reason, ids in left_out.items()})


def _members(segment: str) -> ContactFilter:
    """The segment's members, archived ones included (so they show as left out)."""
    return replace(segment_filter(segment), archived="all")


def holdout(reached: Sequence[int], percent: int, seed: int) -> set[int]:
    """The members held out: percent of reached (rounded down), chosen by seed."""
    count = len(reached) * percent // 100
    return set(random.Random(seed).sample(sorted(reached), count))


def messages(
    campaign: store.CampaignRow, contact_ids: Sequence[int], codes: dict[int, str] | None = None
) -> list[Message]:
    """The merged messages of these contacts, in id order; codes: each one's voucher code as
    printed (K7QM-2XPR-9BQ4, or a shared promotion code)."""
    settings = load_settings()
    shop, home = settings.shop_name, settings.phone_region
    rewards = sorted(
        (reward for reward in list_rewards() if reward.active), key=lambda r: r.points_cost
    )
    result = []
    for row in store.recipient_rows(contact_ids):
        recipient = _recipient(row, home)
        values = _merge_values(recipient, shop, rewards, settings.birthday_bonus_points)
        code = (codes or {}).get(recipient.contact_id)
        values["voucher_code"] = code or ""
        subject = render(campaign.subject, values) if campaign.subject else ""
        body = render(campaign.template, values)
        result.append(Message(recipient, body, subject, code or None))
    return result


def _recipient(row: Sequence[object], home_country: str) -> Recipient:
    """The recipient of a RECIPIENT_COLUMNS row; the shop's own country is left off the
    address, as post within a country is addressed."""
    (contact_id, kind, given, family, organisation, email, phone, street, locality, region,
     postcode, country, points, card, created) = row  # fmt: skip
    return Recipient(
        contact_id=int(contact_id),  # type: ignore[call-overload]
        given_name=str(given),
        family_name=str(family),
        name=display_name(str(kind), str(given), str(family), str(organisation)),
        email=email or None,  # type: ignore[arg-type]
        phone=phone or None,  # type: ignore[arg-type]
        street=str(street),
        locality=str(locality),
        region=str(region),
        postcode=str(postcode),
        country="" if str(country).strip().upper() == home_country.upper() else str(country),
        points_balance=int(points),  # type: ignore[call-overload]
        card_number=card or None,  # type: ignore[arg-type]
        customer_since=parse_timestamp(str(created)).astimezone().date().isoformat(),
    )


def _merge_values(
    recipient: Recipient, shop: str, rewards: Sequence[RewardRow], birthday_bonus: int
) -> dict[str, str]:
    """The merge fields' values for one recipient. reward: the dearest reward their points
    buy now, else the cheapest (the one they are working towards); next_reward: the cheapest
    their points do not buy yet, and points_to_go how many more it takes (both empty when
    they can buy every reward)."""
    affordable = [r for r in rewards if r.points_cost <= recipient.points_balance]
    reward = affordable[-1] if affordable else (rewards[0] if rewards else None)
    ahead = [r for r in rewards if r.points_cost > recipient.points_balance]
    following = ahead[0] if ahead else None
    first = recipient.given_name.strip() or recipient.name
    return {
        "first_name": first,
        "last_name": recipient.family_name.strip(),
        "name": recipient.name,
        "points": f"{recipient.points_balance:,}",
        "reward": reward.name if reward else "",
        "next_reward": following.name if following else "",
        "points_to_go": (
            f"{following.points_cost - recipient.points_balance:,}" if following else ""
        ),
        "birthday_bonus": f"{birthday_bonus:,}",
        "voucher_code": "",
        "shop_name": shop,
    }


def campaign_or_error(campaign_id: int) -> store.CampaignRow:
    found = store.campaign(campaign_id)
    if found is None:
        raise CampaignError(f"There is no campaign {campaign_id}.")
    return found


def produce_campaign(
    campaign_id: int,
    write_files: WriteFiles | None,
    *,
    emails: EmailsToQueue | None = None,
    progress: Progress | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Produced:
    """Produce a campaign once: its messages through write_files (which returns the files it
    made and raises to stop; None: no files), then every member recorded and each message
    logged, in one transaction. emails (an email campaign sent from Relapp): the emails
    made of the messages, queued in the outbox in that transaction. Raises CampaignError if
    it was produced already or reaches nobody."""
    campaign = campaign_or_error(campaign_id)
    if campaign.produced_at is not None:
        raise CampaignError(
            f"The campaign {campaign.name!r} was produced already; make a new one to send again."
        )
    if emails is not None and campaign.channel != "email":
        raise CampaignError("Only an email campaign's messages can be sent from Relapp.")
    moment = now or utc_now()
    reach = campaign_audience(campaign, now=moment)
    # An automatic rule's list is recorded even if nobody on it can be reached, so that it
    # is done with (relapp.domain.campaigns.automatic); a segment's campaign is refused.
    if not reach.reached and campaign.rule is None:
        counts = ", ".join(
            f"{len(ids):,} {REASON_WORDS[reason]}" for reason, ids in reach.left_out.items() if ids
        )
        raise CampaignError(
            f"Nobody in {campaign.segment_name!r} can be sent {CHANNEL_WORDS[campaign.channel]}"
            f" ({counts}); nothing was produced."
        )
    seed = secrets.randbits(62) if campaign.holdout_percent else None
    held = holdout(reach.reached, campaign.holdout_percent, seed) if seed is not None else set()
    sent = [contact_id for contact_id in reach.reached if contact_id not in held]
    offer = voucher_store.offer_of_campaign(campaign_id)
    # A code of their own for each customer sent the message, or the offer's shared code.
    codes = {} if offer is None or offer.shared_code else {c: new_code() for c in sent}
    shown = (
        dict.fromkeys(sent, offer.shared_code)
        if offer is not None and offer.shared_code
        else {contact_id: printed(code) for contact_id, code in codes.items()}
    )
    made = messages(campaign, sent, shown)
    # The emails first: a wrong sender or opt-out text is told before any file is written.
    outgoing = list(emails(campaign, made, progress)) if emails is not None and made else []
    files = write_files(campaign, made, progress) if write_files is not None and made else []
    rows: list[tuple[int, str, str | None]] = [
        (contact_id, "holdout" if contact_id in held else "sent", None)
        for contact_id in reach.reached
    ]
    for reason, ids in reach.left_out.items():
        rows += [(contact_id, "left_out", reason) for contact_id in ids]
    try:
        with write_transaction():
            if campaign_or_error(campaign_id).produced_at is not None:
                raise CampaignError(f"The campaign {campaign.name!r} was produced meanwhile.")
            store.record_production(
                campaign_id,
                rows,
                summary=f"Campaign: {campaign.name}",
                details=f"{campaign.channel}; segment {campaign.segment_name}",
                produced_at=format_timestamp(moment),
                seed=seed,
                staff_id=staff_id,
            )
            if offer is not None:  # valid from now, for as long as it was made to be
                valid_for = parse_timestamp(offer.valid_until) - parse_timestamp(offer.valid_from)
                voucher_store.set_offer_window(
                    offer.id, format_timestamp(moment), format_timestamp(moment + valid_for)
                )
                if codes:
                    voucher_store.insert_vouchers(offer.id, sorted(codes.items()))
            if outgoing:
                queue_emails(campaign_id, outgoing, moment)
    except BaseException:
        for path in files:
            path.unlink(missing_ok=True)
        raise
    left = {reason: len(ids) for reason, ids in reach.left_out.items()}
    change = Change.of(Entity.CAMPAIGNS, Entity.INTERACTIONS, contact_ids=frozenset(sent))
    return Produced(
        campaign_id, len(sent), len(held), left, tuple(files), change, queued=len(outgoing)
    )
