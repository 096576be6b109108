"""Gift cards at the Counter, from the real window: F8 sells a card to the customer shown and
prints it, a later visit takes part of it by typing the code and sees what is left, more than
the balance is refused in the dialog with nothing taken, and with nobody shown a bearer card
is sold."""

from __future__ import annotations

from pypdf import PdfReader

from relapp.db.models import database
from relapp.domain.contacts.naming import person_name
from tests.flows.harness import Flow, describe
from tests.flows.people import a_card_holder, show_at_counter


def card_row(code: str) -> tuple[int | None, int]:
    """(holder, balance) of the card as stored, its balance checked against its ledger."""
    holder, balance, total = database.execute_sql(
        "SELECT contact_id, balance_cents, (SELECT sum(amount_cents) FROM gift_card_entry"
        " WHERE card_id = gift_card.id) FROM gift_card WHERE code = ?",
        (code,),
    ).fetchone()
    assert balance == total
    return holder, balance


def test_a_card_is_sold_printed_and_redeemed_in_part_from_the_keyboard(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder()
    name = person_name(customer.given_name, customer.family_name)
    counter = show_at_counter(flow, customer)
    assert "Gift card… (F8)" in flow.screen_text()
    seen: dict[str, object] = {}

    def printed(preview):
        seen["pdf"] = preview.preview.path
        seen["pdf text"] = PdfReader(preview.preview.path).pages[0].extract_text()
        flow.press("Escape")

    def sell(dialog):
        assert dialog.tabs.currentIndex() == 0 and dialog.sell_amount.hasFocus()
        assert dialog.for_customer.isChecked()  # the customer shown: their card
        flow.type("50")
        flow.press("Return")
        seen["sold"] = dialog.sold
        seen["said"] = dialog.sold_text.text()
        flow.in_next_dialog(printed, "Gift card to print")
        flow.press("Return")  # once sold, Enter prints it
        flow.wait_until(lambda: "pdf" in seen)
        flow.press("Escape")

    flow.in_next_dialog(sell, "Gift card")
    flow.press("F8")
    flow.wait_for_dialogs()

    card = seen["sold"]
    assert f"Gift card {card.shown} sold for $50.00 to {name}." in seen["said"]
    assert card_row(card.code) == (customer.id, 5000)
    assert card.shown in seen["pdf text"] and "$50.00" in seen["pdf text"]
    assert f"For {name}" in seen["pdf text"]
    assert f"Gift card {card.shown} sold for $50.00 to {name}." in flow.screen_text()
    assert counter.panel.gift_cards.text() == f"Gift card {card.shown}: $50.00 left"

    def redeem(dialog):
        flow.press("Alt+R")
        assert dialog.redeem_code.hasFocus()
        flow.type(card.shown.lower().replace("-", " "))  # as read out, in any case
        flow.press("Tab")
        flow.type("20")
        flow.press("Return")
        seen["taken"] = dialog.redeemed_text.text()
        assert dialog.redeem_code.hasFocus()  # selected: the next scan replaces it
        flow.type(card.shown)
        flow.press("Tab")
        flow.type("40")
        flow.press("Return")
        seen["refused"] = dialog.redeem_problems.text()
        seen["refused field"] = dialog.focusWidget() is dialog.redeem_amount
        seen["balance before the check"] = card_row(card.code)
        flow.press("Alt+B")
        flow.type(card.code)  # as a scanner types it
        flow.press("Return")
        seen["balance"] = dialog.balance_text.text()
        flow.press("Escape")

    flow.in_next_dialog(redeem, "Gift card")
    flow.press("F8")
    flow.wait_for_dialogs()

    assert seen["taken"] == f"$20.00 taken from gift card {card.shown}: $30.00 left."
    assert seen["refused"] == (
        f"The gift card {card.shown} has $30.00 left; $40.00 cannot be taken from it."
    )
    assert seen["refused field"]
    assert seen["balance before the check"] == (customer.id, 3000)  # the refusal took nothing
    assert seen["balance"].startswith(f"{card.shown}: $30.00 left of $50.00.\nSold ")
    assert seen["balance"].endswith(f"no expiry date · {name}'s card.")
    assert card_row(card.code) == (customer.id, 3000)
    assert f"$20.00 taken from gift card {card.shown}: $30.00 left." in flow.screen_text()
    assert counter.panel.gift_cards.text() == f"Gift card {card.shown}: $30.00 left"
    assert flow.window.focusWidget() is counter.search_box


def test_a_mistyped_code_is_told_and_an_undone_redemption_goes_back_on(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = a_card_holder()
    show_at_counter(flow, customer)
    seen: dict[str, object] = {}

    def sell_then_redeem(dialog):
        flow.type("30")
        flow.press("Return")
        card = seen["card"] = dialog.sold
        flow.press("Alt+R")
        wrong = card.shown[:-1] + ("0" if card.shown[-1] != "0" else "1")
        flow.type(wrong)
        flow.press("Tab")
        flow.type("12.50")
        flow.press("Return")
        seen["mistake"] = describe(dialog)
        seen["after mistake"] = card_row(card.code)
        flow.press("Home")
        flow.type(card.shown)  # typed again, whole
        flow.press("Shift+End")
        flow.press("Delete")
        flow.press("Return")
        seen["after redeem"] = card_row(card.code)
        flow.click(dialog.undo_button)
        seen["undone"] = dialog.redeemed_text.text()
        flow.press("Escape")

    flow.in_next_dialog(sell_then_redeem, "Gift card")
    flow.press("F8")
    flow.wait_for_dialogs()

    card = seen["card"]
    assert "has a typing mistake" in seen["mistake"]
    assert seen["after mistake"] == (customer.id, 3000)
    assert seen["after redeem"] == (customer.id, 1750)
    assert seen["undone"] == f"Redemption undone: $12.50 back on {card.shown}, $30.00 left."
    assert card_row(card.code) == (customer.id, 3000)
    kinds = database.execute_sql(
        "SELECT e.kind, e.amount_cents FROM gift_card_entry e JOIN gift_card g"
        " ON g.id = e.card_id WHERE g.code = ? ORDER BY e.id",
        (card.code,),
    ).fetchall()
    assert [tuple(row) for row in kinds] == [("sale", 3000), ("redeem", -1250),
                                             ("reversal", 1250)]  # fmt: skip


def test_with_nobody_shown_a_bearer_card_is_sold_and_given_to_a_customer_later(flow: Flow):
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+1")
    seen: dict[str, object] = {}

    def sell(dialog):
        assert not dialog.for_customer.isVisible()
        assert "bearer card: whoever holds it may use it" in describe(dialog)
        flow.type("25")
        flow.press("Return")
        seen["card"] = dialog.sold
        flow.press("Escape")

    flow.in_next_dialog(sell, "Gift card")
    flow.press("F8")
    flow.wait_for_dialogs()

    card = seen["card"]
    assert card_row(card.code) == (None, 2500)
    assert f"Gift card {card.shown} sold for $25.00." in flow.screen_text()

    customer = a_card_holder()
    name = person_name(customer.given_name, customer.family_name)
    counter = show_at_counter(flow, customer)

    def give(dialog):
        flow.press("Alt+B")
        flow.type(card.shown)
        flow.press("Return")
        assert "a bearer card" in dialog.balance_text.text()
        flow.click(dialog.attach_button)
        seen["given"] = dialog.balance_text.text()
        flow.press("Escape")

    flow.in_next_dialog(give, "Gift card")
    flow.press("F8")
    flow.wait_for_dialogs()

    assert seen["given"] == f"Gift card {card.shown} is now {name}'s."
    assert card_row(card.code) == (customer.id, 2500)
    assert counter.panel.gift_cards.text() == f"Gift card {card.shown}: $25.00 left"
