"""Partner businesses (schema 20): a manager adds and changes partners (one-sentence
refusals), links a business's customer record (the ladder's partner stage), makes batches
of bearer codes that any customer redeems once (recording the partner as their referral
source), a partner's offer reaches only customers who agreed to partner offers, and the
partner report's figures; on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from relapp.db.models import AuditLog, Contact, Interaction, Staff
from relapp.db.store import campaigns as campaign_store
from relapp.db.store import partners as partner_store
from relapp.domain import clock
from relapp.domain.campaigns.campaigns import CampaignError, audience, create_campaign
from relapp.domain.campaigns.vouchers import (
    Offer,
    VoucherRefused,
    redeem_voucher,
    unused_vouchers,
)
from relapp.domain.contacts.editing import (
    load_contact_details,
    record_consent,
    save_contact_details,
)
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.loyalty.points import record_sale
from relapp.domain.partners.batches import batch_codes, batches_of, make_batch
from relapp.domain.partners.figures import (
    last_quarter,
    partner_figures,
    quarter_of,
    since_agreement,
)
from relapp.domain.partners.partners import (
    Partner,
    PartnerRefused,
    find_partner,
    list_partners,
    partner_by_id,
    partner_links,
    save_partner,
)
from relapp.domain.shop.staff import NotAllowed
from tests.factories import add_contact

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
LUNA = Partner("Café Luna", contact_person="Rosa Díaz", phone="03 9123 4567",
               email="rosa@cafeluna.example", offers="Coffee and cake",
               agreement_from=date(2026, 1, 1), agreement_until=date(2026, 12, 31))  # fmt: skip


@pytest.fixture
def staff(db, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=NOW)
    cashier = Staff.create(name="Sam", role="counter", pin_hash="x", created_at=NOW)
    return manager.id, cashier.id


def luna(manager: int, **changes) -> int:
    save_partner(replace(LUNA, **changes), manager)
    return find_partner(changes.get("name", LUNA.name)).id or 0


def test_a_manager_adds_and_changes_a_partner_and_a_cashier_may_not(staff):
    manager, cashier = staff
    with pytest.raises(NotAllowed, match=r"Only a manager can add or change partners\."):
        save_partner(LUNA, cashier)
    change = save_partner(LUNA, manager)
    assert change.entities and list_partners()[0].partner == replace(
        LUNA, email="rosa@cafeluna.example", id=find_partner("café luna").id)  # fmt: skip
    partner_id = find_partner("CAFé LUNA").id
    assert partner_id is not None
    save_partner(replace(partner_by_id(partner_id), notes="Quarterly review in October"),
                 manager)  # fmt: skip
    assert partner_by_id(partner_id).notes == "Quarterly review in October"
    actions = [row.action for row in AuditLog.select().where(AuditLog.entity == "partner")]
    assert actions == ["partner added", "partner changed"]
    assert LUNA.agreement_state(date(2026, 6, 1)) == "current"
    assert LUNA.agreement_state(date(2027, 1, 1)) == "ended"
    assert LUNA.agreement_state(date(2025, 12, 31)) == "not yet"


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "  "}, "A partner needs a name."),
        ({"name": "café LUNA"}, "There is a partner called Café Luna already."),
        ({"name": "x" * 101}, "A name can have at most"),
        ({"agreement_until": date(2025, 12, 31)}, "The agreement cannot end before it begins."),
        ({"email": "rosa at luna"}, "is not an email address"),
    ],
)
def test_a_partner_that_cannot_be_saved_is_refused_in_one_sentence(staff, changes, sentence):
    manager, _ = staff
    luna(manager)
    with pytest.raises(PartnerRefused, match=sentence):
        save_partner(replace(LUNA, **changes), manager)
    assert len(list_partners()) == 1


def test_a_business_record_links_to_one_partner_and_takes_the_partner_stage(staff):
    manager, _ = staff
    person = add_contact("Ann", "Lee")
    with pytest.raises(PartnerRefused, match="Only a business's customer record"):
        save_partner(replace(LUNA, contact_id=person.id), manager)
    business = add_contact(organisation="Café Luna Pty Ltd", kind="business",
                           ladder_stage="client")  # fmt: skip
    partner_id = luna(manager, contact_id=business.id)
    assert Contact.get_by_id(business.id).ladder_stage == "partner"
    links = partner_links(business.id)
    assert links.business_of is not None and links.business_of.id == partner_id
    assert list_partners()[0].business == "Café Luna Pty Ltd"
    with pytest.raises(PartnerRefused, match="is linked to the partner Café Luna already"):
        save_partner(replace(LUNA, name="Bakery", contact_id=business.id), manager)


def test_the_referral_source_is_set_in_the_contact_editor(staff):
    manager, _ = staff
    partner_id = luna(manager)
    ann = add_contact("Ann", "Lee")
    details = load_contact_details(ann.id)
    assert details.referred_by_partner_id is None
    save_contact_details(replace(details, referred_by_partner_id=partner_id), "AU", manager)
    assert load_contact_details(ann.id).referred_by_partner_id == partner_id
    links = partner_links(ann.id)
    assert links.came_through is not None and links.came_through.name == "Café Luna"
    assert links.business_of is None
    assert list_partners()[0].customers == 1
    entry = AuditLog.select().where(AuditLog.entity == "contact").order_by(AuditLog.id).get()
    assert "referred_by_partner_id" in entry.details


def test_a_batch_of_bearer_codes_is_redeemed_once_by_anyone_recording_the_source(staff):
    manager, cashier = staff
    partner_id = luna(manager)
    with pytest.raises(NotAllowed):
        make_batch(partner_id, "theirs_here", Offer("amount", 500), 3, staff_id=cashier)
    for direction, count, sentence in (
        ("sideways", 3, "A batch goes"),
        ("theirs_here", 0, "A batch has 1 to 5,000 codes."),
    ):
        with pytest.raises(PartnerRefused, match=sentence):
            make_batch(partner_id, direction, Offer("amount", 500), count, staff_id=manager)
    made = make_batch(partner_id, "theirs_here", Offer("points", 200, valid_days=90), 5,
                      "Spring cards", staff_id=manager)  # fmt: skip
    assert len(set(made.codes)) == 5 and all(len(code) == 14 for code in made.codes)
    assert made.batch.offer == "200 bonus points" and made.batch.codes == 5
    ann, bob = add_contact("Ann", "Lee"), add_contact("Bob", "Lee")
    redeemed = redeem_voucher(made.codes[0].lower(), ann.id, staff_id=cashier)
    assert redeemed.campaign == "Café Luna, Spring cards"
    assert redeemed.came_through == "Café Luna"
    assert (
        redeemed.text == "200 bonus points added; Ann Lee is recorded as coming through Café Luna"
    )
    assert Contact.get_by_id(ann.id).points_balance == 200
    assert partner_store.referral_partner(ann.id) == partner_id
    with pytest.raises(VoucherRefused, match="was sent to another customer"):
        redeem_voucher(made.codes[0], bob.id)
    with pytest.raises(VoucherRefused, match="was used already"):
        redeem_voucher(made.codes[0], ann.id)
    # A source set by hand is kept: a code does not replace it.
    bakery = luna(manager, name="Bakery")
    partner_store.set_referral_partner(bob.id, bakery, "2026-09-01 10:00:00")
    assert redeem_voucher(made.codes[1], bob.id).came_through is None
    assert partner_store.referral_partner(bob.id) == bakery
    assert [used for _code, used in batch_codes(made.batch.offer_id)] == [
        True, True, False, False, False]  # fmt: skip
    [line] = [line for line in list_partners() if line.partner.id == partner_id]
    assert (line.customers, line.batches, line.codes, line.redeemed) == (1, 1, 5, 2)
    # The three codes left are owed: the liability counts them at 200 points each.
    [owed] = unused_vouchers()
    assert (owed.campaign, owed.count, owed.offer) == ("Café Luna, Spring cards", 3,
                                                       "200 bonus points")  # fmt: skip


def test_a_partner_code_expires_and_a_key_makes_a_retry_safe(staff, monkeypatch):
    manager, _ = staff
    partner_id = luna(manager)
    made = make_batch(partner_id, "ours_there", Offer("amount", 500, valid_days=30), 2,
                      staff_id=manager)  # fmt: skip
    ann = add_contact("Ann", "Lee")
    first = redeem_voucher(made.codes[0], ann.id, key="till-1")
    again = redeem_voucher(made.codes[0], ann.id, key="till-1")
    assert again.code == first.code and "redeemed already with this key" in again.text
    assert batches_of(partner_id)[0].redeemed == 1
    later = NOW + timedelta(days=31)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    with pytest.raises(VoucherRefused, match="expired on"):
        redeem_voucher(made.codes[1], ann.id)


def test_a_partner_offer_reaches_only_customers_who_agreed_to_partner_offers(staff):
    manager, _ = staff
    partner_id = luna(manager)
    save_segment("Everyone", ContactFilter())
    email_only = add_contact("Ann", "Lee", email="ann@example.com")
    both = add_contact("Bob", "Lee", email="bob@example.com")
    partner_only = add_contact("Cy", "Lee", email="cy@example.com")
    for contact in (email_only, both):
        record_consent(contact.id, "email", True, "in person")
    for contact in (both, partner_only):
        record_consent(contact.id, "partner_offers", True, "form")
    plain = audience("Everyone", "email")
    assert set(plain.reached) == {email_only.id, both.id}
    offer = audience("Everyone", "email", partner_offer=True)
    assert offer.reached == (both.id,)
    assert set(offer.left_out["no_consent"]) == {email_only.id, partner_only.id}
    with pytest.raises(CampaignError, match=r"There is no partner number 999\."):
        create_campaign("Luna offer", "Everyone", "email", "Hi", partner_id=999)
    create_campaign("Luna offer", "Everyone", "email", "Hi {first_name}", partner_id=partner_id)
    (campaign,) = campaign_store.campaigns()
    assert campaign.partner_id == partner_id
    from relapp.domain.campaigns.campaigns import campaign_audience

    assert campaign_audience(campaign).reached == (both.id,)


def test_the_report_figures_count_customers_spend_retention_and_codes(staff, monkeypatch):
    manager, _ = staff
    partner_id = luna(manager)
    bakery = luna(manager, name="Bakery")
    joined = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)  # seven months before NOW

    def customer(name: str, partner: int, when: datetime = joined) -> int:
        contact = add_contact(name, "Lee", created_at=when, updated_at=when)
        partner_store.set_referral_partner(contact.id, partner, "2026-02-10 12:00:00")
        return contact.id

    back_soon = customer("Ann", partner_id)  # bought again within 3 months
    back_late = customer("Bob", partner_id)  # came back after 4 months only
    never = customer("Cy", partner_id)
    customer("Di", bakery)  # another partner's
    customer("Ed", partner_id, datetime(2025, 12, 1, tzinfo=UTC))  # before the period
    duplicate = customer("Ann", partner_id)  # merged into Ann: she counts once
    Contact.update(merged_into=back_soon, archived_at=NOW).where(Contact.id == duplicate).execute()
    record_sale(back_soon, 2000, at=joined)
    record_sale(back_soon, 3000, at=joined + timedelta(days=40))
    Interaction.create(contact=back_late, kind="visit", occurred_at=joined + timedelta(days=125),
                       created_at=NOW, updated_at=NOW)  # fmt: skip
    record_sale(never, 1500, at=joined)  # on the day they joined: not "again"
    made = make_batch(partner_id, "theirs_here", Offer("amount", 500), 4, staff_id=manager)
    make_batch(partner_id, "ours_there", Offer("points", 100), 2, staff_id=manager)
    redeem_voucher(made.codes[0], never)

    figures = partner_figures(partner_by_id(partner_id), date(2026, 1, 1), date(2026, 9, 30),
                              today=date(2026, 9, 15))  # fmt: skip
    assert (figures.acquired, figures.buyers, figures.spend_cents) == (3, 2, 6500)
    assert figures.average_spend_cents == 6500 // 3
    by_months = {line.months: (line.eligible, line.came_back) for line in figures.retention}
    assert by_months == {3: (3, 1), 6: (3, 2), 12: (0, 0)}
    assert [line.rate for line in figures.retention][:2] == [1 / 3, 2 / 3]
    assert [(c.direction, c.issued, c.redeemed) for c in figures.codes] == [
        ("theirs_here", 4, 1), ("ours_there", 2, 0)]  # fmt: skip
    # A period that ends before the codes were made counts none of them.
    early = partner_figures(partner_by_id(partner_id), date(2026, 1, 1), date(2026, 3, 31),
                            today=date(2026, 9, 15))  # fmt: skip
    assert [(c.issued, c.redeemed) for c in early.codes] == [(0, 0), (0, 0)]
    assert early.acquired == 3
    with pytest.raises(PartnerRefused, match="cannot end before it begins"):
        partner_figures(partner_by_id(partner_id), date(2026, 3, 1), date(2026, 2, 1))


def test_the_report_periods():
    assert quarter_of(date(2026, 11, 5)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert last_quarter(date(2026, 1, 15)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last_quarter(date(2026, 5, 31)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert since_agreement(LUNA, date(2026, 5, 1)) == (date(2026, 1, 1), date(2026, 5, 1))
    assert since_agreement(Partner("X"), date(2026, 5, 1)) == (date(2025, 5, 1), date(2026, 5, 1))
