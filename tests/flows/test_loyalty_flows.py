"""The loyalty program from the real window: a manager changes the welcome bonus and a new
customer gets it, adds and edits a tier and a reward (the reward then offered at F3), a cashier
is refused, a sale's points are refunded from the customer's statement, and the Liability tab
shows what the shop owes, a sale included once the tab is back on screen."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QPushButton, QWidget

from relapp.db.models import Contact, Interaction, PointsEntry, Reward, Tier, database
from relapp.domain.shop.settings import load_settings
from tests.flows.harness import Flow
from tests.flows.people import a_card_holder, show_at_counter


def button(view: QWidget, text: str) -> QPushButton:
    [found] = [b for b in view.findChildren(QPushButton) if b.text() == text]
    return found


def open_program(flow: Flow):
    flow.press("Ctrl+4")
    loyalty = flow.current_view()
    assert loyalty.tabs.currentIndex() == 0
    assert loyalty.program_fields["points_per_unit"].hasFocus()
    return loyalty


def table_texts(table, column: int = 0) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_a_manager_raises_the_welcome_bonus_and_a_new_customer_gets_it(flow: Flow):
    flow.sign_in("Maya", "1234")
    loyalty = open_program(flow)
    assert loyalty.program_note.text() == ""
    for _ in range(3):  # points per unit, expiry, tier window: the welcome bonus
        flow.press("Tab")
    assert loyalty.program_fields["welcome_bonus_points"].hasFocus()
    flow.press("Ctrl+A")
    flow.type("275")
    flow.click(loyalty.save_program_button)
    assert load_settings().welcome_bonus_points == 275
    assert load_settings().birthday_bonus_points == 100  # the others as they were

    # Kept: another view and back shows the stored value.
    flow.press("Ctrl+3")
    flow.press("Ctrl+4")
    assert loyalty.program_fields["welcome_bonus_points"].value() == 275

    flow.press("Ctrl+1")

    def enrol(dialog):
        flow.type("Oona")
        flow.press("Alt+F")
        flow.type("Tremayne")
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Ctrl+N")
    oona = Contact.get(Contact.given_name == "Oona", Contact.family_name == "Tremayne")
    assert oona.points_balance == 275
    assert "275" in flow.screen_text()


def test_a_cashier_cannot_change_the_program(flow: Flow):
    flow.sign_in("Sam", "0000")
    loyalty = open_program(flow)
    assert loyalty.program_note.text() == "Sign in as a manager to change the program."
    flow.press("Ctrl+A")
    flow.type("9")
    refusal = {}

    def read(box):
        refusal["text"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(read, "Loyalty program")
    flow.click(loyalty.save_program_button)
    flow.wait_for_dialogs()
    assert "manager" in refusal["text"]
    assert load_settings().points_per_unit == 1


def test_a_manager_adds_a_tier_and_edits_it(flow: Flow):
    flow.sign_in("Maya", "1234")
    loyalty = open_program(flow)
    assert table_texts(loyalty.tiers) == ["Bronze", "Silver", "Gold"]

    def new_tier(dialog):
        assert dialog.name.hasFocus()
        flow.type("Platinum")
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("4000")
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("200")
        flow.press("Return")

    flow.in_next_dialog(new_tier, "Tier")
    flow.click(button(loyalty, "Add tier…"))
    platinum = Tier.get(Tier.name == "Platinum")
    assert (platinum.min_spend_cents, platinum.multiplier_percent) == (400_000, 200)
    assert table_texts(loyalty.tiers)[-1] == "Platinum"
    assert loyalty.tiers.item(3, 2).text() == "×2"

    def rename(dialog):
        assert dialog.name.text() == "Platinum"
        assert dialog.spend.text() in ("4000.00", "4,000.00")
        flow.press("Ctrl+A")
        flow.type("Diamond")
        flow.press("Tab")
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("175")
        flow.press("Return")

    loyalty.tiers.setFocus()
    flow.press("Ctrl+End")  # the last row: Platinum
    flow.in_next_dialog(rename, "Tier")
    flow.press("Return")  # Enter on a row edits it
    tier = Tier.get_by_id(platinum.id)
    assert (tier.name, tier.min_spend_cents, tier.multiplier_percent) == ("Diamond", 400_000, 175)
    assert table_texts(loyalty.tiers) == ["Bronze", "Silver", "Gold", "Diamond"]
    assert loyalty.tiers.item(3, 2).text() == "×1.75"


def test_a_new_reward_is_offered_at_the_counter_until_it_is_withdrawn(flow: Flow):
    flow.sign_in("Maya", "1234")
    loyalty = open_program(flow)

    def new_reward(dialog):
        assert dialog.name.hasFocus()
        flow.type("Tote bag")
        flow.press("Tab")
        flow.type("Canvas, with the shop's lantern")
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("40")
        flow.press("Tab")  # the stock is off while Unlimited is ticked: Unlimited
        assert dialog.unlimited.hasFocus()
        flow.press("Space")  # a limited stock
        flow.press("Shift+Tab")
        assert dialog.stock.hasFocus()
        flow.press("Ctrl+A")
        flow.type("12")
        flow.press("Return")

    flow.in_next_dialog(new_reward, "Reward")
    flow.click(button(loyalty, "Add reward…"))
    tote = Reward.get(Reward.name == "Tote bag")
    assert (tote.description, tote.points_cost, tote.stock, tote.active) == (
        "Canvas, with the shop's lantern",
        40,
        12,
        True,
    )
    row = table_texts(loyalty.rewards).index("Tote bag")
    assert [loyalty.rewards.item(row, c).text() for c in range(4)] == [
        "Tote bag",
        "40",
        "12",
        "yes",
    ]

    # The counter offers it to a customer with enough points.
    customer = (
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.points_balance >= 40,
            Contact.archived_at.is_null(),
            Contact.erased_at.is_null(),
        )
        .first()
    )
    offered = {}

    def look(dialog):
        offered["rewards"] = [dialog.rewards.item(r).text() for r in range(dialog.rewards.count())]
        flow.press("Escape")

    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: flow.current_view().shown_contact_id == customer.id)
    flow.in_next_dialog(look, "Redeem")
    flow.press("F3")
    flow.wait_for_dialogs()
    assert any("Tote bag" in text for text in offered["rewards"])

    # Withdrawn: Offered at the counter unticked.
    def withdraw(dialog):
        assert dialog.name.text() == "Tote bag" and dialog.stock.value() == 12
        dialog.active.setFocus()
        flow.press("Space")
        assert not dialog.active.isChecked()
        flow.press("Return")

    flow.press("Ctrl+4")
    loyalty.rewards.setFocus()
    flow.move_to(loyalty.rewards, "Tote bag")
    flow.in_next_dialog(withdraw, "Reward")
    flow.click(button(loyalty, "Edit reward…"))
    assert Reward.get_by_id(tote.id).active is False
    row = table_texts(loyalty.rewards).index("Tote bag")  # withdrawn rewards come last
    assert row == loyalty.rewards.rowCount() - 1
    assert loyalty.rewards.item(row, 3).text() == "no"

    flow.press("Ctrl+1")
    flow.in_next_dialog(look, "Redeem")
    flow.press("F3")
    flow.wait_for_dialogs()
    assert not any("Tote bag" in text for text in offered["rewards"])


def test_a_sales_points_are_refunded_from_the_statement(flow: Flow):
    flow.sign_in("Maya", "1234")
    customer = (
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.archived_at.is_null(),
            Contact.erased_at.is_null(),
            Contact.kind == "person",
        )
        .order_by(Contact.id.desc())
        .first()
    )
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: flow.current_view().shown_contact_id == customer.id)
    flow.in_next_dialog(lambda d: (flow.type("64.00"), flow.press("Return")), "Record a sale")
    flow.press("F2")
    sale = Interaction.get(Interaction.contact == customer.id, Interaction.amount_cents == 6400)
    earned = PointsEntry.get(PointsEntry.interaction == sale.id, PointsEntry.kind == "earn")
    balance = Contact.get_by_id(customer.id).points_balance

    flow.press("Ctrl+4")
    loyalty = flow.current_view()
    flow.press("Ctrl+Tab")
    flow.type(str(customer.id))
    flow.press("Return")
    flow.wait_until(lambda: customer.given_name in loyalty.statement_heading.text())
    assert not loyalty.refund_button.isEnabled()
    flow.move_to(loyalty.statement, f"+{earned.points}")
    assert loyalty.refund_button.isEnabled()

    def why(dialog):
        flow.type("Returned unworn")
        flow.press("Return")

    flow.in_next_dialog(why, "Refund sale")
    flow.click(loyalty.refund_button)
    flow.wait_for_dialogs()
    back = Contact.get_by_id(customer.id).points_balance
    assert back == balance - earned.points
    assert f"{back} points" in loyalty.statement_heading.text().replace(",", "")
    assert loyalty.statement.item(0, 2).text() == f"-{earned.points}"


def test_the_liability_tab_shows_what_the_shop_owes_and_follows_a_sale(flow: Flow):
    def owed() -> str:
        total = database.execute_sql("SELECT sum(points_balance) FROM contact").fetchone()[0]
        return f"Outstanding: {QLocale().toString(total)} points"

    flow.press("Ctrl+4")
    loyalty = flow.current_view()
    flow.press("Ctrl+Tab")
    flow.press("Ctrl+Tab")  # Program, Customer statement, Liability
    flow.wait_until(lambda: loyalty.tabs.currentWidget() is loyalty.liability_page)
    flow.wait_until(lambda: loyalty.liability_summary.text().startswith(owed()))
    tiers_with_points = (
        Contact.select(Contact.tier)
        .where(Contact.points_balance > 0, Contact.erased_at.is_null())
        .distinct()
        .count()
    )
    assert loyalty.liability.rowCount() == tiers_with_points
    before = loyalty.liability_summary.text()

    # A sale at the Counter earns points: the tab shows the new total when it is back.
    flow.sign_in("Sam", "0000")
    show_at_counter(flow, a_card_holder())
    flow.in_next_dialog(lambda dialog: (flow.type("100.00"), flow.press("Return")),
                        "Record a sale")  # fmt: skip
    flow.press("F2")
    flow.wait_for_dialogs()
    flow.press("Ctrl+4")
    flow.wait_until(lambda: loyalty.liability_summary.text().startswith(owed()))
    assert loyalty.liability_summary.text() != before
