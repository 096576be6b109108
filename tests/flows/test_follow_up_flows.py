"""Listening and following up, from the real window: a complaint logged at the counter and
resolved from Today, a follow-up planned and ticked off, a customer's dossier printed."""

from __future__ import annotations

import re

from PySide6.QtCore import QDate

from relapp.db.models import Interaction, Task
from tests.flows.harness import Flow
from tests.flows.people import a_card_holder, show_at_counter


def test_a_complaint_logged_at_the_counter_is_resolved_from_today(flow: Flow):
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)

    def complain(dialog):
        flow.press("Alt+K")
        flow.type("Comp")
        assert dialog.fields.kind() == "complaint"
        flow.press("Alt+S")
        flow.type("The zip broke after a week")
        flow.press("Return")

    flow.in_next_dialog(complain, "Log contact")
    flow.click(counter.log_button)

    case = Interaction.get(
        Interaction.contact == customer.id, Interaction.summary == "The zip broke after a week"
    )
    assert (case.kind, case.status) == ("complaint", "open")

    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.wait_until(lambda: "The zip broke" in "\n".join(map(str, today.work_list.lines("cases"))))
    flow.move_to(today.work_list, "The zip broke after a week")
    flow.press("Ctrl+D")

    assert Interaction.get_by_id(case.id).status == "resolved"
    flow.wait_until(lambda: "The zip broke" not in str(today.work_list.lines("cases")))


def test_a_follow_up_planned_at_the_counter_is_ticked_off_in_today(flow: Flow):
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)

    def plan(dialog):
        flow.type("Ring about the wedding order")
        flow.press("Alt+O")  # the "Today" button: due today
        flow.wait_until(lambda: dialog.due_date.date() == QDate.currentDate())
        flow.press("Return")

    flow.in_next_dialog(plan, "follow-up")
    flow.click(counter.task_button)

    task = Task.get(Task.contact == customer.id, Task.title == "Ring about the wedding order")
    assert task.done_at is None

    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.move_to(today.work_list, "Ring about the wedding order")
    flow.press("Ctrl+D")
    assert Task.get_by_id(task.id).done_at is not None


def test_the_dossier_prints_from_the_counter_with_a_preview(flow: Flow):
    customer = a_card_holder(newest=True)
    show_at_counter(flow, customer)
    seen = {}

    def look(dialog):
        seen["title"] = dialog.windowTitle()
        seen["status"] = dialog.status.text()
        flow.press("Escape")

    flow.in_next_dialog(look, "dossier")
    flow.press("Ctrl+P")

    assert seen["title"] == "Customer dossier"
    # How many pages depends on the customer's history, which depends on the day the demo
    # ends: the preview says how many there are.
    assert re.match(r"(1 page|[2-9] pages|[1-9][0-9]+ pages)\.", seen["status"]), seen["status"]
