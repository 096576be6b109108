"""The customer dossier, read back from the PDF it writes (pypdf for text, pdfium and zbar for
the QR code, pikepdf for the file's soundness), on a real database."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pyzbar.pyzbar import ZBarSymbol, decode

from relapp.db.models import Contact, PointsEntry, database
from relapp.domain.contacts.editing import record_consent
from relapp.domain.loyalty.ledger import CustomerNotFound
from relapp.domain.loyalty.points import adjust_points, points_statement
from relapp.domain.loyalty.sales import record_sale
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.staff import ensure_owner
from relapp.domain.timeline.follow_ups import add_task
from relapp.domain.timeline.history import log_interaction
from relapp.reports.document import ReportCancelled, report_context
from relapp.reports.dossier import customer_dossier
from relapp.reports.text import visual
from tests.factories import add_contact


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Text with every run of white space one space: table cells wrap where they must."""
    return " ".join(text.split())


def assert_sound(path: Path) -> None:
    """The file opens and qpdf finds nothing wrong in its syntax or streams."""
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) >= 1


def qr_payloads(path: Path) -> list[str]:
    page = pdfium.PdfDocument(path)[0].render(scale=4).to_pil()
    return [found.data.decode() for found in decode(page, symbols=[ZBarSymbol.QRCODE])]


def section(text: str, start: str, end: str) -> list[str]:
    """The lines of text between the line `start` and the next line `end`, without the
    pages' headers and footers that may fall between."""
    lines = text.splitlines()
    first = lines.index(start) + 1
    shop = re.escape(report_context().shop_name)
    decoration = re.compile(rf"{shop}|Customer dossier · .*|Generated .*|Page \d+ of \d+|")
    return [line for line in lines[first : lines.index(end, first)]
            if not decoration.fullmatch(line)]  # fmt: skip


def ledger_sum(contact_id: int) -> int:
    return sum(entry.points for entry in PointsEntry.select().where(
        PointsEntry.contact == contact_id))  # fmt: skip


@pytest.fixture
def manager(db) -> int:
    return ensure_owner("Maya", "2468").id


@pytest.fixture
def out(tmp_path) -> Path:
    """A folder for the PDFs alone (the database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_a_busy_demo_customer_has_everything_the_shop_knows(demo_db, out):
    contact_id, card, balance = database.execute_sql(
        "SELECT c.id, c.card_number, c.points_balance FROM contact c"
        " WHERE c.card_number IS NOT NULL AND c.archived_at IS NULL"
        " ORDER BY (SELECT count(*) FROM points_entry p WHERE p.contact_id = c.id) DESC LIMIT 1"
    ).fetchone()
    written = customer_dossier(contact_id, out / "dossier.pdf")
    assert written == out / "dossier.pdf"
    assert_sound(written)
    text = pdf_text(written)
    for heading in ("Profile", "Consent", "Preferences and notes", "Points statement",
                    "History"):  # fmt: skip
        assert heading in text.splitlines()
    assert card in text
    assert qr_payloads(written) == [card]
    # Every ledger line is printed, the last with the cached balance, which is the ledger's sum.
    statement = points_statement(contact_id)
    assert statement[-1].balance == balance == ledger_sum(contact_id)
    context = report_context()
    printed = section(text, "Points statement", "History")
    assert context.number(balance) in printed[-3:]
    assert f"{context.number(len(statement))} ledger entries, oldest first; balance" in text


def test_the_statement_runs_from_the_first_entry_to_the_balance(db, manager, out):
    customer = add_contact("Ada", "Lovelace", card_number="4000000000017")
    record_sale(customer.id, 123_450)  # 1,234.50: 1,234 points
    adjust_points(customer.id, -34, "Goodwill taken back", manager)
    record_sale(customer.id, 999)
    balance = Contact.get_by_id(customer.id).points_balance
    assert balance == ledger_sum(customer.id) == 1_234 - 34 + 9

    text = pdf_text(customer_dossier(customer.id, out / "ada.pdf"))
    printed = section(text, "Points statement", "History")
    assert "+1,234" in printed and "−34" in printed and "+9" in printed
    assert printed.index("+1,234") < printed.index("−34") < printed.index("+9")  # oldest first
    assert "Goodwill taken back" in printed
    assert printed[printed.index("+9") + 1] == "1,209"  # the running balance after the last
    assert "$1,234.50" in text and "$9.99" in text  # amounts in the shop's currency


def test_names_in_every_script_print_as_written(db, out):
    # Chinese, Japanese and Korean names are written family name first, without a space.
    names = [("Νίκος", "Παπαδόπουλος", "Νίκος Παπαδόπουλος"),
             ("Екатерина", "Мокрых", "Екатерина Мокрых"), ("小明", "王", "王小明"),
             ("민준", "김", "김민준"), ("太郎", "山田", "山田太郎")]  # fmt: skip
    for given, family, name in names:
        customer = add_contact(given, family)
        log_interaction(customer.id, "note", summary=f"Met {given} at the market")
        out_file = customer_dossier(customer.id, out / f"{customer.id}.pdf")
        assert_sound(out_file)
        text = pdf_text(out_file)
        assert text.splitlines()[0] == name
        assert f"Met {given} at the market" in text


@pytest.mark.parametrize("given, family", [("אורי", "ביטון"), ("ليلى", "نجار")])
def test_right_to_left_names_print_in_visual_order(db, out, given, family):
    """The PDF draws the name in visual order, shaped (Arabic presentation forms). Reading it
    back, pypdf 7 turns right-to-left runs back into logical order; older versions gave the
    visual order: either shows the letters were drawn in the right order."""
    customer = add_contact(given, family)
    written = customer_dossier(customer.id, out / "rtl.pdf")
    assert_sound(written)
    first_line = unicodedata.normalize("NFKC", pdf_text(written).splitlines()[0])
    name = f"{given} {family}"
    assert first_line in (name, unicodedata.normalize("NFKC", visual(name)))


def test_markup_in_user_text_prints_literally(db, out):
    customer = add_contact("Ann <b>", "</para>", notes="<img src='/etc/passwd'/> & more")
    log_interaction(customer.id, "note", summary="Said <i>hello</i> & left",
                    details="Line one <br/>\nLine <font>two</font>")  # fmt: skip
    written = customer_dossier(customer.id, out / "markup.pdf")
    assert_sound(written)
    text = flat(pdf_text(written))
    assert "Ann <b> </para>" in text
    assert "<img src='/etc/passwd'/> & more" in text
    assert "Said <i>hello</i> & left" in text
    assert "Line one <br/> Line <font>two</font>" in text


def test_a_cell_mixing_scripts_or_too_wide_for_its_column_is_still_printed(db, out):
    customer = add_contact("Mixed", "Scripts")
    log_interaction(customer.id, "note", summary="Asked for 抹茶 and 김치 <today>")
    log_interaction(customer.id, "note", summary="x" * 150)  # one word wider than the column
    text = pdf_text(customer_dossier(customer.id, out / "mixed.pdf"))
    assert "Asked for 抹茶 and 김치 <today>" in flat(text)
    assert "x" * 150 in text.replace("\n", "")


def test_profile_consent_preferences_and_open_work(db, manager, out):
    referrer = add_contact("Rita", "Referrer")
    customer = add_contact(
        "Sam", "Shopper", phone="0412 345 678", email="sam@example.com", street="1 Main St",
        locality="Hobart", region="TAS", postcode="7000", country="Australia", birth_month=2,
        birth_day=29, referred_by=referrer.id, notes="Prefers mornings\nParks out the back",
    )  # fmt: skip
    database.execute_sql(
        "INSERT INTO preference (contact_id, kind, value, created_at) VALUES"
        " (?, 'like', 'linen', '2026-01-01 00:00:00'), (?, 'dislike', 'wool', '2026-01-01"
        " 00:00:00'), (?, 'size', 'M', '2026-01-01 00:00:00')",
        (customer.id,) * 3,
    )
    record_consent(customer.id, "email", True, "form at the counter")
    record_consent(customer.id, "sms", True, "website")
    record_consent(customer.id, "sms", False, "replied STOP")
    complaint = log_interaction(customer.id, "complaint", summary="Zip broke",
                                occurred_at=datetime.now(UTC) - timedelta(days=3))  # fmt: skip
    add_task(customer.id, "Call about the zip", datetime.now(UTC) + timedelta(days=1),
             staff_id=manager, interaction_id=complaint.id)  # fmt: skip

    text = pdf_text(customer_dossier(customer.id, out / "sam.pdf"))
    lines = text.splitlines()
    assert "+61 412 345 678" in text and "sam@example.com" in text
    assert "1 Main St, Hobart TAS 7000, Australia" in flat(text)
    assert "February 29" in text or "29 February" in text  # a birthday without a year
    assert f"Rita Referrer ({referrer.id})" in text
    consent = section(text, "How", "Preferences and notes")
    today = report_context().day(datetime.now(UTC))
    assert consent[:4] == ["Email", "Granted", today, "form at the counter"]
    assert consent[4:8] == ["SMS", "Withdrawn", today, "replied STOP"]
    assert consent[8:10] == ["Phone", "Never asked"]
    assert {"linen", "wool", "M"} <= set(lines)
    assert "Prefers mornings" in lines and "Parks out the back" in lines
    assert "Open queries and complaints (1)" in lines
    assert "Zip broke" in lines and "3 days" in lines and "Overdue" in lines
    assert "Open follow-ups (1)" in lines
    assert "Call about the zip" in lines and "Maya" in lines


def test_history_is_newest_first_with_its_details(db, out):
    customer = add_contact("Hilda", "History")
    now = datetime.now(UTC)
    log_interaction(customer.id, "call", summary="Oldest call", direction="outbound",
                    occurred_at=now - timedelta(days=2))  # fmt: skip
    log_interaction(customer.id, "feedback", summary="Loved it", feedback_score=9,
                    occurred_at=now - timedelta(days=1))  # fmt: skip
    long_details = " ".join(f"word{number}" for number in range(200))
    log_interaction(customer.id, "note", summary="Newest note", details=long_details)
    text = flat(pdf_text(customer_dossier(customer.id, out / "history.pdf")))
    history = text[text.index("3 entries, newest first.") :]
    assert history.index("Newest note") < history.index("Loved it") < history.index("Oldest call")
    assert "Call · Out" in history and "Feedback · In" in history and "9/10" in history
    # Details too long for a table row are cut there and printed in full after the history.
    assert "(in full after the history)" in history
    assert "Long details in full" in history
    assert "word199" in history


def test_a_customer_without_a_card_says_so_and_has_no_qr_code(db, out):
    customer = add_contact("No", "Card")
    written = customer_dossier(customer.id, out / "nocard.pdf")
    text = pdf_text(written)
    assert "No loyalty card" in text
    assert qr_payloads(written) == []
    assert "No points entries yet." in text and "No history yet." in text


def test_a_customer_without_a_name_is_named_by_number(db, out):
    customer = add_contact("", "", phone="0412 345 678")
    text = pdf_text(customer_dossier(customer.id, out / "noname.pdf"))
    assert text.splitlines()[0] == f"Customer {customer.id} (no name)"


def test_letter_paper_and_the_shops_locale_and_currency(db, out):
    save_settings(paper_size="Letter", locale="de_DE", currency="EUR")
    customer = add_contact("Jörg", "Müller", card_number="123456")
    record_sale(customer.id, 123_450)
    written = customer_dossier(customer.id, out / "letter.pdf")
    assert_sound(written)
    page = PdfReader(written).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    text = flat(pdf_text(written))
    assert "1.234,50 €" in text and "+1.234" in text  # flat() made the no-break space one
    assert qr_payloads(written) == ["123456"]


def test_an_archived_customer_has_a_dossier_that_says_so(db, out):
    customer = add_contact("Old", "Friend", archived_at=datetime.now(UTC))
    text = pdf_text(customer_dossier(customer.id, out / "archived.pdf"))
    lines = text.splitlines()
    assert lines[lines.index("Old Friend") + 1] == "Archived"


@pytest.mark.parametrize("erased", [False, True])
def test_an_unknown_or_erased_customer_raises_and_writes_nothing(db, out, erased):
    contact_id = 999
    if erased:
        contact_id = add_contact("", "", erased_at=datetime.now(UTC)).id
    with pytest.raises(CustomerNotFound):
        customer_dossier(contact_id, out / "none.pdf")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("after_calls", [0, 3])
def test_cancelling_raises_and_leaves_no_file(demo_db, out, after_calls):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > after_calls

    with pytest.raises(ReportCancelled):
        customer_dossier(1, out / "cancelled.pdf", cancelled=cancelled)
    assert list(out.iterdir()) == []


def test_progress_runs_to_the_end(demo_db, out):
    seen: list[float] = []
    customer_dossier(1, out / "progress.pdf", progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 1.0
