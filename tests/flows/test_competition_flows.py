"""Prize draws from the real window: a manager opens Listening (Ctrl+8) > Competitions (Alt+M),
makes a competition with Ctrl+N, types a paper entry found by card number, looks at the entry
form, draws once the competition has closed (asked first), sees the winner, prints the draw's
record and marks the winner told in Today; the editor refuses a bad competition in one
sentence; at the Counter, F10 enters the customer shown, with the sale just made."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from relapp.db.models import Interaction, Staff, database
from relapp.domain import clock
from relapp.domain.contacts.naming import person_name
from relapp.domain.listening.competitions import Draft, list_competitions, save_competition
from relapp.domain.memberships.status import shop_today
from tests.flows.harness import Flow, visible_text
from tests.flows.people import a_card_holder, show_at_counter


def open_competitions(flow: Flow):
    flow.press("Ctrl+8")
    listening = flow.current_view()
    flow.press("Alt+M")
    flow.wait_until(lambda: listening.tabs.currentWidget() is listening.competitions)
    return listening.competitions


def row_of(page, name: str) -> int:
    """The row of the Competitions page that shows the competition called name."""
    [row] = [row for row in range(page.table.rowCount()) if page.table.item(row, 0).text() == name]
    return row


def untold_winners() -> int:
    return database.execute_sql(
        "SELECT count(*) FROM competition_winner WHERE notified_at IS NULL"
    ).fetchone()[0]


def entries_of(competition_id: int) -> list[tuple]:
    return database.execute_sql(
        "SELECT contact_id, route, staff_id, interaction_id FROM competition_entry"
        " WHERE competition_id = ? ORDER BY id",
        (competition_id,),
    ).fetchall()


def test_make_type_a_paper_entry_draw_and_tell_the_winner(flow: Flow, monkeypatch, tmp_path):
    flow.sign_in("Maya", "1234")
    page = open_competitions(flow)
    demos = len(list_competitions())  # the demo shop's own, one drawn with a winner untold
    untold = untold_winners()
    flow.wait_until(lambda: page.table.rowCount() == demos)

    def new_competition(dialog):
        assert dialog.name.hasFocus()
        flow.type("Spring hamper")
        flow.press("Alt+P")  # On paper, besides at the counter
        flow.wait_until(dialog.by_paper.isChecked)  # a mnemonic clicks a moment later
        flow.press("Alt+R")
        flow.type("Win a hamper. No purchase necessary.")
        flow.press("Alt+N")  # back in the name: Enter saves
        flow.press("Return")

    flow.in_next_dialog(new_competition, "New competition")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()
    [competition] = [line.competition for line in list_competitions()
                     if line.competition.name == "Spring hamper"]  # fmt: skip
    today = shop_today()
    assert (competition.name, competition.starts_on, competition.routes) == (
        "Spring hamper", today, {"counter", "paper"})  # fmt: skip
    assert competition.summary == "Win a hamper. No purchase necessary."
    flow.wait_until(lambda: page.table.rowCount() == demos + 1)
    row = row_of(page, "Spring hamper")  # selected: the competition just made
    assert page.table.currentRow() == row and page.table.item(row, 2).text() == "open"

    customer = a_card_holder()

    def type_entry(dialog):
        assert dialog.search.hasFocus()
        flow.type(customer.card_number)
        flow.press("Return")
        flow.wait_until(lambda: "is entered in Spring hamper" in dialog.message.text())
        assert dialog.search.text() == ""
        flow.type(customer.card_number)  # the same form twice: refused, nothing written
        flow.press("Return")
        flow.wait_until(lambda: "the most for one person" in dialog.message.text())
        flow.press("Escape")

    flow.in_next_dialog(type_entry, "Paper entries: Spring hamper")
    flow.press("Alt+P")
    flow.wait_for_dialogs()
    maya = Staff.get(Staff.name.startswith("Maya")).id
    assert entries_of(competition.id) == [(customer.id, "paper", maya, None)]
    flow.wait_until(lambda: page.table.item(row_of(page, "Spring hamper"), 3).text() == "1")

    def entry_form(dialog):
        assert dialog.pages == 1
        flow.press("Escape")

    flow.in_next_dialog(entry_form, "Entry form")
    flow.press("Alt+O")
    flow.wait_for_dialogs()

    # Not drawn while open: the button waits for the close.
    assert not page.draw_button.isEnabled()
    after = datetime.combine(competition.ends_on + timedelta(days=1), time(12)).astimezone(UTC)
    monkeypatch.setattr(clock, "utc_now", lambda: after)
    flow.press("Alt+S")  # the other tab and back: a new day is read
    flow.press("Alt+M")
    flow.wait_until(
        lambda: page.table.item(row_of(page, "Spring hamper"), 2).text() == "closed: ready to draw"
    )
    asked = {}

    def confirm(box):
        asked["text"] = box.text()
        flow.press("Alt+D")

    def winners(dialog):
        assert dialog.table.rowCount() == 1
        asked["winner"] = dialog.table.item(0, 1).text()
        assert "the same winners" in dialog.about.text()
        flow.press("Escape")  # told later, from Today

    flow.in_next_dialog(confirm, "Draw Spring hamper")
    flow.in_next_dialog(winners, "Winners: Spring hamper")
    page.table.setFocus()
    flow.press("Alt+D")
    flow.wait_for_dialogs()
    assert asked["text"] == "Draw 1 winner from 1 valid entry? This cannot be undone."
    name = person_name(customer.given_name, customer.family_name)
    assert asked["winner"] == name
    assert Interaction.get(Interaction.summary == "Won the draw: Spring hamper").contact_id == (
        customer.id)  # fmt: skip
    row = row_of(page, "Spring hamper")
    flow.wait_until(lambda: page.table.item(row, 2).text() == "drawn")
    assert page.table.item(row, 4).text() == "1 drawn, 0 told"

    def draw_record(dialog):
        assert dialog.pages == 1
        flow.press("Escape")

    flow.in_next_dialog(draw_record, "Prize draw")
    flow.press("Alt+W")
    flow.wait_for_dialogs()

    flow.press("Ctrl+3")
    today_view = flow.current_view()
    flow.wait_until(lambda: "prizes" in today_view.work_list.sections)
    assert today_view.work_list.sections["prizes"].text(0) == (
        f"Prize winners to contact ({untold + 1})")  # fmt: skip
    flow.move_to(today_view.work_list, name)
    [(shown_name, won, reach, _)] = [line for line in today_view.work_list.lines("prizes")
                                     if line[1] == "Spring hamper"]  # fmt: skip
    assert (shown_name, won) == (name, "Spring hamper")
    assert customer.email is None or customer.email in reach
    flow.press("Ctrl+D")
    flow.wait_until(lambda: "Spring hamper" not in [line[1] for line in (
        today_view.work_list.lines("prizes") if "prizes" in today_view.work_list.sections
        else [])])  # fmt: skip
    told = database.execute_sql(
        "SELECT notified_at FROM competition_winner WHERE competition_id = ?", (competition.id,)
    ).fetchone()[0]
    assert told is not None and untold_winners() == untold


def test_the_editor_refuses_a_bad_competition_in_one_sentence(flow: Flow):
    flow.sign_in("Maya", "1234")
    open_competitions(flow)
    before = list_competitions()  # the demo shop's own
    said = {}

    def bad(dialog):
        flow.press("Return")  # no name
        said["no name"] = dialog.problem.text()
        flow.type("Raffle")
        flow.press("Alt+U")  # with a purchase, and no free way described
        flow.wait_until(dialog.by_purchase.isChecked)
        flow.press("Alt+N")
        flow.press("Return")
        said["no free route"] = dialog.problem.text()
        assert dialog.isVisible()
        flow.press("Escape")

    flow.in_next_dialog(bad, "New competition")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()
    assert said["no name"] == "A competition needs a name."
    assert said["no free route"].startswith("Entry by purchase needs a free way to enter too")
    assert list_competitions() == before


def test_a_cashier_enters_the_customer_at_the_counter_with_f10(flow: Flow):
    manager = Staff.get(Staff.role == "manager").id
    today = shop_today()
    competition = save_competition(
        Draft("Hamper", today, today + timedelta(days=10), rules="Spend and win.\nMore text.",
              by_counter=False, by_purchase=True, no_purchase_route="Ask at the counter."),
        staff_id=manager,
    ).competition  # fmt: skip
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    flow.in_next_dialog(lambda dialog: (flow.type("20.00"), flow.press("Return")),
                        "Record a sale")  # fmt: skip
    flow.press("F2")
    flow.wait_for_dialogs()
    sale = Interaction.select().where(Interaction.contact_id == customer.id,
                                      Interaction.kind == "purchase").order_by(
        Interaction.id.desc()).first()  # fmt: skip
    seen = {}

    def enter_it(dialog):
        seen["text"] = visible_text(dialog)
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Enter the prize draw: Hamper"))
    flow.in_next_dialog(enter_it, "Enter the prize draw")
    flow.press("F10")
    flow.wait_for_dialogs()
    assert "Entry with today's purchase." in seen["text"] and "Spend and win." in seen["text"]
    sam = Staff.get(Staff.name.startswith("Sam")).id
    assert entries_of(competition.id) == [(customer.id, "purchase", sam, sale.id)]
    flow.wait_until(lambda: "is entered in the prize draw Hamper" in flow.screen_text())
    assert counter.shown_contact_id == customer.id
