"""The demo shop is deterministic, realistic and obeys the shop's own rules."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from relapp import cli
from relapp.db.backups.check import check_database
from relapp.db.connection import open_database
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import Contact, database
from relapp.db.store.surveys import NAMED_ID_LIMIT, response_answers
from relapp.demo.generator import TIERS, DemoCancelled, generate_demo_shop
from relapp.domain.campaigns.vouchers import printed, typed_code
from relapp.domain.listening.answers import Answer, checked_answers, feedback_score, in_words
from relapp.domain.listening.competitions import list_competitions
from relapp.domain.listening.surveys import survey_form
from relapp.domain.listening.winners import verify, winners_to_tell
from relapp.domain.loyalty.cards import is_valid_card_number
from relapp.domain.loyalty.rules import points_for_purchase, tier_for_spend
from relapp.domain.memberships.members import member_rate
from relapp.domain.memberships.status import (
    end_of,
    grace_end,
    renewal_start,
    status_of_dates,
)
from relapp.domain.shop.formats import ShopFormat
from relapp.errors import RelappError
from tests.conftest import AS_OF

# PIN hashes carry a random salt by design, so they are the one thing two runs do not share.
NONDETERMINISTIC_COLUMNS = {("staff", "pin_hash")}


def dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            columns = [
                row[1]
                for row in connection.execute(f"PRAGMA table_info({table})")
                if (table, row[1]) not in NONDETERMINISTIC_COLUMNS
            ]
            order = ", ".join(str(n) for n in range(1, len(columns) + 1))
            result[table] = connection.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
            ).fetchall()
        return result


def build(path: Path, seed: int, contacts: int = 150) -> dict[str, list[tuple]]:
    db = open_database(path)
    generate_demo_shop(contacts, seed=seed, as_of=AS_OF)
    db.close()
    return dump(path)


def test_same_seed_gives_the_same_shop_row_for_row(tmp_path):
    first = build(tmp_path / "a.db", seed=42)
    second = build(tmp_path / "b.db", seed=42)
    assert first == second
    assert len(first["contact"]) == 150
    assert len(first["interaction"]) > 150


def test_another_seed_gives_another_shop(tmp_path):
    assert (
        build(tmp_path / "a.db", seed=1)["contact"] != build(tmp_path / "b.db", seed=2)["contact"]
    )


@pytest.fixture(scope="module")
def shop_path(tmp_path_factory) -> Path:
    """A 1,500-customer demo shop's file, shared by the realism checks."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path)
    generate_demo_shop(1_500, seed=3, as_of=AS_OF)
    db.close()
    return path


@pytest.fixture(scope="module")
def shop(shop_path):
    """The 1,500-customer demo shop, as raw rows."""
    connection = sqlite3.connect(shop_path)
    yield connection
    connection.close()


def scalar(connection: sqlite3.Connection, sql: str):
    return connection.execute(sql).fetchone()[0]


def test_every_cached_balance_equals_its_ledger(shop):
    mismatches = scalar(
        shop,
        "SELECT count(*) FROM contact c WHERE c.points_balance <> "
        "(SELECT coalesce(sum(points), 0) FROM points_entry p WHERE p.contact_id = c.id)",
    )
    assert mismatches == 0
    assert scalar(shop, "SELECT count(*) FROM points_entry WHERE kind = 'redeem'") > 0


def test_every_purchase_earned_its_points_exactly_once(shop):
    purchases = scalar(shop, "SELECT count(*) FROM interaction WHERE kind = 'purchase'")
    earned = scalar(
        shop, "SELECT count(DISTINCT interaction_id) FROM points_entry WHERE kind='earn'"
    )
    assert purchases > 1_500
    assert earned == purchases


def test_tiers_follow_the_last_twelve_months_of_spend(shop):
    end = parse_timestamp(scalar(shop, "SELECT max(occurred_at) FROM interaction"))
    window_start = format_timestamp(end.replace(hour=7, minute=30, second=0) - timedelta(days=365))
    rows = shop.execute(
        "SELECT c.id, c.tier_id, coalesce(sum(i.amount_cents), 0) FROM contact c "
        "JOIN interaction i ON i.contact_id = c.id AND i.kind = 'purchase' "
        "AND i.occurred_at >= ? GROUP BY c.id",
        (window_start,),
    ).fetchall()
    assert rows
    for contact_id, tier_id, spend in rows:
        assert tier_id == tier_for_spend(spend, TIERS).id, contact_id
    assert {tier_id for _, tier_id, _ in rows} == {1, 2, 3}


def test_phone_numbers_are_valid_e164_and_emails_valid_syntax(shop):
    phones = [row[0] for row in shop.execute("SELECT phone FROM contact WHERE phone IS NOT NULL")]
    invalid = [p for p in phones if not phonenumbers.is_valid_number(phonenumbers.parse(p))]
    assert phones and invalid == []
    assert any(not p.startswith("+61") for p in phones)  # some keep a foreign mobile
    bad_emails = []
    for (email,) in shop.execute("SELECT email FROM contact WHERE email IS NOT NULL"):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            bad_emails.append(email)
    assert bad_emails == []


def test_names_come_from_several_cultures_and_scripts(shop):
    scripts = Counter()
    for (name,) in shop.execute("SELECT given_name || family_name FROM contact"):
        letter = next((ch for ch in name if ch.isalpha()), "A")
        scripts[unicodedata.name(letter).split()[0]] += 1
    for script in ("LATIN", "GREEK", "CYRILLIC", "HEBREW", "ARABIC", "CJK", "HANGUL"):
        assert scripts[script] > 0, script
    assert scripts["LATIN"] > sum(scripts.values()) / 2


def test_history_has_realistic_rhythms_and_open_cases(shop):
    stages = dict(shop.execute("SELECT ladder_stage, count(*) FROM contact GROUP BY 1"))
    assert set(stages) == {"prospect", "customer", "client", "supporter", "advocate", "partner"}
    visits_per_customer = [
        row[0]
        for row in shop.execute(
            "SELECT count(*) FROM interaction WHERE kind = 'purchase' GROUP BY contact_id"
        )
    ]
    assert max(visits_per_customer) >= 25  # regulars
    assert sorted(visits_per_customer)[len(visits_per_customer) // 2] <= 6  # most are occasional
    span = shop.execute("SELECT min(occurred_at), max(occurred_at) FROM interaction").fetchone()
    assert span[0] < "2024-12-01" and span[1] >= "2026-11-21"
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE status = 'open'") > 0
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE status = 'resolved'") > 0
    assert scalar(shop, "SELECT count(*) FROM interaction WHERE kind = 'feedback'") > 0
    assert scalar(shop, "SELECT count(*) FROM preference") > 0
    assert scalar(shop, "SELECT count(*) FROM consent WHERE granted = 0") > 0
    assert scalar(shop, "SELECT count(*) FROM contact_tag") > 0
    assert scalar(shop, "SELECT count(*) FROM task WHERE done_at IS NULL") > 0


def test_referrals_point_to_earlier_customers(shop):
    rows = shop.execute(
        "SELECT id, referred_by_id FROM contact WHERE referred_by_id IS NOT NULL"
    ).fetchall()
    assert rows
    assert all(referrer < contact for contact, referrer in rows)


def test_cards_are_unique_and_check_digit_valid(shop):
    cards = [
        row[0]
        for row in shop.execute("SELECT card_number FROM contact WHERE card_number IS NOT NULL")
    ]
    assert cards and len(set(cards)) == len(cards)
    assert all(is_valid_card_number(card) for card in cards)


def test_a_shop_with_customers_is_not_overwritten(demo_db):
    with pytest.raises(RelappError, match="already holds 60 contacts"):
        generate_demo_shop(10, as_of=AS_OF)
    assert Contact.select().count() == 60


def test_cancelling_writes_nothing(db):
    with pytest.raises(DemoCancelled):
        generate_demo_shop(5_000, as_of=AS_OF, progress=lambda done, total: False)
    assert Contact.select().count() == 0
    tables = db.execute_sql("SELECT count(*) FROM staff").fetchone()[0]
    assert tables == 0
    # The bulk load's dropped indexes came back with the rollback.
    names = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_schema WHERE type='index'")}
    assert {"interaction_contact_time", "points_entry_expiring", "contact_by_name"} <= names
    assert database.obj is db


# ------------------------------------------------------------------- members and partners


def shop_day(stamp: str) -> date:
    """The demo's day (Melbourne, UTC+10 all year) of a stored moment."""
    return (parse_timestamp(stamp) + timedelta(hours=10)).date()


def test_memberships_are_made_as_the_counter_makes_them(shop):
    plans = {
        plan_id: (name, fee, months, grace, welcome)
        for plan_id, name, fee, months, grace, welcome in shop.execute(
            "SELECT id, name, fee_cents, length_months, grace_days, welcome_reward_id"
            " FROM membership_plan"
        )
    }
    assert sorted(name for name, *_ in plans.values()) == ["Friends of the Lane", "Lantern Club"]
    rows = shop.execute(
        "SELECT id, contact_id, plan_id, starts_on, ends_on, grace_until, renewed_from_id,"
        " created_at FROM membership ORDER BY id"
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    payments = Counter(
        (membership_id, amount, paid_at)
        for membership_id, amount, paid_at in shop.execute(
            "SELECT membership_id, amount_cents, paid_at FROM membership_payment"
        )
    )
    notes = {
        (contact_id, at, summary)
        for contact_id, at, summary in shop.execute(
            "SELECT contact_id, occurred_at, summary FROM interaction WHERE kind = 'note'"
            " AND summary LIKE '% membership: %'"
        )
    }
    money = ShopFormat("en_AU", "AUD")
    for membership_id, contact_id, plan_id, starts, ends, grace, renews, created in rows:
        name, fee, months, grace_days, _welcome = plans[plan_id]
        start = date.fromisoformat(starts)
        # The plan's length and grace (relapp.domain.memberships.status), fixed when made.
        assert date.fromisoformat(ends) == end_of(start, months, None)
        assert date.fromisoformat(grace) == grace_end(date.fromisoformat(ends), grace_days)
        if renews is None:
            assert start == shop_day(created)  # joined at the counter that day
        else:
            old = by_id[renews]
            assert old[1] == contact_id and renews < membership_id
            assert start == renewal_start(date.fromisoformat(old[4]), shop_day(created))
        expected = Counter({(membership_id, fee, created): 1}) if fee else Counter()
        assert +Counter({k: v for k, v in payments.items() if k[0] == membership_id}) == expected
        verb = "Joined" if renews is None else "Renewed"
        paid = f", paid {money.money(fee)}" if fee else ""
        note = (f"{verb} {name} membership: {money.day(start)} to"
                f" {money.day(date.fromisoformat(ends))}{paid}")  # fmt: skip
        assert (contact_id, created, note) in notes
    renewed = [row for row in rows if row[6] is not None]
    assert renewed and any(by_id[row[6]][6] is not None for row in renewed)  # renewed twice
    assert len({row[6] for row in renewed}) == len(renewed)  # each renewed once at most


def test_a_realistic_share_of_customers_are_members_in_every_state(shop):
    customers = scalar(shop, "SELECT count(*) FROM contact")
    members = scalar(shop, "SELECT count(DISTINCT contact_id) FROM membership")
    assert 0.05 * customers <= members <= 0.10 * customers
    assert scalar(shop, "SELECT count(*) FROM contact c JOIN membership m"
                        " ON m.contact_id = c.id WHERE c.card_number IS NULL") == 0  # fmt: skip
    states = Counter()
    latest = shop.execute(
        "SELECT starts_on, ends_on, grace_until, cancelled_at FROM membership m WHERE NOT EXISTS"
        " (SELECT 1 FROM membership n WHERE n.contact_id = m.contact_id AND n.cancelled_at IS"
        " NULL AND (n.starts_on > m.starts_on OR (n.starts_on = m.starts_on AND n.id > m.id)))"
    ).fetchall()
    for starts, ends, grace, cancelled in latest:
        if cancelled is not None:
            states["cancelled"] += 1
            continue
        states[status_of_dates(*(date.fromisoformat(day) for day in (starts, ends, grace)),
                               AS_OF)] += 1  # fmt: skip
    assert {"current", "grace", "expired", "cancelled"} <= set(states), states
    assert states["current"] > states["grace"] + states["cancelled"]


def test_a_plans_welcome_reward_goes_through_the_ledger(shop):
    joined = shop.execute(
        "SELECT m.id, m.contact_id, m.created_at FROM membership m JOIN membership_plan p"
        " ON p.id = m.plan_id WHERE p.welcome_reward_id IS NOT NULL"
        " AND m.renewed_from_id IS NULL"
    ).fetchall()
    assert joined
    for membership_id, contact_id, created in joined:
        bonus = shop.execute(
            "SELECT id, points, occurred_at FROM points_entry WHERE kind = 'bonus'"
            " AND contact_id = ? AND occasion = ?",
            (contact_id, f"membership welcome #{membership_id}"),
        ).fetchone()
        assert bonus is not None and bonus[1:] == (100, created)  # a free coffee's cost
        spent = shop.execute(
            "SELECT points, reward_id, occurred_at FROM points_entry WHERE kind = 'redeem'"
            " AND reverses_id = ?",
            (bonus[0],),
        ).fetchall()
        assert spent == [(-100, 1, created)]
    # Renewals and the paid plan give none.
    assert scalar(shop, "SELECT count(*) FROM points_entry WHERE occasion LIKE"
                        " 'membership welcome #%'") == len(joined)  # fmt: skip


def test_current_members_earn_their_plans_rate(shop_path, time_zone):
    time_zone("Etc/GMT-10")  # this PC's calendar is the demo's (Melbourne without summer time)
    db = open_database(shop_path)
    try:
        earned = db.execute_sql(
            "SELECT p.contact_id, p.occurred_at, p.points, p.reason, i.amount_cents"
            " FROM points_entry p JOIN interaction i ON i.id = p.interaction_id"
            " WHERE p.kind = 'earn' AND p.contact_id IN (SELECT contact_id FROM membership)"
        ).fetchall()
        members_rate = 0
        for contact_id, occurred, points, reason, amount in earned:
            rate = member_rate(contact_id, parse_timestamp(occurred))
            if rate is None:
                assert "member" not in reason
                continue
            members_rate += 1
            assert reason == f"Purchase of ${amount / 100:,.2f} ({rate[0]} member: points ×1.5)"
            assert any(points == points_for_purchase(amount, 1, tier.multiplier_percent, rate[1])
                       for tier in TIERS)  # fmt: skip
        assert members_rate > 100
    finally:
        db.close()


def test_partners_their_codes_and_the_customers_who_came_through_them(shop, shop_path):
    partners = shop.execute(
        "SELECT id, name, agreement_from, agreement_until, contact_id FROM partner ORDER BY id"
    ).fetchall()
    assert [name for _, name, *_ in partners] == [
        "Crumb Street Bakery", "Fern & Bloom Florist", "Little Tram Café"]  # fmt: skip
    today = AS_OF.isoformat()
    states = ["ended" if until and until < today else "current"
              for _, _, start, until, _ in partners if start <= today]  # fmt: skip
    assert states == ["current", "current", "ended"]
    # The florist is a customer too (customer 250 of the demo): their record is linked.
    linked = shop.execute(
        "SELECT p.name, c.organisation, c.kind, c.ladder_stage FROM partner p"
        " JOIN contact c ON c.id = p.contact_id"
    ).fetchall()
    assert ("Fern & Bloom Florist", "Fern & Bloom Florist", "business", "partner") in linked
    batches = shop.execute(
        "SELECT partner_id, direction FROM voucher_offer WHERE partner_id IS NOT NULL"
    ).fetchall()
    assert sorted(batches) == [(partner, way) for partner in (1, 2, 3)
                               for way in ("ours_there", "theirs_here")]  # fmt: skip
    used = shop.execute(
        "SELECT v.code, v.contact_id, v.redeemed_at, v.redeemed_key, o.valid_from,"
        " o.valid_until, o.partner_id, c.referred_by_partner_id, c.source, c.created_at"
        " FROM voucher v JOIN voucher_offer o ON o.id = v.offer_id"
        " LEFT JOIN contact c ON c.id = v.contact_id WHERE v.redeemed_at IS NOT NULL"
    ).fetchall()
    assert len(used) >= 10
    for code, contact, at, key, since, until, partner, came_through, source, joined in used:
        assert contact is not None and key == code
        assert since <= at < until and joined <= at
        assert (came_through, source) == (partner, "partner business")
    unused = shop.execute(
        "SELECT count(*) FROM voucher WHERE redeemed_at IS NULL AND contact_id IS NULL"
        " AND redeemed_key IS NULL AND staff_id IS NULL"
    ).fetchone()[0]
    assert unused + len(used) == scalar(shop, "SELECT count(*) FROM voucher")
    came = scalar(shop, "SELECT count(*) FROM contact WHERE referred_by_partner_id IS NOT NULL")
    assert came == len(used)  # one code each, and nobody else came through a partner
    # Every code is one the counter takes (the check character) and stores as it is.
    for (code,) in shop.execute("SELECT code FROM voucher"):
        assert typed_code(printed(code)) == code


def test_the_demo_passes_relapp_check(shop_path, capsys):
    assert check_database(shop_path).problems == []
    assert cli.main(["check", "--db", str(shop_path)]) == 0
    assert capsys.readouterr().out.startswith("ok: integrity, 1,500 contacts")


# ------------------------------------------------------------------------------- listening


def test_the_shop_has_a_survey_on_the_counter_and_an_old_anonymous_poll(shop):
    surveys = shop.execute(
        "SELECT id, name, kind, anonymous, active FROM survey ORDER BY id"
    ).fetchall()
    assert surveys == [(1, "How did we do?", "survey", 0, 1),
                       (2, "Should we open on Sundays?", "poll", 1, 0)]  # fmt: skip
    kinds = shop.execute(
        "SELECT v.survey_id, q.kind, q.required, q.options FROM survey_question q"
        " JOIN survey_version v ON v.id = q.version_id ORDER BY v.survey_id, q.position"
    ).fetchall()
    assert [(survey, kind, required) for survey, kind, required, _ in kinds] == [
        (1, "nps", 1), (1, "rating", 1), (1, "choice", 1), (1, "text", 0),
        (2, "yes_no", 1)]  # fmt: skip
    assert 3 <= len(json.loads(kinds[2][3])) <= 4  # one choice of a few options


def test_about_one_customer_in_eight_answered_the_survey_at_a_purchase(shop):
    customers = scalar(shop, "SELECT count(*) FROM contact")
    rows = shop.execute(
        "SELECT r.id, r.contact_id, r.answered_at, r.answered_month, r.staff_id, r.source,"
        " i.kind, i.contact_id, i.occurred_at, i.summary, i.details, i.feedback_score"
        " FROM survey_response r JOIN interaction i ON i.id = r.interaction_id"
        " WHERE r.survey_id = 1 ORDER BY r.id"
    ).fetchall()
    assert 0.10 * customers <= len(rows) <= 0.15 * customers
    assert scalar(shop, "SELECT count(*) FROM survey_response WHERE survey_id = 1") == len(rows)
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))  # numbered, as named ones
    assert len({row[1] for row in rows}) == len(rows)  # once each
    year_ago = format_timestamp(datetime.combine(AS_OF, time(7, 30), UTC) - timedelta(days=365))
    purchases = set(shop.execute(
        "SELECT contact_id, occurred_at FROM interaction WHERE kind = 'purchase'"
    ).fetchall())  # fmt: skip
    for _id, contact, at, month, staff, source, kind, whose, occurred, summary, _, _ in rows:
        assert (contact, at) in purchases and at >= year_ago  # at one of their purchases
        assert (kind, whose, occurred) == ("feedback", contact, at)
        assert summary == "Survey: How did we do?"
        assert month == shop_day(at).strftime("%Y-%m") and source == "counter"
        assert staff in (1, 2, 3)
    asked = Counter(shop.execute("SELECT outcome FROM survey_asked").fetchall())
    assert asked[("answered",)] == len(rows) and asked[("declined",)] > 0
    assert set(shop.execute(
        "SELECT contact_id, asked_at FROM survey_asked WHERE outcome = 'answered'"
    ).fetchall()) == {(row[1], row[2]) for row in rows}  # fmt: skip


def test_the_answers_fit_their_questions_and_read_as_the_counter_words_them(shop_path):
    db = open_database(shop_path)
    try:
        form = survey_form(1)
        questions = {question.id: question for question in form.questions}
        rows = db.execute_sql(
            "SELECT r.id, r.version_id, i.details, i.feedback_score FROM survey_response r"
            " JOIN interaction i ON i.id = r.interaction_id WHERE r.survey_id = 1"
        ).fetchall()
        scores = Counter()
        for response_id, version_id, details, score in rows:
            assert version_id == form.version_id
            answers = [Answer(question, value, text)
                       for question, value, text in response_answers(response_id)]  # fmt: skip
            # What answers.checked_answers lets through: each in range, the required there.
            assert checked_answers(form, answers) == answers
            assert details == "\n".join(in_words(questions[a.question_id], a) for a in answers)
            assert score == feedback_score(form, answers) == answers[0].value  # the NPS
            scores[score] += 1
    finally:
        db.close()
    promoters = sum(scores[n] for n in (9, 10)) / len(rows)
    detractors = sum(scores[n] for n in range(7)) / len(rows)
    assert promoters > 0.5 and 0.05 <= detractors <= 0.25  # mostly 8 to 10, some detractors
    assert scores[10] > scores[8] > scores[6] > scores[2]


def test_a_low_score_opened_a_complaint_case_dated_at_the_answer(shop):
    low = {
        (contact, at): details
        for contact, at, details in shop.execute(
            "SELECT r.contact_id, r.answered_at, i.details FROM survey_response r"
            " JOIN interaction i ON i.id = r.interaction_id WHERE r.survey_id = 1 AND EXISTS"
            " (SELECT 1 FROM survey_answer a JOIN survey_question q ON q.id = a.question_id"
            " WHERE a.response_id = r.id AND ((q.kind = 'nps' AND a.value <= 6)"
            " OR (q.kind = 'rating' AND a.value <= 2)))"
        )
    }
    assert len(low) >= 10
    cases = shop.execute(
        "SELECT contact_id, occurred_at, summary, details, direction, status, first_response_at,"
        " resolved_at FROM interaction WHERE kind = 'complaint' AND summary LIKE 'Low score in %'"
    ).fetchall()
    assert {(case[0], case[1]) for case in cases} == set(low) and len(cases) == len(low)
    for contact, at, summary, details, direction, status, first_response, resolved in cases:
        assert summary.startswith("Low score in How did we do?: ")
        assert (details, direction) == (low[(contact, at)], "inbound")
        if status == "resolved":
            assert at <= first_response <= resolved
        else:
            assert status == "open" and resolved is None
    assert Counter(case[5] for case in cases)["resolved"] > 0.8 * len(cases)


def test_the_poll_kept_only_the_month_of_each_anonymous_answer(shop):
    rows = shop.execute(
        "SELECT r.id, r.source, r.answered_month, r.contact_id, r.answered_at, r.staff_id,"
        " r.interaction_id, a.id, a.value FROM survey_response r"
        " JOIN survey_answer a ON a.response_id = r.id WHERE r.survey_id = 2"
    ).fetchall()
    assert 200 <= len(rows) <= 500  # a few hundred slips
    for response, source, month, *personal, answer, value in rows:
        assert response >= NAMED_ID_LIMIT and answer >= NAMED_ID_LIMIT  # drawn at random
        assert personal == [None, None, None, None] and source == "paper"
        assert value in (0, 1) and month < AS_OF.strftime("%Y-%m")
    assert len({row[0] for row in rows}) == len(rows)
    assert 0.5 < sum(row[-1] for row in rows) / len(rows) < 0.75  # most want Sundays


def test_last_seasons_hamper_was_drawn_so_that_anyone_can_check_it(shop_path, capsys):
    db = open_database(shop_path)
    try:
        [open_, drawn] = list_competitions()  # the latest end first
        assert (drawn.competition.name, open_.competition.name) == (
            "Winter hamper draw", "Spring gift card giveaway")  # fmt: skip
        assert drawn.state(AS_OF) == "drawn" and open_.state(AS_OF) == "open"
        assert drawn.entries > 50 and open_.entries > 5
        checked = verify(drawn.competition.id)
        assert checked.matches and checked.added == [] and checked.removed == []
        record = checked.draw
        assert record.drawn_at.date() == drawn.competition.ends_on + timedelta(days=1)
        assert len(record.seed) == 32 and record.excluded == []
        assert len(record.winners) == 3 and all(w.contact_id for w in record.winners)
        assert [w.told_at is not None for w in record.winners] == [True, True, False]
        total, untold = winners_to_tell(10)
        assert total == 1 and untold[0].contact_id == record.winners[-1].contact_id
        notes = db.execute_sql(
            "SELECT contact_id FROM interaction WHERE kind = 'note' AND summary = ?",
            ("Won the draw: Winter hamper draw",),
        ).fetchall()
        assert sorted(row[0] for row in notes) == sorted(w.contact_id for w in record.winners)
    finally:
        db.close()
    assert cli.main(["competition", "verify", "1", "--db", str(shop_path)]) == 0
    assert "They match." in capsys.readouterr().out


def test_entries_are_made_as_the_counter_makes_them(shop):
    competitions = {
        row[0]: row[1:]
        for row in shop.execute(
            "SELECT id, starts_on, ends_on, by_counter, by_paper, by_purchase, limit_per_person"
            " FROM competition"
        )
    }
    entries = shop.execute(
        "SELECT e.id, e.competition_id, e.contact_id, e.route, e.entered_at, e.interaction_id,"
        " i.kind, i.contact_id, i.occurred_at FROM competition_entry e"
        " LEFT JOIN interaction i ON i.id = e.interaction_id ORDER BY e.id"
    ).fetchall()
    assert [row[4] for row in entries] == sorted(row[4] for row in entries)  # in entry order
    per_person = Counter((row[1], row[2]) for row in entries)
    routes = Counter((row[1], row[3]) for row in entries)
    assert {route for _, route in routes} == {"purchase", "counter", "no_purchase", "paper"}
    for _id, competition, _contact, route, at, sale, kind, whose, sold_at in entries:
        starts, ends, by_counter, by_paper, by_purchase, _limit = competitions[competition]
        # From the second day, so that any computer's calendar has them in time.
        assert date.fromisoformat(starts) < shop_day(at) <= date.fromisoformat(ends)
        allowed = {"counter": by_counter, "paper": by_paper, "purchase": by_purchase,
                   "no_purchase": by_purchase}  # fmt: skip
        assert allowed[route]
        if route == "purchase":  # the customer's sale, then and there
            assert (kind, whose, sold_at) == ("purchase", _contact, at)
        else:
            assert sale is None
    assert all(made <= competitions[competition][-1]
               for (competition, _), made in per_person.items())  # fmt: skip
