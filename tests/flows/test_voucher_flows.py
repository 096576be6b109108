"""A campaign's voucher at the Counter, from the real window: the cashier shows the customer,
presses F6 and types (or scans) the code the customer was sent; the points are added once,
the panel shows the new balance, and a code used already or mistyped is told in the dialog
with nothing changed."""

from __future__ import annotations

from relapp.db.models import Contact
from relapp.db.store import campaigns as campaign_store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
from relapp.domain.campaigns.vouchers import ALPHABET, Offer, printed
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.flows.harness import Flow, describe
from tests.flows.people import show_at_counter


def a_card_holder_with_a_phone() -> Contact:
    return (
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.phone.is_null(False),
            Contact.kind == "person",
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Contact.id)
        .first()
    )


def voucher_sent_to(customer: Contact) -> str:
    """A produced text-message campaign with a 200-point voucher for customer alone: its code
    as the customer reads it in their message (K7QM-2XPR-9BQ4)."""
    save_segment("Voucher test", ContactFilter(text=customer.card_number))
    record_consent(customer.id, "sms", True, "in person")
    create_campaign(
        "Spring points", "Voucher test", "sms", "Your code: {voucher_code}",
        transactional=True,  # whatever the demo shop sent them lately
        offer=Offer("points", 200),
    )  # fmt: skip
    (campaign,) = campaign_store.campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    codes = voucher_store.codes_of_campaign(campaign.id)
    assert list(codes) == [customer.id]
    return printed(codes[customer.id])


def balance_of(customer: Contact) -> int:
    return Contact.get_by_id(customer.id).points_balance


def test_a_points_voucher_is_used_once_with_f6(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder_with_a_phone()
    code = voucher_sent_to(customer)
    name = f"{customer.given_name} {customer.family_name}"
    before = balance_of(customer)
    counter = show_at_counter(flow, customer)
    assert "Use voucher (F6)" in flow.screen_text()
    seen = {}

    def use(dialog):
        assert dialog.code.hasFocus()
        flow.type(code.lower())  # as a person types it: lower case, with the dashes
        flow.press("Return")

    flow.in_next_dialog(use, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    after = before + 200
    assert balance_of(customer) == after
    assert (
        f"Voucher {code} (Spring points): 200 bonus points added. {name} now has {after:,} points."
        in flow.screen_text()
    )
    assert counter.panel.points.text() == f"{after:,}"  # refreshed through the Change
    assert counter.search_box.text() == ""
    assert flow.window.focusWidget() is counter.search_box  # where the next scan goes

    def again(dialog):
        flow.type(code)
        flow.press("Return")  # the scanner's Enter
        seen["again"] = describe(dialog)
        seen["code kept"] = dialog.code.text()
        seen["open"] = dialog.isVisible()
        flow.press("Escape")

    flow.in_next_dialog(again, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    assert f"The voucher {code} was used already, on " in seen["again"]
    assert seen["code kept"] == code and seen["open"]
    assert balance_of(customer) == after
    assert counter.panel.points.text() == f"{after:,}"


def test_a_mistyped_code_is_told_in_the_dialog_and_can_be_corrected(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder_with_a_phone()
    code = voucher_sent_to(customer)
    before = balance_of(customer)
    show_at_counter(flow, customer)
    last = code[-1]
    mistyped = code[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]
    seen = {}

    def use(dialog):
        flow.type(mistyped)
        flow.press("Return")
        seen["mistake"] = describe(dialog)
        seen["code kept"] = dialog.code.text()
        flow.press("End")  # corrected: the last character typed again
        flow.press("Backspace")
        flow.type(last)
        assert not dialog.problems.isVisible()  # the refusal was about the code as it was
        flow.press("Return")

    flow.in_next_dialog(use, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    assert "has a typing mistake" in seen["mistake"]
    assert seen["code kept"] == mistyped
    assert balance_of(customer) == before + 200


def test_a_bad_purchase_amount_is_one_sentence_and_nothing_is_used(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder_with_a_phone()
    code = voucher_sent_to(customer)
    before = balance_of(customer)
    show_at_counter(flow, customer)
    seen = {}

    def use(dialog):
        flow.type(code)
        flow.press("Alt+P")
        flow.type("12 50")
        flow.press("Return")
        seen["said"] = dialog.problems.text()
        flow.press("Escape")

    flow.in_next_dialog(use, "Use a voucher")
    flow.press("F6")
    flow.wait_for_dialogs()

    assert seen["said"].startswith("'12 50' has a space inside")
    assert balance_of(customer) == before


def test_keyboard_shortcuts_list_f6_at_the_counter(flow: Flow):
    seen = {}

    def read(dialog):
        seen["lines"] = dialog.lines()
        flow.press("Escape")

    flow.in_next_dialog(read, "Keyboard shortcuts")
    flow.press("F1")
    flow.wait_for_dialogs()
    assert ("Counter view", "F6", "Use voucher") in seen["lines"]
