"""A person's gift cards and memberships: in their data export; on erasure a card becomes a
bearer card (the shop still owes its balance; its ledger stays) and memberships and payments
stay for the members report. On both engines but the raw-file scan."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.db.models import database
from relapp.domain.changes import Entity
from relapp.domain.contacts.privacy import ERASE_ACTION, erase_person, person_data
from relapp.domain.giftcards.cards import find_gift_card, gift_cards_of
from relapp.domain.giftcards.ledger import (
    attach_gift_card,
    redeem_gift_card,
    reverse_redemption,
    sell_gift_card,
)
from relapp.domain.memberships.members import join
from relapp.domain.memberships.plans import Plan, list_plans, save_plan
from relapp.domain.memberships.status import shop_today
from relapp.exchange.person_export import export_person
from tests.privacy.conftest import Person, traces


def pytest_generate_tests(metafunc):
    """The store's SQL for these rows is new: run on both engines, as tests/domain does."""
    if "db" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    engines = [name for name in metafunc.config.getoption("engines").split(",") if name]
    metafunc.parametrize("engine", engines, indirect=True)


@dataclass
class Holdings:
    person: Person
    code: str  # the person's card, as printed
    card_id: int
    bystanders_code: str
    membership_id: int


@pytest.fixture
def holdings(person, db) -> Holdings:
    """The person is a Gold member (paid $50.00) and holds a $50.00 card: $15.00 taken by
    mistake and put back ("Zzyzxann was charged twice"), then $10.00 taken. The bystander has
    a card of their own."""
    save_plan(Plan("Gold", fee_cents=5_000, length_months=12), person.manager_id)
    plan_id = next(line.plan.id for line in list_plans(shop_today()) if line.plan.name == "Gold")
    joined = join(person.id, plan_id, staff_id=person.counter_id)
    card = sell_gift_card(5_000, person.id, staff_id=person.counter_id).card
    mistaken = redeem_gift_card(card.code, 1_500, staff_id=person.counter_id)
    reverse_redemption(
        mistaken.entry_id, staff_id=person.manager_id, reason="Zzyzxann was charged twice"
    )
    redeem_gift_card(card.code, 1_000, staff_id=person.counter_id)
    bystanders = sell_gift_card(2_000, person.bystander_id).card
    return Holdings(person, card.shown, card.id, bystanders.shown, joined.membership.id)


def gift_card_ledger() -> list[tuple]:
    return database.execute_sql(
        "SELECT id, card_id, kind, amount_cents, occurred_at, reverses_id"
        " FROM gift_card_entry ORDER BY id"
    ).fetchall()


def memberships_and_payments() -> tuple[list[tuple], list[tuple]]:
    return (
        database.execute_sql("SELECT * FROM membership ORDER BY id").fetchall(),
        database.execute_sql("SELECT * FROM membership_payment ORDER BY id").fetchall(),
    )


def test_the_export_holds_their_cards_with_entries_and_memberships_with_payments(holdings):
    person = holdings.person
    data = person_data(person.id)

    [card] = data["gift_cards"]  # not the bystander's
    assert (card["code"], card["balance_cents"], card["expires_at"]) == (holdings.code, 4_000, None)
    assert card["sold_at"].endswith("+00:00")
    entries = [(entry["kind"], entry["amount_cents"]) for entry in card["entries"]]
    assert entries == [("sale", 5_000), ("redeem", -1_500), ("reversal", 1_500),
                       ("redeem", -1_000)]  # fmt: skip
    assert card["entries"][2]["note"] == "Zzyzxann was charged twice"
    assert sum(amount for _kind, amount in entries) == card["balance_cents"]

    [membership] = data["memberships"]
    assert membership["plan_name"] == "Gold" and membership["status"] == "current"
    assert membership["starts_on"] == shop_today().isoformat()
    assert membership["cancelled_at"] is None
    assert [payment["amount_cents"] for payment in membership["payments"]] == [5_000]
    assert membership["payments"][0]["paid_at"].endswith("+00:00")
    assert {"gift_cards", "memberships"} <= set(data["keys"])
    # The membership's audit row is about them; the card's attachment would be too.
    assert "membership joined" in [row["action"] for row in data["audit_log"]]


def test_the_zip_and_its_summary_name_the_cards_and_memberships(holdings, tmp_path):
    with zipfile.ZipFile(export_person(holdings.person.id, tmp_path / "person.zip")) as archive:
        data = json.loads(archive.read("person.json"))
        pdf = archive.read("summary.pdf")
    assert [card["code"] for card in data["gift_cards"]] == [holdings.code]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Gift cards" in text and holdings.code in text and "Redeemed" in text
    assert "Memberships" in text and "Gold" in text and "Current" in text


def test_erasure_makes_their_card_a_bearer_card_and_keeps_its_ledger(holdings, tmp_path):
    person = holdings.person
    ledger = gift_card_ledger()

    result = erase_person(person.id, person.manager_id, tmp_path)

    assert {Entity.GIFT_CARDS, Entity.MEMBERSHIPS} <= result.change.entities
    assert result.gift_cards_detached == (holdings.card_id,)
    card = find_gift_card(holdings.code)
    assert (card.contact_id, card.balance_cents, card.sold_cents) == (None, 4_000, 5_000)
    assert gift_cards_of(person.id) == []
    assert gift_card_ledger() == ledger  # every entry and amount, in order
    notes = [row[0] for row in database.execute_sql("SELECT note FROM gift_card_entry")]
    assert "[erased] was charged twice" in notes
    assert not any("zzyzx" in note.lower() for note in notes)
    # The ledger is append-only again.
    with pytest.raises(Exception, match="cannot be changed"):
        database.execute_sql("UPDATE gift_card_entry SET note = 'x'")
    # Whoever holds the card spends it; a customer may be given it.
    assert redeem_gift_card(holdings.code, 4_000).card.balance_cents == 0
    attach_gift_card(holdings.code, person.bystander_id)
    assert find_gift_card(holdings.code).contact_id == person.bystander_id
    assert find_gift_card(holdings.bystanders_code).contact_id == person.bystander_id

    [(details,)] = database.execute_sql(
        "SELECT details FROM audit_log WHERE action = ?", (ERASE_ACTION,)
    ).fetchall()
    assert json.loads(details)["gift_cards_detached"] == [holdings.card_id]
    audit = [row[0] for row in database.execute_sql("SELECT details FROM audit_log")]
    assert not any("zzyzx" in text.lower() for text in audit)  # the reversal's reason too


def test_erasure_keeps_memberships_and_payments_for_the_members_report(holdings, tmp_path):
    before = memberships_and_payments()
    erase_person(holdings.person.id, holdings.person.manager_id, tmp_path)
    assert memberships_and_payments() == before
    [(contact_id,)] = database.execute_sql(
        "SELECT contact_id FROM membership WHERE id = ?", (holdings.membership_id,)
    ).fetchall()
    assert contact_id == holdings.person.id  # the emptied contact row: no personal data


@pytest.mark.sqlite_only(reason="scans the database file's bytes")
def test_no_trace_of_the_person_is_left_in_the_files(holdings, db_path, tmp_path):
    assert traces(db_path)
    erase_person(holdings.person.id, holdings.person.manager_id, tmp_path)
    assert traces(db_path) == {}


@pytest.mark.sqlite_only(reason="the command opens the shop file itself")
def test_the_command_says_their_card_is_now_a_bearer_card(holdings, db, db_path, tmp_path, capsys):
    db.close()  # the command opens the file itself, as a separate process would
    argv = ["privacy", "erase", str(holdings.person.id), "--yes", "--backups", str(tmp_path),
            "--db", str(db_path)]  # fmt: skip
    assert cli.main(argv) == 0
    assert (
        "Their gift card is now a bearer card: whoever holds it may spend what is left."
        in capsys.readouterr().out.splitlines()
    )
