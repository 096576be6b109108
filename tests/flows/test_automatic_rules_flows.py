"""Automatic campaign rules from the real window: the owner opens Automatic… in the Campaigns
view (Ctrl+7, Alt+A), turns the birthday rule on and sets its channel, days, message and a
50-point voucher by keys, switches to another rule and back (the edits are kept), and OK
saves exactly the rules changed; a misspelt merge field is told in the dialog, the rule at
fault shown, and nothing saved (not even another rule changed with it); Esc saves nothing."""

from __future__ import annotations

from dataclasses import replace

from relapp.db.store.campaign_rules import rule_rows
from relapp.domain.campaigns.automatic import DEFAULT_RULES, rules
from relapp.domain.campaigns.vouchers import Offer
from tests.flows.harness import Flow, visible_text
from tests.flows.test_campaign_flows import choose

TITLE = "Automatic campaigns"


def rule_shown(flow: Flow, dialog, title: str):
    """Down the list of rules (from the top) to title; its editor."""
    flow.move_to(dialog.rule_list, title)
    editor = dialog.current_editor()
    assert editor.original.text.title == title
    return editor


def test_turn_the_birthday_rule_on_with_a_voucher_and_save_it(flow: Flow):
    flow.press("Ctrl+7")
    seen = {}

    def automatic(dialog):
        seen["text"] = visible_text(dialog)
        seen["list"] = [dialog.rule_list.item(row).text() for row in range(4)]
        birthday = rule_shown(flow, dialog, "Birthday")
        assert birthday.number.text() == "birthday within 7 days"  # says what the number is
        flow.press("Alt+T")  # Turn on
        flow.wait_until(lambda: birthday.enabled.isChecked())
        assert dialog.rule_list.currentItem().text() == "Birthday — on"
        flow.press("Alt+C")
        choose(flow, birthday.channel, "sms")
        assert not birthday.subject.isEnabled()  # a subject is for emails
        flow.press("Alt+W")  # Who is listed: the days ahead
        flow.press("Ctrl+A")
        flow.type("10")
        flow.press("Alt+M")
        flow.press("Ctrl+A")
        flow.type("Happy birthday ")
        flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "{first_name}"))
        flow.press("Alt+F")  # Insert merge field
        flow.wait_until(lambda: birthday.message.toPlainText() == "Happy birthday {first_name}")
        flow.type("! Your code: {voucher_code}")
        flow.press("Alt+V")
        choose(flow, birthday.offer.kind, "points")
        flow.press("Tab")
        flow.press("Ctrl+A")
        flow.type("50")
        # Another rule, then back: the birthday rule's edits are kept.
        win_back = rule_shown(flow, dialog, "Win-back")
        flow.press("Alt+T")
        flow.wait_until(lambda: win_back.enabled.isChecked())
        birthday = rule_shown(flow, dialog, "Birthday")
        seen["kept"] = (birthday.number.value(), birthday.offer.points.value())
        flow.click(dialog.ok_button)
        seen["open"] = dialog.isVisible()

    flow.in_next_dialog(automatic, TITLE)
    flow.press("Alt+A")
    flow.wait_for_dialogs()

    assert (
        "Each rule that is on lists customers in Today every day. Nothing is sent until you "
        "approve a list there." in seen["text"]
    )
    assert seen["list"] == ["Welcome — off", "Birthday — off", "Win-back — off",
                            "Nearing a reward — off"]  # fmt: skip
    assert seen["kept"] == (10, 50)
    assert not seen["open"]
    saved = {rule.rule: rule for rule in rules()}
    birthday = saved["birthday"]
    assert (birthday.enabled, birthday.channel, birthday.number) == (True, "sms", 10)
    assert birthday.template == "Happy birthday {first_name}! Your code: {voucher_code}"
    assert birthday.subject == ""  # not an email
    assert birthday.offer == Offer("points", 50, valid_days=30)
    assert saved["win_back"] == replace(DEFAULT_RULES["win_back"], enabled=True)
    # Only the rules changed were saved; the others are still their defaults.
    assert sorted(row.rule for row in rule_rows()) == ["birthday", "win_back"]
    assert saved["welcome"] == DEFAULT_RULES["welcome"]

    # Opened again, the dialog shows what was saved.
    def again(dialog):
        birthday = rule_shown(flow, dialog, "Birthday")
        seen["again"] = (dialog.rule_list.currentItem().text(), birthday.channel.currentData(),
                         birthday.number.text(), birthday.offer.chosen_kind(),
                         birthday.offer.points.value())  # fmt: skip
        flow.press("Escape")

    flow.in_next_dialog(again, TITLE)
    flow.press("Alt+A")
    flow.wait_for_dialogs()
    assert seen["again"] == ("Birthday — on", "sms", "birthday within 10 days", "points", 50)


def test_a_misspelt_merge_field_is_told_in_the_dialog_and_nothing_is_saved(flow: Flow):
    flow.press("Ctrl+7")
    seen = {}

    def automatic(dialog):
        welcome = rule_shown(flow, dialog, "Welcome")
        flow.press("Alt+T")  # a good change, saved only with the others
        flow.wait_until(lambda: welcome.enabled.isChecked())
        birthday = rule_shown(flow, dialog, "Birthday")
        flow.press("Alt+M")
        flow.press("Ctrl+A")
        flow.type("Hello {frist_name}")
        rule_shown(flow, dialog, "Welcome")
        flow.press("Ctrl+S")
        seen["problem"] = dialog.problem.text() if dialog.problem.isVisible() else ""
        seen["still open"] = dialog.isVisible()
        seen["shown"] = dialog.current_editor() is birthday
        seen["rows"] = rule_rows()
        flow.press("Escape")

    flow.in_next_dialog(automatic, TITLE)
    flow.press("Alt+A")
    flow.wait_for_dialogs()

    assert seen["problem"].startswith(
        "The message uses {frist_name}, which is not a merge field; the fields are {first_name}"
    )
    assert seen["still open"] and seen["shown"]
    assert seen["rows"] == [] and rule_rows() == []
    assert rules() == list(DEFAULT_RULES.values())


def test_escape_saves_nothing(flow: Flow):
    flow.press("Ctrl+7")

    def automatic(dialog):
        welcome = rule_shown(flow, dialog, "Welcome")
        flow.press("Alt+T")
        flow.wait_until(lambda: welcome.enabled.isChecked())
        flow.press("Alt+W")
        flow.press("Ctrl+A")
        flow.type("30")
        flow.press("Escape")

    flow.in_next_dialog(automatic, TITLE)
    flow.press("Alt+A")
    flow.wait_for_dialogs()

    assert rule_rows() == []
    assert not any(rule.enabled for rule in rules())
