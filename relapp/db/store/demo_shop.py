"""The demo shop's own rows: its staff, tiers, rewards, tags and segments, its membership
plans, partners and their code batches, its surveys, their answers, competitions and draws,
written with the ids the generator chose (its contacts and their history go in through
db.bulk.insert_rows)."""

from __future__ import annotations

from collections.abc import Sequence

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.engine import execute_many

StaffRow = tuple[int, str, str, str, str]  # id, name, role, PIN hash, created_at
TierRow = tuple[int, str, int, int]  # id, name, min_spend_cents, multiplier_percent
RewardRow = tuple[int, str, str, int, int | None, str]  # id, name, description, cost, stock, at
SegmentRow = tuple[str, str, str, str]  # name, filter (JSON), created_at, updated_at
# id, name, fee_cents, length_months, grace_days, points_multiplier_percent, discount_percent,
# welcome_reward_id, reminder_days, created_at
PlanRow = tuple[int, str, int, int, int, int, int, int | None, int, str]
# id, name, contact_person, phone, email, offers, agreement_from, agreement_until, notes,
# created_at, updated_at
PartnerRow = tuple[int, str, str, str, str, str, str, str | None, str, str, str]
# id, partner_id, direction, label, kind, value, min_spend_cents, valid_from, valid_until
OfferRow = tuple[int, int, str, str, str, int, int, str, str]
# id, offer_id, code, contact_id, redeemed_at, redeemed_key, staff_id
CodeRow = tuple[int, int, str, int | None, str | None, str | None, int | None]


def insert_shop_rows(
    staff: Sequence[StaffRow],
    tiers: Sequence[TierRow],
    rewards: Sequence[RewardRow],
    tags: Sequence[tuple[int, str]],
    segments: Sequence[SegmentRow],
) -> None:
    execute_many(
        "INSERT INTO staff (id, name, role, pin_hash, active, created_at)"
        " VALUES (?, ?, ?, ?, 1, ?)",
        staff,
    )
    execute_many(
        "INSERT INTO tier (id, name, min_spend_cents, multiplier_percent) VALUES (?, ?, ?, ?)",
        tiers,
    )
    execute_many(
        "INSERT INTO reward (id, name, description, points_cost, stock, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?)",
        rewards,
    )
    execute_many("INSERT INTO tag (id, name) VALUES (?, ?)", tags)
    execute_many(
        "INSERT INTO segment (name, filter, created_at, updated_at) VALUES (?, ?, ?, ?)",
        segments,
    )
    if staff:
        # The shop (schema 11 made it when the file was created, stamped then) opened when
        # the demo's staff did: the same seed gives the same shop, row for row.
        database.execute_sql("UPDATE shop SET created_at = ? WHERE id = 1", (staff[0][4],))


def promote_referrers_to_advocates() -> None:
    """Someone who brought a friend in has moved up the ladder (clients and supporters)."""
    database.execute_sql(
        "UPDATE contact SET ladder_stage = 'advocate' WHERE ladder_stage IN "
        "('client', 'supporter') AND id IN "
        "(SELECT referred_by_id FROM contact WHERE referred_by_id IS NOT NULL)"
    )


def insert_plans_and_partners(
    plans: Sequence[PlanRow],
    plan_rewards: Sequence[tuple[int, int]],
    partners: Sequence[PartnerRow],
    offers: Sequence[OfferRow],
) -> None:
    """Membership plans (active, by months), the rewards only their members may take
    (plan_id, reward_id), partners (not linked to a customer yet: link_partner_records) and
    their code batches' offers."""
    execute_many(
        "INSERT INTO membership_plan (id, name, fee_cents, length_months, grace_days,"
        " points_multiplier_percent, discount_percent, welcome_reward_id, reminder_days,"
        " active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        plans,
    )
    execute_many("INSERT INTO plan_reward (plan_id, reward_id) VALUES (?, ?)", plan_rewards)
    execute_many(
        "INSERT INTO partner (id, name, contact_person, phone, email, offers, agreement_from,"
        " agreement_until, notes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        partners,
    )
    execute_many(
        "INSERT INTO voucher_offer (id, partner_id, direction, label, kind, value,"
        " min_spend_cents, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        offers,
    )


def insert_partner_codes(codes: Sequence[CodeRow]) -> None:
    """The batches' codes, those used naming their customer (once the customers are in)."""
    insert_rows(
        database, "voucher",
        ("id", "offer_id", "code", "contact_id", "redeemed_at", "redeemed_key", "staff_id"),
        codes,
    )  # fmt: skip


def link_partner_records(links: Sequence[tuple[int, int]]) -> None:
    """(contact_id, partner_id): the partner's own customer record (the ladder's partner
    stage is the generator's to give)."""
    execute_many("UPDATE partner SET contact_id = ? WHERE id = ?", links)


# id, name, kind, anonymous, active, ask_every_days, low_rating, low_nps, created_at, updated_at
SurveyRow = tuple[int, str, str, int, int, int, int, int, str, str]
VersionRow = tuple[int, int, int, str, str]  # id, survey_id, number, intro, created_at
# id, version_id, position, kind, text, options (JSON), required
QuestionRow = tuple[int, int, int, str, str, str, int]
# id, name, starts_on, ends_on, rules, eligibility, segment_id, by_counter, by_paper,
# by_purchase, no_purchase_route, limit_per_person, winners, created_at, updated_at
CompetitionRow = tuple[
    int, str, str, str, str, str, int | None, int, int, int, str, int, int, str, str
]
# id, survey_id, version_id, source, answered_month, contact_id, answered_at, staff_id,
# interaction_id (the last four None for an anonymous response)
ResponseRow = tuple[int, int, int, str, str, int | None, str | None, int | None, int | None]
AnswerRow = tuple[int, int, int, int | None, str | None]  # id, response, question, value, text
AskedRow = tuple[int, int, str, str]  # survey_id, contact_id, asked_at, outcome
# id, competition_id, contact_id, route, entered_at, interaction_id, staff_id
EntryRow = tuple[int, int, int, str, str, int | None, int]
# competition_id, drawn_at, seed, entry_ids (JSON), excluded (JSON), staff_id
DrawRow = tuple[int, str, str, str, str, int | None]
WinnerRow = tuple[int, int, int, str | None]  # competition_id, position, entry_id, notified_at

RESPONSE_COLUMNS = (
    "id", "survey_id", "version_id", "source", "answered_month", "contact_id", "answered_at",
    "staff_id", "interaction_id",
)  # fmt: skip
ANSWER_COLUMNS = ("id", "response_id", "question_id", "value", "text")
ASKED_COLUMNS = ("survey_id", "contact_id", "asked_at", "outcome")


def insert_surveys_and_competitions(
    surveys: Sequence[SurveyRow],
    versions: Sequence[VersionRow],
    questions: Sequence[QuestionRow],
    competitions: Sequence[CompetitionRow],
) -> None:
    """The surveys with their versions and questions, and the competitions (no entries yet)."""
    execute_many(
        "INSERT INTO survey (id, name, kind, anonymous, active, ask_every_days, low_rating,"
        " low_nps, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        surveys,
    )
    execute_many(
        "INSERT INTO survey_version (id, survey_id, number, intro, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        versions,
    )
    execute_many(
        "INSERT INTO survey_question (id, version_id, position, kind, text, options, required)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        questions,
    )
    execute_many(
        "INSERT INTO competition (id, name, starts_on, ends_on, rules, eligibility, segment_id,"
        " by_counter, by_paper, by_purchase, no_purchase_route, limit_per_person, winners,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        competitions,
    )


def insert_survey_answers(
    responses: Sequence[ResponseRow],
    answers: Sequence[AnswerRow],
    asked: Sequence[AskedRow] = (),
) -> None:
    """Responses with their answers (ids chosen by the caller: numbered for named ones, drawn
    for anonymous ones), and askings (survey_id, contact_id, asked_at, outcome)."""
    insert_rows(database, "survey_response", RESPONSE_COLUMNS, responses)
    insert_rows(database, "survey_answer", ANSWER_COLUMNS, answers)
    insert_rows(database, "survey_asked", ASKED_COLUMNS, asked)


def insert_entries_and_draws(
    entries: Sequence[EntryRow], draws: Sequence[DrawRow], winners: Sequence[WinnerRow]
) -> None:
    """Competition entries (once their customers and sales are in), draws and winners."""
    insert_rows(
        database, "competition_entry",
        ("id", "competition_id", "contact_id", "route", "entered_at", "interaction_id",
         "staff_id"),
        entries,
    )  # fmt: skip
    execute_many(
        "INSERT INTO competition_draw (competition_id, drawn_at, seed, entry_ids, excluded,"
        " staff_id) VALUES (?, ?, ?, ?, ?, ?)",
        draws,
    )
    execute_many(
        "INSERT INTO competition_winner (competition_id, position, entry_id, notified_at)"
        " VALUES (?, ?, ?, ?)",
        winners,
    )
