"""A percent-off voucher from the real window: the owner makes a text campaign with 15% off
in the New campaign dialog by keys (Ctrl+7, Ctrl+N); once it is produced, the cashier shows
the customer at the Counter, presses F6 and types the code; without the purchase's amount
the dialog says so and puts the cursor there, and with it the voucher is used once and the
Counter says how much to take off."""

from __future__ import annotations

from relapp.db.store import campaigns as campaign_store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.campaigns import produce_campaign
from relapp.domain.campaigns.listing import list_campaigns
from relapp.domain.campaigns.vouchers import printed
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.flows.harness import Flow, describe
from tests.flows.people import show_at_counter
from tests.flows.test_campaign_flows import choose
from tests.flows.test_voucher_flows import a_card_holder_with_a_phone, balance_of

SEGMENT = "Percent test"


def test_make_a_percent_voucher_campaign_and_use_it_at_the_counter_with_the_purchase(
    flow: Flow,
):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder_with_a_phone()
    save_segment(SEGMENT, ContactFilter(text=customer.card_number))
    record_consent(customer.id, "sms", True, "in person")
    flow.press("Ctrl+7")
    seen = {}

    def new_campaign(dialog):
        flow.type("Fifteen off")
        flow.press("Tab")
        choose(flow, dialog.segment, SEGMENT)
        flow.press("Tab")
        choose(flow, dialog.channel, "sms")
        flow.press("Alt+M")
        flow.type("Your code: {voucher_code}")
        flow.click(dialog.transactional)  # whatever the demo shop sent them lately
        flow.press("Tab")
        assert dialog.offer_kind.hasFocus()
        choose(flow, dialog.offer_kind, "percent")
        assert dialog.offer_kind.currentText() == "Percent off"
        assert dialog.offer.percent.isVisible() and not dialog.offer_amount.isVisible()
        assert not dialog.offer_points.isVisible()
        flow.press("Tab")
        assert dialog.offer.percent.hasFocus()
        flow.press("Ctrl+A")
        flow.type("15")
        seen["shown"] = dialog.offer.percent.text()
        flow.wait_until(lambda: dialog.preview.toPlainText() == "Your code: K7QM-2XPR-9BQ4")
        flow.press("Ctrl+Return")

    flow.in_next_dialog(new_campaign, "New campaign")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()

    assert seen["shown"] == "15 % off"
    [made] = list_campaigns()
    offer = voucher_store.offer_of_campaign(made.id)
    assert (made.name, offer.kind, offer.value) == ("Fifteen off", "percent", 15)
    assert "Voucher: 15% off" in flow.screen_text()  # the selected campaign's details

    produce_campaign(made.id, lambda row, messages, progress: [])  # as Produce does
    code = printed(voucher_store.codes_of_campaign(made.id)[customer.id])
    before = balance_of(customer)
    counter = show_at_counter(flow, customer)

    def use(dialog):
        flow.type(code)
        flow.press("Return")  # the scanner's Enter, no purchase typed
        seen["refused"] = describe(dialog)
        seen["purchase focused"] = dialog.purchase.hasFocus()
        flow.type("24.45")
        flow.press("Return")

    flow.in_next_dialog(use, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    assert "A 15% voucher needs the purchase's amount." in seen["refused"]
    assert seen["purchase focused"]
    # 15% of $24.45 is $3.6675: to the cent, half up.
    assert (
        f"Voucher {code} (Fifteen off): take 15% off: $3.67 off the $24.45 purchase."
        in flow.screen_text()
    )
    assert voucher_store.redeemed_count(made.id) == (1, 1)
    assert balance_of(customer) == before  # nothing into the ledger: it is off the sale
    assert flow.window.focusWidget() is counter.search_box
    assert [c.name for c in campaign_store.campaigns()] == ["Fifteen off"]
