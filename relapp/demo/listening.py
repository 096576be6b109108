"""The demo shop listening to its customers: a survey at the till, an old poll, two prize draws.

* "How did we do?", offered at the Counter for a little over a year: a recommend score (NPS),
  a rating, one choice and an optional few words. About one in six customers who bought in
  the last year answered it at one of those purchases, and a few more were asked and said
  no. Each answer is what relapp.domain.listening.answers.record_response writes, worded by
  its own functions: the response (numbered, the moment, who typed it), its answers, a
  feedback entry on the customer's history (the recommend score as its score, the answers
  in words), the asking noted as answered, and for a low score a complaint case dated at the
  answer, open if recent and otherwise mostly resolved, as the demo's other complaints.
* "Should we open on Sundays?": an anonymous yes/no poll on paper slips at the till some
  months ago, no longer offered. Only the month of each answer is kept, under ids drawn from
  the anonymous range as answers.py draws them (here from the demo's own numbers).
* Two competitions: last season's hamper draw (an entry with each purchase, up to three, or
  at the counter; the free route written in), drawn the day after it closed with
  relapp.domain.listening.draw and recorded as relapp.domain.listening.winners records a
  draw, every winner told but the last; and a gift card giveaway open now (at the counter or
  on paper, once each). Entries are made from a competition's second day on, so an entry's
  day is the same on any computer's calendar (the demo's days are Melbourne's, and
  `relapp competition verify` or a draw made elsewhere must agree on which entries were in
  time).

Everything random comes from the random.Random given (its own stream from the seed), asked
in the order of the customers, so the rest of the shop is what the seed gave without it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from relapp.db.store.demo_shop import (
    AnswerRow,
    AskedRow,
    CompetitionRow,
    DrawRow,
    EntryRow,
    QuestionRow,
    ResponseRow,
    SurveyRow,
    VersionRow,
    WinnerRow,
)
from relapp.db.store.surveys import ANONYMOUS_IDS, NAMED_ID_LIMIT
from relapp.demo import vocabulary as words
from relapp.domain.listening.answers import (
    Answer,
    feedback_score,
    in_words,
    low_scores,
)
from relapp.domain.listening.answers import _one_line as one_line
from relapp.domain.listening.competitions import Competition
from relapp.domain.listening.draw import DrawRules, EntryFacts, draw_winners, sort_entries
from relapp.domain.listening.surveys import Question, SurveyForm, Thresholds
from relapp.domain.terms import SURVEY_KIND_NAMES

DAY = 86_400
HOUR = 3_600
_EPOCH = date(1970, 1, 1)
MANAGER = 1  # the demo's staff member 1 (Maya, the owner) draws and tells the winners

# -- the survey ------------------------------------------------------------------------------

SURVEY_ID, SURVEY_VERSION = 1, 1
SURVEY_NAME = "How did we do?"
SURVEY_RULES = Thresholds(ask_every_days=90, low_rating=2, low_nps=6)
SURVEY_DAYS = 372  # offered since this many days before the end of the history
NPS, RATING, BROUGHT, BETTER = 1, 2, 3, 4  # its questions' ids
BROUGHT_OPTIONS = ("Coffee", "A gift", "Something for myself", "Just browsing")
SURVEY = SurveyForm(
    SURVEY_ID, SURVEY_NAME, "survey", False, True, SURVEY_VERSION, 1,
    "Four quick questions about today. Thank you for helping us do better!",
    (
        Question(NPS, 1, "nps", "How likely are you to recommend Lantern Lane to a friend?",
                 (), True),
        Question(RATING, 2, "rating", "How was your visit today?", (), True),
        Question(BROUGHT, 3, "choice", "What brought you in today?", BROUGHT_OPTIONS, True),
        Question(BETTER, 4, "text", "Anything we could do better?", (), False),
    ),
)  # fmt: skip
ANSWERED = 0.17  # of those who bought in the last year (about 12% of all customers)
DECLINED = 0.06
# How likely to recommend, 0 to 10: mostly promoters, some passives, a few detractors
# (NPS about +50, a well-liked local shop).
NPS_WEIGHTS = (1, 0.5, 1, 1.5, 2, 3, 4, 8, 16, 26, 37)
BROUGHT_WEIGHTS = (35, 25, 30, 10)
WROTE_SOMETHING = 0.35  # the optional question
SUGGESTIONS = (
    "Nothing, keep doing what you're doing!",
    "More seats by the window, please.",
    "A loyalty app would be handy.",
    "Stock a few more sizes in the linen range.",
    "Oat milk at no extra charge?",
    "Open a little later on Thursdays.",
)

# -- the poll --------------------------------------------------------------------------------

POLL_ID, POLL_VERSION, POLL_QUESTION = 2, 2, 5
POLL_NAME = "Should we open on Sundays?"
POLL = SurveyForm(
    POLL_ID, POLL_NAME, "poll", True, False, POLL_VERSION, 1,
    "Tick one and drop it in the box at the till. No names: we only count the answers.",
    (Question(POLL_QUESTION, 1, "yes_no", POLL_NAME, (), True),),
)  # fmt: skip
POLL_FROM_DAYS, POLL_UNTIL_DAYS = 260, 170  # on the counter from and until, days before the end
POLL_YES = 0.62
MIN_SLIPS, MAX_SLIPS = 30, 450  # a fifth of the customers, within these

# -- the competitions ------------------------------------------------------------------------

SEASONS = ("Summer", "Autumn", "Winter", "Spring")  # the southern hemisphere's, from December
HAMPER_ID, GIVEAWAY_ID = 1, 2
HAMPER_DAYS = 42
ENTERS_WITH_PURCHASE = 0.35
ENTERS_AT_COUNTER = 0.25  # at a visit without a purchase
WRITES_IN = 0.004  # of the customers: an entry by the free route, typed by the staff
GIVEAWAY_BEFORE, GIVEAWAY_AFTER = 20, 24  # days it has run, and runs on, from the end
GIVEAWAY_AT_COUNTER = 0.2  # at each visit
GIVEAWAY_ON_PAPER = 0.01  # of the customers


@dataclass(frozen=True)
class Entry:
    competition_id: int
    contact_id: int
    route: str
    moment: int
    interaction_id: int | None  # the sale of an entry by purchase
    staff_id: int


@dataclass
class Listened:
    """One batch of customers' survey rows, in the columns of the generator's tables."""

    responses: list[ResponseRow] = field(default_factory=list)
    answers: list[AnswerRow] = field(default_factory=list)
    asked: list[AskedRow] = field(default_factory=list)


@dataclass(frozen=True)
class ShopRows:
    """The surveys, their versions and questions, and the competitions (store.demo_shop)."""

    surveys: list[SurveyRow]
    versions: list[VersionRow]
    questions: list[QuestionRow]
    competitions: list[CompetitionRow]


@dataclass(frozen=True)
class CaseClock:
    """A complaint's status and when it was first answered and resolved (moments)."""

    status: str
    first_response: int | None
    resolved: int | None


@dataclass(frozen=True)
class DrawRows:
    """The entries, the draw, its winners, and the winners' notes as (contact, moment,
    summary, staff) for the generator to number with the other history entries."""

    entries: list[EntryRow]
    draws: list[DrawRow]
    winners: list[WinnerRow]
    notes: list[tuple[int, int, str, int]]


class SurveyHistory(Protocol):
    """What the desk writes into a customer's history (the generator's _History): an
    inbound entry (a survey's feedback, a complaint), its id returned."""

    def inbound(
        self, kind: str, moment: int, summary: str, *, details: str = "",
        score: int | None = None, status: str | None = None,
        first_response: int | None = None, resolved: int | None = None,
    ) -> int: ...  # fmt: skip


class ListeningDesk:
    """The survey answered at the till, the poll and the competitions (module docstring)."""

    def __init__(
        self, rng: random.Random, end: int, customers: int, utc_offset: int,
        stamp: Callable[[int], str], staff_of: Callable[[int], int],
    ) -> None:  # fmt: skip
        self.rng = rng
        self.end = end
        self.customers = customers
        self.utc_offset = utc_offset
        self.stamp = stamp
        self.staff_of = staff_of
        self.today = self.day_of(end)
        self.survey_since = self.morning(self.today - timedelta(days=SURVEY_DAYS))
        self.answers_from = max(self.survey_since, end - 365 * DAY)
        self.response_ids = iter(range(1, NAMED_ID_LIMIT))
        self.answer_ids = iter(range(1, NAMED_ID_LIMIT))
        self.entries: list[Entry] = []
        self.hamper, self.giveaway = self._competitions()

    # -- days ------------------------------------------------------------------------------

    def day_of(self, moment: int) -> date:
        """The shop's calendar day of a moment."""
        return _EPOCH + timedelta(days=(moment + self.utc_offset) // DAY)

    def midnight(self, day: date) -> int:
        """The moment the shop's day begins."""
        return (day - _EPOCH).days * DAY - self.utc_offset

    def morning(self, day: date) -> int:
        return self.midnight(day) + 10 * HOUR

    def _month(self, moment: int) -> str:
        return self.day_of(moment).strftime("%Y-%m")

    def _during_hours(self, day: date) -> int:
        """A moment on the day when the staff have time to type forms: 10:00 to 17:00."""
        return self.morning(day) + int(self.rng.random() * 7 * HOUR)

    # -- the shop's rows -------------------------------------------------------------------

    def _competitions(self) -> tuple[Competition, Competition]:
        season = (self.today.month % 12) // 3  # December, January, February: summer
        last = (season - 1) % 4
        first_month = last * 3 or 12  # December for summer, then March, June, September
        year = self.today.year - (1 if first_month > self.today.month else 0)
        starts = date(year, first_month, 1)
        hamper = Competition(
            HAMPER_ID, f"{SEASONS[last]} hamper draw", starts,
            starts + timedelta(days=HAMPER_DAYS - 1),
            "Win one of three hampers of local treats from Lantern Lane and its neighbours.\n"
            "One entry with each purchase, up to three a person. No purchase necessary: ask"
            " at the counter for a free entry, or write in with your name and phone number.\n"
            "Drawn at random the day after it closes; the winners are told by phone or email.",
            "all", "", True, False, True,
            "Ask at the counter, or write in with your name and phone number.", 3, 3,
        )  # fmt: skip
        giveaway = Competition(
            GIVEAWAY_ID, f"{SEASONS[season]} gift card giveaway",
            self.today - timedelta(days=GIVEAWAY_BEFORE),
            self.today + timedelta(days=GIVEAWAY_AFTER),
            "Win a $100 Lantern Lane gift card. One entry a person, at the counter or on the"
            " form by the till. No purchase necessary.\nDrawn at random the day after it"
            " closes; the winner is told by phone or email.",
            "all", "", True, True, False, "", 1, 1,
        )  # fmt: skip
        return hamper, giveaway

    def shop_rows(self) -> ShopRows:
        surveys: list[SurveyRow] = []
        versions: list[VersionRow] = []
        questions: list[QuestionRow] = []
        for form, created, changed in (
            (SURVEY, self.survey_since - 7 * DAY, self.survey_since - 7 * DAY),
            (POLL, self._poll_from() - 3 * DAY, self._poll_until()),
        ):
            rules = SURVEY_RULES
            surveys.append((form.survey_id, form.name, form.kind, int(form.anonymous),
                            int(form.active), rules.ask_every_days, rules.low_rating,
                            rules.low_nps, self.stamp(created), self.stamp(changed)))  # fmt: skip
            versions.append((form.version_id, form.survey_id, form.version_number, form.intro,
                             self.stamp(created)))  # fmt: skip
            questions += [
                (q.id, form.version_id, q.position, q.kind, q.text,
                 json.dumps(list(q.options), ensure_ascii=False), int(q.required))
                for q in form.questions
            ]  # fmt: skip
        competitions: list[CompetitionRow] = []
        for each in (self.hamper, self.giveaway):
            made = self.stamp(self.morning(each.starts_on - timedelta(days=10)))
            competitions.append((
                each.id, each.name, each.starts_on.isoformat(), each.ends_on.isoformat(),
                each.rules, each.eligibility, None, int(each.by_counter), int(each.by_paper),
                int(each.by_purchase), each.no_purchase_route, each.limit_per_person,
                each.winners, made, made,
            ))  # fmt: skip
        return ShopRows(surveys, versions, questions, competitions)

    # -- one customer at a time ------------------------------------------------------------

    def customer(
        self, contact_id: int, created: int, visits: Sequence[tuple[int, int | None]],
        history: SurveyHistory, rows: Listened,
    ) -> None:  # fmt: skip
        """The customer's answer to the survey (or their no), and their competition entries;
        visits: (moment, the purchase's interaction id or None) in time order."""
        rng = self.rng
        bought = [(moment, sale) for moment, sale in visits
                  if sale is not None and moment >= self.answers_from]  # fmt: skip
        if bought:
            roll = rng.random()
            if roll < ANSWERED:
                self._answer(contact_id, rng.choice(bought)[0], history, rows)
            elif roll < ANSWERED + DECLINED:
                moment = rng.choice(bought)[0]
                rows.asked.append((SURVEY_ID, contact_id, self.stamp(moment), "declined"))
        self._enter(contact_id, created, visits)

    def _answer(self, contact_id: int, moment: int, history: SurveyHistory, rows: Listened) -> None:
        rng = self.rng
        nps = rng.choices(range(11), NPS_WEIGHTS)[0]
        given = [
            Answer(NPS, nps),
            Answer(RATING, _rating_for(nps, rng)),
            Answer(BROUGHT, rng.choices(range(len(BROUGHT_OPTIONS)), BROUGHT_WEIGHTS)[0]),
        ]
        if rng.random() < WROTE_SOMETHING:
            given.append(Answer(BETTER, None, _words_for(nps, rng)))
        stamp, staff = self.stamp(moment), self.staff_of(moment)
        questions = {question.id: question for question in SURVEY.questions}
        details = "\n".join(in_words(questions[a.question_id], a) for a in given)
        what = f"{SURVEY_KIND_NAMES[SURVEY.kind]}: {SURVEY.name}"
        feedback = history.inbound(
            "feedback", moment, one_line(what), details=details,
            score=feedback_score(SURVEY, given),
        )  # fmt: skip
        response_id = next(self.response_ids)
        rows.responses.append((
            response_id, SURVEY_ID, SURVEY_VERSION, "counter", self._month(moment), contact_id,
            stamp, staff, feedback,
        ))  # fmt: skip
        rows.answers += [
            (next(self.answer_ids), response_id, answer.question_id, answer.value, answer.text)
            for answer in given
        ]
        low = low_scores(SURVEY, SURVEY_RULES, given)
        if low:
            case = self._case_clock(moment)
            history.inbound(
                "complaint", moment, one_line(f"Low score in {SURVEY.name}: {'; '.join(low)}"),
                details=details, status=case.status, first_response=case.first_response,
                resolved=case.resolved,
            )  # fmt: skip
        rows.asked.append((SURVEY_ID, contact_id, stamp, "answered"))

    def _case_clock(self, moment: int) -> CaseClock:
        """A complaint's status and response times, as the demo's other complaints have them
        (relapp.demo.generator's queries_and_complaints): open if recent, else mostly
        answered within a day or so and resolved within three days more."""
        rng, end = self.rng, self.end
        still_open = rng.random() < (0.7 if end - moment < 3 * DAY else 0.03)
        first_response = None
        if not still_open or rng.random() < 0.4:
            first_response = moment + int((0.2 + rng.random() * 30) * HOUR)
        resolved = None
        if not still_open:
            resolved = (first_response or moment) + int(rng.random() * 72 * HOUR)
        if first_response is not None and first_response > end:
            first_response = None
        if resolved is not None and resolved > end:
            still_open, resolved = True, None
        return CaseClock("open" if still_open else "resolved", first_response, resolved)

    def _enter(
        self, contact_id: int, created: int, visits: Sequence[tuple[int, int | None]]
    ) -> None:
        rng = self.rng
        for competition, with_purchase, at_counter, typed, typed_route in (
            (self.hamper, ENTERS_WITH_PURCHASE, ENTERS_AT_COUNTER, WRITES_IN, "no_purchase"),
            (self.giveaway, GIVEAWAY_AT_COUNTER, GIVEAWAY_AT_COUNTER, GIVEAWAY_ON_PAPER, "paper"),
        ):
            opens = self.midnight(competition.starts_on + timedelta(days=1))
            closes = min(self.end, self.midnight(competition.ends_on + timedelta(days=1)) - 1)
            if created > closes:
                continue
            made: list[Entry] = []
            for moment, sale in visits:
                if not opens <= moment <= closes:
                    continue
                if sale is not None and rng.random() < with_purchase:
                    route = "purchase" if competition.by_purchase else "counter"
                    made.append(Entry(competition.id, contact_id, route, moment,
                                      sale if competition.by_purchase else None,
                                      self.staff_of(moment)))  # fmt: skip
                elif sale is None and rng.random() < at_counter:
                    made.append(Entry(competition.id, contact_id, "counter", moment, None,
                                      self.staff_of(moment)))  # fmt: skip
            if rng.random() < typed:
                first, last = self.day_of(max(opens, created)), self.day_of(closes)
                day = first + timedelta(days=rng.randrange((last - first).days + 1))
                moment = min(closes, max(created, opens, self._during_hours(day)))
                made.append(Entry(competition.id, contact_id, typed_route, moment, None,
                                  self.staff_of(moment)))  # fmt: skip
            # The counter refuses an entry over the limit: the first ones made count.
            made.sort(key=lambda entry: entry.moment)
            self.entries += made[: competition.limit_per_person]

    # -- at the end --------------------------------------------------------------------------

    def _poll_from(self) -> int:
        return self.morning(self.today - timedelta(days=POLL_FROM_DAYS))

    def _poll_until(self) -> int:
        return self.morning(self.today - timedelta(days=POLL_UNTIL_DAYS))

    def poll_rows(self) -> tuple[list[ResponseRow], list[AnswerRow]]:
        """The poll's anonymous responses and answers: the month only, ids drawn at random
        from the anonymous range."""
        rng = self.rng
        slips = min(MAX_SLIPS, max(MIN_SLIPS, self.customers // 5))
        taken_responses: set[int] = set()
        taken_answers: set[int] = set()
        responses: list[ResponseRow] = []
        answers: list[AnswerRow] = []
        start, stop = self._poll_from(), self._poll_until()
        for _ in range(slips):
            moment = start + int(rng.random() * (stop - start))
            response_id = _drawn(rng, taken_responses)
            responses.append((response_id, POLL_ID, POLL_VERSION, "paper", self._month(moment),
                              None, None, None, None))  # fmt: skip
            answers.append((_drawn(rng, taken_answers), response_id, POLL_QUESTION,
                            int(rng.random() < POLL_YES), None))  # fmt: skip
        return responses, answers

    def draw_rows(self) -> DrawRows:
        """Every entry numbered in the order made, the hamper draw made and recorded, its
        winners told but the last."""
        entries = sorted(self.entries, key=lambda e: (e.moment, e.competition_id, e.contact_id))
        entry_rows = [
            (number, e.competition_id, e.contact_id, e.route, self.stamp(e.moment),
             e.interaction_id, e.staff_id)
            for number, e in enumerate(entries, start=1)
        ]  # fmt: skip
        competition = self.hamper
        facts = [
            EntryFacts(number, e.contact_id, e.route, self.day_of(e.moment), False, True)
            for number, e in enumerate(entries, start=1)
            if e.competition_id == competition.id
        ]
        rules = DrawRules(competition.starts_on, competition.ends_on, competition.routes,
                          competition.limit_per_person)  # fmt: skip
        counted = sort_entries(facts, rules)
        if not counted.valid:  # a draw with no valid entries records nothing
            return DrawRows(entry_rows, [], [], [])
        seed = f"{self.rng.getrandbits(128):032x}"  # as secrets.token_hex(16) spells one
        won = draw_winners(seed, counted.valid, competition.winners)
        drawn = self.morning(competition.ends_on + timedelta(days=1)) + HOUR
        draw = (competition.id, self.stamp(drawn), seed, json.dumps(counted.valid),
                json.dumps(counted.excluded), MANAGER)  # fmt: skip
        people = {number: e.contact_id for number, e in enumerate(entries, start=1)}
        winners, notes = [], []
        for position, entry_id in enumerate(won, start=1):
            told = None
            if position < len(won):  # the last could not be reached yet: Today lists them
                told = self.stamp(drawn + int((2 + self.rng.random() * 46) * HOUR))
            winners.append((competition.id, position, entry_id, told))
            notes.append((people[entry_id], drawn, f"Won the draw: {competition.name}", MANAGER))
        return DrawRows(entry_rows, [draw], winners, notes)


def _rating_for(nps: int, rng: random.Random) -> int:
    """How the visit was rated (1 to 5) by someone who gave this recommend score."""
    if nps >= 9:
        return 5 if rng.random() < 0.8 else 4
    if nps >= 7:
        return rng.choices((5, 4, 3), (20, 65, 15))[0]
    if nps >= 5:
        return rng.choices((4, 3, 2), (15, 60, 25))[0]
    return rng.choices((3, 2, 1), (10, 45, 45))[0]


def _words_for(nps: int, rng: random.Random) -> str:
    if nps >= 9:
        return rng.choice(SUGGESTIONS + words.FEEDBACK_PRAISE)
    if nps >= 7:
        return rng.choice(words.FEEDBACK_NEUTRAL)
    return rng.choice(words.FEEDBACK_CRITICAL)


def _drawn(rng: random.Random, taken: set[int]) -> int:
    """An id from the anonymous range not drawn before (answers.py's _random_id)."""
    while True:
        drawn = NAMED_ID_LIMIT + rng.randrange(ANONYMOUS_IDS)
        if drawn not in taken:
            taken.add(drawn)
            return drawn
