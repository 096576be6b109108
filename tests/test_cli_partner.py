"""Partners from the command line: a till redeems a partner's bearer code with `relapp voucher
redeem` (the partner recorded as the customer's referral source), and `relapp report partner`
writes the partner report for a partner and a period, refusing an unknown partner or a day
that is not one."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.db.models import AuditLog, Contact, Staff
from relapp.db.store import partners as partner_store
from relapp.domain import clock
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.contacts.editing import load_contact_details, save_contact_details
from relapp.domain.contacts.fields import InvalidContact
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.memberships.status import shop_today
from relapp.domain.partners.batches import batch_codes, batches_of, make_batch
from relapp.domain.partners.partners import Partner, find_partner, save_partner
from tests.factories import add_contact


@pytest.fixture
def luna(db):
    """A partner with a batch of 3 of their codes; (partner id, codes, a customer's id)."""
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=clock.utc_now())
    save_partner(Partner("Café Luna", offers="Coffee", agreement_from=date(2026, 1, 1)),
                 manager.id)  # fmt: skip
    partner_id = find_partner("Café Luna").id
    assert partner_id is not None
    made = make_batch(partner_id, "theirs_here", Offer("amount", 500), 3, "Spring",
                      staff_id=manager.id)  # fmt: skip
    return partner_id, made.codes, add_contact("Ann", "Lee").id


def run(capsys, db_path, *args: str) -> tuple[int, str, str]:
    code = cli.main([*args, "--db", str(db_path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_a_till_redeems_a_partners_code_and_the_customer_came_through_them(
    capsys, luna, db_path, tmp_path
):
    partner_id, codes, ann = luna
    code, printed, errors = run(capsys, db_path, "voucher", "redeem", codes[0], f"#{ann}")
    assert (code, errors) == (0, "")
    assert printed == (
        f"Voucher {codes[0]} (Café Luna, Spring) redeemed: take $5.00 off the purchase;"
        " Ann Lee is recorded as coming through Café Luna.\n"
    )
    assert partner_store.referral_partner(ann) == partner_id
    code, _printed, errors = run(capsys, db_path, "voucher", "redeem", codes[0], f"#{ann}")
    assert code == 1 and "was used already" in errors

    out = tmp_path / "luna.pdf"
    today = clock.utc_now().astimezone().date()
    code, printed, errors = run(capsys, db_path, "report", "partner", "--partner", "café luna",
                                "--from", "2026-01-01", "--to", today.isoformat(),
                                "--out", str(out))  # fmt: skip
    assert (code, errors) == (0, "") and printed.startswith(f"Wrote {out} (")
    text = text_of(out)
    assert "Partner report: Café Luna" in text
    assert "Customers who joined in the period: 1. Of them, 0 bought, spending $0.00" in text
    assert "Their codes, redeemable here 3 1" in text
    assert "Our codes, handed out there 0 0" in text


def test_the_report_refuses_an_unknown_partner_and_a_day_that_is_not_one(
    capsys, luna, db_path, tmp_path
):
    out = tmp_path / "x.pdf"
    code, printed, errors = run(capsys, db_path, "report", "partner", "--partner", "Bakery",
                                "--out", str(out))  # fmt: skip
    assert (code, printed) == (1, "")
    assert errors == "relapp: There is no partner called 'Bakery'; the partners: 'Café Luna'.\n"
    assert not out.exists()
    with pytest.raises(SystemExit) as stopped:
        run(capsys, db_path, "report", "partner", "--from", "2026-13-01", "--out", str(out))
    assert stopped.value.code == 2
    assert "'2026-13-01' is not a day as YYYY-MM-DD" in capsys.readouterr().err
    code, _printed, errors = run(capsys, db_path, "report", "partner", "--from", "2026-06-01",
                                 "--to", "2026-05-01", "--out", str(out))  # fmt: skip
    assert code == 1 and "The period cannot end before it begins." in errors


def test_every_partner_over_the_last_quarter_by_default(capsys, luna, db_path, tmp_path):
    out = tmp_path / "all.pdf"
    code, _printed, errors = run(capsys, db_path, "report", "partner", "--out", str(out))
    assert (code, errors) == (0, "")
    text = text_of(out)
    assert "Partner report: Café Luna" in text and "How it is counted" in text


# --------------------------------------------------------------- relapp partner ACTION


def partner_rows() -> list[tuple[object, ...]]:
    return [
        (row.name, row.contact_person, row.phone, row.email, row.offers, row.agreement_from,
         row.agreement_until, row.notes)
        for row in partner_store.partner_rows()
    ]  # fmt: skip


def audit_details(action: str) -> list[dict]:
    return [json.loads(row.details) for row in AuditLog.select().where(AuditLog.action == action)]


def test_the_owner_adds_partners_and_lists_them(capsys, db, db_path):
    code, printed, errors = run(capsys, db_path, "partner", "list")
    assert (code, printed, errors) == (
        0, "No partners yet; add one with `relapp partner add NAME`.\n", "")  # fmt: skip

    today = shop_today()
    start, end = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=30)).isoformat()
    code, printed, errors = run(
        capsys, db_path, "partner", "add", "Crumb Street Bakery", "--contact-person",
        "Nadia Haddad", "--phone", "03 9417 2280", "--email", "hello@crumb.example",
        "--offers", "Sourdough and pastries", "--from", start, "--until", end,
        "--notes", "Ask for Nadia",
    )  # fmt: skip
    assert (code, errors) == (0, "")
    [bakery] = partner_store.partner_rows()
    assert printed == f"Partner {bakery.id} added: Crumb Street Bakery.\n"
    assert partner_rows() == [
        ("Crumb Street Bakery", "Nadia Haddad", "03 9417 2280", "hello@crumb.example",
         "Sourdough and pastries", start, end, "Ask for Nadia"),
    ]  # fmt: skip
    # No staff PIN at the command line: the owner's, and the audit log says so.
    [audited] = audit_details("partner added")
    assert audited["by"] == "command line" and audited["name"] == "Crumb Street Bakery"

    code, printed, errors = run(capsys, db_path, "partner", "add", "Fern & Bloom", "--json")
    assert (code, errors) == (0, "")
    added = json.loads(printed)
    assert (added["name"], added["agreement_from"], added["contact_person"]) == (
        "Fern & Bloom", None, "")  # fmt: skip

    code, printed, errors = run(capsys, db_path, "partner", "list")
    assert (code, errors) == (0, "")
    lines = printed.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:4] == [str(bakery.id), "Crumb", "Street", "Bakery"]
    assert "Nadia Haddad" in lines[0] and lines[0].count("(current)") == 1
    assert "0 customers came through them" in lines[0]
    assert lines[0].endswith("codes: 0 issued, 0 redeemed")
    assert "no contact person" in lines[1] and "agreement: no dates" in lines[1]

    code, printed, errors = run(capsys, db_path, "partner", "list", "--json")
    listed = json.loads(printed)
    assert [(p["name"], p["customers"], p["codes_issued"], p["codes_redeemed"])
            for p in listed] == [("Crumb Street Bakery", 0, 0, 0),
                                 ("Fern & Bloom", 0, 0, 0)]  # fmt: skip
    assert (listed[0]["agreement_until"], listed[0]["agreement"]) == (end, "current")


def test_adding_is_refused_in_one_sentence_and_writes_nothing(capsys, luna, db_path):
    before = partner_rows()
    code, printed, errors = run(capsys, db_path, "partner", "add", "CAFÉ LUNA")
    assert (code, printed) == (1, "")
    assert errors == "relapp: There is a partner called Café Luna already.\n"
    code, printed, errors = run(capsys, db_path, "partner", "add", "Bakery", "--from",
                                "2026-06-01", "--until", "2026-05-31")  # fmt: skip
    assert (code, printed) == (1, "")
    assert errors == "relapp: The agreement cannot end before it begins.\n"
    code, printed, errors = run(capsys, db_path, "partner", "add", "  ")
    assert (code, errors) == (1, "relapp: A partner needs a name.\n")
    with pytest.raises(SystemExit) as stopped:
        run(capsys, db_path, "partner", "add", "Bakery", "--until", "31/12/2026")
    assert stopped.value.code == 2
    assert "'31/12/2026' is not a day as YYYY-MM-DD" in capsys.readouterr().err
    assert partner_rows() == before


def test_show_names_a_partner_by_name_or_number(capsys, luna, db_path):
    partner_id, _codes, ann = luna
    partner_store.set_referral_partner(ann, partner_id, "2026-03-01 10:00:00")
    for reference in ("café luna", str(partner_id), f"#{partner_id}"):
        code, printed, errors = run(capsys, db_path, "partner", "show", reference)
        assert (code, errors) == (0, "")
        lines = printed.splitlines()
        assert lines[0] == f"Café Luna (partner {partner_id})"
        assert "  Offers: Coffee" in lines
        assert "  Customers who came through them: 1" in lines
        assert any(line.split()[:3] == [str(ann), "Ann", "Lee"] for line in lines)
        [batch] = [line for line in lines if line.startswith("  Batch ")]
        assert "Spring" in batch and "Their codes, redeemable here" in batch
        assert "$5.00 off" in batch and batch.endswith("3 codes, 0 redeemed")

    code, printed, errors = run(capsys, db_path, "partner", "show", "Café Luna", "--json")
    shown = json.loads(printed)
    assert (shown["id"], shown["customers"], shown["agreement_from"]) == (
        partner_id, 1, "2026-01-01")  # fmt: skip
    assert [c["id"] for c in shown["newest_customers"]] == [ann]
    [batch] = shown["batches"]
    assert (batch["label"], batch["direction"], batch["codes"], batch["redeemed"]) == (
        "Spring", "theirs_here", 3, 0)  # fmt: skip

    for reference, sentence in (
        ("Bakery", "There is no partner called 'Bakery'; the partners: 'Café Luna'."),
        ("#99", "There is no partner number 99; the partners: 'Café Luna'."),
        ("99", "There is no partner number 99; the partners: 'Café Luna'."),
    ):
        code, printed, errors = run(capsys, db_path, "partner", "show", reference)
        assert (code, printed, errors) == (1, "", f"relapp: {sentence}\n")


def test_a_partner_called_by_digits_is_found_by_its_name_first(capsys, luna, db_path):
    code, _printed, _errors = run(capsys, db_path, "partner", "add", "1")
    assert code == 0
    code, printed, _errors = run(capsys, db_path, "partner", "show", "1")
    assert printed.startswith("1 (partner ")  # the partner called "1", not partner number 1
    partner_id = luna[0]
    code, printed, _errors = run(capsys, db_path, "partner", "show", f"#{partner_id}")
    assert printed.startswith("Café Luna (partner ")


def test_codes_are_made_and_printed_one_a_line(capsys, luna, db_path):
    partner_id = luna[0]
    code, printed, errors = run(
        capsys, db_path, "partner", "codes", "Café Luna", "--count", "4", "--direction",
        "ours_there", "--label", "Counter flyers", "--offer", "percent:10", "--days", "30",
        "--min-spend", "20.00",
    )  # fmt: skip
    assert (code, errors) == (0, "")
    printed_codes = printed.splitlines()
    assert len(printed_codes) == 4 and all(len(c) == 14 and c[4] == "-" for c in printed_codes)
    [batch] = [b for b in batches_of(partner_id) if b.label == "Counter flyers"]
    assert (batch.direction, batch.offer, batch.min_spend_cents, batch.codes) == (
        "ours_there", "10% off", 2000, 4)  # fmt: skip
    assert [code for code, _used in batch_codes(batch.offer_id)] == printed_codes
    [audited] = [d for d in audit_details("partner codes made") if d["label"] == "Counter flyers"]
    assert audited["by"] == "command line" and audited["valid_days"] == 30
    # A customer uses one here, as any partner's code.
    ann = luna[2]
    code, _printed, errors = run(capsys, db_path, "voucher", "redeem", printed_codes[0], f"#{ann}",
                                 "--purchase", "25.00")  # fmt: skip
    assert (code, errors) == (0, "")
    assert partner_store.referral_partner(ann) == partner_id


def test_codes_written_as_the_partners_window_writes_them(capsys, luna, db_path, tmp_path):
    out = tmp_path / "luna codes.csv"
    code, printed, errors = run(
        capsys, db_path, "partner", "codes", str(luna[0]), "--count", "3", "--direction",
        "theirs_here", "--label", "Table cards", "--offer", "amount:4.50", "--out", str(out),
        "--json",
    )  # fmt: skip
    assert (code, errors) == (0, "")
    made = json.loads(printed)
    assert made["file"] == str(out) and len(made["codes"]) == 3
    assert (made["batch"]["offer"], made["batch"]["codes"]) == ("$4.50 off", 3)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Code"] for row in rows] == made["codes"]
    assert {(row["Offer"], row["Partner"], row["Batch"], row["Way"], row["Used"])
            for row in rows} == {("$4.50 off", "Café Luna", "Table cards",
                                  "Their codes, redeemable here", "")}  # fmt: skip

    code, printed, errors = run(
        capsys, db_path, "partner", "codes", "Café Luna", "--count", "2", "--direction",
        "theirs_here", "--label", "Window", "--offer", "points:200", "--out",
        str(tmp_path / "w.csv"),
    )  # fmt: skip
    assert (code, errors) == (0, "")
    newest = batches_of(luna[0])[0].offer_id
    assert (
        printed
        == f"Wrote 2 codes for Café Luna (Window, batch {newest}) to {tmp_path / 'w.csv'}.\n"
    )


def voucher_count() -> int:
    return len(list(AuditLog.select().where(AuditLog.action == "partner codes made")))


def test_codes_refused_in_one_sentence_make_nothing(capsys, luna, db_path, tmp_path):
    before = voucher_count()
    common = ("--count", "2", "--direction", "theirs_here", "--label", "X")
    refusals = (
        (("Bakery", *common, "--offer", "amount:5"),
         "There is no partner called 'Bakery'; the partners: 'Café Luna'."),
        (("Café Luna", *common, "--offer", "coffee"),
         "--offer 'coffee' is not an offer: write amount:5.00, percent:10, points:200 or"
         " reward:NAME."),
        (("Café Luna", *common, "--offer", "percent:150"),
         "A voucher's percent off is a whole number from 1 to 100."),
        (("Café Luna", *common, "--offer", "reward:Gold bar"),
         "There is no reward called 'Gold bar' on offer."),
        (("Café Luna", *common, "--offer", "amount:5", "--out",
          str(tmp_path / "no such folder" / "codes.csv")),
         f"The folder {tmp_path / 'no such folder'} does not exist."),
        (("Café Luna", *common, "--offer", "amount:5", "--out", str(db_path)),
         f"{db_path} is the shop's database (or one of its working files); choose another"
         " file."),
        (("Café Luna", "--count", "2", "--direction", "theirs_here", "--label", "x" * 61,
          "--offer", "amount:5"),
         "A batch's label has at most 60 characters."),
    )  # fmt: skip
    for arguments, sentence in refusals:
        code, printed, errors = run(capsys, db_path, "partner", "codes", *arguments)
        assert (code, printed, errors) == (1, "", f"relapp: {sentence}\n"), arguments
    for arguments in (
        ("Café Luna", "--count", "0", "--direction", "theirs_here", "--label", "X", "--offer",
         "amount:5"),
        ("Café Luna", *common[:2], "--direction", "sideways", "--label", "X", "--offer",
         "amount:5"),
        ("Café Luna", *common),  # no offer
    ):  # fmt: skip
        with pytest.raises(SystemExit) as stopped:
            run(capsys, db_path, "partner", "codes", *arguments)
        assert stopped.value.code == 2
    capsys.readouterr()
    assert voucher_count() == before
    assert [batch.label for batch in batches_of(luna[0])] == ["Spring"]


def test_a_customer_is_recorded_as_coming_through_a_partner(capsys, luna, db_path):
    partner_id, _codes, ann = luna
    card = card_number_for(ann)
    Contact.update(card_number=card).where(Contact.id == ann).execute()
    code, printed, errors = run(capsys, db_path, "partner", "refer", card, "café luna")
    assert (code, errors) == (0, "")
    assert printed == "Ann Lee is recorded as coming through Café Luna.\n"
    assert partner_store.referral_partner(ann) == partner_id
    [audited] = audit_details("contact edited")
    assert audited == {"fields": ["referred_by_partner_id"],
                       "values": {"referred_by_partner_id": [None, partner_id]}}  # fmt: skip

    code, printed, errors = run(capsys, db_path, "partner", "refer", "--id", str(ann),
                                str(partner_id))  # fmt: skip
    assert (code, errors) == (0, "")
    assert printed == "Ann Lee is recorded as coming through Café Luna already; nothing changed.\n"
    assert len(audit_details("contact edited")) == 1

    run(capsys, db_path, "partner", "add", "Crumb Street Bakery")
    code, printed, errors = run(
        capsys, db_path, "partner", "refer", f"#{ann}", "Crumb Street Bakery"
    )
    assert (code, errors) == (0, "")
    assert printed == "Ann Lee is recorded as coming through Crumb Street Bakery (was Café Luna).\n"
    assert partner_store.referral_partner(ann) == find_partner("Crumb Street Bakery").id


def test_referring_is_refused_as_the_contact_editor_refuses_it(capsys, luna, db_path, monkeypatch):
    partner_id, _codes, ann = luna
    for arguments, sentence in (
        ((f"#{ann}", "Bakery"), "There is no partner called 'Bakery'; the partners: 'Café Luna'."),
        (("#9999", "Café Luna"), "No customer has number 9999."),
        (("270000000017", "Café Luna"),
         "No customer has card 270000000017; for customer number 270000000017 type"
         " '#270000000017' or --id 270000000017."),
    ):  # fmt: skip
        code, printed, errors = run(capsys, db_path, "partner", "refer", *arguments)
        assert (code, printed, errors) == (1, "", f"relapp: {sentence}\n")
    for arguments in (("Café Luna",), (f"#{ann}", "--id", str(ann), "Café Luna")):
        with pytest.raises(SystemExit) as stopped:
            run(capsys, db_path, "partner", "refer", *arguments)
        assert stopped.value.code == 2
    capsys.readouterr()

    # A partner gone between finding it and saving (partners are never deleted, so only a
    # race or another program): the editor's own sentence, and nothing changed.
    from relapp.cli import partner as partner_command

    gone = Partner("Gone", id=partner_id + 100)
    monkeypatch.setattr(partner_command, "find_partner_named", lambda reference: gone)
    code, printed, errors = run(capsys, db_path, "partner", "refer", f"#{ann}", "Gone")
    assert (code, printed) == (1, "")
    details = replace(load_contact_details(ann), referred_by_partner_id=gone.id)
    with pytest.raises(InvalidContact) as editor:
        save_contact_details(details, "AU")
    assert errors == f"relapp: {editor.value}\n" == (
        "relapp: That partner no longer exists; choose another.\n")  # fmt: skip
    assert partner_store.referral_partner(ann) is None
    assert audit_details("contact edited") == []
