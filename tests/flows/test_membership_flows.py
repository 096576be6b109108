"""Memberships from the real window: a manager adds a plan in Loyalty by keys; at the Counter
a customer joins with F9 and Enter (the payment recorded, the panel showing the membership
and its discount), a sale earns the member's rate, renewing makes a second row, cancelling
asks first; Today lists a renewal due; the members report and a membership card print."""

from __future__ import annotations

from datetime import timedelta

from relapp.db.models import Contact, Interaction, PointsEntry, Staff, Tier
from relapp.db.store import memberships as store
from relapp.domain.contacts.naming import person_name
from relapp.domain.memberships.lists import members_in_grace, renewals_due
from relapp.domain.memberships.members import join, memberships_of
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import CANCELLED, CURRENT, shop_today
from relapp.domain.shop.settings import load_settings
from tests.flows.harness import Flow
from tests.flows.people import a_card_holder, show_at_counter
from tests.flows.test_campaign_flows import choose
from tests.flows.test_more_flows import make_report

GOLD = Plan("Gold", fee_cents=5000, length_months=12, grace_days=30,
            points_multiplier_percent=150, discount_percent=10, reminder_days=30)  # fmt: skip


def gold_plan() -> int:
    """The plan as a manager would have saved it; its id."""
    save_plan(GOLD, Staff.get(Staff.role == "manager").id)
    return next(line.plan.id for line in list_plans() if line.plan.name == "Gold")


def test_a_manager_adds_a_plan_in_the_loyalty_view_by_keys(flow: Flow):
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+4")
    loyalty = flow.current_view()
    flow.press("Alt+M")  # the Memberships tab
    flow.wait_until(lambda: loyalty.tabs.currentWidget() is loyalty.plans_page)
    demo_plans = len(list_plans())  # the demo shop's own
    assert loyalty.plans_page.plans.rowCount() == demo_plans

    def new_plan(dialog):
        assert dialog.name.hasFocus()
        flow.type("Gold")
        flow.press("Alt+F")
        flow.press("Ctrl+A")
        flow.type("50.00")
        flow.press("Alt+G")
        flow.press("Ctrl+A")
        flow.type("30")
        flow.press("Alt+U")
        flow.press("Ctrl+A")
        flow.type("150")
        flow.press("Alt+D")
        flow.press("Ctrl+A")
        flow.type("10")
        flow.press("Return")

    flow.in_next_dialog(new_plan, "Membership plan")
    flow.press("Alt+A")
    flow.wait_for_dialogs()
    [line] = [line for line in list_plans() if line.plan.name == "Gold"]
    saved = line.plan
    assert (saved.name, saved.fee_cents, saved.length_months, saved.grace_days) == (
        "Gold", 5000, 12, 30)  # fmt: skip
    assert (saved.points_multiplier_percent, saved.discount_percent) == (150, 10)
    table = loyalty.plans_page.plans
    flow.wait_until(lambda: table.rowCount() == demo_plans + 1)
    [row] = [row for row in range(table.rowCount()) if table.item(row, 0).text() == "Gold"]
    assert [table.item(row, column).text() for column in (0, 2, 4)] == [
        "Gold", "12 months", "points ×1.5 · 10% discount"]  # fmt: skip


def test_a_cashier_cannot_add_a_plan(flow: Flow):
    flow.sign_in("Sam", "0000")
    flow.press("Ctrl+4")
    loyalty = flow.current_view()
    loyalty.tabs.setCurrentWidget(loyalty.plans_page)
    assert "Sign in as a manager to change the plans." in loyalty.plans_page.note.text()
    refusal = {}

    def read(box):
        refusal["text"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(lambda dialog: (flow.type("Gold"), flow.press("Return")),
                        "Membership plan")  # fmt: skip
    flow.in_next_dialog(read, "Loyalty program")
    flow.press("Alt+A")
    flow.wait_for_dialogs()
    assert "manager" in refusal["text"]
    assert "Gold" not in [line.plan.name for line in list_plans()]


def test_a_customer_joins_at_the_counter_earns_the_member_rate_and_renews(flow: Flow):
    plan_id = gold_plan()
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True, plain=True)
    counter = show_at_counter(flow, customer)
    assert counter.panel.membership.text() == "Not a member"
    assert counter.panel.membership_button.text() == "Membership… (F9)"

    def join_gold(dialog):
        assert dialog.plan.hasFocus() and dialog.join_button.text() == "&Join"
        choose(flow, dialog.plan, plan_id)  # the demo shop's plans come first
        assert dialog.paid.text() in ("50.00", "50,00")
        assert not dialog.cancel_membership_button.isVisible()  # nothing to cancel yet
        flow.press("Return")

    flow.in_next_dialog(join_gold, "Membership")
    flow.press("F9")
    flow.wait_for_dialogs()

    [member] = memberships_of(customer.id)
    today = shop_today()
    assert (member.plan_id, member.starts_on, member.status(today)) == (plan_id, today, CURRENT)
    assert [row[1] for row in store.payments_of(member.id)] == [5000]
    shown = counter.panel.membership.text()
    assert shown.startswith("Gold member · current until ") and shown.endswith(" · 10% discount")
    assert "joined Gold until" in flow.screen_text()
    sam = Staff.get(Staff.name.startswith("Sam"))
    assert store.payments_of(member.id)[0][3] == sam.id

    flow.in_next_dialog(lambda dialog: (flow.type("20.00"), flow.press("Return")),
                        "Record a sale")  # fmt: skip
    show_at_counter(flow, customer)
    flow.press("F2")
    flow.wait_for_dialogs()
    sale = (Interaction.select().where(Interaction.contact == customer.id,
                                       Interaction.kind == "purchase")
            .order_by(Interaction.id.desc()).first())  # fmt: skip
    earned = PointsEntry.get(PointsEntry.interaction == sale.id)
    assert earned.reason.endswith("(Gold member: points ×1.5)")
    # $20.00 at the demo's rate, its tier's multiplier (as the sale used it), then ×1.5.
    tier = Tier.get_or_none(Tier.id == Contact.get_by_id(customer.id).tier_id)
    multiplier = 100 if tier is None else tier.multiplier_percent
    assert earned.points == 2000 * load_settings().points_per_unit * multiplier * 150 // 1_000_000

    def renew_it(dialog):
        assert dialog.join_button.text() == "&Renew"
        flow.press("Return")

    show_at_counter(flow, customer)
    flow.in_next_dialog(renew_it, "Membership")
    flow.press("F9")
    flow.wait_for_dialogs()
    first, second = memberships_of(customer.id)
    assert first == member  # the first is kept as it was
    assert (second.renewed_from_id, second.starts_on) == (
        first.id, first.ends_on + timedelta(days=1))  # fmt: skip
    assert "renewed to" in counter.panel.membership.text()


def test_cancelling_asks_first_then_the_panel_says_so(flow: Flow):
    plan_id = gold_plan()
    customer = a_card_holder(newest=True, plain=True)
    join(customer.id, plan_id)
    flow.sign_in("Sam", "0000")
    counter = show_at_counter(flow, customer)

    def really(box):
        [go] = [button for button in box.buttons() if button.text() == "Cancel membership"]
        flow.click(go)

    flow.in_next_dialog(lambda dialog: flow.press("Alt+M"), "Membership")
    flow.in_next_dialog(really, "Cancel membership")
    flow.press("F9")
    flow.wait_for_dialogs()
    assert memberships_of(customer.id)[0].status(shop_today()) == CANCELLED
    flow.wait_until(lambda: counter.panel.membership.text() == "Gold membership cancelled")


def test_today_lists_a_renewal_due_and_enter_opens_the_member(flow: Flow):
    plan_id = gold_plan()
    customer = a_card_holder(newest=True, plain=True)
    # The demo shop's own members due and in grace, then one more due.
    due, in_grace = renewals_due(shop_today()).total, members_in_grace(shop_today()).total
    # A year's membership that started 350 days ago ends within the plan's 30 days' reminder.
    join(customer.id, plan_id, shop_today() - timedelta(days=350))
    flow.press("Ctrl+3")
    flow.press("Ctrl+R")  # joined behind the window's back (no change published): read again
    today = flow.current_view()
    flow.wait_until(lambda: "renewals" in today.work_list.sections)
    assert today.work_list.sections["renewals"].text(0) == f"Memberships to renew ({due + 1})"
    assert today.work_list.sections["in_grace"].text(0) == f"Members in grace ({in_grace})"
    assert f"{due + 1} membership{'s' if due else ''} to renew" in today.summary_label.text()
    name = person_name(customer.given_name, customer.family_name)
    flow.move_to(today.work_list, name)
    flow.press("Return")
    assert flow.window.current_view_key() == "counter"
    assert flow.current_view().shown_contact_id == customer.id


def test_the_members_report_and_a_membership_card_print(flow: Flow):
    plan_id = gold_plan()
    customer = a_card_holder(newest=True, plain=True)
    join(customer.id, plan_id)
    flow.sign_in("Sam", "0000")
    flow.press("Ctrl+5")
    reports = flow.current_view()
    status = make_report(flow, reports, "Members report")
    assert status.startswith("1 page") and reports.request.kind == "members"

    show_at_counter(flow, customer)
    seen = {}

    def look(dialog):
        seen["status"] = dialog.status.text()
        flow.press("Escape")

    flow.in_next_dialog(lambda dialog: flow.press("Alt+P"), "Membership")
    flow.in_next_dialog(look, "Membership cards")
    flow.press("F9")
    flow.wait_for_dialogs()
    assert seen["status"].startswith("1 page")
