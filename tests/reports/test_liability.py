"""The loyalty liability report: its totals are loyalty_liability()'s and the ledger's, the
value of points is the shop's setting, and cancelling leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta

import pikepdf
import pytest
from pypdf import PdfReader

from relapp.db.models import Tier, database
from relapp.domain.loyalty.points import add_opening_balance
from relapp.domain.loyalty.program import loyalty_liability
from relapp.domain.shop.settings import save_settings
from relapp.reports.document import ReportCancelled, report_context
from relapp.reports.liability import liability_report, value_of
from tests.factories import add_contact


def lines_of(path) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_sound(path) -> None:
    """The file opens and qpdf finds nothing wrong in its syntax or streams."""
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_the_totals_are_the_liabilitys_and_the_ledgers(demo_db, tmp_path):
    out = liability_report(tmp_path / "liability.pdf")
    owed = loyalty_liability()
    held = database.execute_sql(
        "SELECT count(*), sum(points_balance) FROM contact"
        " WHERE points_balance > 0 AND erased_at IS NULL"
    ).fetchone()
    assert (owed.customers_with_points, owed.points) == held
    context = report_context()
    lines = lines_of(out)
    total = lines.index("Total")
    assert lines[total + 1 : total + 4] == [
        context.number(owed.customers_with_points),
        context.number(owed.points),
        context.money(owed.value_cents),
    ]
    for row in owed.by_tier:  # each tier's row: name, customers, points, value
        at = lines.index(row.tier)
        assert lines[at + 1 : at + 4] == [
            context.number(row.customers), context.number(row.points),
            context.money(row.value_cents),
        ]  # fmt: skip
    text = " ".join(lines)
    expiring = value_of(owed.expiring_soon_points, 100)
    assert (
        f"{context.number(owed.expiring_soon_points)} points expire within 30 days,"
        f" worth {context.money(expiring)}." in text
    )
    assert "Value of 100 points: $1.00." in text
    assert_sound(out)


def test_the_value_of_points_follows_the_setting(db, tmp_path):
    save_settings(value_of_100_points_cents=250)
    for name, points, tier, threshold in (("Ann", 333, "Bronze", 0), ("Bob", 1, "Silver", 500)):
        tier_row = Tier.create(name=tier, min_spend_cents=threshold)
        add_opening_balance(add_contact(name, tier=tier_row).id, points, "Paper card")
    lines = lines_of(liability_report(tmp_path / "liability.pdf"))
    text = " ".join(lines)
    assert "Value of 100 points: $2.50." in text
    # 333 points are worth $8.32 and 1 point $0.02, rounded down; all 334 together $8.35.
    assert lines[lines.index("Bronze") + 3] == "$8.32"
    assert lines[lines.index("Silver") + 3] == "$0.02"
    assert lines[lines.index("Total") + 3] == "$8.35"
    assert loyalty_liability().value_cents == value_of(334, 250) == 835


def test_a_shop_without_points_says_so(db, tmp_path):
    out = liability_report(tmp_path / "liability.pdf")
    text = " ".join(lines_of(out))
    assert "No customer holds any points." in text
    assert "Outstanding points: 0, worth $0.00, held by 0 customers." in text
    assert_sound(out)


def test_cancelling_leaves_no_file(demo_db, tmp_path):
    with pytest.raises(ReportCancelled):
        liability_report(tmp_path / "liability.pdf", cancelled=lambda: True)
    assert not [path for path in tmp_path.iterdir() if path.name.endswith((".pdf", ".part"))]
    calls = []
    with pytest.raises(ReportCancelled):  # once the layout has begun
        liability_report(tmp_path / "liability.pdf",
                         cancelled=lambda: calls.append(1) or len(calls) > 2)  # fmt: skip
    assert not [path for path in tmp_path.iterdir() if path.name.endswith((".pdf", ".part"))]


def test_campaign_vouchers_not_used_yet_are_owed_too(db, tmp_path):
    from relapp.db.models import Reward
    from relapp.db.store import campaigns as campaign_store
    from relapp.db.store import vouchers as voucher_store
    from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
    from relapp.domain.campaigns.vouchers import Offer, redeem_voucher, unused_vouchers
    from relapp.domain.clock import utc_now
    from relapp.domain.contacts.editing import record_consent
    from relapp.domain.contacts.listing import ContactFilter, save_segment

    save_settings(value_of_100_points_cents=50)
    save_segment("Everyone", ContactFilter())
    people = [add_contact(f"P{n}", "Lee", phone="0412 000 000").id for n in range(3)]
    for contact_id in people:
        record_consent(contact_id, "sms", True, "in person")
    now = utc_now()
    Reward.create(name="Tote bag", points_cost=400, active=True, created_at=now, updated_at=now)
    offers = {"Points": Offer("points", 200), "Fiver": Offer("amount", 500),
              "Bag": Offer("reward", reward_name="Tote bag"),
              "Tenth": Offer("percent", 10)}  # fmt: skip
    for name, offer in offers.items():
        create_campaign(name, "Everyone", "sms", "{voucher_code}", offer=offer, recent_days=0)
    for campaign in campaign_store.campaigns():
        produce_campaign(campaign.id, lambda row, messages, progress: [])
    fiver = campaign_store.campaign_named("Fiver").id
    code = voucher_store.codes_of_campaign(fiver)[people[0]]
    redeem_voucher(code, people[0])

    owed = {row.campaign: (row.offer, row.count, row.total_cents) for row in unused_vouchers()}
    assert owed == {
        "Bag": ("a free Tote bag", 3, 3 * 200),  # 400 points at 50 cents a hundred
        "Fiver": ("$5.00 off", 2, 2 * 500),  # one was used
        "Points": ("200 bonus points", 3, 3 * 100),
        "Tenth": ("10% off (worth depends on the purchase)", 3, 0),  # counted, not valued
    }
    out = liability_report(tmp_path / "liability.pdf")
    assert_sound(out)
    lines = lines_of(out)
    table = lines[lines.index("Campaign vouchers not used yet") :]
    fiver_row = table[table.index("Fiver") :]
    assert fiver_row[1] == "$5.00 off" and fiver_row[3:5] == ["2", "$10.00"]  # after the date
    total_row = table[len(table) - 1 - table[::-1].index("Total") :]
    tenth_row = " ".join(table[table.index("Tenth") :][:8])
    assert "10% off (worth depends on the purchase)" in tenth_row and "$0.00" in tenth_row
    assert total_row[1:3] == ["11", "$19.00"]
    assert unused_vouchers(now=utc_now() + timedelta(days=31)) == []  # expired: owed no more


def test_gift_cards_are_owed_by_month_of_sale_with_the_total(db, tmp_path, monkeypatch,
                                                             time_zone):  # fmt: skip
    from datetime import UTC, datetime

    from relapp.domain.giftcards.ledger import redeem_gift_card, sell_gift_card
    from tests.factories import FakeClock

    time_zone("UTC")
    clock = FakeClock(datetime(2026, 10, 3, 12, 0, tzinfo=UTC))
    monkeypatch.setattr("relapp.domain.clock.utc_now", clock)
    october = sell_gift_card(5000).card
    sell_gift_card(2000, add_contact("Ann", "Lee").id)
    redeem_gift_card(october.code, 1250)
    clock.moment = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    used_up = sell_gift_card(1000).card
    redeem_gift_card(used_up.code, 1000)  # nothing left: owed nothing, not listed
    sell_gift_card(10_000)
    out = liability_report(tmp_path / "liability.pdf")
    assert_sound(out)
    lines = lines_of(out)
    table = lines[lines.index("Gift cards") :]
    assert table[1:4] == ["Sold in", "Cards", "Outstanding"]
    assert table[4:13] == ["October 2026", "2", "$57.50", "November 2026", "1", "$100.00",
                           "Total", "3", "$157.50"]  # fmt: skip
    # The figure is the ledger's: what is left on the cards.
    held = database.execute_sql("SELECT sum(amount_cents) FROM gift_card_entry").fetchone()[0]
    assert held == 15750


def test_a_shop_without_gift_cards_says_so(db, tmp_path):
    text = " ".join(lines_of(liability_report(tmp_path / "liability.pdf")))
    assert "Gift cards No gift card has anything left on it." in text
