"""A survey's results: what its customers answered, as a whole and split up.

For every version of the survey (a question belongs to one version: editing a survey that
has answers makes a new one), the current first, and each of its questions:

* how many answered it, and the distribution: every possible answer with its count, the ones
  nobody gave included (1 to 5 for a rating, 0 to 10 for an NPS score, each option of a
  choice, yes and no); for several choices, how many ticked each option;
* the average of a rating or an NPS score;
* the Net Promoter Score of an NPS question: the share of promoters (9 or 10) less the share
  of detractors (0 to 6), in points from -100 to +100, with its 95 % confidence interval.
  The interval is the usual normal approximation for a difference of two shares of one
  sample: with p and d the promoters' and detractors' shares of n answers, the variance of
  p - d is (p + d - (p - d)^2) / n, and the margin is 1.96 times its square root (times
  100, in points), clipped to -100 and +100. Few answers give a wide interval, shown as it
  is; under ROUGH_BELOW answers the approximation itself is rough, which Nps.rough says;
* the trend by month (the month the answer was given in, every month from the first answer
  to the last, empty ones included);
* the split by the shop's saved segments, by loyalty tier and by ladder stage: each customer
  as they are now (their tier and stage today, the segments they are in today), not as they
  were when they answered. Anonymous responses keep no customer: they count in the totals,
  the distributions and the trend, and in no split (the splits add up to the named answers,
  not to all of them; SurveyResults.anonymous_responses says how many are left out);
* the written answers, newest first: at most text_limit a question (None: all of them),
  with how many there are in all.

Everything is counted in SQL in one pass over the survey's responses
(relapp.db.store.survey_results.answer_groups), and one more for each segment. The window
reads the split by tier and stage (half the work: every respondent's customer) and each
segment only when they are asked for (customer_split, segment_split); docs/performance.md
has the figures.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from relapp.db.fields import parse_timestamp
from relapp.db.models import database
from relapp.db.store import survey_results as store
from relapp.domain.contacts.listing import (
    DamagedSegment,
    UnknownSegment,
    filter_choices,
    filter_where,
    segment_filter,
)
from relapp.domain.contacts.naming import display_name
from relapp.domain.listening.surveys import SurveyRefused
from relapp.domain.terms import LADDER_STAGE_NAMES, LADDER_STAGES
from relapp.errors import RelappError

TEXT_LIMIT = 200  # written answers a question shows in the window
ROUGH_BELOW = 30  # answers under which an NPS interval is a rough guide
PROMOTERS_FROM = 9
DETRACTORS_UP_TO = 6
VALUES = {"rating": range(1, 6), "nps": range(0, 11)}


class ResultsCancelled(RelappError):
    """The results were cancelled before they were complete."""


@dataclass(frozen=True)
class Bar:
    """One possible answer and how many gave it."""

    label: str
    count: int


@dataclass(frozen=True)
class Nps:
    promoters: int  # 9 or 10
    passives: int  # 7 or 8
    detractors: int  # 0 to 6

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float:
        """Promoters' share less detractors', in points (-100 to +100)."""
        return 100 * (self.promoters - self.detractors) / self.answers if self.answers else 0.0

    @property
    def margin(self) -> float:
        """Half the width of the 95 % confidence interval, in points (module docstring)."""
        if not self.answers:
            return 0.0
        promoters, detractors = self.promoters / self.answers, self.detractors / self.answers
        variance = promoters + detractors - (promoters - detractors) ** 2
        return 100 * 1.96 * math.sqrt(max(variance, 0.0) / self.answers)

    @property
    def low(self) -> float:
        return max(-100.0, self.score - self.margin)

    @property
    def high(self) -> float:
        return min(100.0, self.score + self.margin)

    @property
    def rough(self) -> bool:
        """Too few answers for the interval's approximation to be more than a rough guide."""
        return self.answers < ROUGH_BELOW


@dataclass(frozen=True)
class Figures:
    """A question's figures over some of its answers (all, one month's, one group's)."""

    answers: int
    bars: tuple[Bar, ...]  # every possible answer, in order; none for a written answer
    average: float | None  # rating and NPS questions
    nps: Nps | None  # NPS questions


@dataclass(frozen=True)
class Group:
    """One row of a split: a segment, a tier or a stage, and its figures."""

    label: str
    figures: Figures


@dataclass(frozen=True)
class TextAnswer:
    text: str
    month: str  # YYYY-MM
    answered_at: datetime | None  # None for an anonymous response
    customer: str | None  # their name; None if anonymous (or erased since)
    source: str  # counter or paper


@dataclass(frozen=True)
class QuestionResults:
    id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]
    overall: Figures
    months: tuple[tuple[str, Figures], ...]  # (YYYY-MM, figures), every month of the survey
    by_segment: tuple[Group, ...]  # each segment asked for, in the order given
    by_tier: tuple[Group, ...]  # tiers from the lowest up, then no tier; only those answering
    by_stage: tuple[Group, ...]  # the ladder's order; only stages answering
    texts: tuple[TextAnswer, ...]  # newest first, at most the limit asked for
    text_count: int  # written answers in all


@dataclass(frozen=True)
class VersionResults:
    id: int
    number: int
    current: bool
    intro: str
    created_at: datetime
    responses: int
    anonymous_responses: int
    questions: tuple[QuestionResults, ...]


@dataclass(frozen=True)
class SurveyResults:
    survey_id: int
    name: str
    kind: str  # survey or poll
    anonymous: bool
    active: bool
    responses: int  # every version's
    anonymous_responses: int  # of those, keeping no customer (in no split)
    months: tuple[tuple[str, int], ...]  # responses in each month, empty months included
    segments: tuple[str, ...]  # the segments split by
    left_out_segments: tuple[str, ...]  # asked for but gone or unreadable: not split by
    versions: tuple[VersionResults, ...]  # the current first
    by_customer: bool = True  # split by tier and stage (else by_tier and by_stage are empty)

    @property
    def current(self) -> VersionResults | None:
        return self.versions[0] if self.versions else None


Report = Callable[[int, int], None]  # steps done, of the total
Cancelled = Callable[[], bool]


def survey_results(
    survey_id: int,
    *,
    segments: Sequence[str] | None = None,
    by_customer: bool = True,
    text_limit: int | None = TEXT_LIMIT,
    report: Report | None = None,
    cancelled: Cancelled | None = None,
) -> SurveyResults:
    """The survey's results (see the module docstring).

    Args:
        segments: the saved segments to split by (None: every saved segment; empty: none,
            and segment_split adds one when asked: each costs about a pass over its
            members' answers).
        by_customer: split by tier and ladder stage (False: not now, customer_split adds
            them: reading every respondent's customer is half the work at this scale).
        text_limit: the written answers listed for each question (None: all of them).
        report: told (done, total) after each step: a progress bar's.
        cancelled: asked between steps; true raises ResultsCancelled.

    Raises:
        SurveyRefused: there is no such survey.
    """
    with database.atomic():  # one read: every figure counts the same answers
        survey = store.survey_row(survey_id)
        if survey is None:
            raise SurveyRefused(f"There is no survey number {survey_id}.")
        names = tuple(dict.fromkeys(filter_choices().segments if segments is None else segments))
        steps = 4 + len(names)

        def step(done: int) -> None:
            if cancelled is not None and cancelled():
                raise ResultsCancelled("The results were cancelled.")
            if report is not None:
                report(done, steps)

        versions = store.version_rows(survey_id)
        questions = store.question_rows(survey_id)
        response_months = store.responses_by_month(survey_id)
        tiers = store.tier_names_by_id()
        step(1)
        groups = store.answer_groups(survey_id, customers=by_customer)
        step(2)
        split: list[tuple[str, dict[int, Counter[int | None]]]] = []
        left_out: list[str] = []
        for number, name in enumerate(names, start=1):
            try:
                split.append((name, _segment_counts(survey_id, name)))
            except (UnknownSegment, DamagedSegment):
                left_out.append(name)
            step(2 + number)
        texts = {
            question.id: store.question_texts(question.id, text_limit)
            for question in questions
            if question.kind == "text"
        }
        step(steps - 1)
    months = _every_month([month for month, _count in response_months])
    by_question: dict[int, list[store.AnswerGroup]] = defaultdict(list)
    for group in groups:
        by_question[group.question_id].append(group)
    per_month = dict(response_months)
    version_results = []
    for version in versions:
        version_results.append(
            VersionResults(
                version.id,
                version.number,
                version is versions[0],
                version.intro,
                parse_timestamp(version.created_at),
                version.responses,
                version.anonymous_responses,
                tuple(
                    _question_results(
                        question, by_question[question.id], months,
                        [(name, counts.get(question.id, Counter())) for name, counts in split],
                        tiers, texts.get(question.id, []),
                    )
                    for question in questions
                    if question.version_id == version.id
                ),
            )
        )  # fmt: skip
    step(steps)
    return SurveyResults(
        survey.id,
        survey.name,
        survey.kind,
        survey.anonymous,
        survey.active,
        sum(version.responses for version in versions),
        sum(version.anonymous_responses for version in versions),
        tuple((month, per_month.get(month, 0)) for month in months),
        tuple(name for name, _counts in split),
        tuple(left_out),
        tuple(version_results),
        by_customer,
    )


def customer_split(results: SurveyResults) -> SurveyResults:
    """The results with the split by tier and ladder stage (the respondents as they are now),
    if they lack it."""
    if results.by_customer:
        return results
    with database.atomic():
        groups = store.answer_groups(results.survey_id, customers=True)
        tiers = store.tier_names_by_id()
    by_question: dict[int, list[store.AnswerGroup]] = defaultdict(list)
    for group in groups:
        by_question[group.question_id].append(group)

    def split(question: QuestionResults) -> QuestionResults:
        by_tier, by_stage = _customer_groups(question.kind, question.options,
                                             by_question[question.id], tiers)  # fmt: skip
        return replace(question, by_tier=by_tier, by_stage=by_stage)

    versions = tuple(
        replace(version, questions=tuple(map(split, version.questions)))
        for version in results.versions
    )
    return replace(results, versions=versions, by_customer=True)


def segment_split(results: SurveyResults, segment: str) -> SurveyResults:
    """The results with one more saved segment split by (its customers as they are now).

    Raises:
        UnknownSegment, DamagedSegment: the segment is gone or cannot be read.
    """
    if segment in results.segments:
        return results
    counts = _segment_counts(results.survey_id, segment)

    def with_segment(question: QuestionResults) -> QuestionResults:
        figures = question_figures(question.kind, question.options,
                                   counts.get(question.id, Counter()))  # fmt: skip
        return replace(question, by_segment=(*question.by_segment, Group(segment, figures)))

    versions = tuple(
        replace(version, questions=tuple(map(with_segment, version.questions)))
        for version in results.versions
    )
    return replace(results, segments=(*results.segments, segment), versions=versions)


def _segment_counts(survey_id: int, segment: str) -> dict[int, Counter[int | None]]:
    """question id -> how many of the segment's customers gave each value."""
    where, params = filter_where(segment_filter(segment))
    counts: dict[int, Counter[int | None]] = defaultdict(Counter)
    for question_id, value, answers in store.segment_value_counts(survey_id, where, params):
        counts[question_id][value] += answers
    return counts


def _every_month(months: Sequence[str]) -> list[str]:
    """Every month from the first to the last of months (YYYY-MM), in order."""
    if not months:
        return []
    first, last = (int(m[:4]) * 12 + int(m[5:7]) - 1 for m in (min(months), max(months)))
    return [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first, last + 1)]


def _question_results(
    question: store.QuestionRow,
    groups: Sequence[store.AnswerGroup],
    months: Sequence[str],
    segments: Sequence[tuple[str, Counter[int | None]]],
    tiers: Sequence[tuple[int, str]],
    texts: Sequence[store.TextRow],
) -> QuestionResults:
    overall: Counter[int | None] = Counter()
    by_month: dict[str, Counter[int | None]] = defaultdict(Counter)
    for group in groups:
        overall[group.value] += group.answers
        by_month[group.month][group.value] += group.answers

    def figures(counts: Counter[int | None]) -> Figures:
        return question_figures(question.kind, question.options, counts)

    by_tier, by_stage = _customer_groups(question.kind, question.options, groups, tiers)
    return QuestionResults(
        question.id,
        question.position,
        question.kind,
        question.text,
        question.options,
        figures(overall),
        tuple((month, figures(by_month[month])) for month in months),
        tuple(Group(name, figures(counts)) for name, counts in segments),
        by_tier,
        by_stage,
        tuple(_text_answer(row) for row in texts),
        overall.get(None, 0),
    )


def _customer_groups(
    kind: str,
    options: Sequence[str],
    groups: Sequence[store.AnswerGroup],
    tiers: Sequence[tuple[int, str]],
) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
    """The split by tier (the lowest up, then no tier) and by ladder stage (its order) of the
    named answers, groups nobody is in left out; none if the customers were not read."""
    by_tier: dict[int | None, Counter[int | None]] = defaultdict(Counter)
    by_stage: dict[str, Counter[int | None]] = defaultdict(Counter)
    for group in groups:
        if group.named and group.stage is not None:
            by_tier[group.tier_id][group.value] += group.answers
            by_stage[group.stage][group.value] += group.answers
    tier_names = [*tiers, (None, "No tier")]
    return (
        tuple(Group(name, question_figures(kind, options, by_tier[tier_id]))
              for tier_id, name in tier_names if tier_id in by_tier),
        tuple(Group(LADDER_STAGE_NAMES[stage], question_figures(kind, options, by_stage[stage]))
              for stage in LADDER_STAGES if stage in by_stage),
    )  # fmt: skip


def question_figures(
    kind: str, options: Sequence[str], counts: Mapping[int | None, int]
) -> Figures:
    """A question's figures from how many gave each value (None: a written answer)."""
    answers = sum(counts.values())
    average = nps = None
    if kind in VALUES:
        values = VALUES[kind]
        bars = tuple(Bar(str(value), counts.get(value, 0)) for value in values)
        scored = sum(bar.count for bar in bars)
        if scored:
            average = sum(value * counts.get(value, 0) for value in values) / scored
        if kind == "nps":
            nps = Nps(
                sum(counts.get(value, 0) for value in values if value >= PROMOTERS_FROM),
                sum(counts.get(value, 0) for value in values
                    if DETRACTORS_UP_TO < value < PROMOTERS_FROM),
                sum(counts.get(value, 0) for value in values if value <= DETRACTORS_UP_TO),
            )  # fmt: skip
    elif kind == "choice":
        bars = tuple(Bar(option, counts.get(index, 0)) for index, option in enumerate(options))
    elif kind == "choices":
        bars = tuple(
            Bar(option, sum(count for mask, count in counts.items()
                            if mask is not None and mask >> index & 1))
            for index, option in enumerate(options)
        )  # fmt: skip
    elif kind == "yes_no":
        bars = (Bar("Yes", counts.get(1, 0)), Bar("No", counts.get(0, 0)))
    else:
        bars = ()
    return Figures(answers, bars, average, nps)


def _text_answer(row: store.TextRow) -> TextAnswer:
    return TextAnswer(
        row.text,
        row.month,
        parse_timestamp(row.answered_at) if row.answered_at else None,
        (display_name(*row.name) or None) if row.name else None,
        row.source,
    )


def headline(figures: Figures, kind: str) -> str:
    """The figure a question is summed up by: the NPS with its interval, the average rating,
    or the most given answer; '' without answers."""
    if not figures.answers:
        return ""
    if figures.nps is not None and figures.nps.answers:
        nps = figures.nps
        return f"NPS {nps.score:+.0f} (95 % interval {nps.low:+.0f} to {nps.high:+.0f})"
    if kind == "rating" and figures.average is not None:
        return f"Average {figures.average:.1f} of 5"
    if figures.bars:
        top = max(figures.bars, key=lambda bar: bar.count)
        if top.count:
            return f"Most answered: {top.label} ({top.count / figures.answers:.0%})"
    return ""
