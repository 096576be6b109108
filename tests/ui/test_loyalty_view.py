"""The Loyalty view: the program, statements and the liability, as a manager uses them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import Staff
from relapp.domain.shop.settings import load_settings
from relapp.domain.shop.staff import get_staff
from relapp.ui.loyalty import view as loyalty_view
from relapp.ui.loyalty.view import LoyaltyView
from relapp.ui.staff.current_staff import CurrentStaff
from tests.factories import add_contact


@pytest.fixture
def view(app, qtbot, demo_db, change_bus):
    staff = CurrentStaff()
    view = LoyaltyView(change_bus, staff)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def sign_in(view: LoyaltyView, role: str) -> None:
    member = Staff.select().where(Staff.role == role).first()
    view.current_staff.set_member(get_staff(member.id))


def test_it_shows_the_demo_program(view):
    assert view.program_fields["points_per_unit"].value() == load_settings().points_per_unit
    assert view.tiers.rowCount() == 3 and view.tiers.item(0, 0).text() == "Bronze"
    assert view.rewards.rowCount() > 0
    assert view.program_note.text() == "Sign in as a manager to change the program."


def test_a_manager_saves_the_program_and_a_cashier_is_refused(view, monkeypatch):
    warnings = []
    monkeypatch.setattr(loyalty_view.QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    sign_in(view, "counter")
    view.program_fields["points_per_unit"].setValue(3)
    view.save_program()
    assert warnings == ["Only a manager can change the loyalty program."]
    assert load_settings().points_per_unit != 3
    sign_in(view, "manager")
    view.save_program()
    assert load_settings().points_per_unit == 3


def test_a_statement_shows_the_running_balance(view, qtbot):
    view.tabs.setCurrentIndex(1)
    qtbot.keyClicks(view.statement_customer, "1")
    qtbot.keyClick(view.statement_customer, Qt.Key.Key_Return)
    from relapp.db.models import Contact

    balance = Contact.get_by_id(1).points_balance
    assert f"{balance:,} points" in view.statement_heading.text()
    assert view.statement.item(0, 3).text().replace(",", "") == str(balance)


def test_an_unknown_customer_is_said_plainly(view, qtbot):
    view.tabs.setCurrentIndex(1)
    qtbot.keyClicks(view.statement_customer, "999999")
    qtbot.keyClick(view.statement_customer, Qt.Key.Key_Return)
    assert "No customer" in view.statement_heading.text()
    assert view.statement.rowCount() == 0


def test_the_liability_loads_when_its_tab_opens(view):
    assert view.liability.rowCount() == 0
    view.tabs.setCurrentWidget(view.liability_page)
    assert view.liability.rowCount() >= 1
    assert view.liability_summary.text().startswith("Outstanding: ")


def test_money_and_dates_are_written_as_the_shop_writes_them(view, qtbot):
    """The demo shop is in Australia: dollars with their symbol, days as "5 Mar 2026"."""
    from relapp.domain.loyalty.program import loyalty_liability

    owed = loyalty_liability()
    dollars, cents = divmod(owed.value_cents, 100)
    worth = f"worth ${dollars:,}.{cents:02d}, held by"
    assert [view.tiers.item(row, 1).text() for row in range(3)] == [
        "$0.00", "$500.00", "$1,500.00"]  # fmt: skip
    view.tabs.setCurrentWidget(view.liability_page)
    assert worth in view.liability_summary.text()
    assert all(view.liability.item(row, 3).text().startswith("$")
               for row in range(view.liability.rowCount()))  # fmt: skip
    open_statement(view, qtbot, 1)
    import re

    when = view.statement.item(0, 0).text()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 20\d\d, \d{1,2}:\d\d\u202f[ap]m", when), when


def open_statement(view, qtbot, contact_id: int) -> None:
    view.tabs.setCurrentIndex(1)
    view.statement_customer.setText(str(contact_id))
    qtbot.keyClick(view.statement_customer, Qt.Key.Key_Return)


def test_refunding_a_sale_from_the_statement_takes_its_points_back(view, qtbot, monkeypatch):
    from relapp.db.models import Contact, Interaction, PointsEntry
    from relapp.domain.loyalty.points import record_sale
    from relapp.ui.loyalty import prompts

    contact = Contact.select().where(Contact.archived_at.is_null()).first()
    before = Contact.get_by_id(contact.id).points_balance
    sale = record_sale(contact.id, 10_000, sale_key="refund-me")
    sign_in(view, "counter")
    open_statement(view, qtbot, contact.id)
    view.statement.selectRow(0)  # newest first: the sale just made
    assert view.refund_button.isEnabled()
    monkeypatch.setattr(prompts, "ask_reason", lambda *args: "Wrong size, returned")
    view.refund_selected_sale()
    assert Interaction.get_by_id(sale.interaction_id).refunded_at is not None
    assert Contact.get_by_id(contact.id).points_balance == before
    assert PointsEntry.select().where(PointsEntry.kind == "reversal").count() == 1
    assert view.statement.item(0, 1).text() == "reversal"


def test_only_a_manager_adjusts_points_and_gives_a_reason(view, qtbot, monkeypatch):
    from relapp.db.models import Contact
    from relapp.ui.loyalty import prompts

    warnings = []
    monkeypatch.setattr(loyalty_view.QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    contact = Contact.select().where(Contact.archived_at.is_null()).first()
    before = contact.points_balance
    monkeypatch.setattr(
        prompts, "ask_adjustment", lambda parent: (25, "Goodwill: late order", False)
    )
    sign_in(view, "counter")
    open_statement(view, qtbot, contact.id)
    view.adjust_points()
    assert warnings == ["Only a manager can adjust points."]
    sign_in(view, "manager")
    view.adjust_points()
    assert Contact.get_by_id(contact.id).points_balance == before + 25
    assert "Goodwill: late order" in view.statement.item(0, 5).text()


def test_a_manager_brings_in_an_opening_balance_once(view, qtbot, monkeypatch):
    from relapp.db.models import PointsEntry
    from relapp.ui.loyalty import prompts

    warnings = []
    monkeypatch.setattr(loyalty_view.QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    contact = add_contact("New", "Arrival")
    monkeypatch.setattr(prompts, "ask_adjustment", lambda parent: (400, "Old till card 991", True))
    sign_in(view, "counter")
    open_statement(view, qtbot, contact.id)
    view.adjust_points()
    assert warnings == ["Only a manager can bring in opening balances."]
    sign_in(view, "manager")
    view.adjust_points()
    view.adjust_points()  # a second time is refused: once per customer
    entries = PointsEntry.select().where(PointsEntry.contact == contact.id)
    assert [(entry.kind, entry.points) for entry in entries] == [("opening", 400)]
    assert "already has an opening balance" in warnings[-1]
