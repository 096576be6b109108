"""Undoing a sale at the counter: a refund through the ledger, within a few minutes only."""

from __future__ import annotations

import json

import pytest

from relapp.db.models import AuditLog, Contact, Interaction, PointsEntry
from relapp.domain.loyalty.points import record_sale
from relapp.domain.loyalty.undo_sale import UNDO_REASON, TooLateToUndo, undo_sale
from relapp.errors import RelappError
from tests.domain.test_loyalty import START, set_up_program
from tests.factories import FakeClock, add_contact


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    return fake


@pytest.fixture
def shop(db, clock) -> dict[str, int]:
    return set_up_program()


@pytest.fixture
def ann(shop) -> Contact:
    return add_contact("Ann", "Lee", card_number="270000000017")


def test_an_undo_takes_the_points_back_and_keeps_the_sale_marked_refunded(ann, shop, clock):
    record_sale(ann.id, 2_000)
    before = Contact.get_by_id(ann.id).points_balance
    sale = record_sale(ann.id, 1_250, staff_id=shop["Sam"])
    clock.advance(minutes=4, seconds=59)

    undone = undo_sale(sale.interaction_id, staff_id=shop["Sam"])

    assert (undone.contact_id, undone.amount_cents) == (ann.id, 1_250)
    assert undone.points_taken_back == sale.points == 12
    assert undone.balance == before == Contact.get_by_id(ann.id).points_balance
    purchase = Interaction.get_by_id(sale.interaction_id)
    assert purchase.refunded_at is not None and purchase.amount_cents == 1_250
    reversal = PointsEntry.get(PointsEntry.kind == "reversal")
    assert (reversal.points, reversal.staff_id) == (-12, shop["Sam"])
    assert reversal.reason.endswith(f": {UNDO_REASON}")
    audit = AuditLog.get(AuditLog.action == "sale refunded")
    assert json.loads(audit.details)["reason"] == UNDO_REASON
    assert ann.id in undone.change.contact_ids


def test_after_five_minutes_a_sale_is_refunded_from_the_history_instead(ann, shop, clock):
    sale = record_sale(ann.id, 1_250)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(TooLateToUndo, match="undone for 5 minutes only"):
        undo_sale(sale.interaction_id)
    assert Interaction.get_by_id(sale.interaction_id).refunded_at is None
    assert Contact.get_by_id(ann.id).points_balance == 12  # the sale's points kept


def test_a_sale_is_undone_once(ann, shop, clock):
    sale = record_sale(ann.id, 1_250)
    undo_sale(sale.interaction_id)
    with pytest.raises(RelappError, match="already refunded"):
        undo_sale(sale.interaction_id)
    assert PointsEntry.select().where(PointsEntry.kind == "reversal").count() == 1


def test_only_a_sale_can_be_undone(ann, shop, clock):
    with pytest.raises(RelappError, match="no sale number 999"):
        undo_sale(999)
