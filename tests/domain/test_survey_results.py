"""A survey's results (relapp.domain.listening.results): distributions with every possible
answer, averages, the NPS with its interval, the monthly trend with empty months, the splits
by segment, tier and ladder stage (anonymous answers in the totals, in no split), written
answers newest first, each version's questions under it with the current first; on both
engines."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from relapp.db.models import Contact, Staff, Tier, database
from relapp.domain import clock
from relapp.domain.contacts.listing import ContactFilter, UnknownSegment, save_segment
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.results import (
    ResultsCancelled,
    customer_split,
    headline,
    question_figures,
    segment_split,
    survey_results,
)
from relapp.domain.listening.surveys import (
    QuestionDraft,
    SurveyDefinition,
    SurveyRefused,
    list_surveys,
    save_survey,
    survey_form,
)
from tests.factories import FakeClock, add_contact

JUNE = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
AUGUST = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)
VISIT = SurveyDefinition(
    "After your visit",
    (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("rating", "How was your visit?", required=False),
        QuestionDraft("choice", "What did you come for?", ("Coffee", "Cake", "Lunch"), False),
        QuestionDraft("choices", "What else?", ("Tea", "Soup", "Bread"), False),
        QuestionDraft("yes_no", "Did you find everything?", required=False),
        QuestionDraft("text", "Anything else?", required=False),
    ),
    intro="Two minutes, please.",
)


def define(survey: SurveyDefinition = VISIT) -> int:
    save_survey(survey)
    return next(line.id for line in list_surveys() if line.name == survey.name)


def answer(survey_id: int, contact_id: int | None, *values: int | str | None) -> None:
    """Answers to the current version's questions in order (None: left blank)."""
    questions = survey_form(survey_id).questions
    answers = [
        Answer(question.id, None, value) if isinstance(value, str)
        else Answer(question.id, value)
        for question, value in zip(questions, values, strict=False)
        if value is not None
    ]  # fmt: skip
    record_response(survey_id, answers, contact_id=contact_id, source="counter")


@pytest.fixture
def shop(db, monkeypatch):
    """Two tiers; four customers at different stages and tiers; a segment of the clients;
    the clock in June."""
    moment = FakeClock(JUNE)
    monkeypatch.setattr(clock, "utc_now", moment)
    Staff.create(name="Sam", role="counter", pin_hash="x", created_at=JUNE)
    bronze = Tier.create(name="Bronze", min_spend_cents=0).id
    gold = Tier.create(name="Gold", min_spend_cents=100_000).id
    people = {
        "ann": add_contact("Ann", "Lee", ladder_stage="client", tier_id=gold).id,
        "bob": add_contact("Bob", "Ng", ladder_stage="client", tier_id=bronze).id,
        "cat": add_contact("Cat", "Roy", ladder_stage="prospect").id,
        "dan": add_contact("Dan", "Orr", ladder_stage="advocate", tier_id=gold).id,
    }
    # A new customer starts in the lowest tier; Cat has none (a shop whose tiers came later).
    Contact.update(tier_id=None).where(Contact.id == people["cat"]).execute()
    save_segment("Clients", ContactFilter(stages=("client",)))
    return moment, people


def test_every_figure_of_a_named_survey(shop):
    moment, people = shop
    survey_id = define()
    answer(survey_id, people["ann"], 10, 5, 0, 0b011, 1, "Lovely cake")
    answer(survey_id, people["bob"], 9, 4, 1, 0b100, 0, None)
    answer(survey_id, people["cat"], 3, 1, 1, None, 1, "Too slow")
    moment.moment = AUGUST  # nothing in July: the trend shows it as an empty month
    answer(survey_id, people["dan"], 7, None, 2, 0b111, None, "More seats")

    results = survey_results(survey_id)
    assert (results.name, results.responses, results.anonymous_responses) == (
        "After your visit", 4, 0)  # fmt: skip
    assert results.months == (("2026-06", 3), ("2026-07", 0), ("2026-08", 1))
    assert results.segments == ("Clients",)
    [version] = results.versions
    assert version.current and version.number == 1 and version.responses == 4
    nps, rating, choice, choices, yes_no, text = version.questions

    # Every possible answer, the ones nobody gave included.
    assert [(bar.label, bar.count) for bar in nps.overall.bars] == [
        ("0", 0), ("1", 0), ("2", 0), ("3", 1), ("4", 0), ("5", 0), ("6", 0), ("7", 1),
        ("8", 0), ("9", 1), ("10", 1)]  # fmt: skip
    assert nps.overall.answers == 4 and nps.overall.average == pytest.approx(29 / 4)
    assert (nps.overall.nps.promoters, nps.overall.nps.passives,
            nps.overall.nps.detractors) == (2, 1, 1)  # fmt: skip
    assert nps.overall.nps.score == pytest.approx(25.0)
    assert [bar.count for bar in rating.overall.bars] == [1, 0, 0, 1, 1]
    assert rating.overall.answers == 3 and rating.overall.average == pytest.approx(10 / 3)
    assert rating.overall.nps is None
    assert [(bar.label, bar.count) for bar in choice.overall.bars] == [
        ("Coffee", 1), ("Cake", 2), ("Lunch", 1)]  # fmt: skip
    # Several choices: how many ticked each option (more ticks than answers).
    assert choices.overall.answers == 3
    assert [(bar.label, bar.count) for bar in choices.overall.bars] == [
        ("Tea", 2), ("Soup", 2), ("Bread", 2)]  # fmt: skip
    assert [(bar.label, bar.count) for bar in yes_no.overall.bars] == [("Yes", 2), ("No", 1)]
    assert text.overall.bars == () and text.text_count == 3

    # The trend: June's three answers, nothing in July, Dan's in August.
    assert [(month, figures.answers) for month, figures in nps.months] == [
        ("2026-06", 3), ("2026-07", 0), ("2026-08", 1)]  # fmt: skip
    june = dict(nps.months)["2026-06"]
    assert june.nps.score == pytest.approx(100 * (2 - 1) / 3)
    assert dict(nps.months)["2026-07"].average is None

    # Splits: as each customer is now.
    assert [(g.label, g.figures.answers) for g in nps.by_tier] == [
        ("Bronze", 1), ("Gold", 2), ("No tier", 1)]  # fmt: skip
    assert [(g.label, g.figures.answers) for g in nps.by_stage] == [
        ("Prospect", 1), ("Client", 2), ("Advocate", 1)]  # fmt: skip
    [clients] = nps.by_segment
    assert clients.label == "Clients" and clients.figures.nps.score == pytest.approx(100.0)
    assert [bar.count for bar in dict((g.label, g.figures) for g in choice.by_stage)[
        "Client"].bars] == [1, 1, 0]  # fmt: skip

    # Written answers, newest first, with who wrote them.
    assert [(t.text, t.customer, t.month) for t in text.texts] == [
        ("More seats", "Dan Orr", "2026-08"), ("Too slow", "Cat Roy", "2026-06"),
        ("Lovely cake", "Ann Lee", "2026-06")]  # fmt: skip
    assert headline(nps.overall, "nps").startswith("NPS +25 (95 % interval ")
    assert headline(rating.overall, "rating") == "Average 3.3 of 5"
    assert headline(choice.overall, "choice") == "Most answered: Cake (50%)"


def test_anonymous_answers_count_in_the_totals_and_in_no_split(shop):
    _moment, people = shop
    survey_id = define(replace(VISIT, name="Quietly", anonymous=True))
    answer(survey_id, people["ann"], 10)
    answer(survey_id, None, 2)
    answer(survey_id, None, 9, None, None, None, None, "Nice")
    results = survey_results(survey_id)
    assert (results.responses, results.anonymous_responses) == (3, 3)
    nps = results.versions[0].questions[0]
    assert nps.overall.answers == 3 and nps.overall.nps.score == pytest.approx(100 / 3)
    assert nps.by_tier == () and nps.by_stage == ()
    assert nps.by_segment[0].figures.answers == 0  # Ann is a client, but kept no name
    [written] = results.versions[0].questions[5].texts
    assert (written.text, written.customer, written.answered_at) == ("Nice", None, None)


def test_each_version_keeps_its_own_questions_the_current_first(shop):
    moment, people = shop
    survey_id = define()
    answer(survey_id, people["ann"], 8)
    save_survey(replace(VISIT, id=survey_id, questions=(QuestionDraft("rating", "Rate us"),)))
    moment.moment = AUGUST
    answer(survey_id, people["bob"], 5)
    answer(survey_id, people["cat"], 4)
    results = survey_results(survey_id, segments=())
    assert [(v.number, v.current, v.responses) for v in results.versions] == [
        (2, True, 2), (1, False, 1)]  # fmt: skip
    assert [q.text for q in results.versions[0].questions] == ["Rate us"]
    assert results.versions[0].questions[0].overall.average == pytest.approx(4.5)
    assert results.versions[1].questions[0].overall.answers == 1
    assert results.segments == () and results.versions[0].questions[0].by_segment == ()
    assert results.current is results.versions[0]


def test_a_survey_nobody_answered_has_empty_figures(shop):
    survey_id = define()
    results = survey_results(survey_id)
    assert results.responses == 0 and results.months == ()
    nps = results.versions[0].questions[0]
    assert nps.overall.answers == 0 and nps.overall.average is None
    assert [bar.count for bar in nps.overall.bars] == [0] * 11
    assert headline(nps.overall, "nps") == "" and nps.texts == ()


def test_an_unknown_survey_and_a_gone_segment_are_told(shop):
    with pytest.raises(SurveyRefused, match=r"There is no survey number 404\."):
        survey_results(404)
    survey_id = define()
    results = survey_results(survey_id, segments=["Clients", "Nobody saved this"])
    assert results.segments == ("Clients",)
    assert results.left_out_segments == ("Nobody saved this",)


def test_a_segment_split_added_afterwards_is_the_same_as_one_asked_for(shop):
    _moment, people = shop
    survey_id = define()
    answer(survey_id, people["ann"], 10, 5, 0)
    answer(survey_id, people["bob"], 6, 2, 1)
    answer(survey_id, people["cat"], 9, 4, 1)
    without = survey_results(survey_id, segments=())
    assert without.segments == () and without.versions[0].questions[0].by_segment == ()
    added = segment_split(without, "Clients")
    assert added == survey_results(survey_id, segments=["Clients"])
    [clients] = added.versions[0].questions[0].by_segment
    assert clients.figures.answers == 2 and clients.figures.nps.score == pytest.approx(0.0)
    assert segment_split(added, "Clients") is added
    with pytest.raises(UnknownSegment):
        segment_split(without, "Nobody saved this")


def test_the_split_by_tier_and_stage_read_afterwards_is_the_same(shop):
    _moment, people = shop
    survey_id = define()
    answer(survey_id, people["ann"], 10, 5, 0)
    answer(survey_id, people["cat"], 3, 1, 1)
    quick = survey_results(survey_id, segments=(), by_customer=False)
    nps = quick.versions[0].questions[0]
    assert not quick.by_customer and nps.by_tier == () and nps.by_stage == ()
    assert nps.overall.answers == 2 and [m for m, _f in nps.months] == ["2026-06"]
    split = customer_split(quick)
    assert split == survey_results(survey_id, segments=())
    assert [g.label for g in split.versions[0].questions[0].by_stage] == ["Prospect", "Client"]
    assert customer_split(split) is split


def test_written_answers_are_limited_with_their_count(shop):
    moment, people = shop
    survey_id = define()
    for number, who in enumerate(("ann", "bob", "cat", "dan")):
        moment.advance(days=1)
        answer(survey_id, people[who], 9, None, None, None, None, f"Note {number}")
    text = survey_results(survey_id, text_limit=2).versions[0].questions[5]
    assert [t.text for t in text.texts] == ["Note 3", "Note 2"] and text.text_count == 4
    everything = survey_results(survey_id, text_limit=None).versions[0].questions[5]
    assert len(everything.texts) == 4


def test_cancelling_between_steps(shop):
    survey_id = define()
    steps = []
    with pytest.raises(ResultsCancelled):
        survey_results(survey_id, report=lambda done, total: steps.append((done, total)),
                       cancelled=lambda: len(steps) >= 2)  # fmt: skip
    assert steps == [(1, 5), (2, 5)]  # reading, counting, a step a segment, texts, done
    assert not database.in_transaction()


def test_the_nps_interval_is_the_usual_approximation():
    # 5 promoters, 3 passives, 2 detractors: p = 0.5, d = 0.2, n = 10.
    counts = {10: 3, 9: 2, 8: 2, 7: 1, 5: 1, 0: 1}
    nps = question_figures("nps", (), counts).nps
    assert nps is not None and nps.score == pytest.approx(30.0)
    margin = 100 * 1.96 * math.sqrt((0.5 + 0.2 - 0.3**2) / 10)
    assert nps.margin == pytest.approx(margin) and margin == pytest.approx(48.41, abs=0.01)
    assert (nps.low, nps.high) == (pytest.approx(30 - margin), pytest.approx(30 + margin))
    assert nps.rough  # ten answers: a rough guide
    # Clipped to the scale's ends; many answers narrow it.
    assert question_figures("nps", (), {10: 9, 0: 1}).nps.high == 100.0
    many = question_figures("nps", (), {10: 500, 8: 300, 3: 200}).nps
    assert many.margin < 6 and not many.rough
