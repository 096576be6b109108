"""`relapp campaign` as a script or a shop owner would run it, including the mistakes.

In-process, through relapp.cli.main, so errors go through the same one-line handling.
"""

from __future__ import annotations

import csv
import json
from email import policy
from email.parser import BytesParser

import pytest

from relapp import cli
from relapp.db.models import Contact, Interaction
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


@pytest.fixture
def shop(db, db_path, tmp_path):
    """Three regulars: Zoë agreed to texts and email, Ann to email only, Bob to nothing."""
    zoe = add_contact("Zoë", "O'Brien", phone="0412 345 678", email="zoe@example.com")
    ann = add_contact("Ann", "Lee", email="ann@example.net")
    bob = add_contact("Bob", "Ng", phone="0400 111 222")
    tag_contacts([zoe.id, ann.id, bob.id], "Regulars")
    for contact, channel in ((zoe, "sms"), (zoe, "email"), (ann, "email")):
        record_consent(contact.id, channel, True, "in person")
    save_segment("Regulars", ContactFilter(tags=("Regulars",)))
    template = tmp_path / "message.txt"
    template.write_text("Hi {first_name}, {points} points waiting at {shop_name}!\n")
    return db_path, template, {"zoe": zoe.id, "ann": ann.id, "bob": bob.id}


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = cli.main(["campaign", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def create(capsys, path, template, channel="sms", name="Spring", *extra: str) -> int:
    code, out, err = run(
        capsys, "create", "--db", str(path), "--name", name, "--segment", "Regulars",
        "--channel", channel, "--template", str(template), "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out)["id"]


def test_show_previews_who_is_reached_and_why_the_others_are_not(shop, capsys):
    path, template, people = shop
    number = create(capsys, path, template)
    code, out, _ = run(capsys, "show", str(number), "--db", str(path), "--names", "no_consent")
    assert code == 0
    assert "Campaign 1: Spring (sms, segment Regulars, not produced yet)" in out
    assert "1 to send, 0 held out" in out
    assert "2  no consent for this channel (no_consent)" in out
    assert f"{people['ann']}  Ann Lee" in out and f"{people['bob']}  Bob Ng" in out

    code, out, _ = run(capsys, "show", str(number), "--db", str(path), "--json")
    data = json.loads(out)
    assert (data["sent"], data["holdout"], data["left_out"]["no_consent"]) == (1, 0, 2)


def test_produce_writes_the_sms_file_and_logs_the_message(shop, capsys, tmp_path):
    path, template, people = shop
    number = create(capsys, path, template)
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "produce", str(number), "--db", str(path), "--out", str(out_dir))
    assert code == 0, err
    assert out.startswith("Campaign 1 produced: 1 messages, 0 held out, 2 left out")
    with (out_dir / "spring-1-sms.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    # ë is not in the GSM-7 alphabet: the text goes as UCS-2.
    text = "Hi Zoë, 0 points waiting at My shop!\n"
    assert rows == [["Phone", "Message", "Encoding", "Segments"],
                    ["+61412345678", text, "UCS-2", "1"]]  # fmt: skip
    logged = Interaction.select().where(Interaction.kind == "campaign")
    assert [(i.contact_id, i.summary) for i in logged] == [(people["zoe"], "Campaign: Spring")]

    code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--out", str(out_dir))
    assert code == 1 and "produced already" in err and "Traceback" not in err
    code, out, _ = run(capsys, "list", "--db", str(path), "--json")
    [listed] = json.loads(out)
    assert listed["name"] == "Spring" and listed["produced_at"] is not None


def test_email_gives_a_mailchimp_file_and_one_eml_each_with_the_opt_out(shop, capsys, tmp_path):
    path, template, _ = shop
    number = create(capsys, path, template, "email", "Newsletter", "--subject", "For {first_name}")
    out_dir = tmp_path / "mail"
    code, _, err = run(
        capsys, "produce", str(number), "--db", str(path), "--out", str(out_dir),
        "--sender", "Shop <shop@example.com>", "--opt-out", "Reply STOP to opt out.",
    )  # fmt: skip
    assert code == 0, err
    with (out_dir / "newsletter-1-mailchimp.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["Email Address"] for row in rows] == ["zoe@example.com", "ann@example.net"]
    # The day each became a customer, as Mailchimp reads a date (the shop's calendar).
    joined = Contact.get(Contact.email == "zoe@example.com").created_at.astimezone().date()
    assert rows[0]["Customer Since"] == joined.isoformat()
    files = sorted((out_dir / "newsletter-1-emails").iterdir())
    assert len(files) == 2
    parsed = [BytesParser(policy=policy.default).parse(f.open("rb")) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["For Ann", "For Zoë"]
    assert all(m.get_content().rstrip().endswith("Reply STOP to opt out.") for m in parsed)


def test_an_email_campaign_without_an_opt_out_is_refused_and_nothing_is_logged(
    shop, capsys, tmp_path
):
    path, template, _ = shop
    number = create(capsys, path, template, "email", "Newsletter")
    code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--out",
                       str(tmp_path / "mail"), "--sender", "shop@example.com")  # fmt: skip
    assert code == 1 and "opt out" in err and "Traceback" not in err
    assert Interaction.select().where(Interaction.kind == "campaign").count() == 0


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"template": "missing.txt"}, "cannot be read"),
        ({"template_bytes": b"\xff\xfe\x00bad"}, "not UTF-8 text"),
        ({"template_text": "Hi {frist_name}"}, "frist_name"),
        ({"segment": "Nobody"}, "no saved segment called 'Nobody'"),
    ],
)
def test_create_mistakes_get_one_sentence_and_change_nothing(shop, capsys, tmp_path, change,
                                                             sentence):  # fmt: skip
    path, template, _ = shop
    if "template_bytes" in change:
        template.write_bytes(change["template_bytes"])
    if "template_text" in change:
        template.write_text(change["template_text"])
    arguments = ["create", "--db", str(path), "--name", "Spring", "--channel", "sms",
                 "--segment", change.get("segment", "Regulars"),
                 "--template", str(tmp_path / change.get("template", template.name))]  # fmt: skip
    code, out, err = run(capsys, *arguments)
    assert code == 1 and sentence in err and "Traceback" not in err
    code, out, _ = run(capsys, "list", "--db", str(path))
    assert out.startswith("No campaigns yet.")


def test_unknown_campaigns_and_label_layouts_are_refused(shop, capsys, tmp_path):
    path, template, _ = shop
    code, _, err = run(capsys, "show", "7", "--db", str(path))
    assert code == 1 and "There is no campaign 7." in err
    with pytest.raises(SystemExit) as usage:  # past any id the database can hold: usage
        cli.main(["campaign", "show", "9" * 20, "--db", str(path)])
    assert usage.value.code == 2 and "must be between 1 and" in capsys.readouterr().err
    number = create(capsys, path, template, "letter", "Letters")
    code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--out",
                       str(tmp_path / "letters"), "--labels", "A5 9x9")  # fmt: skip
    assert code == 1 and "no label layout 'A5 9x9'" in err


def test_results_after_producing_and_a_clear_refusal_before(shop, capsys, tmp_path):
    path, template, _ = shop
    number = create(capsys, path, template)
    code, _, err = run(capsys, "results", str(number), "--db", str(path))
    assert code == 1 and "has not been produced yet" in err and "Traceback" not in err
    run(capsys, "produce", str(number), "--db", str(path), "--out", str(tmp_path / "out"))

    pdf = tmp_path / "results.pdf"
    code, out, _ = run(capsys, "results", str(number), "--db", str(path), "--pdf", str(pdf))
    assert code == 0 and f"Wrote {pdf}." in out and pdf.read_bytes().startswith(b"%PDF")
    assert "within 7 days (so far): 0 of 1 sent came back (0.0%)" in out
    assert "No hold-out group: nothing to compare with." in out
    code, out, _ = run(capsys, "results", str(number), "--db", str(path), "--json")
    data = json.loads(out)
    assert [window["days"] for window in data["windows"]] == [7, 30, 60]
    assert data["windows"][0]["sent"] == {"members": 1, "came_back": 0, "spend_cents": 0}
    assert data["windows"][0]["holdout"] is None and data["opted_out"] == 0


def test_a_voucher_campaign_prints_each_code_and_a_till_redeems_it_once(shop, capsys, tmp_path):
    path, template, people = shop
    template.write_text("{first_name}: {voucher_code}")
    number = create(capsys, path, template, "sms", "Points", "--voucher", "points:50")
    out_dir = tmp_path / "out"
    run(capsys, "produce", str(number), "--db", str(path), "--out", str(out_dir))
    with (out_dir / "points-1-sms.csv").open(encoding="utf-8", newline="") as file:
        [row] = list(csv.DictReader(file))
    code = row["Message"].removeprefix("Zoë: ")
    assert len(code) == 14 and code.count("-") == 2

    zoe = f"#{people['zoe']}"
    assert cli.main(["voucher", "redeem", code.lower(), zoe, "--db", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["code"], data["campaign"], data["text"]) == (code, "Points",
                                                             "50 bonus points added")  # fmt: skip
    assert cli.main(["voucher", "redeem", code, zoe, "--db", str(path)]) == 1
    assert "was used already" in capsys.readouterr().err
    ann = f"#{people['ann']}"
    assert cli.main(["voucher", "redeem", code, ann, "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "was sent to another customer" in err and "Traceback" not in err


def test_a_percent_voucher_is_made_with_percent_10_and_needs_the_purchase(shop, capsys, tmp_path):
    path, template, people = shop
    template.write_text("{voucher_code}")
    number = create(capsys, path, template, "sms", "Tenth", "--voucher", "percent:10")
    run(capsys, "produce", str(number), "--db", str(path), "--out", str(tmp_path / "out"))
    with (tmp_path / "out" / "tenth-1-sms.csv").open(encoding="utf-8", newline="") as file:
        [row] = list(csv.DictReader(file))
    code, zoe = row["Message"], f"#{people['zoe']}"

    assert cli.main(["voucher", "redeem", code, zoe, "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "A 10% voucher needs the purchase's amount." in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    redeem = ["voucher", "redeem", code, zoe, "--db", str(path), "--purchase", "24.45"]
    assert cli.main(redeem) == 0
    assert capsys.readouterr().out == (
        f"Voucher {code} (Tenth) redeemed: take 10% off: $2.45 off the $24.45 purchase.\n"
    )


@pytest.mark.parametrize(
    ("offer", "sentence"),
    [("percent:150", "percent off is a whole number from 1 to 100"),
     ("percent:0", "percent off is a whole number from 1 to 100"),
     ("percent:7.5", "is not an offer: write points:200, amount:5.00, percent:10")],
)  # fmt: skip
def test_a_wrong_percent_is_refused_in_one_sentence(shop, capsys, offer, sentence):
    path, template, _ = shop
    code, _, err = run(capsys, "create", "--db", str(path), "--name", "X", "--segment",
                       "Regulars", "--channel", "sms", "--template", str(template),
                       "--voucher", offer)  # fmt: skip
    assert code == 1 and sentence in err and "Traceback" not in err


def test_a_wrong_voucher_offer_is_refused_in_one_sentence(shop, capsys):
    path, template, _ = shop
    code, _, err = run(capsys, "create", "--db", str(path), "--name", "X", "--segment",
                       "Regulars", "--channel", "sms", "--template", str(template),
                       "--voucher", "reward:Unicorn")  # fmt: skip
    assert code == 1 and "no reward called 'Unicorn' on offer" in err


def test_a_call_campaign_prints_a_call_list_and_writes_it_as_csv(shop, capsys, tmp_path):
    from pypdf import PdfReader

    path, template, people = shop
    record_consent(people["bob"], "phone", True, "in person")
    number = create(capsys, path, template, "call", "Calls")
    out_dir = tmp_path / "calls"
    code, _, err = run(capsys, "produce", str(number), "--db", str(path), "--out", str(out_dir))
    assert code == 0, err
    text = " ".join(page.extract_text() for page in PdfReader(out_dir / "calls-1-calls.pdf").pages)
    assert "Call list · Calls" in text and "Bob Ng" in text and "Not interested" in text
    with (out_dir / "calls-1-calls.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["Name"], row["Phone"]) for row in rows] == [("Bob Ng", "+61400111222")]
