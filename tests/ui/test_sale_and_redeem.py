"""Recording a sale and redeeming a reward at the counter, keyboard only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt

from relapp.db.models import Interaction, PointsEntry, Reward
from relapp.domain.clock import utc_now
from relapp.domain.shop.settings import save_settings
from relapp.ui.counter.redeem_dialog import RedeemDialog
from relapp.ui.counter.sale_dialog import RecordedSale, SaleDialog
from relapp.ui.counter.view import CounterView
from tests.factories import add_contact


@pytest.fixture
def customer(db):
    save_settings(points_per_unit=1, phone_region="AU")
    now = utc_now()
    Reward.create(name="Coffee", points_cost=50, stock=2, created_at=now)
    Reward.create(name="Tote bag", points_cost=5_000, created_at=now)
    return add_contact("Zoë", "O'Brien", card_number="270000000017")


def sale_dialog(qtbot, customer) -> SaleDialog:
    dialog = SaleDialog(customer.id, "Zoë O'Brien")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog


def test_typing_an_amount_previews_the_points_and_enter_records_once(app, qtbot, customer):
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "120.00")
    dialog.update_preview()
    assert "Earns 120 points" in dialog.preview.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # an impatient second Enter
    dialog.record()  # and a double click
    assert Interaction.select().where(Interaction.kind == "purchase").count() == 1
    assert sum(entry.points for entry in PointsEntry.select()) == 120
    assert dialog.result_ is not None and dialog.result_.points == 120


def test_a_wrong_amount_is_explained_and_nothing_recorded(app, qtbot, customer):
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "twelve")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "not an amount" in dialog.problems.text()
    assert Interaction.select().count() == 0


def test_redeeming_lists_affordable_rewards_first_and_takes_the_points(app, qtbot, customer):
    sale = sale_dialog(qtbot, customer)
    qtbot.keyClicks(sale.amount, "60")
    sale.record()
    dialog = RedeemDialog(customer.id, "Zoë O'Brien", 60)
    qtbot.addWidget(dialog)
    assert dialog.rewards.item(0).text().startswith("Coffee")
    assert "(not enough points)" in dialog.rewards.item(1).text()
    dialog.redeem()
    assert dialog.change is not None
    assert sum(entry.points for entry in PointsEntry.select()) == 10
    assert Reward.get(Reward.name == "Coffee").stock == 1


def test_nothing_affordable_says_so(app, qtbot, customer):
    dialog = RedeemDialog(customer.id, "Zoë O'Brien", 0)
    qtbot.addWidget(dialog)
    assert "No reward is affordable yet." in dialog.message.text()
    assert not dialog.redeem_button.isEnabled()
    dialog.redeem()
    assert PointsEntry.select().count() == 0


def test_f2_at_the_counter_records_a_sale_for_the_customer_shown(
    app, qtbot, customer, change_bus, monkeypatch
):
    view = CounterView(change_bus)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitActive(view):
        view.activateWindow()
    qtbot.keyClicks(view.search_box, "270000000017")
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    assert view.panel.points.text() == "0"

    def fake_ask(parent, contact_id, name, staff_id=None):
        from relapp.domain.loyalty.points import record_sale

        return RecordedSale(record_sale(contact_id, 4_500, sale_key="test-key"), 4_500)

    monkeypatch.setattr(SaleDialog, "ask", staticmethod(fake_ask))
    qtbot.keyClick(view.search_box, Qt.Key.Key_F2)
    assert view.panel.points.text() == "45"
    assert view.search_box.hasFocus()


def test_the_counter_shows_points_expiring_soon(app, qtbot, customer, change_bus):
    from datetime import timedelta

    from relapp.db.fields import format_timestamp

    now = utc_now()
    PointsEntry.create(contact=customer, kind="earn", points=80, occurred_at=now,
                       expires_at=format_timestamp(now + timedelta(days=9)),
                       reason="test")  # fmt: skip
    view = CounterView(change_bus)
    qtbot.addWidget(view)
    view.show_customer(customer.id)
    assert view.panel.expiring.text().startswith("80 expire within 30 days (first ")


def test_enter_right_after_typing_leaves_no_preview_waiting(app, qtbot, customer):
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "4.00")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # before the preview's pause ends
    assert dialog.result() == dialog.DialogCode.Accepted
    assert not dialog.preview_timer.isActive()  # it would read a database closed by then


def test_the_amount_problem_goes_once_the_amount_is_right(app, qtbot, customer):
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "12 50")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert "could be read two ways" in dialog.problems.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)
    assert "could be read two ways" in dialog.problems.text()  # "12 5": still two ways
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)
    assert dialog.amount.text() == "12"
    assert not dialog.problems.isVisible()
    assert dialog.amount.property("invalid") is False
    assert Interaction.select().count() == 0


def test_an_amount_far_above_the_usual_needs_a_second_enter(app, qtbot, customer):
    from relapp.domain.loyalty.points import record_sale

    for _ in range(3):
        record_sale(customer.id, 1_000)  # Zoë usually spends 10.00
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "500")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.unusual.isVisible()
    assert dialog.unusual.text().startswith(
        "$500.00 is more than 20 times what Zoë O'Brien usually spends ($10.00)."
    )
    assert dialog.record_button.text() == "&Record anyway"
    assert Interaction.select().count() == 3

    qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)  # 50: usual enough
    assert not dialog.unusual.isVisible()
    assert dialog.record_button.text() == "&Record sale"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.recorded.amount_cents == 5_000


def test_a_second_enter_records_the_unusual_amount_as_typed(app, qtbot, customer):
    from relapp.domain.loyalty.points import record_sale

    for _ in range(3):
        record_sale(customer.id, 1_000)
    dialog = sale_dialog(qtbot, customer)
    qtbot.keyClicks(dialog.amount, "1250")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    last = Interaction.select().order_by(Interaction.id.desc()).first()
    assert last.amount_cents == 125_000


def test_the_profile_says_what_the_points_buy_and_how_far_the_next_tier_is(
    app, qtbot, customer, change_bus
):
    from relapp.db.models import Tier
    from relapp.domain.changes import Change, Entity
    from relapp.domain.loyalty.points import record_sale

    Tier.create(name="Gold", min_spend_cents=20_000, multiplier_percent=100)
    record_sale(customer.id, 8_000)  # 80 points: Coffee (50) now, the Tote bag at 5,000
    view = CounterView(change_bus)
    change_bus.changed.connect(view.on_change)
    qtbot.addWidget(view)
    view.show_customer(customer.id)
    assert view.panel.rewards_now.text() == "Can redeem now: Coffee"
    assert view.panel.progress.text() == (
        f"{QLocale().toString(4_920)} points to Tote bag  ·  $120.00 more spend to Gold"
    )

    Reward.update(stock=0).where(Reward.name == "Coffee").execute()  # from the Loyalty view
    change_bus.publish(Change.of(Entity.REWARDS))
    assert view.panel.rewards_now.text() == ""
    assert not view.panel.rewards_now.isVisibleTo(view.panel)
