"""A person's partner, vouchers, survey answers and competition entries (schemas 20 and 21):
in their data export with the answers in words; on erasure their named responses and when
they were asked go, their entries stay without them (a draw can still be checked), a
partner keeps everything but its link to an erased business record. On both engines but the
raw-file scan."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from relapp.db.models import database
from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
from relapp.domain.campaigns.vouchers import Offer, redeem_voucher
from relapp.domain.changes import Entity
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.domain.contacts.privacy import (
    ERASE_ACTION,
    EXPORT_KEYS,
    answer_in_words,
    erase_person,
    person_data,
)
from relapp.domain.partners.batches import make_batch
from relapp.domain.partners.partners import Partner, find_partner, partner_links, save_partner
from relapp.domain.timeline.history import log_interaction
from relapp.exchange.person_export import export_person
from tests.factories import add_contact
from tests.privacy.conftest import Person, traces
from tests.privacy.listening_rows import (
    answer,
    asked,
    draw,
    enter,
    make_competition,
    make_survey,
)


def pytest_generate_tests(metafunc):
    """The store's SQL for these rows is new: run on both engines, as tests/domain does."""
    if "db" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    engines = [name for name in metafunc.config.getoption("engines").split(",") if name]
    metafunc.parametrize("engine", engines, indirect=True)


# The person's answers, by question kind: 4 of 5, 9 of 10, "Instagram", "Coffee" and
# "Gifts" (bits 0 and 2), yes, and a text naming them.
THEIR_ANSWERS = {"rating": 4, "nps": 9, "choice": 1, "choices": 0b101, "yes_no": 1,
                 "text": "Zzyzxanswer: more scarves please"}  # fmt: skip


@dataclass
class Holdings:
    person: Person
    partner_code: str  # as printed, redeemed by the person
    campaign_code: str  # sent to the person, not used
    survey_id: int
    response_id: int
    feedback_id: int  # the history entry the response put on the timeline
    anonymous_response: int
    bystanders_response: int
    competition_id: int
    entry_id: int  # the person's entry, drawn as the winner
    bystanders_entry: int


def _campaign_code(person: Person) -> str:
    """A 200-point voucher of an email campaign to the VIPs (the person and the bystander);
    the person's code, as printed."""
    save_segment("VIPs", ContactFilter(tags=("VIP",)))
    create_campaign("Autumn points", "VIPs", "email", "Your code: {voucher_code}",
                    subject="For you", offer=Offer("points", 200, valid_days=30))  # fmt: skip
    (campaign_id,) = [row[0] for row in database.execute_sql("SELECT id FROM campaign")]
    codes = {}

    def write(row, messages, progress):
        codes.update({m.recipient.contact_id: m.voucher_code for m in messages})
        return []

    produce_campaign(campaign_id, write)
    return codes[person.id]


@pytest.fixture
def holdings(person, db) -> Holdings:
    """The person came through Corner Café by redeeming one of its codes, was sent a campaign
    voucher, answered a named survey (and was asked), entered a competition and won it.
    Someone answered an anonymous survey; the bystander answered and entered too."""
    save_partner(Partner("Corner Café"), person.manager_id)
    partner_id = find_partner("Corner Café").id
    assert partner_id is not None
    batch = make_batch(partner_id, "theirs_here", Offer("amount", 500, valid_days=30), 2,
                       "Spring cards", staff_id=person.manager_id)  # fmt: skip
    redeemed = redeem_voucher(batch.codes[0], person.id, purchase_cents=2_000)
    assert redeemed.came_through == "Corner Café"
    campaign_code = _campaign_code(person)

    survey = make_survey()
    feedback = log_interaction(person.id, "feedback", summary="Survey: Zzyzxann was happy",
                               feedback_score=4).id  # fmt: skip
    response = answer(survey, person.id, THEIR_ANSWERS, interaction_id=feedback)
    asked(survey, person.id)
    asked(survey, person.id, "declined")
    anonymous = answer(make_survey("Quick poll", anonymous=True), None, {"yes_no": 0})
    bystanders = answer(survey, person.bystander_id, {"rating": 2})
    asked(survey, person.bystander_id)

    competition = make_competition()
    entry = enter(competition, person.id, interaction_id=feedback)
    bystanders_entry = enter(competition, person.bystander_id, "paper")
    draw(competition, entry)
    return Holdings(person, batch.codes[0], campaign_code, survey.id, response, feedback,
                    anonymous, bystanders, competition, entry, bystanders_entry)  # fmt: skip


def test_answers_read_in_words():
    labels = json.dumps(["Coffee", "Cake", "Gifts"])
    assert answer_in_words("choice", labels, 2, None) == "Gifts"
    assert answer_in_words("choices", labels, 0b101, None) == "Coffee, Gifts"
    assert answer_in_words("choices", labels, 0b1000, None) == "option 4"  # past the list
    assert answer_in_words("yes_no", "[]", 0, None) == "No"
    assert answer_in_words("rating", "[]", 3, None) == "3 of 5"
    assert answer_in_words("nps", "[]", 0, None) == "0 of 10"
    assert answer_in_words("text", "[]", None, "Lovely") == "Lovely"


def test_the_export_holds_their_partner_vouchers_answers_and_entries(holdings):
    person = holdings.person
    data = person_data(person.id)

    assert {"referral_partner", "partner_business", "vouchers", "survey_answers",
            "competition_entries"} <= set(data["keys"])  # fmt: skip
    assert "Anonymous responses are not here" in EXPORT_KEYS["survey_answers"]
    assert data["referral_partner"] == "Corner Café"
    assert data["contact"]["referred_by_partner_id"] == find_partner("Corner Café").id
    assert data["partner_business"] is None

    vouchers = {voucher["code"]: voucher for voucher in data["vouchers"]}
    assert set(vouchers) == {holdings.partner_code, holdings.campaign_code}  # not the bystander's
    theirs = vouchers[holdings.partner_code]
    assert (theirs["offer"], theirs["partner"], theirs["campaign"]) == (
        "$5.00 off", "Corner Café", None)  # fmt: skip
    assert (theirs["direction"], theirs["batch"], theirs["redeemed"]) == (
        "theirs_here", "Spring cards", True)  # fmt: skip
    assert theirs["redeemed_at"].endswith("+00:00")
    sent = vouchers[holdings.campaign_code]
    assert (sent["offer"], sent["campaign"], sent["partner"]) == (
        "200 bonus points", "Autumn points", None)  # fmt: skip
    assert (sent["redeemed"], sent["redeemed_at"]) == (False, None)

    [response] = data["survey_answers"]  # neither the anonymous one nor the bystander's
    assert (response["id"], response["survey_name"], response["version"]) == (
        holdings.response_id, "After the sale", 1)  # fmt: skip
    assert response["answered_at"].endswith("+00:00") and response["source"] == "counter"
    assert [(row["question"], row["answer"]) for row in response["answers"]] == [
        ("How was your visit today?", "4 of 5"),
        ("How likely are you to recommend us?", "9 of 10"),
        ("How did you hear of us?", "Instagram"),
        ("What do you buy here?", "Coffee, Gifts"),
        ("Did you find everything?", "Yes"),
        ("Anything else?", "Zzyzxanswer: more scarves please"),
    ]

    [entry] = data["competition_entries"]
    assert (entry["competition_name"], entry["route"], entry["won"]) == (
        "Win a hamper", "counter", True)  # fmt: skip
    assert entry["winner_position"] == 1 and entry["entered_at"].endswith("+00:00")


def test_a_business_records_export_names_its_partner(holdings):
    manager = holdings.person.manager_id
    business = add_contact(kind="business", organisation="Bakery on Main Pty")
    save_partner(Partner("Bakery on Main", contact_id=business.id), manager)
    data = person_data(business.id)
    assert data["partner_business"] == "Bakery on Main"
    assert (data["referral_partner"], data["vouchers"], data["survey_answers"]) == (None, [], [])
    assert data["competition_entries"] == []


def test_the_zip_holds_them_too(holdings, tmp_path):
    with zipfile.ZipFile(export_person(holdings.person.id, tmp_path / "person.zip")) as archive:
        data = json.loads(archive.read("person.json"))
        pdf = archive.read("summary.pdf")
    assert data["referral_partner"] == "Corner Café"
    assert len(data["vouchers"]) == 2 and data["competition_entries"][0]["won"] is True
    assert data["survey_answers"][0]["answers"][3]["answer"] == "Coffee, Gifts"
    assert data["keys"]["survey_answers"] == EXPORT_KEYS["survey_answers"]
    summary = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    summary = " ".join(summary.split())
    for shown in (
        "Came through partner Corner Café",
        "Vouchers",
        "Survey answers",
        "Coffee, Gifts",
        "Competition entries",
        "Win a hamper",
        "winner, place 1",
    ):
        assert shown in summary, shown


def survey_rows() -> tuple[list, list, list]:
    return (
        database.execute_sql("SELECT id, contact_id FROM survey_response ORDER BY id").fetchall(),
        database.execute_sql(
            "SELECT response_id, count(*) FROM survey_answer GROUP BY response_id"
            " ORDER BY response_id"
        ).fetchall(),
        database.execute_sql("SELECT contact_id, outcome FROM survey_asked ORDER BY id").fetchall(),
    )


def test_erasure_deletes_their_answers_and_keeps_their_entries_without_them(holdings, tmp_path):
    person = holdings.person
    vouchers_before = database.execute_sql("SELECT * FROM voucher ORDER BY id").fetchall()
    draw_before = database.execute_sql(
        "SELECT d.entry_ids, w.entry_id FROM competition_draw d"
        " JOIN competition_winner w ON w.competition_id = d.competition_id"
    ).fetchall()

    result = erase_person(person.id, person.manager_id, tmp_path)

    assert {Entity.SURVEYS, Entity.COMPETITIONS, Entity.PARTNERS} <= result.change.entities
    assert result.survey_responses_deleted == 1
    assert result.competition_entries_kept == (holdings.entry_id,)
    responses, answers, asked_rows = survey_rows()
    assert [tuple(row) for row in responses] == [
        (holdings.anonymous_response, None),
        (holdings.bystanders_response, person.bystander_id),
    ]
    assert [row[0] for row in answers] == [holdings.anonymous_response,
                                           holdings.bystanders_response]  # fmt: skip
    assert [tuple(row) for row in asked_rows] == [(person.bystander_id, "answered")]
    # The feedback entry stays, as every interaction does: its text blanked, its score kept.
    kind, summary, score = database.execute_sql(
        "SELECT kind, summary, feedback_score FROM interaction WHERE id = ?",
        (holdings.feedback_id,),
    ).fetchone()
    assert (kind, summary, score) == ("feedback", "", 4)

    entries = database.execute_sql(
        "SELECT id, contact_id, interaction_id, route FROM competition_entry ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in entries] == [
        (holdings.entry_id, None, None, "counter"),
        (holdings.bystanders_entry, person.bystander_id, None, "paper"),
    ]
    assert (
        database.execute_sql(
            "SELECT d.entry_ids, w.entry_id FROM competition_draw d"
            " JOIN competition_winner w ON w.competition_id = d.competition_id"
        ).fetchall()
        == draw_before
    )  # the draw still names the same entries and winner

    # Vouchers and the partner they came through stay (ids and codes, nothing personal).
    assert database.execute_sql("SELECT * FROM voucher ORDER BY id").fetchall() == vouchers_before
    [(referred,)] = database.execute_sql(
        "SELECT referred_by_partner_id FROM contact WHERE id = ?", (person.id,)
    ).fetchall()
    assert referred == find_partner("Corner Café").id

    [(details,)] = database.execute_sql(
        "SELECT details FROM audit_log WHERE action = ?", (ERASE_ACTION,)
    ).fetchall()
    recorded = json.loads(details)
    assert recorded["survey_responses_deleted"] == 1
    assert recorded["competition_entries_kept"] == [holdings.entry_id]
    assert recorded["partners_unlinked"] == []


def test_erasing_a_partners_business_record_unlinks_it_and_keeps_the_partner(holdings, tmp_path):
    manager = holdings.person.manager_id
    business = add_contact(kind="business", organisation="Bakery on Main Pty")
    save_partner(Partner("Bakery on Main", offers="Bread", contact_id=business.id), manager)
    partner = find_partner("Bakery on Main")
    assert partner_links(business.id).business_of == partner

    result = erase_person(business.id, manager, tmp_path)

    assert result.partners_unlinked == (partner.id,)
    kept = find_partner("Bakery on Main")
    assert (kept.id, kept.offers, kept.contact_id) == (partner.id, "Bread", None)
    assert partner_links(business.id).business_of is None
    [(details,)] = database.execute_sql(
        "SELECT details FROM audit_log WHERE action = ?", (ERASE_ACTION,)
    ).fetchall()
    assert json.loads(details)["partners_unlinked"] == [partner.id]


@pytest.mark.sqlite_only(reason="scans the database file's bytes")
def test_no_trace_of_their_answers_is_left_in_the_files(holdings, db_path, tmp_path):
    answers = database.execute_sql("SELECT text FROM survey_answer WHERE text IS NOT NULL")
    assert "Zzyzxanswer: more scarves please" in [row[0] for row in answers]
    erase_person(holdings.person.id, holdings.person.manager_id, tmp_path)
    assert traces(db_path) == {}
