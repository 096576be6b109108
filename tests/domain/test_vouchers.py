"""Vouchers: a code of their own for each customer a campaign was sent to, printed in its
message, redeemed once, for that customer, while valid; every refusal says why and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from relapp.db.models import PointsEntry, Reward
from relapp.db.store import campaigns as store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.campaigns import CampaignError, create_campaign, produce_campaign
from relapp.domain.campaigns.vouchers import (
    ALPHABET,
    Offer,
    VoucherRefused,
    _check_character,
    new_code,
    printed,
    redeem_voucher,
    typed_code,
)
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


def test_codes_check_and_forgive_how_they_are_typed():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # random enough not to repeat
    code = next(iter(codes))
    assert typed_code(code) == code
    assert typed_code(f"  {printed(code).lower()} ") == code
    assert typed_code(code.replace("0", "O").replace("1", "I")) == code
    for position in range(len(code)):  # any one character mistyped is caught
        wrong = ALPHABET[(ALPHABET.index(code[position]) + 1) % len(ALPHABET)]
        with pytest.raises(VoucherRefused, match="typing mistake"):
            typed_code(code[:position] + wrong + code[position + 1 :])
    with pytest.raises(VoucherRefused, match="is not a voucher code"):
        typed_code("HELLO")


@pytest.fixture
def offer_sent(db):
    """A campaign with a 200-point voucher produced for Ann and Bob; Cy was not sent it."""
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    people = {name: add_contact(name, "Lee", phone="0412 000 000").id for name in ("Ann", "Bob")}
    tag_contacts(list(people.values()), "Regulars")
    for contact_id in people.values():
        record_consent(contact_id, "sms", True, "in person")
    people["Cy"] = add_contact("Cy", "Lee").id
    create_campaign("Points", "Regulars", "sms", "Your code: {voucher_code}",
                    offer=Offer("points", 200, min_spend_cents=1000, valid_days=30))  # fmt: skip
    (campaign,) = store.campaigns()
    bodies = {}

    def write(row, messages, progress):
        bodies.update({m.recipient.contact_id: (m.body, m.voucher_code) for m in messages})
        return []

    produce_campaign(campaign.id, write)
    codes = voucher_store.codes_of_campaign(campaign.id)
    return people, codes, bodies


def balance(contact_id: int) -> int:
    return sum(entry.points for entry in PointsEntry.select().where(
        PointsEntry.contact == contact_id))  # fmt: skip


def test_each_customer_sent_the_message_gets_a_code_of_their_own_in_it(offer_sent):
    people, codes, bodies = offer_sent
    assert set(codes) == {people["Ann"], people["Bob"]} and len(set(codes.values())) == 2
    body, printed_code = bodies[people["Ann"]]
    assert printed_code == printed(codes[people["Ann"]])
    assert body == f"Your code: {printed_code}"


def test_a_code_is_redeemed_once_for_its_customer(offer_sent):
    people, codes, _ = offer_sent
    ann = people["Ann"]
    redeemed = redeem_voucher(printed(codes[ann]).lower(), ann, purchase_cents=1500)
    assert redeemed.text == "200 bonus points added" and redeemed.campaign == "Points"
    assert balance(ann) == 200
    with pytest.raises(VoucherRefused, match="was used already, on "):
        redeem_voucher(codes[ann], ann, purchase_cents=1500)
    assert balance(ann) == 200


def test_a_retry_with_the_same_key_answers_as_before_and_adds_nothing(offer_sent):
    people, codes, _ = offer_sent
    ann = people["Ann"]
    first = redeem_voucher(codes[ann], ann, purchase_cents=2000, key="till1-7")
    again = redeem_voucher(codes[ann], ann, purchase_cents=2000, key="till1-7")
    assert again.text.startswith(first.text) and balance(ann) == 200
    with pytest.raises(VoucherRefused, match="used for another voucher"):
        redeem_voucher(codes[people["Bob"]], people["Bob"], purchase_cents=2000, key="till1-7")


@pytest.mark.parametrize(
    ("who", "purchase", "days_later", "sentence"),
    [
        ("Bob", 2000, 0, "was sent to another customer; it cannot be used for Bob Lee"),
        ("Ann", 999, 0, "needs a purchase of at least"),
        ("Ann", 2000, 31, "expired on"),
        ("Ann", 2000, -1, "is valid from"),
    ],
)
def test_refusals_say_why_and_change_nothing(offer_sent, who, purchase, days_later, sentence):
    people, codes, _ = offer_sent
    with pytest.raises(VoucherRefused, match=sentence):
        redeem_voucher(codes[people["Ann"]], people[who], purchase_cents=purchase,
                       now=utc_now() + timedelta(days=days_later))  # fmt: skip
    assert balance(people["Ann"]) == balance(people["Bob"]) == 0
    redeem_voucher(codes[people["Ann"]], people["Ann"], purchase_cents=2000)  # still usable


def test_an_unknown_code_is_refused(offer_sent):
    people, _, _ = offer_sent
    body = "K7QM2XPR9BQ"
    code = body + _check_character(body)  # a well-formed code nobody was given
    with pytest.raises(VoucherRefused, match="There is no voucher with the code K7QM-2XPR-9BQ"):
        redeem_voucher(code, people["Ann"])


def test_a_free_reward_voucher_takes_one_from_stock_and_refuses_when_none_is_left(db):
    save_segment("Everyone", ContactFilter())
    ann = add_contact("Ann", "Lee", phone="0412 000 000").id
    record_consent(ann, "sms", True, "in person")
    now = utc_now()
    Reward.create(name="Tote bag", points_cost=500, stock=1, active=True, created_at=now,
                  updated_at=now)  # fmt: skip
    with pytest.raises(CampaignError, match="no reward called 'Mug' on offer"):
        mug = Offer("reward", reward_name="Mug")
        create_campaign("Gift", "Everyone", "sms", "{voucher_code}", offer=mug)
    create_campaign("Gift", "Everyone", "sms", "{voucher_code}",
                    offer=Offer("reward", reward_name="tote bag"))  # fmt: skip
    (gift,) = store.campaigns()
    produce_campaign(gift.id, lambda row, messages, progress: [])
    code = voucher_store.codes_of_campaign(gift.id)[ann]
    Reward.update(stock=0).execute()
    with pytest.raises(VoucherRefused, match="out of stock"):
        redeem_voucher(code, ann)
    Reward.update(stock=1).execute()
    assert redeem_voucher(code, ann).text == "give a free Tote bag"
    assert Reward.get().stock == 0 and balance(ann) == 0


def test_results_count_the_vouchers_redeemed(offer_sent):
    from relapp.domain.campaigns.results import campaign_results

    people, codes, _ = offer_sent
    redeem_voucher(codes[people["Ann"]], people["Ann"], purchase_cents=1000)
    (campaign,) = store.campaigns()
    results = campaign_results(campaign.id)
    assert (results.vouchers_issued, results.vouchers_redeemed) == (2, 1)


def test_a_shared_code_is_printed_as_it_is_and_used_once_by_each_customer(db):
    save_segment("Everyone", ContactFilter())
    ann = add_contact("Ann", "Lee", phone="0412 000 000").id
    record_consent(ann, "sms", True, "in person")
    walk_in = add_contact("Wal", "King").id  # never sent the campaign: a poster's reader
    create_campaign("Spring", "Everyone", "sms", "Say {voucher_code} at the till",
                    offer=Offer("points", 50, shared_code=" spring-10 "))  # fmt: skip
    (spring,) = store.campaigns()
    bodies = []
    produce_campaign(spring.id, lambda row, messages, progress: bodies.extend(
        m.body for m in messages) or [])  # fmt: skip
    assert bodies == ["Say SPRING10 at the till"]
    assert voucher_store.codes_of_campaign(spring.id) == {}  # no code of their own

    assert redeem_voucher("Spring10", ann).text == "50 bonus points added"
    assert redeem_voucher("SPRING 10", walk_in).shown == "SPRING10"
    with pytest.raises(VoucherRefused, match="was used already by Ann Lee"):
        redeem_voucher("spring10", ann)
    assert balance(ann) == balance(walk_in) == 50
    assert voucher_store.redeemed_count(spring.id) == (2, 2)


@pytest.mark.parametrize(
    ("shared", "sentence"),
    [("ab", "4 to 20 letters and digits"), ("SPRING 10!", "4 to 20 letters and digits"),
     ("spring10", "belongs to another campaign")],
)  # fmt: skip
def test_a_wrong_or_taken_shared_code_is_refused(db, shared, sentence):
    save_segment("Everyone", ContactFilter())
    add_contact("Ann", "Lee")
    create_campaign("First", "Everyone", "sms", "{voucher_code}",
                    offer=Offer("points", 50, shared_code="SPRING10"))  # fmt: skip
    with pytest.raises(CampaignError, match=sentence):
        create_campaign("Second", "Everyone", "sms", "{voucher_code}",
                        offer=Offer("points", 50, shared_code=shared))  # fmt: skip
    assert [c.name for c in store.campaigns()] == ["First"]


@pytest.fixture
def percent_sent(db):
    """A campaign with a 10%-off voucher for Ann alone, for purchases of $20.00 or more."""
    save_segment("Everyone", ContactFilter())
    ann = add_contact("Ann", "Lee", phone="0412 000 000").id
    record_consent(ann, "sms", True, "in person")
    create_campaign("Tenth off", "Everyone", "sms", "Your code: {voucher_code}",
                    offer=Offer("percent", 10, min_spend_cents=2000))  # fmt: skip
    (campaign,) = store.campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    return ann, voucher_store.codes_of_campaign(campaign.id)[ann]


def test_a_percent_voucher_says_what_to_take_off_the_purchase_rounded_half_up(percent_sent):
    from relapp.domain.campaigns.listing import list_campaigns, offer_text

    ann, code = percent_sent
    assert offer_text(list_campaigns()[0]) == "10% off"
    offer = voucher_store.offer_of_campaign(store.campaigns()[0].id)
    assert (offer.kind, offer.value) == ("percent", 10)
    # 10% of $24.45 is $2.445: half a cent and more goes up.
    redeemed = redeem_voucher(printed(code), ann, purchase_cents=2445, key="till1-9")
    assert redeemed.text == "take 10% off: $2.45 off the $24.45 purchase"
    assert (redeemed.kind, redeemed.value, redeemed.off_cents) == ("percent", 10, 245)
    assert balance(ann) == 0  # no points: the cashier takes it off the sale
    again = redeem_voucher(code, ann, purchase_cents=2445, key="till1-9")
    assert again.text == redeemed.text + " (redeemed already with this key)"
    with pytest.raises(VoucherRefused, match="was used already"):
        redeem_voucher(code, ann, purchase_cents=2445)


@pytest.mark.parametrize(
    ("purchase", "percent", "off"),
    [(2445, 10, 245), (2444, 10, 244), (2450, 10, 245), (1, 50, 1), (1, 49, 0), (999, 100, 999),
     (1999, 15, 300), (1990, 15, 299)],
)  # fmt: skip
def test_percent_off_is_to_the_cent_half_up(purchase, percent, off):
    from relapp.domain.campaigns.vouchers import percent_off

    assert percent_off(purchase, percent) == off


def test_a_percent_voucher_is_refused_without_a_purchase_or_under_the_least(percent_sent):
    from relapp.domain.campaigns.vouchers import PurchaseNeeded

    ann, code = percent_sent
    with pytest.raises(PurchaseNeeded, match=r"needs a purchase of at least \$20\.00"):
        redeem_voucher(code, ann)  # the least purchase is told first
    with pytest.raises(PurchaseNeeded, match=r"needs a purchase of at least \$20\.00"):
        redeem_voucher(code, ann, purchase_cents=1999)
    assert voucher_store.redeemed_count(store.campaigns()[0].id) == (1, 0)
    assert redeem_voucher(code, ann, purchase_cents=2000).off_cents == 200


def test_a_percent_voucher_without_a_least_purchase_still_needs_the_purchase(db):
    save_segment("Everyone", ContactFilter())
    ann = add_contact("Ann", "Lee", phone="0412 000 000").id
    record_consent(ann, "sms", True, "in person")
    create_campaign("Quarter off", "Everyone", "sms", "{voucher_code}",
                    offer=Offer("percent", 25, shared_code="QUARTER"))  # fmt: skip
    with pytest.raises(VoucherRefused, match=r"^A 25% voucher needs the purchase's amount\.$"):
        redeem_voucher("quarter", ann)
    with pytest.raises(VoucherRefused, match="needs the purchase's amount"):
        redeem_voucher("quarter", ann, purchase_cents=0)
    assert redeem_voucher("quarter", ann, purchase_cents=1000).text == (
        "take 25% off: $2.50 off the $10.00 purchase"
    )


@pytest.mark.parametrize("percent", [0, 101, -5])
def test_a_percent_off_is_1_to_100(db, percent):
    save_segment("Everyone", ContactFilter())
    with pytest.raises(CampaignError, match="percent off is a whole number from 1 to 100"):
        create_campaign("Odd", "Everyone", "sms", "{voucher_code}",
                        offer=Offer("percent", percent))  # fmt: skip
    assert store.campaigns() == []


def test_the_schema_refuses_a_percent_over_100_from_another_program(db):
    """The domain's check is the main guard; the schema's (17) is the last."""
    from peewee import IntegrityError

    from relapp.db.models import database

    save_segment("Everyone", ContactFilter())
    add_contact("Ann", "Lee")
    create_campaign("Tenth", "Everyone", "sms", "{voucher_code}", offer=Offer("percent", 10))
    with pytest.raises(IntegrityError), database.atomic():
        database.execute_sql("UPDATE voucher_offer SET value = 101")
    with pytest.raises(IntegrityError), database.atomic():
        database.execute_sql(
            "INSERT INTO campaign_rule (rule, channel, template, number, offer_kind, offer_value)"
            " VALUES ('welcome', 'sms', 'Hi', 0, 'percent', 0)"
        )
    assert database.execute_sql("SELECT value FROM voucher_offer").fetchall() == [(10,)]
