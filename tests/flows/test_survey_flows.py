"""Surveys and polls from the real window: a survey made in Listening (Ctrl+8) by keys, edited
with Enter and deactivated; at the Counter a sale offers it on one line and the cashier
answers it with F10 and the keyboard; a low score opens a complaint case that Today lists;
declining, and Escape asking before typed answers are thrown away; answering from the
customer's panel without a sale; an anonymous poll answered at the Counter keeping no name."""

from __future__ import annotations

from relapp.db.models import Contact, Interaction, database
from relapp.db.store import surveys as store
from relapp.domain.listening.competitions import offered_at_counter
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    list_surveys,
    save_survey,
    set_active,
    survey_form,
)
from tests.flows.harness import Flow, visible_text
from tests.flows.people import a_card_holder, show_at_counter

# A name the demo shop's surveys do not have (it offers its own "How did we do?").
QUICK_FEEDBACK = SurveyDefinition(
    "Quick feedback",
    (
        QuestionDraft("rating", "How was your visit?"),
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("choice", "What did you come for?", ("Coffee", "Cake", "Lunch")),
        QuestionDraft("choices", "What else would you like?", ("Tea", "Soup"), False),
        QuestionDraft("yes_no", "Did you find everything?"),
        QuestionDraft("text", "Anything else?", required=False),
    ),
    active=True,
)


def a_survey(survey: SurveyDefinition = QUICK_FEEDBACK) -> int:
    """The survey as the shop would have saved it in Listening; its id."""
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


def the_demos_surveys_set_aside() -> None:
    """The demo shop offers its own survey at the Counter, the oldest active one and so the
    one offered after a sale: deactivated, as a manager would in Listening, so that the
    survey offered is this flow's."""
    for line in list_surveys():
        if line.active:
            set_active(line.id, False)


def responses_of(survey_id: int) -> list[tuple]:
    return database.execute_sql(
        "SELECT id, contact_id, source FROM survey_response WHERE survey_id = ? ORDER BY id",
        (survey_id,),
    ).fetchall()


def outcomes_since(contact_id: int, before: list[tuple]) -> list[str]:
    """What the customer said when asked (answered, declined), in the askings noted since
    before (the demo shop's own, if any)."""
    return [row[2] for row in store.asked_rows(contact_id) if row not in before]


def answers_of(response_id: int) -> list[tuple]:
    return [(value, text) for _q, value, text in store.response_answers(response_id)]


def sell(flow: Flow, amount: str = "12.50") -> None:
    """F2, the amount, Enter: a sale for the customer shown."""
    flow.in_next_dialog(lambda dialog: (flow.type(amount), flow.press("Return")),
                        "Record a sale")  # fmt: skip
    flow.press("F2")
    flow.wait_for_dialogs()


def answer_now(flow: Flow, in_dialog) -> None:
    """F10, Enter on the menu's first item (the survey due), then in_dialog(the survey's)."""
    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Answer now: Quick feedback"))
    flow.in_next_dialog(in_dialog, "Survey: Quick feedback")
    flow.press("F10")
    flow.wait_for_dialogs()


def type_answers(flow: Flow, dialog, rating: str = "4", nps: str = "10") -> None:
    """The six questions by keys: digits, a choice's number, Enter past an optional one, Y,
    a few words."""
    assert dialog.page().score is not None and dialog.page().score.hasFocus()
    flow.type(rating)
    flow.press("Return")
    flow.type(nps)  # two digits typed as one score
    flow.press("Return")
    flow.type("2")  # Cake
    flow.press("Return")
    flow.press("Return")  # nothing else wanted: optional
    flow.type("y")
    flow.press("Return")
    assert dialog.next_button.text() == "&Save"
    flow.type("Lovely scones")
    flow.press("Return")


def test_a_survey_is_made_edited_and_deactivated_in_listening_by_keys(flow: Flow):
    flow.sign_in("Maya", "1234")
    flow.press("Ctrl+8")
    listening = flow.current_view()
    page = listening.surveys
    demos = len(list_surveys())  # the demo shop's own
    flow.wait_until(lambda: page.table.rowCount() == demos)
    assert page.table.hasFocus()  # Ctrl+8 lands on the page's list, not on its tab bar

    def new_survey(dialog):
        assert dialog.name.hasFocus()
        flow.type("Quick poll")
        flow.press("Alt+K")
        flow.press("Down")  # a poll
        flow.press("Alt+T")  # the first question's text
        flow.press("Ctrl+A")
        flow.type("Should we open on Sundays?")
        flow.press("Alt+D")
        for _ in range(4):
            flow.press("Down")  # rating, nps, choice, choices, yes or no
        assert dialog.question_kind.currentData() == "yes_no"
        flow.press("Return")

    flow.in_next_dialog(new_survey, "New survey")
    flow.press("Ctrl+N")
    flow.wait_for_dialogs()
    [line] = [line for line in list_surveys() if line.name == "Quick poll"]
    assert (line.name, line.kind, line.active, line.version_number) == (
        "Quick poll", "poll", True, 1)  # fmt: skip
    [question] = survey_form(line.id).questions
    assert (question.kind, question.text) == ("yes_no", "Should we open on Sundays?")
    flow.wait_until(lambda: page.table.rowCount() == demos + 1)
    [row] = [row for row in range(page.table.rowCount())
             if page.table.item(row, 0).text() == "Quick poll"]  # fmt: skip
    assert [page.table.item(row, column).text() for column in range(6)] == [
        "Quick poll", "Poll", "with the name", "offered", "1", "0"]  # fmt: skip

    def a_second_question_refused_then_a_survey(dialog):
        flow.press("Alt+A")  # a second question
        flow.wait_until(lambda: dialog.question_text.hasFocus())  # a mnemonic clicks a moment later
        flow.type("Which day instead?")
        flow.press("Alt+D")
        flow.press("Down")
        flow.press("Down")  # one choice
        flow.press("Alt+P")
        flow.type("Saturday")
        flow.press("Return")  # a new line: the next option
        flow.type("Monday")
        flow.press("Ctrl+Return")
        flow.wait_until(lambda: dialog.problem.isVisible())
        assert dialog.problem.text().startswith("A poll asks exactly one question")
        flow.press("Alt+K")
        flow.press("Up")  # a survey then
        flow.press("Ctrl+Return")

    flow.press("Tab")  # from the page's tab to the list of surveys
    assert page.table.hasFocus()
    assert page.current().name == "Quick poll"  # the survey just made is the one selected
    flow.in_next_dialog(a_second_question_refused_then_a_survey, "Quick poll")
    flow.press("Return")  # Enter edits the survey chosen
    flow.wait_for_dialogs()
    form = survey_form(line.id)
    assert (form.kind, form.version_number) == ("survey", 1)  # nobody answered: in place
    assert [(q.kind, q.options) for q in form.questions] == [
        ("yes_no", ()), ("choice", ("Saturday", "Monday"))]  # fmt: skip

    flow.press("Alt+A")  # Deactivate
    flow.wait_until(lambda: not next(each for each in list_surveys() if each.id == line.id).active)
    flow.wait_until(lambda: page.table.item(row, 3).text() == "not offered")
    assert page.active_button.text() == "&Activate"


def test_a_sale_offers_the_survey_and_the_cashier_answers_it_by_keys(flow: Flow):
    the_demos_surveys_set_aside()
    survey_id = a_survey()
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    assert not counter.panel.survey_offer.isVisible()  # no sale yet: nothing offered
    sell(flow)
    name = counter.shown_profile.name
    flow.wait_until(lambda: counter.panel.survey_offer.isVisible())
    assert counter.panel.survey_offer.text() == f"Ask {name} for feedback: Quick feedback (F10)"

    answer_now(flow, lambda dialog: type_answers(flow, dialog))

    [(response_id, contact_id, source)] = responses_of(survey_id)
    assert (contact_id, source) == (customer.id, "counter")
    assert answers_of(response_id) == [(4, None), (10, None), (1, None), (1, None),
                                       (None, "Lovely scones")]  # fmt: skip
    feedback = Interaction.get_by_id(store.response_row(response_id)[7])
    assert (feedback.contact_id, feedback.kind) == (customer.id, "feedback")
    assert (feedback.summary, feedback.feedback_score) == ("Survey: Quick feedback", 8)
    assert not Interaction.select().where(Interaction.contact == customer.id,
                                          Interaction.kind == "complaint",
                                          Interaction.id > feedback.id).exists()  # fmt: skip
    assert f"Answers to Quick feedback recorded for {name}. Thank you!" in flow.screen_text()
    flow.wait_until(lambda: not counter.panel.survey_offer.isVisible())  # asked: not again


def test_a_low_score_opens_a_complaint_case_that_today_shows(flow: Flow):
    the_demos_surveys_set_aside()
    a_survey()
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    sell(flow)
    name = counter.shown_profile.name
    answer_now(flow, lambda dialog: type_answers(flow, dialog, rating="1", nps="3"))

    case = (Interaction.select().where(Interaction.contact == customer.id,
                                       Interaction.kind == "complaint")
            .order_by(Interaction.id.desc()).first())  # fmt: skip
    assert case.status == "open"
    assert case.summary.startswith("Low score in Quick feedback: How was your visit? 1 of 5")
    assert f"A low score: a complaint case is open for {name} in Today." in flow.screen_text()
    flow.wait_until(lambda: "Low score in Quick feedback" in counter.panel.open_cases.text())

    flow.press("Ctrl+3")
    today = flow.current_view()
    flow.wait_until(lambda: "Low score in Quick feedback" in str(today.work_list.lines("cases")))


def test_declining_is_noted_and_not_asked_again(flow: Flow):
    the_demos_surveys_set_aside()
    survey_id = a_survey()
    a_survey(SurveyDefinition("Oat milk?", (QuestionDraft("yes_no", "Oat milk?"),), active=True))
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    sell(flow)
    flow.wait_until(lambda: counter.panel.survey_offer.isVisible())

    def decline(dialog):
        assert dialog.declined_button.isVisible()
        flow.press("Alt+D")

    asked_before = store.asked_rows(customer.id)  # the demo's asking, if any
    answer_now(flow, decline)
    assert outcomes_since(customer.id, asked_before) == ["declined"]
    assert responses_of(survey_id) == []
    assert "declined Quick feedback: not asked again for 90 days." in flow.screen_text()
    # Asked once for this sale: the other survey is not offered on top.
    flow.wait_until(lambda: not counter.panel.survey_offer.isVisible())
    sell(flow)  # another sale: the other survey, not the one declined within its 90 days
    flow.wait_until(lambda: counter.panel.survey_offer.isVisible())
    assert counter.panel.survey_offer.text().endswith("for feedback: Oat milk? (F10)")


def test_escape_asks_before_typed_answers_are_thrown_away(flow: Flow):
    survey_id = a_survey()
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    show_at_counter(flow, customer)
    asked_before = store.asked_rows(customer.id)  # the demo's asking, if any

    def start_then_escape(dialog):
        flow.type("5")
        flow.press("Return")
        flow.in_next_dialog(lambda box: flow.press("Escape"), "Discard answers")  # keep them
        flow.press("Escape")
        flow.wait_until(lambda: not flow.dialogs.queue)
        assert dialog.isVisible() and dialog.answers()  # kept, as typed

        def discard(box):
            [go] = [button for button in box.buttons() if button.text() == "Discard"]
            flow.click(go)

        flow.in_next_dialog(discard, "Discard answers")
        flow.press("Escape")

    answer_now(flow, start_then_escape)
    assert responses_of(survey_id) == [] and store.asked_rows(customer.id) == asked_before


def test_answering_from_the_panel_without_a_sale(flow: Flow):
    poll = SurveyDefinition("Oat milk?", (QuestionDraft("yes_no", "Should we stock oat milk?"),),
                            kind="poll", active=True)  # fmt: skip
    poll_id = a_survey(poll)
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    assert not counter.panel.survey_offer.isVisible()
    assert counter.panel.ask_button.isVisible() and counter.panel.ask_button.text() == "Ask… (F10)"

    def answer_no(dialog):
        assert dialog.next_button.text() == "&Save"  # a poll: one question
        flow.type("n")
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Answer now: Oat milk?"))
    flow.in_next_dialog(answer_no, "Survey: Oat milk?")
    flow.click(counter.panel.ask_button)
    flow.wait_for_dialogs()
    [(response_id, contact_id, _)] = responses_of(poll_id)
    assert contact_id == customer.id and answers_of(response_id) == [(0, None)]
    feedback = Interaction.get_by_id(store.response_row(response_id)[7])
    assert (feedback.summary, feedback.details) == (
        "Poll: Oat milk?",
        "Should we stock oat milk? No",
    )


def test_nothing_to_ask_is_said_in_one_line(flow: Flow):
    the_demos_surveys_set_aside()
    flow.sign_in("Sam", "0000")
    # The demo shop's open prize draw takes one entry a person: one who entered has none.
    customer = next(
        each for each in Contact.select().where(
            Contact.card_number.is_null(False), Contact.kind == "person",
            Contact.erased_at.is_null(), Contact.archived_at.is_null()).order_by(Contact.id.desc())
        if not offered_at_counter(each.id)
    )  # fmt: skip
    counter = show_at_counter(flow, customer)
    assert not counter.panel.ask_button.isVisible()
    flow.press("F10")
    assert "no survey is offered at the Counter" in counter.confirmation.text()


def test_an_anonymous_poll_answered_at_the_counter_keeps_no_name(flow: Flow):
    poll_id = a_survey(SurveyDefinition(
        "Recommend", (QuestionDraft("nps", "Would you recommend us?"),), kind="poll",
        anonymous=True, active=True))  # fmt: skip
    flow.sign_in("Sam", "0000")
    customer = a_card_holder(newest=True)
    counter = show_at_counter(flow, customer)
    entries = Interaction.select().where(Interaction.contact == customer.id).count()
    asked_before = store.asked_rows(customer.id)  # the demo's asking, if any

    def answer(dialog):
        said = visible_text(dialog)
        assert "Anonymous: the answers are kept without the customer's name." in said
        flow.type("11")
        flow.press("Return")
        assert dialog.problem.text() == "The answer to question 1 is a number from 0 to 10."
        flow.press("BackSpace")  # 1: a low score, but nobody to open a case for
        flow.press("Return")

    flow.in_next_menu(lambda menu: flow.choose_in_menu(menu, "Answer now: Recommend"))
    flow.in_next_dialog(answer, "Survey: Recommend")
    flow.press("F10")
    flow.wait_for_dialogs()
    [(response_id, contact_id, source)] = responses_of(poll_id)
    assert (contact_id, source) == (None, "counter") and answers_of(response_id) == [(1, None)]
    assert Interaction.select().where(Interaction.contact == customer.id).count() == entries
    assert outcomes_since(customer.id, asked_before) == ["answered"]
    assert "Answers to Recommend recorded anonymously. Thank you!" in flow.screen_text()
    assert counter.shown_contact_id == customer.id
