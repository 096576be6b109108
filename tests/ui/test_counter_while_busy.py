"""The sale dialog while another program holds the write lock for longer than the busy
timeout: the problems area says the shop is busy, the dialog stays open, nothing is recorded."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from relapp.db import connection as relapp_db
from relapp.db.busy import BUSY_MESSAGE
from relapp.db.models import Interaction
from relapp.domain.shop.settings import save_settings
from relapp.ui.counter.sale_dialog import SaleDialog
from tests.domain.test_counter_while_busy import SHORT_TIMEOUT_MS, write_lock_held
from tests.factories import add_contact


@pytest.fixture
def customer(app, db_path):
    database = relapp_db.open_database(db_path, busy_timeout_ms=SHORT_TIMEOUT_MS)
    save_settings(points_per_unit=1, phone_region="AU")
    yield add_contact("Zoë", "O'Brien", card_number="270000000017")
    database.close()


def test_the_sale_dialog_says_the_shop_is_busy_and_records_nothing(qtbot, db_path, customer):
    dialog = SaleDialog(customer.id, "Zoë O'Brien")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.amount, "12.50")
    with write_lock_held(db_path):
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        assert dialog.isVisible()
        assert dialog.problems.text() == BUSY_MESSAGE or BUSY_MESSAGE in dialog.problems.text()
        assert Interaction.select().count() == 0
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # the shop is free again: Enter records it
    assert Interaction.select().count() == 1
    assert dialog.result_ is not None and dialog.result_.points == 12
