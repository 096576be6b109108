"""`relapp report` as a script or a shop owner would run it, including the mistakes."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.db.models import Contact
from relapp.domain.contacts.listing import ContactFilter, save_segment


def run(capsys, db_path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db_path), "report", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("kind", ["loyalty", "retention", "followups", "members"])
def test_the_shop_reports_write_a_pdf_and_say_where(capsys, demo_db, db_path, tmp_path, kind):
    out = tmp_path / f"{kind}.pdf"
    code, printed, errors = run(capsys, db_path, kind, "--out", str(out))
    assert (code, errors) == (0, "")
    pages = len(PdfReader(out).pages)
    assert (
        printed.splitlines()[0] == f"Wrote {out} ({'1 page' if pages == 1 else f'{pages} pages'})."
    )
    assert "Lantern Lane" in PdfReader(out).pages[0].extract_text()


def test_db_may_follow_the_report_kind(capsys, demo_db, db_path, tmp_path):
    out = tmp_path / "loyalty.pdf"
    code = cli.main(["report", "loyalty", "--out", str(out), "--db", str(db_path)])
    assert (code, capsys.readouterr().err) == (0, "")
    assert out.exists()


def test_a_dossier_by_card_number(capsys, demo_db, db_path, tmp_path):
    carded = Contact.select().where(Contact.card_number.is_null(False)).first()
    out = tmp_path / "dossier.pdf"
    code, _printed, errors = run(capsys, db_path, "customer", carded.card_number, "--out", str(out))
    assert (code, errors) == (0, "")
    assert carded.given_name in PdfReader(out).pages[0].extract_text()


def test_cards_for_a_segment_and_for_numbers(capsys, demo_db, db_path, tmp_path):
    save_segment("Regulars", ContactFilter(stages=("customer", "client", "supporter")))
    out = tmp_path / "cards.pdf"
    code, printed, _errors = run(
        capsys, db_path, "cards", "--segment", "regulars", "--out", str(out)
    )
    assert code == 0 and out.exists()
    assert len(PdfReader(out).pages) >= 1
    ids = [str(contact.id) for contact in Contact.select().limit(3)]
    code, printed, _errors = run(capsys, db_path, "cards", "--ids", *ids, "--out", str(out))
    assert code == 0 and printed.startswith(f"Wrote {out}")


def test_membership_cards_for_members_only_and_the_members_report(
    capsys, demo_db, db_path, tmp_path
):
    from relapp.db.models import Staff
    from relapp.domain.memberships.figures import members_figures
    from relapp.domain.memberships.members import join, memberships_of
    from relapp.domain.memberships.plans import Plan, list_plans, save_plan

    save_plan(Plan("Gold", fee_cents=4000), Staff.get(Staff.role == "manager").id)
    gold = next(line.plan.id for line in list_plans() if line.plan.name == "Gold")
    # The demo shop has members of its own: two card holders who never joined.
    card_holders = Contact.select().where(Contact.card_number.is_null(False))
    member, other = [c for c in card_holders if not memberships_of(c.id)][:2]
    join(member.id, gold)
    out = tmp_path / "members.pdf"
    code, printed, errors = run(
        capsys, db_path, "member-cards", "--ids", str(member.id), str(other.id), "--out", str(out)
    )
    assert (code, errors) == (0, "")
    assert printed.splitlines()[1] == "1 customer skipped: no current membership"
    text = PdfReader(out).pages[0].extract_text()
    assert "Gold member · valid to" in text and member.given_name in text
    assert other.given_name not in text
    code, _printed, errors = run(capsys, db_path, "member-cards", "--ids", str(other.id),
                                 "--out", str(out))  # fmt: skip
    assert code != 0 and "has a current membership" in errors
    code, _printed, errors = run(capsys, db_path, "members", "--out", str(out))
    text = PdfReader(out).pages[0].extract_text()
    current = members_figures().current
    assert f"Current members: {current}." in text and "Gold\n$40.00\n1\n0\n" in text


def test_a_segment_list_with_chosen_columns(capsys, demo_db, db_path, tmp_path):
    save_segment("Everyone", ContactFilter())
    out = tmp_path / "segment.pdf"
    code, _printed, errors = run(
        capsys, db_path, "segment", "Everyone", "--columns", "name,phone", "--out", str(out)
    )
    assert (code, errors) == (0, "")
    assert "Everyone" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["customer", "99999999", "--out", "{tmp}/x.pdf"], "No customer has card 99999999;"),
        (["customer", "1" * 25, "--out", "{tmp}/x.pdf"], f"No customer has card {'1' * 25}."),
        (["customer", "#99999999", "--out", "{tmp}/x.pdf"], "No customer has number 99999999."),
        (["segment", "Nobody", "--out", "{tmp}/x.pdf"], "no saved segment called 'Nobody'"),
        (["loyalty", "--out", "{tmp}/missing/x.pdf"], "does not exist"),
        (["survey", "999999", "--out", "{tmp}/x.pdf"], "There is no survey number 999999."),
        (["draw", "999999", "--out", "{tmp}/x.pdf"], "There is no competition number 999999."),
    ],
)
def test_mistakes_get_one_line_and_no_file(capsys, demo_db, db_path, tmp_path, args, message):
    filled = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    code, printed, errors = run(capsys, db_path, *filled)
    assert code == 1 and printed == ""
    assert errors.startswith("relapp: ") and message in errors
    assert len(errors.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()
    assert not list(tmp_path.glob(".x.pdf.*"))  # no half-written file left behind


def test_an_unknown_column_lists_the_valid_ones(capsys, demo_db, db_path, tmp_path):
    save_segment("Everyone", ContactFilter())
    code, _printed, errors = run(
        capsys, db_path, "segment", "Everyone", "--columns", "shoe_size", "--out",
        str(tmp_path / "x.pdf"),
    )  # fmt: skip
    assert code == 1 and "shoe_size" in errors and "phone" in errors


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["cards", "--out", "x.pdf"],
        ["cards", "--ids", "99999999999999999999", "--out", "x.pdf"],
        ["customer", "--out", "x.pdf"],
        ["customer", "Ann", "--out", "x.pdf"],
        ["customer", "#1", "--id", "1", "--out", "x.pdf"],
        ["sales", "--out", "x.pdf"],
        ["survey", "--out", "x.pdf"],
        ["draw", "Spring", "--out", "x.pdf"],
        ["draw", "0", "--out", "x.pdf"],
    ],
)
def test_wrong_arguments_are_usage_errors(capsys, db, db_path, args):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--db", str(db_path), "report", *args])
    assert stopped.value.code == 2


def test_an_archived_customer_still_has_a_dossier(capsys, demo_db, db_path, tmp_path):
    from relapp.domain.contacts.bulk_actions import archive_contacts

    contact = Contact.select().where(Contact.card_number.is_null(False)).first()
    archive_contacts([contact.id])
    out = tmp_path / "archived.pdf"
    code, _printed, errors = run(capsys, db_path, "customer", f"#{contact.id}", "--out", str(out))
    assert (code, errors) == (0, "")
    assert "Archived" in PdfReader(out).pages[0].extract_text()


def test_a_dossier_by_customer_number_and_by_a_32_digit_card(capsys, demo_db, db_path, tmp_path):
    contact = Contact.select().where(Contact.card_number.is_null()).first()
    out = tmp_path / "dossier.pdf"
    code, _printed, errors = run(capsys, db_path, "customer", "--id", str(contact.id), "--out",
                                 str(out))  # fmt: skip
    assert (code, errors) == (0, "")
    assert contact.given_name in PdfReader(out).pages[0].extract_text()
    Contact.update(card_number="4" * 32).where(Contact.id == contact.id).execute()
    out.unlink()
    code, _printed, errors = run(capsys, db_path, "customer", "4" * 32, "--out", str(out))
    assert (code, errors) == (0, "")
    assert contact.given_name in PdfReader(out).pages[0].extract_text()


def test_a_bare_number_is_a_card_not_a_customer_number(capsys, demo_db, db_path, tmp_path):
    contact = Contact.select().where(Contact.card_number.is_null()).first()
    code, printed, errors = run(capsys, db_path, "customer", str(contact.id), "--out",
                                str(tmp_path / "x.pdf"))  # fmt: skip
    assert (code, printed) == (1, "")
    assert errors == (
        f"relapp: No customer has card {contact.id}; for customer number {contact.id} type "
        f"'#{contact.id}' or --id {contact.id}.\n"
    )
    assert not (tmp_path / "x.pdf").exists()


# -- one shop of several (schema 11) ------------------------------------------------------------


@pytest.fixture
def harbour(demo_db):
    """A second shop, with every third interaction of the demo made there."""
    from relapp.db.models import Interaction
    from relapp.domain.shop.shops import add_shop

    shop = add_shop("Harbour Street")
    third = Interaction.id - Interaction.id / 3 * 3
    Interaction.update(shop=shop.id).where(third == 0).execute()
    return shop


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("retention", "Retention summary · Harbour Street"),
        ("loyalty", "Loyalty liability · Harbour Street"),
        ("followups", "Follow-up list · Harbour Street"),
    ],
)
def test_a_shop_report_for_one_shop(capsys, harbour, db_path, tmp_path, kind, title):
    out = tmp_path / f"{kind}.pdf"
    code, printed, errors = run(capsys, db_path, kind, "--shop", "harbour street", "--out",
                                str(out))  # fmt: skip
    assert (code, errors) == (0, "") and printed.startswith(f"Wrote {out} (")
    assert title in PdfReader(out).pages[0].extract_text().splitlines()


def test_the_retention_summary_of_one_shop_counts_its_visits(capsys, harbour, db_path, tmp_path):
    from relapp.domain.timeline.retention import retention_summary

    harbour_pdf, all_pdf = tmp_path / "harbour.pdf", tmp_path / "all.pdf"
    assert run(capsys, db_path, "retention", "--shop", "Harbour Street", "--out",
               str(harbour_pdf))[0] == 0  # fmt: skip
    assert run(capsys, db_path, "retention", "--out", str(all_pdf))[0] == 0
    shop_text = PdfReader(harbour_pdf).pages[0].extract_text()
    all_text = PdfReader(all_pdf).pages[0].extract_text()
    visited = retention_summary(shop_id=harbour.id).visited
    assert visited < retention_summary().visited
    assert f"{visited:,} have visited" in shop_text
    assert f"{retention_summary().visited:,} have visited" in all_text
    assert all_text.splitlines()[0] == "Retention summary"


def test_an_unknown_shop_lists_the_shops(capsys, harbour, db_path, tmp_path):
    out = tmp_path / "x.pdf"
    code, printed, errors = run(capsys, db_path, "retention", "--shop", "Dockside", "--out",
                                str(out))  # fmt: skip
    assert (code, printed) == (1, "")
    assert errors == (
        "relapp: There is no shop called 'Dockside';"
        " the shops are 'Harbour Street', 'Lantern Lane'.\n"
    )
    assert not out.exists()
    code, _printed, errors = run(capsys, db_path, "loyalty", "--shop", " ", "--out", str(out))
    assert code == 1 and "the shops are 'Harbour Street', 'Lantern Lane'." in errors
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [["customer", "#1"], ["cards", "--ids", "1"], ["segment", "x"], ["survey", "1"], ["draw", "1"]],
)
def test_the_reports_about_customers_take_no_shop(capsys, db, db_path, args):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--db", str(db_path), "report", *args, "--shop", "Harbour Street",
                  "--out", "x.pdf"])  # fmt: skip
    assert stopped.value.code == 2
    assert "unrecognized arguments: --shop" in capsys.readouterr().err


@pytest.fixture
def listening(demo_db):
    """A survey three customers answered at the counter, and a competition that ended a week
    ago with four entries, drawn; as the shop made them (the domain's functions)."""
    from datetime import timedelta

    from relapp.domain.clock import utc_now
    from relapp.domain.listening.answers import Answer, record_response
    from relapp.domain.listening.competitions import Draft, enter, save_competition
    from relapp.domain.listening.surveys import (
        QuestionDraft,
        SurveyDefinition,
        list_surveys,
        save_survey,
        survey_form,
    )
    from relapp.domain.listening.winners import make_draw
    from relapp.domain.memberships.status import shop_today

    save_survey(SurveyDefinition("Till queue survey", (
        QuestionDraft("nps", "How likely are you to recommend us?"),
        QuestionDraft("text", "Anything else?", required=False),
    )))  # fmt: skip
    survey_id = next(line.id for line in list_surveys() if line.name == "Till queue survey")
    questions = survey_form(survey_id).questions
    people = list(Contact.select().where(Contact.archived_at.is_null(),
                                         Contact.erased_at.is_null()).order_by(Contact.id)
                  .limit(4))  # fmt: skip
    for who, (score, note) in zip(people, ((10, "Lovely cake"), (9, None), (3, "Too slow")),
                                  strict=False):  # fmt: skip
        answers = [Answer(questions[0].id, score)]
        if note:
            answers.append(Answer(questions[1].id, None, note))
        record_response(survey_id, answers, contact_id=who.id, source="counter")
    today = shop_today()
    ended = Draft("Trowel hamper", today - timedelta(days=30), today - timedelta(days=7),
                  winners=2)  # fmt: skip
    saved = save_competition(ended, as_owner=True)
    competition_id = saved.competition.id
    for who in people:
        enter(competition_id, who.id, "counter", now=utc_now() - timedelta(days=20))
    make_draw(competition_id, as_owner=True, seed="fixed seed")
    return survey_id, competition_id


def test_a_surveys_results_and_a_draws_record(capsys, listening, db_path, tmp_path):
    from relapp.domain.listening.winners import winners_of

    survey_id, competition_id = listening
    for kind, number, expected in (
        ("survey", survey_id, ["Survey results: Till queue survey", "3 responses",
                               "NPS +33", "Lovely cake", "Too slow"]),
        ("draw", competition_id, ["Prize draw: Trowel hamper", "Seed: fixed seed",
                                  "Entries: 4, of which 4 valid, from 4 people",
                                  *(winner.name for winner in winners_of(competition_id))]),
    ):  # fmt: skip
        out = tmp_path / f"{kind}.pdf"
        code, printed, errors = run(capsys, db_path, kind, str(number), "--out", str(out))
        assert (code, errors) == (0, "")
        pages = len(PdfReader(out).pages)
        assert printed == f"Wrote {out} ({'1 page' if pages == 1 else f'{pages} pages'}).\n"
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
        for words in expected:
            assert words in text, (kind, words)


def test_a_competition_not_drawn_has_no_record_to_print(capsys, demo_db, db_path, tmp_path):
    from datetime import timedelta

    from relapp.domain.listening.competitions import Draft, save_competition
    from relapp.domain.memberships.status import shop_today

    today = shop_today()
    running = save_competition(Draft("Bulb draw", today, today + timedelta(days=30)),
                               as_owner=True).competition.id  # fmt: skip
    out = tmp_path / "draw.pdf"
    code, printed, errors = run(capsys, db_path, "draw", str(running), "--out", str(out))
    assert (code, printed) == (1, "")
    assert errors == "relapp: Bulb draw has not been drawn yet, so there is no draw to print.\n"
    assert not out.exists()
