"""Partners from the real window: the owner adds a partner by keys (Campaigns > Partners…,
Alt+E), makes a batch of their codes and prints them and saves them as CSV; a cashier redeems
one at the Counter with F6 for a customer, who is then recorded as coming through the partner
(the panel says so); a partner-offer campaign leaves out the customers who did not agree to
partner offers; the partner report renders from the Partners window and the Reports view."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from relapp.db.models import Contact, Staff
from relapp.db.store import partners as partner_store
from relapp.domain.campaigns.campaigns import audience
from relapp.domain.campaigns.listing import list_campaigns
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.naming import person_name
from relapp.domain.partners.batches import batches_of, make_batch
from relapp.domain.partners.partners import Partner, find_partner, list_partners, save_partner
from relapp.ui.campaigns import partners_dialog
from tests.flows.harness import Flow, describe
from tests.flows.people import a_card_holder, show_at_counter
from tests.flows.test_campaign_flows import SEGMENT, choose
from tests.flows.test_more_flows import make_report


def luna_with_codes(count: int = 3) -> tuple[int, tuple[str, ...]]:
    """Café Luna as a manager saved it, with a batch of their codes: (id, codes as printed)."""
    manager = Staff.get(Staff.role == "manager").id
    save_partner(Partner("Café Luna", offers="Coffee and cake"), manager)
    partner_id = find_partner("Café Luna").id
    assert partner_id is not None
    made = make_batch(partner_id, "theirs_here", Offer("amount", 500), count, "Table cards",
                      staff_id=manager)  # fmt: skip
    return partner_id, made.codes


def test_a_manager_adds_a_partner_by_keys_makes_codes_and_hands_them_over(
    flow: Flow, tmp_path: Path, monkeypatch
):
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")
    view = flow.current_view()
    assert "Partn&ers…" in flow.screen_text()
    csv_path = tmp_path / "luna codes.csv"
    monkeypatch.setattr(partners_dialog, "choose_csv_path", lambda parent, suggested: csv_path)
    seen: dict[str, object] = {}

    def details(dialog):
        assert dialog.name.hasFocus()
        flow.type("Café Luna")
        flow.press("Alt+P")
        flow.type("Rosa Díaz")
        flow.press("Alt+O")
        flow.type("Coffee and cake")
        flow.press("Alt+F")  # the agreement's first day: today
        flow.wait_until(lambda: dialog.start.isEnabled())  # a mnemonic clicks a moment later
        flow.press("Return")

    def codes(dialog):
        assert dialog.direction.hasFocus()
        choose(flow, dialog.direction, "ours_there")
        flow.press("Alt+G")  # what each gives: an amount off
        choose(flow, dialog.offer.kind, "amount")
        flow.press("Tab")
        flow.type("5.00")
        flow.press("Alt+H")
        flow.press("Ctrl+A")
        flow.type("20")
        flow.press("Alt+L")
        flow.type("Counter flyers")
        flow.press("Return")

    def printed(dialog):
        seen["codes pages"] = dialog.pages
        seen["codes status"] = dialog.status.text()
        flow.press("Escape")

    def report(dialog):
        seen["report"] = dialog.status.text()
        seen["report path"] = dialog.preview.path
        seen["report text"] = " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(dialog.preview.path).pages
        )
        flow.press("Escape")

    demo_partners = len(list_partners())  # the demo shop's own

    def partners(dialog):
        assert dialog.table.rowCount() == demo_partners
        flow.in_next_dialog(details, "Partner details")
        flow.press("Alt+A")
        flow.wait_until(lambda: dialog.table.rowCount() == demo_partners + 1)
        assert dialog.table.item(0, 0).text() == "Café Luna"  # first by name
        assert dialog.table.item(0, 2).text() == "0"  # customers
        flow.press("Alt+D")  # the Codes tab
        flow.in_next_dialog(codes, "New codes for Café Luna")
        flow.press("Alt+N")
        flow.wait_until(lambda: dialog.batch_table.rowCount() == 1)
        row = [dialog.batch_table.item(0, column).text() for column in range(7)]
        seen["batch row"] = row
        seen["note"] = dialog.note.text()
        # A button's underlined letter clicks it a moment after the key, as a click does.
        flow.in_next_dialog(printed, "Codes to hand over")
        flow.press("Alt+O")
        flow.wait_until(lambda: "codes pages" in seen)
        flow.press("Alt+V")
        flow.wait_until(lambda: dialog.note.text().endswith(".csv."))
        seen["saved"] = dialog.note.text()
        flow.press("Alt+R")  # the Report tab
        flow.press("Alt+I")
        choose(flow, dialog.period, "this_quarter")
        flow.in_next_dialog(report, "Partner report")
        flow.press("Alt+M")
        flow.wait_until(lambda: "report" in seen, 30_000)
        flow.press("Escape")

    flow.in_next_dialog(partners, "Partners")
    flow.press("Alt+E")
    flow.wait_for_dialogs(60_000)

    [line] = [line for line in list_partners() if line.partner.name == "Café Luna"]
    partner = line.partner
    assert (partner.name, partner.contact_person, partner.offers) == (
        "Café Luna", "Rosa Díaz", "Coffee and cake")  # fmt: skip
    assert partner.agreement_from is not None and partner.agreement_until is None
    [batch] = batches_of(partner.id or 0)
    assert (batch.direction, batch.offer, batch.codes, batch.label) == (
        "ours_there", "$5.00 off", 20, "Counter flyers")  # fmt: skip
    assert seen["batch row"][:3] == ["Counter flyers", "Our codes, handed out there", "$5.00 off"]
    assert seen["batch row"][5:] == ["20", "0"]
    assert seen["note"] == "20 codes made: print them or save them as CSV to hand over."
    assert seen["codes pages"] == 1 and str(seen["codes status"]).startswith("1 page")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20 and {row["Partner"] for row in rows} == {"Café Luna"}
    assert seen["saved"] == f"20 codes saved in {csv_path}."
    assert str(seen["report"]).startswith("1 page")
    assert "Partner report: Café Luna" in str(seen["report text"])
    assert "Our codes, handed out there 20 0" in str(seen["report text"])
    assert view is flow.current_view()


def test_a_cashier_redeems_a_partners_code_with_f6_and_the_customer_came_through_them(
    flow: Flow,
):
    partner_id, codes = luna_with_codes()
    customer = a_card_holder(newest=True, plain=True)
    assert partner_store.referral_partner(customer.id) is None
    name = person_name(customer.given_name, customer.family_name)
    flow.sign_in("Sam", "0000")
    counter = show_at_counter(flow, customer)
    assert not counter.panel.partner.isVisible()

    def use(dialog):
        flow.type(codes[0])
        flow.press("Return")

    flow.in_next_dialog(use, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    assert partner_store.referral_partner(customer.id) == partner_id
    assert (
        f"Voucher {codes[0]} (Café Luna, Table cards): take $5.00 off the purchase;"
        f" {name} is recorded as coming through Café Luna." in flow.screen_text()
    )
    flow.wait_until(lambda: counter.panel.partner.text() == "Came through Café Luna")
    assert counter.panel.partner.isVisible()

    # The same code for another customer: told in the dialog, nothing changed.
    other = a_card_holder(plain=True)
    show_at_counter(flow, other)
    seen = {}

    def again(dialog):
        flow.type(codes[0])
        flow.press("Return")
        seen["refusal"] = describe(dialog)
        flow.press("Escape")

    flow.in_next_dialog(again, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()
    assert f"The voucher {codes[0]} was sent to another customer" in seen["refusal"]
    assert partner_store.referral_partner(other.id) is None


def test_a_new_customer_is_enrolled_then_redeems_a_partners_code(flow: Flow):
    partner_id, codes = luna_with_codes()
    flow.sign_in("Sam", "0000")
    flow.press("Ctrl+1")
    counter = flow.current_view()

    def enrol(dialog):
        flow.type("Zanele")
        flow.press("Alt+F")
        flow.type("Okafor")
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()
    new = Contact.get(Contact.given_name == "Zanele", Contact.family_name == "Okafor")
    flow.wait_until(lambda: counter.shown_contact_id == new.id)

    flow.in_next_dialog(lambda dialog: (flow.type(codes[1]), flow.press("Return")),
                        "Use a voucher")  # fmt: skip
    flow.press("F6")
    flow.wait_for_dialogs()
    assert partner_store.referral_partner(new.id) == partner_id
    assert [line.customers for line in list_partners() if line.partner.id == partner_id] == [1]


def test_a_partner_offer_campaign_leaves_out_customers_without_partner_consent(flow: Flow):
    partner_id, _codes = luna_with_codes()
    plain = audience(SEGMENT, "email")
    assert len(plain.reached) >= 3, "the demo shop has customers who agreed to emails"
    agreed = plain.reached[:2]
    for contact_id in agreed:
        record_consent(contact_id, "partner_offers", True, "form")
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")
    view = flow.current_view()
    seen = {}

    def new_campaign(dialog):
        flow.type("Luna coffee")
        flow.press("Tab")
        choose(flow, dialog.segment, SEGMENT)
        flow.press("Tab")
        choose(flow, dialog.channel, "email")
        flow.press("Alt+U")
        flow.type("A coffee on Café Luna")
        flow.press("Alt+M")
        flow.type("Hello {first_name}, Café Luna offers you a coffee.")
        flow.press("Alt+P")
        choose(flow, dialog.partner, partner_id)
        flow.wait_until(lambda: dialog.reach.text().startswith("2 to send"))
        seen["reach"] = dialog.reach.text()
        flow.click(dialog.create_button)

    flow.in_next_dialog(new_campaign, "New campaign")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()

    [made] = list_campaigns()
    assert made.partner_id == partner_id
    partner_offer = audience(SEGMENT, "email", partner_offer=True)
    assert set(partner_offer.reached) == set(agreed)
    left = len(partner_offer.left_out["no_consent"])
    assert left > len(plain.left_out["no_consent"])  # those who agreed to emails only too
    assert f"{left:,} no consent to partner offers or this channel" in seen["reach"]
    flow.wait_until(lambda: not view.counting)  # counted off the GUI thread
    assert view.summary.text() == "2 to send, 0 held out for comparison"
    assert (
        view.reasons.currentItem().text()
        == f"{left:,}  no consent to partner offers or this channel"
    )
    assert "Café Luna's offer: only for customers who agreed to partner offers." in (
        view.message.text()
    )


def test_the_partner_report_renders_from_the_reports_view(flow: Flow):
    partner_id, _codes = luna_with_codes()
    customer = a_card_holder()
    partner_store.set_referral_partner(customer.id, partner_id, "2026-01-01 00:00:00")
    flow.press("Ctrl+5")
    reports = flow.current_view()
    today = date.today()

    def fill():
        assert reports.partner.isVisible() and reports.since.isVisible()
        # A label added to a form on screen shows once the event loop runs.
        flow.wait_until(lambda: reports.parameters.labelForField(reports.partner).isVisible())
        flow.press("Alt+P")
        choose(flow, reports.partner, "Café Luna")
        flow.press("Alt+O")  # the period's first day
        reports.since.setDate(reports.since.date().addYears(-30))
        reports.until.setDate(today)

    status = make_report(flow, reports, "Partner report", fill)
    assert status.startswith("1 page")
    request = reports.request
    assert (request.kind, request.partner, request.until) == ("partner", "Café Luna", today)
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(reports.preview.path).pages)  # fmt: skip
    assert "Partner report: Café Luna" in text
    assert "Their codes, redeemable here 3 0" in text
