"""The printed call list, read back: every customer with a phone, their number as the shop
dials it, the outcomes to tick, the script once or per customer, no customer split across
pages, and no file when cancelled."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER

from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.contacts.phones import display_phone
from relapp.domain.shop.settings import save_settings
from relapp.reports.call_list import OUTCOMES, call_list
from relapp.reports.document import ReportCancelled
from relapp.reports.text import visual
from tests.reports.test_cards import NAMES, assert_clean_pdf, out, page_texts

__all__ = ["out"]  # the fixture, shared with the card tests

SCRIPT = "Hello, this is Harbour Teas.\n\nOur spring teas are in: come and taste them."


def message(number: int, name: str = "", phone: str | None = "", body: str = SCRIPT) -> Message:
    name = name or f"Customer {number}"
    given, _, family = name.partition(" ")
    recipient = Recipient(
        contact_id=number, given_name=given, family_name=family, name=name, email=None,
        phone=f"+61412{number:06d}" if phone == "" else phone, street="", locality="",
        region="", postcode="", country="", points_balance=number * 10, card_number=None,
    )  # fmt: skip
    return Message(recipient, body)


def text_of(path: Path) -> str:
    return "".join(page_texts(path))


def test_every_customer_with_a_phone_is_listed_with_the_outcomes_to_tick(db, out):
    phones = ["+61412345678", "+442079460958", "+8613812345678", "+12025550123",
              "+4915123456789", "+97226250000", "+966501234567", "+35318765432"]  # fmt: skip
    messages = [
        message(n, f"{given} {family}", phone)
        for n, ((given, family), phone) in enumerate(zip(NAMES, phones, strict=True), start=1)
    ]
    messages.insert(3, message(99, "Nophone Person", None))

    listed = call_list(messages, out / "calls.pdf", campaign_name="Spring teas")

    assert listed == len(NAMES)
    assert_clean_pdf(out / "calls.pdf")
    text = text_of(out / "calls.pdf")
    assert "Call list · Spring teas" in text
    assert "8 customers to call" in text and "1 customer without a phone number left out" in text
    for phone in phones:
        assert display_phone(phone) in text
    for given, family in NAMES[:3] + NAMES[7:]:
        assert f"{given} {family}" in text
    assert "伟 王" in text and "민준 김" in text
    normalised = unicodedata.normalize("NFKC", text)
    for given, family in NAMES[5:7]:  # shaped, visual order; pypdf reads the run back
        shaped = visual(f"{given} {family}")[::-1]
        assert unicodedata.normalize("NFKC", shaped) in normalised
    assert "Nophone" not in text and "No. 99" not in text
    for outcome in OUTCOMES:
        assert text.count(outcome) == len(NAMES)
    assert text.count("Notes") == len(NAMES)
    pages = len(PdfReader(out / "calls.pdf").pages)
    assert pages > 1 and "Page 1 of " + str(pages) in text


def own_script(number: int) -> str:
    """A script of its own, of one to four lines, so blocks differ in height."""
    return "\n".join(f"Customer {number}, line {line}." for line in range(1, number % 4 + 2))


@pytest.mark.parametrize("own", [False, True], ids=["one script", "own scripts"])
def test_three_hundred_customers_run_over_pages_and_no_customer_is_split(db, out, own):
    messages = [message(n, body=own_script(n) if own else SCRIPT) for n in range(1, 301)]

    assert call_list(messages, out / "calls.pdf", campaign_name="Spring teas") == 300

    pages = page_texts(out / "calls.pdf")
    assert len(pages) > 1
    seen: dict[int, int] = {}
    for page_number, text in enumerate(pages, start=1):
        assert f"Page {page_number} of {len(pages)}" in text
        numbers = [int(n) for n in re.findall(r"No\. (\d+)", text)]
        for number in numbers:
            assert number not in seen, f"customer {number} is on two pages"
            seen[number] = page_number
            assert display_phone(f"+61412{number:06d}") in text
            if own:
                assert f"Customer {number}, line {number % 4 + 1}." in text
        # Each customer's block on this page has its outcome boxes and notes line here too.
        assert text.count("Not interested") == text.count("Notes") == len(numbers)
    assert sorted(seen) == list(range(1, 301))


def test_the_same_script_for_everyone_is_printed_once(db, out):
    call_list([message(n) for n in range(1, 6)], out / "calls.pdf", campaign_name="Spring")

    text = text_of(out / "calls.pdf")
    assert text.count("Hello, this is Harbour Teas.") == 1
    assert text.count("come and taste them") == 1


def test_different_scripts_are_printed_each_with_its_customer(db, out):
    messages = [message(n, body=f"Hello Customer {n}, you have {n * 10} points.")
                for n in range(1, 6)]  # fmt: skip

    call_list(messages, out / "calls.pdf", campaign_name="Points reminder")

    text = text_of(out / "calls.pdf")
    assert "Script" not in text
    for n in range(1, 6):
        assert text.count(f"Hello Customer {n}, you have {n * 10} points.") == 1
        assert text.index(f"No. {n}") < text.index(f"Hello Customer {n},")


def test_a_script_longer_than_a_page_goes_on_over_the_next(db, out):
    long = "\n".join(f"Line {n} of a very long script to read out." for n in range(200))

    call_list([message(1, body=long), message(2)], out / "calls.pdf", campaign_name="Long")

    text = text_of(out / "calls.pdf")
    assert "Line 0 of" in text and "Line 199 of" in text
    assert text.count("Not interested") == 2


def test_the_shops_paper_is_used(db, out):
    for paper, size in (("Letter", LETTER), ("A4", A4)):
        save_settings(paper_size=paper)
        call_list([message(1)], out / f"{paper}.pdf", campaign_name="Spring")
        box = PdfReader(out / f"{paper}.pdf").pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(size)


def test_a_list_without_phones_says_so(db, out):
    listed = call_list([message(1, phone=None)], out / "calls.pdf", campaign_name="Spring")

    assert listed == 0
    assert "No customer on this list has a phone number." in text_of(out / "calls.pdf")


@pytest.mark.parametrize("after", [0, 40])
def test_cancelling_leaves_no_file(db, out, after):
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > after

    with pytest.raises(ReportCancelled):
        call_list([message(n) for n in range(1, 301)], out / "calls.pdf",
                  campaign_name="Spring", cancelled=cancelled)  # fmt: skip

    assert asked > after
    assert list(out.iterdir()) == []


def test_progress_runs_to_the_end(db, out):
    seen: list[float] = []

    call_list([message(n) for n in range(1, 40)], out / "calls.pdf", campaign_name="Spring",
              progress=seen.append)  # fmt: skip

    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
