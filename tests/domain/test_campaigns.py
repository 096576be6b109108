"""Campaigns: who a segment's campaign reaches, who it leaves out and why, the hold-out group,
and producing it once, logged on each timeline in one transaction."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from relapp.db.models import Interaction, database
from relapp.db.store import campaigns as store
from relapp.domain.campaigns.campaigns import (
    CampaignError,
    audience,
    create_campaign,
    holdout,
    produce_campaign,
)
from relapp.domain.campaigns.templates import TemplateError
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact

TEMPLATE = "Hello {first_name}, you have {points} points at {shop_name}."


def customer(given: str, *, texts: bool = True, phone: str | None = "0412 000 000", **fields):
    contact = add_contact(given, "Lee", phone=phone, **fields)
    tag_contacts([contact.id], "Regulars")
    if texts:
        record_consent(contact.id, "sms", True, "in person")
    return contact


def outbound(contact_id: int, days_ago: float, kind: str = "call") -> None:
    moment = utc_now() - timedelta(days=days_ago)
    Interaction.create(
        contact=contact_id, kind=kind, direction="outbound", occurred_at=moment,
        created_at=moment, updated_at=moment,
    )  # fmt: skip


@pytest.fixture
def regulars(db):
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    people = {
        "ok": customer("Ok"),
        "archived": customer("Archived", archived_at=utc_now()),
        "dnc": customer("Dnc"),
        "no_consent": customer("Noconsent", texts=False),
        "no_phone": customer("Nophone", phone=None),
        "capped": customer("Capped"),
        "recent": customer("Recent"),
        "ok2": customer("Oktoo"),
    }
    tag_contacts([people["dnc"].id], "do not contact")  # any letter case
    for days in (1, 2, 3, 4):
        outbound(people["capped"].id, days)
    outbound(people["capped"].id, 31)  # out of the window: the cap counts the last 30 days
    outbound(people["recent"].id, 5, kind="campaign")
    return {name: contact.id for name, contact in people.items()}


def test_each_member_left_out_gets_the_first_reason_that_applies(regulars):
    reach = audience("Regulars", "sms")
    assert reach.reached == (regulars["ok"], regulars["ok2"])
    assert {reason: list(ids) for reason, ids in reach.left_out.items() if ids} == {
        "inactive": [regulars["archived"]],
        "do_not_contact": [regulars["dnc"]],
        "no_consent": [regulars["no_consent"]],
        "no_address": [regulars["no_phone"]],
        "at_cap": [regulars["capped"]],
        "recent_campaign": [regulars["recent"]],
    }
    assert reach.members == len(regulars)


def test_a_transactional_message_ignores_the_cap_and_recent_days_can_be_off(regulars):
    reach = audience("Regulars", "sms", transactional=True, recent_days=0)
    assert set(reach.reached) == {regulars[n] for n in ("ok", "ok2", "capped", "recent")}


def test_the_hold_out_group_is_the_seed_s_choice_and_a_share_rounded_down():
    reached = list(range(1, 101))
    chosen = holdout(reached, 10, seed=42)
    assert len(chosen) == 10 and chosen <= set(reached)
    assert chosen == holdout(list(reversed(reached)), 10, seed=42)  # order does not matter
    assert chosen == set(random.Random(42).sample(reached, 10))  # anyone can check it
    assert len(holdout(reached[:9], 10, seed=1)) == 0


def test_producing_logs_each_message_and_records_every_member_once(regulars, tmp_path):
    create_campaign("Spring", "Regulars", "sms", TEMPLATE)
    (spring,) = store.campaigns()
    written = []

    def write(campaign, messages, progress):
        written.extend(message.body for message in messages)
        path = tmp_path / "spring.csv"
        path.write_text("made")
        return [path]

    produced = produce_campaign(spring.id, write)
    assert produced.sent == 2 and produced.held_out == 0
    assert written == ["Hello Ok, you have 0 points at My shop.",
                       "Hello Oktoo, you have 0 points at My shop."]  # fmt: skip
    counts = store.recipient_counts(spring.id)
    assert counts[("sent", None)] == 2 and sum(counts.values()) == len(regulars)
    logged = Interaction.select().where(Interaction.summary == "Campaign: Spring")
    assert sorted(i.contact_id for i in logged) == [regulars["ok"], regulars["ok2"]]
    assert {(i.kind, i.direction) for i in logged} == {("campaign", "outbound")}
    tied = database.execute_sql(
        "SELECT count(*) FROM campaign_recipient r JOIN interaction i ON i.id = r.interaction_id"
        " WHERE r.campaign_id = ? AND i.contact_id = r.contact_id",
        (spring.id,),
    ).fetchone()[0]
    assert tied == 2

    with pytest.raises(CampaignError, match="produced already"):
        produce_campaign(spring.id, write)
    # The message now counts as a recent campaign for the next one.
    assert regulars["ok"] in audience("Regulars", "sms").left_out["recent_campaign"]


def test_files_that_fail_leave_nothing_recorded(regulars, tmp_path):
    create_campaign("Spring", "Regulars", "sms", TEMPLATE, holdout_percent=50)
    (spring,) = store.campaigns()

    def write(campaign, messages, progress):
        raise OSError("disk full")

    with pytest.raises(OSError):
        produce_campaign(spring.id, write)
    assert store.recipient_counts(spring.id) == {}
    assert store.campaign(spring.id).produced_at is None
    logged = Interaction.select().where(Interaction.summary == "Campaign: Spring")
    assert logged.count() == 0


def test_the_hold_out_seed_is_recorded_and_remakes_the_choice(db, tmp_path):
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    ids = [customer(f"P{n}").id for n in range(20)]
    create_campaign("Half", "Regulars", "sms", TEMPLATE, holdout_percent=50)
    (half,) = store.campaigns()
    produced = produce_campaign(half.id, lambda campaign, messages, progress: [])
    seed = store.campaign(half.id).holdout_seed
    assert produced.held_out == 10 and produced.sent == 10
    assert set(store.recipient_ids(half.id, "holdout")) == holdout(ids, 50, seed)


@pytest.mark.parametrize(
    ("arguments", "sentence"),
    [
        ({"template": "Hi {frist_name}"}, "frist_name"),
        ({"segment": "Nobody"}, "no saved segment called 'Nobody'"),
        ({"channel": "fax"}, "channel is one of"),
        ({"name": "  "}, "needs a name"),
        ({"holdout_percent": 60}, "between 0 and 50"),
    ],
)
def test_a_wrong_campaign_is_refused_in_one_sentence(regulars, arguments, sentence):
    given = {"name": "Spring", "segment": "Regulars", "channel": "sms", "template": TEMPLATE}
    with pytest.raises((CampaignError, TemplateError), match=sentence):
        create_campaign(**{**given, **arguments})
    assert store.campaigns() == []


def test_a_segment_of_nobody_and_a_channel_nobody_agreed_to_are_refused(regulars):
    save_segment("Empty", ContactFilter(tags=("Nobody has this",)))
    with pytest.raises(CampaignError, match="'Empty' holds nobody"):
        create_campaign("Spring", "Empty", "sms", TEMPLATE)
    create_campaign("Letters", "Regulars", "letter", TEMPLATE)
    (letters,) = store.campaigns()
    with pytest.raises(CampaignError, match=r"Nobody in 'Regulars' can be sent letters \(1 arch"):
        produce_campaign(letters.id, lambda campaign, messages, progress: [])
    assert store.campaign(letters.id).produced_at is None


def test_a_campaign_name_is_unique_in_any_letter_case(regulars):
    create_campaign("Spring", "Regulars", "sms", TEMPLATE)
    with pytest.raises(CampaignError, match="called 'SPRING' already"):
        create_campaign("SPRING", "Regulars", "sms", TEMPLATE)


def test_letters_leave_the_shop_s_own_country_off_the_address(db):
    from relapp.domain.campaigns.campaigns import messages
    from relapp.domain.shop.settings import save_settings

    save_settings(phone_region="AU")
    home = add_contact("Ann", "Lee", street="1 King St", locality="Carlton", postcode="3053",
                       country="au")  # fmt: skip
    abroad = add_contact("Bo", "Ng", street="2 Queen St", locality="Auckland", country="NZ")
    save_segment("Everyone", ContactFilter())
    create_campaign("Post", "Everyone", "letter", TEMPLATE)
    (post,) = store.campaigns()
    lines = [m.recipient.address_lines() for m in messages(post, [home.id, abroad.id])]
    assert lines == [["Ann Lee", "1 King St", "Carlton 3053"],
                     ["Bo Ng", "2 Queen St", "Auckland", "NZ"]]  # fmt: skip
