"""The counter, from the real window: what a cashier does with a customer in front of them."""

from __future__ import annotations

from relapp.db.models import Contact, Interaction, PointsEntry, Reward
from relapp.domain.contacts.naming import person_name
from relapp.domain.loyalty.usual_spend import unusual_amount
from relapp.domain.shop.formats import shop_format
from tests.flows.harness import Flow, describe
from tests.flows.people import a_card_holder


def test_scan_a_card_and_record_a_sale(flow: Flow):
    flow.sign_in("Sam", "0000")  # the demo shop has staff PINs: a sale says who made it
    customer = a_card_holder()
    balance_before = customer.points_balance
    purchases = Interaction.select().where(Interaction.kind == "purchase")
    purchases_before = purchases.count()

    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: customer.given_name in flow.screen_text())

    def pay(dialog):
        flow.type("12.50")
        flow.press("Return")

    flow.in_next_dialog(pay, "Record a sale")
    flow.press("F2")

    sale = purchases.order_by(Interaction.id.desc()).first()
    assert purchases.count() == purchases_before + 1
    assert (sale.contact_id, sale.amount_cents) == (customer.id, 1250)
    after = Contact.get_by_id(customer.id)
    assert after.points_balance > balance_before


def test_redeem_a_reward_with_f3(flow: Flow):
    flow.sign_in("Sam", "0000")  # the demo shop has staff PINs: a sale says who made it
    customer = a_card_holder(
        min_points=Reward.select(Reward.points_cost).order_by(Reward.points_cost).scalar()
    )
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: customer.given_name in flow.screen_text())

    flow.in_next_dialog(lambda dialog: flow.press("Return"), "Redeem a reward")
    flow.press("F3")

    spent = (
        PointsEntry.select()
        .where(PointsEntry.contact == customer.id, PointsEntry.kind == "redeem")
        .order_by(PointsEntry.id.desc())
        .first()
    )
    assert spent is not None and spent.points < 0
    assert Contact.get_by_id(customer.id).points_balance == customer.points_balance + spent.points


def test_after_a_sale_the_counter_confirms_and_the_next_scan_starts_clean(flow: Flow):
    flow.sign_in("Sam", "0000")  # the demo shop has staff PINs: a sale says who made it
    first, second = (
        Contact.select()
        .where(
            Contact.card_number.is_null(False),
            Contact.kind == "person",
            Contact.erased_at.is_null(),
            Contact.archived_at.is_null(),
        )
        .order_by(Contact.id)
        .limit(2)
    )
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(first.card_number)
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == first.id)
    flow.in_next_dialog(lambda d: (flow.type("12.50"), flow.press("Return")), "Record a sale")
    flow.press("F2")

    after = Contact.get_by_id(first.id)
    name = person_name(first.given_name, first.family_name)
    assert counter.confirmation.isVisible()
    earned = after.points_balance - first.points_balance
    assert (
        f"$12.50 recorded: +{earned} points, {name} now has {after.points_balance:,} points."
        in flow.screen_text()
    )  # the demo shop sells in Australian dollars
    assert counter.search_box.text() == ""
    assert flow.window.focusWidget() is counter.search_box  # where the next scan goes

    flow.type(second.card_number)  # the next customer's card, scanned
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == second.id)
    assert counter.search_box.text() == second.card_number


def test_after_a_redemption_the_counter_says_the_new_balance(flow: Flow):
    flow.sign_in("Sam", "0000")  # the demo shop has staff PINs: a sale says who made it
    customer = a_card_holder(
        min_points=Reward.select(Reward.points_cost).order_by(Reward.points_cost).scalar()
    )
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == customer.id)
    flow.in_next_dialog(lambda dialog: flow.press("Return"), "Redeem a reward")
    flow.press("F3")
    balance = Contact.get_by_id(customer.id).points_balance
    reward = (
        PointsEntry.select()
        .where(PointsEntry.contact == customer.id, PointsEntry.kind == "redeem")
        .order_by(PointsEntry.id.desc())
        .first()
        .reward
    )
    name = person_name(customer.given_name, customer.family_name)
    assert f"{reward.name} redeemed: {name} now has {balance:,} points." in flow.screen_text()
    assert counter.search_box.text() == ""


def test_an_unknown_card_says_so_and_enter_enrols_it(flow: Flow):
    from relapp.domain.loyalty.cards import card_number_for

    card = card_number_for(987_654)
    assert Contact.get_or_none(Contact.card_number == card) is None
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(card)
    flow.press("Return")  # the scanner's Enter: shows the card is unknown, opens nothing
    flow.wait_until(lambda: counter.right.currentWidget() is counter.unknown_card)
    assert f"No customer has card {card}." in flow.screen_text()
    assert "No customer matches" not in flow.screen_text()  # said once, in the main panel
    assert counter.enrol_card_button.isVisible()

    def enrol(dialog):
        assert dialog.card_number.text() == card
        flow.type("Priya")
        flow.press("Alt+F")
        flow.type("Venkataraman")
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Return")  # Enrol this card

    enrolled = Contact.get(Contact.card_number == card)
    assert (enrolled.given_name, enrolled.family_name) == ("Priya", "Venkataraman")
    assert counter.shown_contact_id == enrolled.id
    welcome = enrolled.points_balance
    assert welcome == 50  # the demo shop's welcome bonus
    assert (
        f"Priya Venkataraman is enrolled with card {card} and 50 welcome points."
        in flow.screen_text()
    )
    assert counter.search_box.text() == ""


def test_a_misread_card_asks_for_it_again(flow: Flow):
    from relapp.domain.loyalty.cards import card_number_for

    card = card_number_for(987_654)
    misread = card[:-1] + str((int(card[-1]) + 1) % 10)  # the check digit no longer matches
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(misread)
    flow.press("Return")
    flow.wait_until(lambda: "scan or type the card again" in flow.screen_text())

    assert counter.right.currentWidget() is not counter.unknown_card  # nothing to enrol
    assert f"No customer matches “{misread}”. As a card number it is not valid" in (
        flow.screen_text()
    )


def test_a_walk_in_is_enrolled_from_an_empty_search(flow: Flow):
    flow.press("Ctrl+1")
    counter = flow.current_view()

    def enrol(dialog):
        flow.type("Walker")
        flow.press("Alt+F")
        flow.type("Inn")
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Ctrl+N")
    walker = Contact.get(Contact.given_name == "Walker", Contact.family_name == "Inn")
    assert counter.shown_contact_id == walker.id


def test_f2_after_a_name_search_waits_until_the_cashier_picks_the_customer(flow: Flow):
    flow.sign_in("Sam", "0000")
    flow.press("Ctrl+1")
    counter = flow.current_view()
    from peewee import fn

    shared = (
        Contact.select(Contact.family_name)
        .where(Contact.kind == "person", Contact.erased_at.is_null(), Contact.family_name != "")
        .group_by(Contact.family_name)
        .having(fn.count(Contact.id) > 1)
        .scalar()
    )
    flow.type(shared)  # a family name two customers share
    flow.wait_until(lambda: counter.results_model.rowCount() > 1)
    purchases = Interaction.select().where(Interaction.kind == "purchase")
    before = purchases.count()

    flow.press("F2")  # the first row is highlighted, but nobody was picked: no sale dialog
    assert "Several customers match: pick one with the arrow keys or Enter first." in (
        flow.screen_text()
    )
    assert purchases.count() == before

    flow.press("Down")  # the second Smith, picked
    chosen = counter.shown_contact_id
    flow.in_next_dialog(lambda d: (flow.type("4.00"), flow.press("Return")), "Record a sale")
    flow.press("F2")
    sale = purchases.order_by(Interaction.id.desc()).first()
    assert purchases.count() == before + 1
    assert (sale.contact_id, sale.amount_cents) == (chosen, 400)


def scan(flow: Flow, customer: Contact):
    """Ctrl+1, the card scanned (digits and Enter), until the Counter shows the customer."""
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == customer.id)
    return counter


def test_the_last_sale_is_undone_with_ctrl_z_and_the_points_are_back(flow: Flow):
    flow.sign_in("Sam", "0000")
    customer = a_card_holder()
    name = person_name(customer.given_name, customer.family_name)
    counter = scan(flow, customer)
    assert not counter.sale_undo.button.isVisible()  # nothing to undo yet
    flow.in_next_dialog(lambda d: (flow.type("12.50"), flow.press("Return")), "Record a sale")
    flow.press("F2")
    sale = Interaction.select().order_by(Interaction.id.desc()).get()
    assert (sale.contact_id, sale.amount_cents) == (customer.id, 1250)
    assert "Undo sale (Ctrl+Z)" in flow.screen_text()

    def confirm(dialog):
        assert "Undo the sale of $12.50 for " + name in dialog.text()
        flow.press("Return")  # Undo sale is the default

    flow.in_next_dialog(confirm, "Undo sale")
    flow.press("Ctrl+Z")

    assert Interaction.get_by_id(sale.id).refunded_at is not None
    reversal = PointsEntry.get(PointsEntry.interaction == sale.id, PointsEntry.kind == "reversal")
    assert reversal.reason.endswith(": undone at the counter")
    assert Contact.get_by_id(customer.id).points_balance == customer.points_balance
    assert (
        f"Sale of $12.50 undone: {name} is back to {customer.points_balance:,} points."
        in flow.screen_text()
    )
    assert "Undo sale (Ctrl+Z)" not in flow.screen_text()  # one undo per sale

    flow.press("Ctrl+Z")  # nothing left to undo: said, and no dialog
    assert "No sale to undo" in flow.screen_text()
    assert PointsEntry.select().where(PointsEntry.kind == "reversal").count() == 1


def test_an_amount_far_above_the_customers_usual_is_asked_about_once(flow: Flow):
    flow.sign_in("Sam", "0000")
    regulars = (
        Contact.select()
        .join(Interaction)
        .where(
            Contact.card_number.is_null(False),
            Contact.archived_at.is_null(),
            Contact.erased_at.is_null(),
            Interaction.kind == "purchase",
        )
        .group_by(Contact.id)
        .order_by(Contact.id)
    )
    customer, unusual = next(
        (c, u) for c in regulars if (u := unusual_amount(c.id, 125_000)) and u.customers_own
    )
    name = person_name(customer.given_name, customer.family_name)
    usual = shop_format().money(unusual.usual_cents)  # the median of their purchases
    counter = scan(flow, customer)
    purchases = Interaction.select().where(Interaction.kind == "purchase")
    before = purchases.count()

    def pay(dialog):
        flow.type("1250")  # meant 12.50
        flow.press("Return")
        assert dialog.isVisible()
        assert f"$1,250.00 is more than 20 times what {name} usually spends ({usual})." in (
            dialog.unusual.text()
        )
        assert purchases.count() == before  # nothing recorded yet
        flow.press("Return")  # yes, 1,250.00

    flow.in_next_dialog(pay, "Record a sale")
    flow.press("F2")
    sale = purchases.order_by(Interaction.id.desc()).first()
    assert purchases.count() == before + 1
    assert (sale.contact_id, sale.amount_cents) == (customer.id, 125_000)
    assert "$1,250.00 recorded" in flow.screen_text()
    assert counter.search_box.text() == ""


def test_the_profile_shows_what_the_points_buy_and_the_way_to_the_next_reward(flow: Flow):
    customer = a_card_holder(min_points=1)
    counter = scan(flow, customer)
    offered = (
        Reward.select()
        .where(Reward.active == True, (Reward.stock.is_null()) | (Reward.stock > 0))  # noqa: E712
        .order_by(Reward.points_cost, Reward.name)
    )
    balance = customer.points_balance
    within = [reward.name for reward in offered if reward.points_cost <= balance]
    beyond = next(reward for reward in offered if reward.points_cost > balance)
    screen = flow.screen_text()
    if within:
        more = f" and {len(within) - 3} more" if len(within) > 3 else ""
        assert f"Can redeem now: {', '.join(within[:3])}{more}" in screen
    assert f"{beyond.points_cost - balance:,} points to {beyond.name}" in screen
    assert " more spend to " in counter.panel.progress.text() or customer.tier.name == "Gold"


def test_namesakes_are_told_apart_in_the_results(flow: Flow):
    from peewee import fn

    flow.press("Ctrl+1")
    counter = flow.current_view()
    given, family = (
        Contact.select(Contact.given_name, Contact.family_name)
        .where(Contact.kind == "person", Contact.erased_at.is_null(), Contact.archived_at.is_null())
        .group_by(Contact.given_name, Contact.family_name)
        .having(fn.count(Contact.id) > 1)
        .tuples()
        .first()
    )  # the demo has people enrolled twice, as a busy counter does
    flow.type(f"{given} {family}")
    flow.wait_until(lambda: counter.results_model.rowCount() > 1)
    rows = [counter.results_model.index(row).data() for row in range(2)]
    assert rows[0] != rows[1]
    for row in range(2):
        hit = counter.results_model.hit(row)
        stored = Contact.get_by_id(hit.id)
        clue = rows[row].split("\n")[1]
        if stored.phone:
            assert f"☎ …{stored.phone[-4:]}" in clue
        elif stored.email:
            assert stored.email in clue
        if stored.card_number:
            assert f"card …{stored.card_number[-4:]}" in clue
        visits = Interaction.select().where(
            Interaction.contact == stored.id, Interaction.kind.in_(("visit", "purchase"))
        )
        assert ("visited" in clue) == visits.exists()


def test_a_wrong_phone_in_the_enrol_form_is_corrected_and_its_warning_goes(flow: Flow):
    flow.press("Ctrl+1")

    def enrol(dialog):
        flow.type("Noor")
        flow.press("Alt+F")
        flow.type("Haddad")
        flow.press("Alt+P")
        flow.type("12")
        flow.press("Return")
        problem = dialog.problems.problems["phone"]
        assert problem in describe(dialog)
        flow.press("Backspace")
        flow.press("Backspace")
        flow.type("0400 111 222")
        assert problem not in describe(dialog)  # gone once the phone is right
        assert not dialog.problems.isVisible()
        flow.press("Return")

    flow.in_next_dialog(enrol, "New customer")
    flow.press("Ctrl+N")
    noor = Contact.get(Contact.given_name == "Noor", Contact.family_name == "Haddad")
    assert noor.phone == "+61400111222"
    assert "Noor Haddad is enrolled with card " in flow.screen_text()


def test_a_sale_on_a_read_only_database_says_nothing_was_saved(flow: Flow):
    from relapp.db.models import database

    flow.sign_in("Sam", "0000")
    customer = a_card_holder()
    entries_before = PointsEntry.select().count()
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    flow.wait_until(lambda: customer.given_name in flow.screen_text())
    # As a file this user may only read: SQLite refuses the write the same way (see
    # tests/db/test_read_only.py).
    database.execute_sql("PRAGMA query_only = 1")
    seen = []

    def pay(dialog):
        flow.type("12.50")
        flow.press("Return")
        flow.wait_until(lambda: "Nothing was saved" in describe(dialog))
        seen.append(describe(dialog))
        flow.press("Escape")

    flow.in_next_dialog(pay, "Record a sale")
    flow.press("F2")
    database.execute_sql("PRAGMA query_only = 0")

    assert "can be read but not written by this user" in seen[0]
    assert PointsEntry.select().count() == entries_before


def test_coming_back_to_the_counter_a_scan_replaces_the_last_search(flow: Flow):
    first = a_card_holder()
    second = Contact.get_by_id(
        Contact.select(Contact.id)
        .where(
            Contact.card_number.is_null(False),
            Contact.archived_at.is_null(),
            Contact.erased_at.is_null(),
            Contact.id != first.id,
        )
        .order_by(Contact.id)
        .scalar()
    )
    flow.press("Ctrl+1")
    counter = flow.current_view()
    flow.type(first.card_number)
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == first.id)
    flow.press("Ctrl+2")  # look something up in Contacts, then back
    flow.press("Ctrl+1")
    flow.type(second.card_number)  # the scanner types the next card
    assert counter.search_box.text() == second.card_number
    flow.press("Return")
    flow.wait_until(lambda: counter.shown_contact_id == second.id)
    flow.press("Ctrl+1")  # already at the Counter: the same
    flow.type(first.card_number)
    assert counter.search_box.text() == first.card_number
