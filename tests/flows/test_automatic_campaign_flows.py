"""Automatic campaigns from the real window: a rule that is on lists customers in Today; the
owner selects the list, presses Enter, sees whom it reaches and the first message, and
produces it; the list is then gone from Today. "Not now" produces nothing and keeps the list."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from relapp.db.models import Interaction
from relapp.domain.campaigns.automatic import DEFAULT_RULES, save_rule
from relapp.domain.campaigns.listing import list_campaigns
from relapp.domain.contacts.editing import record_consent
from tests.factories import add_contact
from tests.flows.harness import Flow

TEMPLATE = "Happy birthday {first_name}, from {shop_name}!"


def birthday_customers() -> list[int]:
    """Two customers whose birthday is in three days and who agreed to text messages."""
    soon = date.today() + timedelta(days=3)
    ids = []
    for given in ("Birgit", "Bartholomew"):
        contact = add_contact(given, "Zyx", phone="0412 555 000", birth_month=soon.month,
                              birth_day=soon.day)  # fmt: skip
        record_consent(contact.id, "sms", True, "in person")
        ids.append(contact.id)
    return ids


def open_today_list(flow: Flow):
    save_rule(replace(DEFAULT_RULES["birthday"], enabled=True, channel="sms", number=3,
                      template=TEMPLATE))  # fmt: skip
    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.press("Ctrl+R")
    flow.wait_until(lambda: today.work_list.lines("automatic"))
    return today


def test_approve_a_birthday_list_in_today_and_produce_it(flow: Flow, tmp_path: Path):
    flow.sign_in("Maya", "1234")
    ours = birthday_customers()
    today = open_today_list(flow)
    [line] = today.work_list.lines("automatic")
    assert line[0] == "Birthday" and line[2] == "text message"
    assert "birthday within 3 days" in line[1]
    assert "campaign list to approve" in today.summary_label.text()
    seen = {}

    def approve(dialog):
        seen["text"] = dialog.windowTitle()
        seen["preview"] = dialog.preview.toPlainText()
        seen["counts"] = dialog.summary.text()
        flow.press("Return")  # Produce…

    out = tmp_path / "birthdays"
    out.mkdir()

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    def told(box):
        seen["told"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(approve, "Approve Birthday")
    flow.in_next_dialog(where, "Folder for the files of Birthday")
    flow.in_next_dialog(told, "Campaign produced")
    flow.move_to(today.work_list, "Birthday")
    flow.press("Return")
    flow.wait_for_dialogs()

    assert seen["text"] == f"Approve Birthday {date.today().isoformat()}"
    assert seen["preview"].startswith("Happy birthday ") and "Lantern Lane" in seen["preview"]
    assert "text messages will be produced" in seen["counts"]
    [made] = [campaign for campaign in list_campaigns() if campaign.rule == "birthday"]
    assert made.produced_at is not None
    [target] = out.glob("*-sms.csv")
    with target.open(encoding="utf-8", newline="") as handle:
        texts = [row["Message"] for row in csv.DictReader(handle)]
    assert "Happy birthday Birgit, from Lantern Lane!" in texts
    logged = Interaction.select().where(
        Interaction.kind == "campaign", Interaction.contact.in_(ours)
    )
    assert logged.count() == 2
    # Approved: the list is gone from Today (nobody is listed twice for one birthday).
    flow.wait_until(lambda: not today.work_list.lines("automatic"))


def test_not_now_produces_nothing_and_keeps_the_list(flow: Flow):
    birthday_customers()
    today = open_today_list(flow)

    flow.in_next_dialog(lambda dialog: flow.press("Escape"), "Approve Birthday")
    flow.move_to(today.work_list, "Birthday")
    flow.press("Return")
    flow.wait_for_dialogs()

    assert list_campaigns() == []
    assert (
        not Interaction.select()
        .where(Interaction.summary.startswith("Campaign: Birthday"))
        .exists()
    )
    flow.press("Ctrl+R")
    flow.wait_until(lambda: today.work_list.lines("automatic"))
