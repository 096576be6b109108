"""The Automatic campaigns dialog built directly: a saved voucher shows as it was saved, OK
with nothing changed writes nothing, and an amount that is not one is told with its rule
shown (the flows, tests/flows/test_automatic_rules_flows.py, drive it from the window)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from relapp.db.store.campaign_rules import rule_rows
from relapp.domain.campaigns.automatic import DEFAULT_RULES, rules, save_rule
from relapp.domain.campaigns.vouchers import Offer
from relapp.ui.campaigns.rules_dialog import AutomaticCampaignsDialog

SAVED_AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def opened(qtbot) -> AutomaticCampaignsDialog:
    dialog = AutomaticCampaignsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_saved_amount_off_shows_as_saved_and_ok_unchanged_writes_nothing(app, db, qtbot):
    offer = Offer("amount", 550, min_spend_cents=2_000, valid_days=14)
    save_rule(replace(DEFAULT_RULES["win_back"], enabled=True, offer=offer), now=SAVED_AT)
    dialog = opened(qtbot)
    win_back = dialog.editors[2]
    assert dialog.rule_list.item(2).text() == "Win-back — on"
    assert win_back.offer.chosen_kind() == "amount"
    assert (win_back.offer.amount.text(), win_back.offer.min_spend.text()) == ("5.50", "20.00")
    assert win_back.offer.days.value() == 14
    assert win_back.number.text() == "drifting away for 7 days or more"

    dialog.ok_button.click()

    assert dialog.result() == AutomaticCampaignsDialog.DialogCode.Accepted
    assert not dialog.change.entities  # nothing to publish
    [row] = rule_rows()
    assert row.updated_at == "2026-06-01 09:00:00"  # not written again


def test_an_amount_that_is_not_one_is_told_with_its_rule_shown(app, db, qtbot):
    dialog = opened(qtbot)
    nearing = dialog.editors[3]
    nearing.offer.kind.setCurrentIndex(nearing.offer.kind.findData("amount"))
    nearing.offer.amount.setText("5 50")
    dialog.editors[0].enabled.setChecked(True)  # a good change, saved only with the others
    dialog.rule_list.setCurrentRow(1)

    dialog.save()

    assert dialog.isVisible()
    assert dialog.current_editor() is nearing
    assert dialog.problem.isVisible()
    assert dialog.problem.text().startswith("'5 50' has a space inside")
    assert rule_rows() == [] and rules() == list(DEFAULT_RULES.values())
    nearing.offer.amount.setText("5.50")  # put right, the sentence goes
    assert not dialog.problem.isVisible()
