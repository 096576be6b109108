"""Campaigns from the real window: the owner makes a text-message campaign for a saved segment
(Ctrl+7, Ctrl+N), sees it previewed for a real customer, sees who it leaves out and their
names, produces it into a folder, and finds the file and a logged message for each customer
sent one; a misspelt merge field is told in the dialog and nothing is saved."""

from __future__ import annotations

import csv
from pathlib import Path

from relapp.db.models import Contact, Interaction, Staff
from relapp.domain.campaigns.campaigns import audience
from relapp.domain.campaigns.listing import MAX_NAMES, list_campaigns
from tests.flows.harness import Flow

SEGMENT = "Email newsletter"


def choose(flow: Flow, combo, wanted) -> None:
    """Down in a combo box (which has the focus) until wanted is chosen, by text or data."""
    flow.press("Home")
    for _ in range(combo.count()):
        if wanted in (combo.currentText(), combo.currentData()):
            return
        flow.press("Down")
    assert wanted in (combo.currentText(), combo.currentData()), f"no {wanted!r} to choose"


def test_make_a_text_campaign_see_who_it_leaves_out_and_produce_it(flow: Flow, tmp_path: Path):
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")
    view = flow.current_view()
    assert view is flow.window.views["campaigns"]
    assert "No campaigns yet" in flow.screen_text()
    assert "Press New campaign (Ctrl+N) to reach a saved segment." in flow.screen_text()
    expected = audience(SEGMENT, "sms")
    assert expected.reached, "the demo shop has customers who agreed to text messages"
    first = Contact.get_by_id(expected.reached[0])
    no_consent = len(expected.left_out["no_consent"])
    seen = {}

    def new_campaign(dialog):
        flow.type("Spring texts")
        flow.press("Tab")
        choose(flow, dialog.segment, SEGMENT)
        flow.press("Tab")
        choose(flow, dialog.channel, "sms")
        assert not dialog.subject.isEnabled()  # a subject is for emails
        flow.press("Alt+M")
        flow.type("Hello ")
        flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "{first_name}"))
        flow.press("Alt+F")  # Insert merge field
        # The button opens its menu a moment after the key, as after a click.
        flow.wait_until(lambda: dialog.message.toPlainText() == "Hello {first_name}")
        assert dialog.message.hasFocus()
        flow.type(", spring is here at {shop_name}!")
        greeting = f"Hello {first.given_name}, spring is here at Lantern Lane!"
        flow.wait_until(lambda: dialog.preview.toPlainText() == greeting)
        seen["preview title"] = dialog.preview_title.text()
        seen["reach"] = dialog.reach.text()
        flow.click(dialog.create_button)

    flow.in_next_dialog(new_campaign, "New campaign")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()

    assert seen["preview title"].startswith(f"Preview for {first.given_name} ")
    assert seen["reach"].startswith(f"{len(expected.reached):,} to send, 0 held out")
    [made] = list_campaigns()
    assert (made.name, made.channel, made.segment_name) == ("Spring texts", "sms", SEGMENT)
    assert made.template == "Hello {first_name}, spring is here at {shop_name}!"
    assert view.table.rowCount() == 1
    row = [view.table.item(0, column).text() for column in range(view.table.columnCount())]
    assert row[:3] == ["Spring texts", "Text message (SMS)", SEGMENT]
    assert row[4] == "not produced"
    flow.wait_until(lambda: not view.counting)  # counted off the GUI thread
    assert view.summary.text() == f"{len(expected.reached):,} to send, 0 held out for comparison"
    assert view.left_out_title.text() == f"Left out: {no_consent:,}"
    assert view.reasons.currentItem().text() == f"{no_consent:,}  no consent for this channel"

    def names(dialog):
        seen["names"] = dialog.names.rowCount()
        flow.press("Escape")

    flow.in_next_dialog(names, "Left out of Spring texts")
    flow.click(view.names_button)
    flow.wait_for_dialogs()
    assert seen["names"] == min(no_consent, MAX_NAMES)

    out = tmp_path / "campaign files"
    out.mkdir()

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    def told(box):
        seen["told"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(where, "Folder for the files of Spring texts")
    flow.in_next_dialog(told, "Campaign produced")
    flow.click(view.produce_button)
    flow.wait_for_dialogs()

    sent = len(expected.reached)
    target = out / f"spring-texts-{made.id}-sms.csv"
    assert f"{sent:,} text messages for Spring texts" in seen["told"]
    assert str(out) in seen["told"] and target.name in seen["told"]
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sent
    assert rows[0]["Message"] == f"Hello {first.given_name}, spring is here at Lantern Lane!"
    logged = Interaction.select().where(
        Interaction.kind == "campaign", Interaction.summary == "Campaign: Spring texts"
    )
    assert logged.count() == sent
    maya = Staff.get(Staff.name.startswith("Maya"))
    assert {entry.staff_id for entry in logged} == {maya.id}
    # The table and the details now show what was recorded.
    assert view.table.item(0, 4).text() != "not produced"
    assert view.summary.text() == f"{sent:,} sent, 0 held out for comparison"
    assert not view.produce_button.isEnabled()

    # Its results, in a window (Alt+R): the report's first page, ready to print or save.
    def results(dialog):
        seen["results"] = (dialog.windowTitle(), dialog.pages)
        flow.press("Escape")

    flow.in_next_dialog(results, "Results · Spring texts")
    flow.press("Alt+R")
    flow.wait_for_dialogs()
    assert seen["results"] == ("Results · Spring texts", 1)


def test_a_misspelt_merge_field_is_told_in_the_dialog_and_nothing_is_saved(flow: Flow):
    flow.press("Ctrl+7")
    seen = {}

    def new_campaign(dialog):
        flow.type("Typo")
        flow.press("Alt+M")
        flow.type("Hello {frist_name}")
        flow.click(dialog.create_button)
        seen["problem"] = dialog.problem.text() if dialog.problem.isVisible() else ""
        seen["still open"] = dialog.isVisible()
        flow.press("Escape")

    flow.in_next_dialog(new_campaign, "New campaign")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()

    assert seen["problem"].startswith(
        "The message uses {frist_name}, which is not a merge field; the fields are {first_name}"
    )
    assert seen["still open"]
    assert list_campaigns() == []
    assert "No campaigns yet" in flow.screen_text()


def test_a_campaign_with_a_voucher_previews_a_code_and_keeps_the_offer(flow: Flow):
    from relapp.db.store.vouchers import offer_of_campaign

    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+7")

    def new_campaign(dialog):
        flow.type("Points back")
        flow.press("Tab")
        choose(flow, dialog.segment, SEGMENT)
        flow.press("Alt+M")
        flow.type("Your code: {voucher_code}")
        flow.press("Alt+V")
        choose(flow, dialog.offer_kind, "points")
        assert dialog.offer_points.isVisible() and not dialog.offer_amount.isVisible()
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("250")
        flow.wait_until(lambda: dialog.preview.toPlainText() == "Your code: K7QM-2XPR-9BQ4")
        for _ in range(3):  # past valid days and least purchase, to the shared code
            flow.press("Tab")
        assert dialog.offer_shared.hasFocus()
        flow.type("spring-10")  # a shared code instead: the preview quotes it
        flow.wait_until(lambda: dialog.preview.toPlainText() == "Your code: SPRING10")
        flow.press("Ctrl+Return")

    flow.in_next_dialog(new_campaign, "New campaign")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()

    [made] = list_campaigns()
    offer = offer_of_campaign(made.id)
    assert (made.name, offer.kind, offer.value) == ("Points back", "points", 250)
    assert offer.shared_code == "SPRING10"
    assert "Voucher: 250 bonus points" in flow.screen_text()  # the selected campaign's details
