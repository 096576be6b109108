"""Merging and erasing customers who hold gift cards, memberships, a partner referral, survey
answers and competition entries, from the real window: Find duplicates and Merge on the
Contacts view's More menu move everything to the kept customer (the Counter then shows their
membership, both cards and the partner they came through); Erase personal data leaves the
gift card a bearer card with its balance, the membership without the person, their answers
gone and their entry in the draw without them. Two records that are each a partner's are not
merged: the window says why in one sentence and nothing changes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

from relapp.db.busy import write_transaction
from relapp.db.models import Contact, Staff, database
from relapp.domain.campaigns.vouchers import Offer, redeem_voucher
from relapp.domain.contacts.enrolment import NewContact, clean_new_contact, enrol
from relapp.domain.contacts.merged_records import merged_into
from relapp.domain.giftcards.cards import find_gift_card, gift_cards_of
from relapp.domain.giftcards.ledger import sell_gift_card
from relapp.domain.memberships.members import join, memberships_of, standing
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import CURRENT
from relapp.domain.partners.batches import make_batch
from relapp.domain.partners.partners import Partner, find_partner, save_partner
from tests.factories import add_contact
from tests.flows.harness import Flow
from tests.flows.people import show_at_counter
from tests.privacy.listening_rows import answer, draw, enter, make_competition, make_survey

PLAN = Plan("Flow Gold", fee_cents=5_000, length_months=12, discount_percent=10)


def manager_id() -> int:
    return Staff.get(Staff.role == "manager").id


def customer(given: str, family: str, phone: str, email: str) -> Contact:
    """Enrolled as at the counter: the shop's next card number."""
    enrolled = enrol(clean_new_contact(NewContact(given, family, phone, email), "AU"))
    return Contact.get_by_id(enrolled.contact_id)


def member(contact_id: int) -> int:
    """contact_id joined to Flow Gold (saved by a manager), paid today; the membership's id."""
    save_plan(PLAN, manager_id())
    plan_id = next(line.plan.id for line in list_plans() if line.plan.name == PLAN.name)
    return join(contact_id, plan_id).membership.id


@dataclass
class Twice:
    """One customer entered twice: both records with a gift card; the second one a Flow Gold
    member who came through Flow Bakery."""

    first: Contact
    second: Contact
    codes: tuple[str, str]  # the cards as stored: the first's, the second's
    membership_id: int
    partner_id: int


def entered_twice() -> Twice:
    """Made in one write transaction: the window's start-up work (the daily round, a
    backup) may hold the write lock a moment, and this waits for it as a till does."""
    with write_transaction():
        return _entered_twice()


def _entered_twice() -> Twice:
    first = customer("Quilla", "Marchetti", "0491 570 177", "quilla.marchetti@example.org")
    second = customer("Quilla", "Marchetti", "0491 570 177", "q.marchetti@example.org")
    codes = (sell_gift_card(3_000, first.id).card.code, sell_gift_card(2_000, second.id).card.code)
    membership_id = member(second.id)
    save_partner(Partner("Flow Bakery"), manager_id())
    partner_id = find_partner("Flow Bakery").id
    assert partner_id is not None
    batch = make_batch(partner_id, "theirs_here", Offer("points", 50), 1, staff_id=manager_id())
    assert redeem_voucher(batch.codes[0], second.id).came_through == "Flow Bakery"
    return Twice(first, second, codes, membership_id, partner_id)


def test_two_records_with_cards_a_membership_and_a_partner_merge_into_one(flow: Flow):
    twice = entered_twice()
    flow.sign_in("Maya", "1234")
    seen: dict[str, object] = {}

    def review(dialog):
        flow.move_to(dialog.table, "Marchetti")
        pair = dialog.current_pair()
        seen["ids"] = set(pair.ids)
        flow.press("Return")  # Merge…, on the pair selected
        flow.press("Escape")

    def merge(dialog):
        seen["moves"] = dialog.moves.text()
        seen["kept"] = dialog.survivor_and_other()[0]
        flow.press("Return")

    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Find duplicates"))
    flow.in_next_dialog(review, "Find duplicates")
    flow.in_next_dialog(merge, "Merge two customers")
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()

    assert seen["ids"] == {twice.first.id, twice.second.id}
    assert "1 gift card" in str(seen["moves"])
    kept = seen["kept"]
    merged = ({twice.first.id, twice.second.id} - {kept}).pop()
    assert merged_into(merged) == kept
    if kept == twice.first.id:  # the second held the membership, the code and the partner
        for moved in ("1 membership", "1 voucher", "1 referral partner"):
            assert moved in str(seen["moves"]), seen["moves"]
    # The database: both cards, the membership with its payment, the partner.
    assert {card.code for card in gift_cards_of(kept)} == set(twice.codes)
    assert [held.id for held in memberships_of(kept)] == [twice.membership_id]
    assert memberships_of(merged) == []
    shown = standing(kept)
    assert shown is not None and shown.status == CURRENT
    assert Contact.get_by_id(kept).referred_by_partner_id == twice.partner_id

    # The window: the Counter shows the kept customer with all of it.
    counter = show_at_counter(flow, Contact.get_by_id(kept))
    panel = counter.panel
    assert panel.membership.text().startswith("Flow Gold member · current until ")
    assert panel.gift_cards.isVisible() and "left on 2 cards" in panel.gift_cards.text()
    assert panel.gift_cards.text().startswith("Gift cards: $50.00")
    assert panel.partner.isVisible() and panel.partner.text() == "Came through Flow Bakery"


def test_a_manager_erases_a_customer_with_a_gift_card_a_membership_and_answers(flow: Flow):
    with write_transaction():  # see entered_twice
        person = customer("Quilla", "Marchetti", "0491 570 178", "quilla.erase@example.org")
        code = sell_gift_card(4_000, person.id).card.code
        membership_id = member(person.id)
        survey = make_survey()
        response = answer(survey, person.id, {"rating": 5, "text": "Quilla loves the scarves"})
        competition = make_competition()
        entry = enter(competition, person.id)
        draw(competition, entry)
    membership_before = database.execute_sql(
        "SELECT * FROM membership WHERE id = ?", (membership_id,)
    ).fetchone()
    flow.sign_in("Maya", "1234")

    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.qtbot.mouseClick(contacts.filter_bar.text, Qt.MouseButton.LeftButton)
    flow.type(person.email)
    flow.wait_until(lambda: contacts.model.rowCount() == 1)
    rect = contacts.table.visualRect(contacts.model.index(0, 0))
    flow.qtbot.mouseClick(contacts.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert contacts.current_contact_id() == person.id
    report: dict[str, str] = {}
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Erase personal data"))
    flow.in_next_dialog(
        lambda dialog: (flow.type(str(person.id)), flow.press("Return")), "Erase personal data"
    )
    flow.in_next_dialog(
        lambda box: (report.update(text=box.text()), flow.press("Return")), "Erase personal data"
    )
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()

    assert report["text"].startswith(
        f"The personal data of Quilla Marchetti (customer {person.id}) was erased."
    )
    erased = Contact.get_by_id(person.id)
    assert erased.erased_at is not None and (erased.given_name, erased.email) == ("", None)
    # The gift card: a bearer card, its balance still owed to whoever holds it.
    card = find_gift_card(code)
    assert (card.contact_id, card.balance_cents) == (None, 4_000)
    # The membership: kept as it was (the members report's figures), on the emptied record.
    assert database.execute_sql(
        "SELECT * FROM membership WHERE id = ?", (membership_id,)
    ).fetchone() == membership_before  # fmt: skip
    # Their answers are gone; their entry stays in the draw, of no one.
    for table, column in (("survey_response", "id"), ("survey_answer", "response_id")):
        left = database.execute_sql(f"SELECT count(*) FROM {table} WHERE {column} = ?", (response,))
        assert left.fetchone()[0] == 0
    assert database.execute_sql(
        "SELECT contact_id FROM competition_entry WHERE id = ?", (entry,)
    ).fetchone()[0] is None  # fmt: skip
    assert database.execute_sql(
        "SELECT entry_id FROM competition_winner WHERE competition_id = ?", (competition,)
    ).fetchone()[0] == entry  # fmt: skip
    assert contacts.model.rowCount() == 0  # the list no longer finds them


def test_two_records_each_a_partners_are_not_merged_and_the_window_says_why(flow: Flow):
    with write_transaction():  # see entered_twice
        records = [
            add_contact(kind="business", organisation=name, phone="03 9123 4599").id
            for name in ("Marchetti Bakery", "Marchetti Bakery Pty")
        ]
        for partner, record in zip(("Bakery on Main", "Corner Café"), records, strict=True):
            save_partner(Partner(partner, contact_id=record), manager_id())
    flow.sign_in("Maya", "1234")
    said: dict[str, str] = {}

    def review(dialog):
        flow.move_to(dialog.table, "Marchetti Bakery")
        said["first"] = dialog.current_pair().first.id
        flow.press("Return")  # Merge…: refused before the merge dialog opens
        flow.press("Escape")

    flow.press("Ctrl+2")
    contacts = flow.current_view()
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Find duplicates"))
    flow.in_next_dialog(review, "Find duplicates")
    flow.in_next_dialog(lambda box: (said.update(text=box.text()), flow.press("Return")), "Relapp")
    flow.click(contacts.findChild(object, "contactsMore"))
    flow.wait_for_dialogs()

    first = said["first"]
    names = {records[0]: "Bakery on Main", records[1]: "Corner Café"}
    other = records[1] if first == records[0] else records[0]
    assert said["text"] == (
        f"Both records are linked to a partner business ({names[first]} and {names[other]});"
        " unlink one in Campaigns > Partners… before merging them."
    )
    assert [merged_into(record) for record in records] == [None, None]
    assert [find_partner(name).contact_id for name in ("Bakery on Main", "Corner Café")] == records
