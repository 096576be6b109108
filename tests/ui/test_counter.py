"""The counter, driven from the keyboard as a cashier (or a card scanner) would."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from relapp.db.models import Consent, Contact, Interaction, Preference
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.shop.formats import shop_format
from relapp.ui.counter.results_model import SearchResultsModel
from relapp.ui.counter.view import CounterView
from tests.factories import add_contact as enrol


@pytest.fixture
def shop(db):
    today = date.today()
    zoe = enrol(
        "Zoë",
        "O'Brien",
        phone="0412 345 678",
        card_number="270000000017",
        birth_month=today.month,
        birth_day=today.day,
        ladder_stage="supporter",
    )
    now = utc_now()
    Interaction.create(
        contact=zoe, kind="query", direction="inbound", occurred_at=now, status="open",
        summary="Is the blue wrap dress back in size 10?", created_at=now, updated_at=now,
    )  # fmt: skip
    Interaction.create(
        contact=zoe, kind="purchase", occurred_at=now, amount_cents=4500, summary="Scarf",
        created_at=now, updated_at=now,
    )  # fmt: skip
    Preference.create(contact=zoe, kind="like", value="linen shirts", created_at=now)
    Consent.create(contact=zoe, channel="email", granted=True, occurred_at=now)
    others = [enrol("Zoe", f"Martin{n}") for n in range(3)]
    return {"zoe": zoe, "others": others}


@pytest.fixture
def counter(app, qtbot, shop, change_bus):
    view = CounterView(change_bus)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def type_and_wait(qtbot, view: CounterView, text: str) -> None:
    qtbot.keyClicks(view.search_box, text)
    qtbot.waitUntil(lambda: not view.search_timer.isActive(), timeout=2000)


def test_typing_shows_results_and_selects_the_best_hit(qtbot, counter):
    assert counter.search_box.hasFocus()
    type_and_wait(qtbot, counter, "obri")
    assert counter.results_model.rowCount() == 1
    assert counter.panel.name.text() == "Zoë O'Brien"
    assert counter.panel.points.text() == "0"
    assert counter.panel.visits.text() == "1"
    assert "Is the blue wrap dress back in size 10?" in counter.panel.open_cases.text()
    assert counter.panel.likes.text() == "linen shirts"
    assert "Email ✓" in counter.panel.consent.text() and "SMS –" in counter.panel.consent.text()
    assert counter.panel.birthday_badge.isVisibleTo(counter)
    assert counter.panel.birthday_badge.text() == "Birthday today!"
    assert counter.result_count.text() == "1 found"


def test_each_result_says_what_tells_namesakes_apart(qtbot, counter, shop):
    Contact.update(email="zoe.martin@example.com").where(
        Contact.id == shop["others"][0].id
    ).execute()
    type_and_wait(qtbot, counter, "zoe")
    rows = [counter.results_model.index(row).data() for row in range(4)]
    by_name = {row.split("\n")[0]: row.split("\n")[1] for row in rows}
    today = shop_format().day(utc_now())
    assert by_name["Zoë O'Brien"] == f"☎ …5678 · card …0017 · visited {today}"
    assert by_name["Zoe Martin0"] == "zoe.martin@example.com · no visit yet"
    assert by_name["Zoe Martin1"] == "no visit yet"


def test_a_phone_fragment_finds_the_customer(qtbot, counter):
    type_and_wait(qtbot, counter, "0412 34")
    assert counter.panel.name.text() == "Zoë O'Brien"
    assert "+61 412 345 678" in counter.panel.reach.text()


def test_a_scanned_card_opens_the_customer_at_once(qtbot, counter):
    qtbot.keyClicks(counter.search_box, "270000000017")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Return)  # before the typing pause ends
    assert counter.shown_contact_id is not None
    assert counter.panel.name.text() == "Zoë O'Brien"
    assert "card 270000000017" in counter.panel.standing.text()


def test_arrow_keys_move_through_results_and_escape_clears(qtbot, counter, shop):
    type_and_wait(qtbot, counter, "zoe")
    assert counter.results_model.rowCount() == 4
    first = counter.shown_contact_id
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Down)
    assert counter.results.currentIndex().row() == 1
    assert counter.shown_contact_id != first
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Up)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Up)  # stays on the first
    assert counter.shown_contact_id == first
    assert counter.search_box.hasFocus()
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Escape)
    assert counter.search_box.text() == ""
    assert counter.results_model.rowCount() == 0
    assert counter.right.currentWidget() is counter.hint


def test_no_match_says_so(qtbot, counter):
    type_and_wait(qtbot, counter, "qqqzzz")
    assert (
        counter.result_count.text() == "No customer matches “qqqzzz”. Press Ctrl+N to enrol them."
    )
    assert counter.right.currentWidget() is counter.hint


def test_a_change_to_the_shown_customer_refreshes_the_panel(qtbot, counter, shop):
    type_and_wait(qtbot, counter, "obri")
    zoe = shop["zoe"]
    Contact.update(ladder_stage="advocate").where(Contact.id == zoe.id).execute()
    counter.on_change(Change.of(Entity.CONTACTS, contact_ids=frozenset({zoe.id})))
    assert counter.panel.standing.text().startswith("Advocate")


def test_a_change_elsewhere_keeps_the_cashiers_selection(qtbot, counter, shop):
    type_and_wait(qtbot, counter, "zoe")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Down)
    chosen = counter.shown_contact_id
    assert counter.results.currentIndex().row() == 2

    counter.on_change(Change.everything())  # e.g. a command-line import finished

    assert counter.results.currentIndex().row() == 2
    assert counter.shown_contact_id == chosen


def test_a_shown_customer_who_no_longer_matches_stays_shown(qtbot, counter, shop):
    type_and_wait(qtbot, counter, "martin1")
    shown = counter.shown_contact_id
    assert shown == shop["others"][1].id
    Contact.update(family_name="Renamed").where(Contact.id == shown).execute()

    counter.on_change(Change.of(Entity.CONTACTS, contact_ids=frozenset({shown})))

    assert counter.shown_contact_id == shown
    assert counter.right.currentWidget() is not counter.hint


def test_results_model_passes_the_model_tester(qtmodeltester, db, shop):
    from relapp.domain.contacts.search import search_contacts

    model = SearchResultsModel()
    model.set_hits(search_contacts("zoe"))
    qtmodeltester.check(model)
    assert model.rowCount() == 4


def test_f5_logs_a_contact_and_ctrl_l_is_left_to_lock(qtbot, counter, monkeypatch):
    from relapp.ui.timeline.log_dialog import QuickLogDialog

    asked = []
    monkeypatch.setattr(QuickLogDialog, "ask", classmethod(lambda cls, *args: asked.append(args)))
    type_and_wait(qtbot, counter, "obri")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert asked == []
    qtbot.keyClick(counter.search_box, Qt.Key.Key_F5)
    assert [args[1] for args in asked] == [counter.shown_contact_id]
    assert counter.log_button.toolTip() == "Log contact (F5)"


def test_each_action_tooltip_names_its_key_once(counter):
    """F6's read "Use voucher (F6) (F6)": the key was added to a text that named it."""
    for button, key in (
        (counter.sale_button, "F2"), (counter.redeem_button, "F3"), (counter.log_button, "F5"),
        (counter.voucher_button, "F6"), (counter.text_button, "F7"),
        (counter.gift_card_button, "F8"), (counter.panel.membership_button, "F9"),
        (counter.task_button, "Ctrl+T"),
    ):  # fmt: skip
        assert button.toolTip().count(f"({key})") == 1, button.toolTip()
        assert button.toolTip().endswith(f"({key})")
    assert counter.voucher_button.toolTip() == "Use voucher (F6)"


def test_undo_is_offered_for_five_minutes_after_a_sale(qtbot, counter, shop, monkeypatch):
    from relapp.domain.loyalty.points import record_sale
    from relapp.ui.counter.sale_dialog import RecordedSale, SaleDialog
    from relapp.ui.counter.sale_undo import UndoSaleDialog
    from tests.factories import FakeClock

    clock = FakeClock(utc_now())
    monkeypatch.setattr("relapp.domain.clock.utc_now", clock)
    monkeypatch.setattr(
        SaleDialog,
        "ask",
        classmethod(
            lambda cls, _p, contact_id, *_a: RecordedSale(record_sale(contact_id, 900), 900)
        ),
    )
    asked = []
    monkeypatch.setattr(
        UndoSaleDialog, "ask", classmethod(lambda cls, _p, sale: asked.append(sale))
    )
    qtbot.keyClicks(counter.search_box, "270000000017")
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Return)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_F2)
    assert counter.sale_undo.button.isVisible()
    qtbot.keyClicks(counter.search_box, "zo")  # the next customer's name, being typed

    clock.advance(minutes=5, seconds=1)
    qtbot.keyClick(counter.search_box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert asked == []  # too late: not even asked
    assert counter.confirmation.text().startswith("No sale to undo")
    assert not counter.sale_undo.button.isVisible()
    assert counter.search_box.text() == "zo"  # Ctrl+Z is the counter's, not the box's undo
    assert Interaction.select().where(Interaction.refunded_at.is_null(False)).count() == 0


@pytest.mark.parametrize(
    ("screen", "room", "scale"),
    [
        ((1366, 768), None, 1.0),
        ((1920, 1080), None, 1.4),
        ((1920, 1080), (1690, 950), 1.4),  # maximised
        ((1920, 1080), (1075, 680), 1.0),  # a window left at 1280 x 800
        ((3840, 2160), None, 1.6),
        ((1280, 1024), None, 1.0),
    ],
)
def test_the_type_scale_follows_the_screen_and_the_room(screen, room, scale):
    from PySide6.QtCore import QSize

    from relapp.ui.counter.type_scale import type_scale

    assert type_scale(QSize(*screen), QSize(*room) if room else None) == scale


def test_on_a_large_screen_the_counter_type_is_larger_and_still_fits(qtbot, counter, shop):
    from PySide6.QtCore import QSize

    from relapp.ui.counter.sale_dialog import SaleDialog
    from relapp.ui.counter.type_scale import scaled

    type_and_wait(qtbot, counter, "obri")
    assert counter.search_box.font().pointSizeF() == 15  # 1366 x 768: the sizes as designed
    assert counter.panel.name.font().pointSizeF() == 17
    assert counter.minimumSizeHint().height() <= 610  # the room it has there

    counter.screen_size = lambda: QSize(1920, 1080)
    counter.resize(1690, 950)  # a maximised window on 1920 x 1080
    qtbot.waitUntil(lambda: counter.type_scale == 1.4)

    assert counter.search_box.font().pointSizeF() == 21
    assert counter.panel.name.font().pointSizeF() == 24
    assert counter.panel.likes.font().pointSizeF() == scaled(counter.base_points, 1.4)
    assert counter.results.width() == 532
    counter.layout().activate()
    hint = counter.minimumSizeHint()
    assert hint.width() <= 1690 and hint.height() <= 950
    dialog = SaleDialog(shop["zoe"].id, "Zoë O'Brien", parent=counter)
    dialog.show()
    assert dialog.amount.font().pointSizeF() == counter.base_points  # dialogs keep their size
    dialog.close()

    counter.resize(1040, 610)  # the window made small again on the same screen
    qtbot.waitUntil(lambda: counter.type_scale == 1.0)
    assert counter.search_box.font().pointSizeF() == 15


def test_a_refresh_that_moves_the_highlighted_row_does_not_pick_it(
    qtbot, counter, shop, monkeypatch
):
    from relapp.ui.counter.sale_dialog import SaleDialog

    type_and_wait(qtbot, counter, "zoe")
    shown = counter.shown_contact_id  # highlighted, not picked: four customers match
    enrol("Zoe", "Zoe")  # at another counter: ranks first, so the highlighted row moves down
    counter.on_change(Change.of(Entity.CONTACTS))
    assert counter.shown_contact_id == shown
    assert counter.results.currentIndex().row() > 0

    asked = []
    monkeypatch.setattr(SaleDialog, "ask", classmethod(lambda cls, *args: asked.append(args)))
    qtbot.keyClick(counter.search_box, Qt.Key.Key_F2)
    assert asked == []
    assert counter.confirmation.text().startswith("Several customers match")
