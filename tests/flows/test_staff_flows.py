"""Staff and PINs from the real window: a manager's action allowed while signed in and refused
after signing out, Lock hiding the customers until a PIN is typed, and (once the Counter asks
CurrentStaff.require_for_counter) no sale or redemption with nobody signed in."""

from __future__ import annotations

from relapp.db.models import Contact, Interaction, PointsEntry, Reward, Staff
from tests.flows.harness import Flow, visible_text
from tests.flows.people import a_card_holder, show_at_counter


def adjustments(customer: Contact):
    return PointsEntry.select().where(
        PointsEntry.contact == customer.id, PointsEntry.kind == "adjust"
    )


def choose_in_sign_in(flow: Flow, form, name: str) -> None:
    """Up and Down in the PIN field until name is chosen, as the cashier does."""
    for _ in range(form.staff_list.count()):
        if form.selected_member().name.startswith(name):
            return
        flow.press("Down")
    raise AssertionError(f"{name} is not listed")


def test_a_manager_adjusts_points_then_signs_out_and_is_refused(flow: Flow):
    customer = a_card_holder()
    maya = Staff.get(Staff.name.startswith("Maya"))
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+4")
    flow.press("Ctrl+Tab")  # the Customer statement tab, its customer field
    loyalty = flow.current_view()
    assert loyalty.tabs.currentIndex() == 1
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: customer.given_name in loyalty.statement_heading.text())

    def adjust(points: str, reason: str):
        def answer(dialog):
            flow.press("Ctrl+A")
            flow.type(points)
            flow.press("Tab")
            flow.type(reason)
            flow.press("Return")

        return answer

    flow.in_next_dialog(adjust("25", "Goodwill for a late order"), "Adjust points")
    flow.click(loyalty.adjust_button)
    entry = adjustments(customer).get()
    assert (entry.points, entry.staff_id, entry.reason) == (
        25,
        maya.id,
        "Goodwill for a late order",
    )
    assert loyalty.statement.item(0, 2).text() == "+25"

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Sign &out"))
    flow.press("Alt+T")  # the Staff menu: the toolbar's user menu, from the keyboard
    flow.wait_for_dialogs()
    # The chosen item acts once the menu has closed, after its handler returned: on a busy
    # machine that is a moment later.
    flow.wait_until(lambda: flow.window.current_staff.member is None)
    assert "Sign in" in flow.screen_text()

    refusal = {}

    def read_refusal(box):
        refusal["text"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(adjust("10", "Trying again"), "Adjust points")
    flow.in_next_dialog(read_refusal, "Loyalty program")
    flow.click(loyalty.adjust_button)
    flow.wait_for_dialogs()
    assert refusal["text"] == "Only a manager can adjust points."
    assert adjustments(customer).count() == 1


def test_ctrl_l_hides_the_customers_until_someone_signs_in(flow: Flow):
    window = flow.window
    flow.sign_in("Sam", "0000")
    flow.press("Ctrl+2")
    contacts = window.views["contacts"]
    flow.wait_until(lambda: contacts.model.rowCount() > 0)

    flow.press("Ctrl+L")
    lock = window.lock_screen
    assert lock.isVisible() and not contacts.isVisible() and not window.navigation.isVisible()
    assert window.current_staff.member is None
    assert "Relapp is locked" in flow.screen_text()
    assert "Customer data stays hidden until someone signs in with their PIN." in (
        flow.screen_text()
    )
    flow.press("Ctrl+2")  # the views stay out of reach
    flow.press("Ctrl+F")
    assert lock.isVisible() and not contacts.isVisible()

    choose_in_sign_in(flow, lock.form, "Sam")
    flow.type("9999")
    flow.press("Return")
    assert "That is not Sam's PIN. Try again." in flow.screen_text()
    assert lock.isVisible() and window.current_staff.member is None
    flow.type("0000")
    flow.press("Return")
    assert window.current_staff.member.name == "Sam"
    assert contacts.isVisible() and not lock.isVisible()
    assert "Sam (counter)" in flow.screen_text()


def test_a_sale_with_nobody_signed_in_asks_for_a_pin_first(flow: Flow):
    customer = a_card_holder()
    sam = Staff.get(Staff.name == "Sam")
    show_at_counter(flow, customer)
    said = {}

    def pay(dialog):
        flow.type("12.50")
        flow.press("Return")

    def sign_in(dialog):
        said["text"] = visible_text(dialog)
        choose_in_sign_in(flow, dialog, "Sam")
        flow.type("0000")
        flow.in_next_dialog(pay, "Record a sale")  # what opens next, once signed in
        flow.press("Return")

    flow.in_next_dialog(sign_in, "Sign in")
    flow.press("F2")
    flow.wait_for_dialogs()
    assert "Sign in to record a sale" in said["text"]
    sale = Interaction.select().where(Interaction.kind == "purchase").order_by(
        Interaction.id.desc()).first()  # fmt: skip
    assert (sale.contact_id, sale.amount_cents, sale.staff_id) == (customer.id, 1250, sam.id)


def test_a_redemption_with_nobody_signed_in_waits_for_a_pin(flow: Flow):
    cheapest = Reward.select(Reward.points_cost).order_by(Reward.points_cost).scalar()
    customer = a_card_holder(min_points=cheapest)
    redeemed = PointsEntry.select().where(
        PointsEntry.contact == customer.id, PointsEntry.kind == "redeem"
    )
    before = redeemed.count()
    show_at_counter(flow, customer)
    flow.in_next_dialog(lambda dialog: flow.press("Escape"), "Sign in")  # not now
    flow.press("F3")
    flow.wait_for_dialogs()
    assert redeemed.count() == before
    assert Contact.get_by_id(customer.id).points_balance == customer.points_balance
    assert flow.window.current_staff.member is None
