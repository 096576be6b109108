"""`relapp check` on partners' links and codes (schema 20) and survey answers (schema 21): a
partner's business record exists and is neither erased nor merged away, a customer's
referral partner exists, a partner's code batch has a direction and no campaign, a redeemed
voucher names its customer, an answer answers a question of its response's version, and an
anonymous response keeps nothing personal. The schema's foreign keys and CHECKs refuse each
break made here, so each is made on a copy, on a raw connection (foreign keys off, CHECKs
ignored): what a tool bypassing Relapp could leave. The server's check runs the same SQL."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass

import psycopg
import pytest

from relapp import cli
from relapp.db.backups import check_database, take_backup
from relapp.db.models import Staff, database
from relapp.db.server.connection import open_server_database
from relapp.domain.campaigns.vouchers import Offer, redeem_voucher
from relapp.domain.clock import utc_now
from relapp.domain.partners.batches import make_batch
from relapp.domain.partners.partners import Partner, find_partner, save_partner
from tests.factories import add_contact
from tests.privacy.listening_rows import answer, make_survey


@dataclass(frozen=True)
class Shop:
    partner: int  # Bakery on Main, linked to its business record
    business: int
    ann: int  # came through the partner by redeeming one of its codes
    offer: int  # the partner's batch
    voucher: int  # the code Ann redeemed
    survey: int
    response: int  # Ann's
    answer: int  # her one answer
    anonymous_response: int


def make_shop() -> Shop:
    """A partner with its business record, a batch of two codes (Ann used one), a named
    survey Ann answered and an anonymous poll someone answered."""
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=utc_now()).id
    business = add_contact(kind="business", organisation="Bakery on Main Pty").id
    save_partner(Partner("Bakery on Main", contact_id=business), manager)
    partner = find_partner("Bakery on Main").id
    assert partner is not None
    batch = make_batch(partner, "theirs_here", Offer("points", 50), 2, staff_id=manager)
    ann = add_contact("Ann", "Lee").id
    redeem_voucher(batch.codes[0], ann)
    [(voucher,)] = database.execute_sql(
        "SELECT id FROM voucher WHERE redeemed_at IS NOT NULL"
    ).fetchall()
    survey = make_survey()
    response = answer(survey, ann, {"rating": 4})
    [(answered,)] = database.execute_sql("SELECT id FROM survey_answer").fetchall()
    anonymous = answer(make_survey("Quick poll", anonymous=True), None, {"yes_no": 1})
    return Shop(partner, business, ann, batch.batch.offer_id, voucher, survey.id, response,
                answered, anonymous)  # fmt: skip


@pytest.fixture
def shop(db) -> Shop:
    return make_shop()


def corrupted_copy(db_path, tmp_path, *statements: str):
    """A backup of the shop with these statements run on it (foreign keys off, as a raw
    connection has them, and CHECKs ignored)."""
    copy = tmp_path / "corrupted.db"
    copy.write_bytes(take_backup(db_path).path.read_bytes())
    with closing(sqlite3.connect(copy)) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    return copy


def test_a_sound_shop_passes(shop, db_path):
    report = check_database(db_path)
    assert report.ok, report.problems


def test_a_partner_linked_to_an_erased_a_merged_or_a_missing_record_is_found(
    shop, db, db_path, tmp_path
):
    manager = Staff.get().id
    merged = add_contact(kind="business", organisation="Corner Cafe").id
    save_partner(Partner("Corner Café", contact_id=merged), manager)
    corner = find_partner("Corner Café").id
    save_partner(Partner("Gone Grocer", contact_id=add_contact(kind="business").id), manager)
    gone = find_partner("Gone Grocer").id
    copy = corrupted_copy(
        db_path, tmp_path,
        f"UPDATE contact SET erased_at = '2026-12-01 10:00:00' WHERE id = {shop.business}",
        f"UPDATE contact SET merged_into_id = {shop.ann} WHERE id = {merged}",
        f"UPDATE partner SET contact_id = 999 WHERE id = {gone}",
    )  # fmt: skip

    assert check_database(copy).problems == [
        "foreign keys: 1 partner rows point to missing contact rows",
        "partners: 3 partners linked to a customer record that is missing, erased or merged"
        f" into another: partner {shop.partner} (contact {shop.business}, erased), partner"
        f" {corner} (contact {merged}, merged into contact {shop.ann}), partner {gone}"
        " (contact 999, missing)",
    ]
    assert check_database(db_path).ok  # the shop itself is sound


def test_a_customer_referred_by_a_missing_partner_is_found(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path, f"UPDATE contact SET referred_by_partner_id = 77 WHERE id = {shop.ann}"
    )
    assert check_database(copy).problems == [
        "foreign keys: 1 contact rows point to missing partner rows",
        f"partners: 1 customers came through a partner that does not exist: contact {shop.ann}"
        " (partner 77)",
    ]


def test_a_batch_without_a_direction_or_with_a_campaign_is_found(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path, f"UPDATE voucher_offer SET direction = NULL WHERE id = {shop.offer}"
    )
    assert check_database(copy).problems == [
        f"partners: 1 partner code batches without a direction or with a campaign: offer"
        f" {shop.offer}"
    ]


def test_a_redeemed_voucher_naming_no_customer_is_found(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path, f"UPDATE voucher SET contact_id = NULL WHERE id = {shop.voucher}"
    )
    assert check_database(copy).problems == [
        f"vouchers: 1 redeemed vouchers name no customer: voucher {shop.voucher}"
    ]


def test_an_answer_to_another_versions_question_is_found(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path,
        "INSERT INTO survey_version (id, survey_id, number, created_at)"
        f" VALUES (50, {shop.survey}, 2, '2026-12-01 10:00:00')",
        "INSERT INTO survey_question (id, version_id, position, kind, text)"
        " VALUES (60, 50, 1, 'rating', 'How was it?')",
        f"UPDATE survey_answer SET question_id = 60 WHERE id = {shop.answer}",
    )  # fmt: skip
    assert check_database(copy).problems == [
        f"surveys: 1 answers to a question of another version than their response's: answer"
        f" {shop.answer} (response {shop.response})"
    ]


def test_an_anonymous_response_keeping_something_personal_is_found(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path,
        "UPDATE survey_response SET answered_at = '2026-12-01 10:00:00'"
        f" WHERE id = {shop.anonymous_response}",
        # A named answer to a survey that says it is anonymous.
        f"UPDATE survey SET anonymous = 1 WHERE id = {shop.survey}",
    )  # fmt: skip
    assert check_database(copy).problems == [
        "surveys: 2 anonymous responses keep something personal (a customer, when, who typed"
        f" it or a history entry): response {min(shop.response, shop.anonymous_response)},"
        f" response {max(shop.response, shop.anonymous_response)}"
    ]


def test_a_file_from_before_listening_is_checked_without_it(shop, db_path, tmp_path):
    copy = corrupted_copy(
        db_path, tmp_path,
        *(f"DROP TABLE {table}" for table in (
            "competition_winner", "competition_draw", "competition_entry", "competition",
            "survey_asked", "survey_answer", "survey_response", "survey_question",
            "survey_version", "survey",
        )),
    )  # fmt: skip
    report = check_database(copy)
    assert report.ok, report.problems


def test_the_command_names_the_problem_and_exits_1(shop, db_path, tmp_path, capsys):
    copy = corrupted_copy(
        db_path, tmp_path, f"UPDATE voucher SET contact_id = NULL WHERE id = {shop.voucher}"
    )
    assert cli.main(["check", "--db", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"1 problem(s) found in {copy}:",
        f"  vouchers: 1 redeemed vouchers name no customer: voucher {shop.voucher}",
    ]


def test_the_servers_check_runs_the_same_rules(new_database, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = new_database(template="relapp_template", prefix="links")
    server = open_server_database(url)
    try:
        shop = make_shop()
        assert cli.main(["--db", url, "check"]) == 0
        capsys.readouterr()
        with psycopg.connect(url, autocommit=True) as raw:
            raw.execute("ALTER TABLE voucher DROP CONSTRAINT voucher_redeemed_by_someone")
            raw.execute(f"UPDATE voucher SET contact_id = NULL WHERE id = {shop.voucher}")
            raw.execute("ALTER TABLE survey_response DROP CONSTRAINT survey_response_check")
            raw.execute(
                "UPDATE survey_response SET staff_id = (SELECT min(id) FROM staff)"
                f" WHERE id = {shop.anonymous_response}"
            )
        assert cli.main(["--db", url, "check"]) == 1
        assert capsys.readouterr().out.splitlines()[1:] == [
            f"  vouchers: 1 redeemed vouchers name no customer: voucher {shop.voucher}",
            "  surveys: 1 anonymous responses keep something personal (a customer, when, who"
            f" typed it or a history entry): response {shop.anonymous_response}",
        ]
    finally:
        server.close()
