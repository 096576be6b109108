"""Today's follow-up list, read back from its PDF, on a real database and a fixed clock."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from relapp.domain.shop.staff import ensure_owner
from relapp.domain.timeline.follow_ups import add_task
from relapp.domain.timeline.history import log_interaction
from relapp.reports.document import ReportCancelled
from relapp.reports.followups import DRIFTING_SHOWN, TICK_BOX, TYPE_SIZE, followup_list
from relapp.reports.fonts import BODY, font_for
from tests.factories import FakeClock, add_contact
from tests.reports.test_dossier import assert_sound, flat, pdf_text

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def utc_zone():
    """The shop's local time is UTC here, so "today" ends at 24:00 UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(NOW)
    monkeypatch.setattr("relapp.domain.clock.utc_now", fake)
    return fake


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def drifting(given: str, family: str = "Drifter", phone: str | None = None):
    """A customer who came every 10 days and stopped 180 days ago."""
    customer = add_contact(given, family, phone=phone)
    for days_ago in (200, 190, 180):
        log_interaction(customer.id, "visit", summary="", occurred_at=NOW - days_ago * DAY)
    return customer


@pytest.fixture
def busy_day(db, clock):
    lee = ensure_owner("Lee", "2468").id
    ann = add_contact("Ann <b>", "</para>", phone="0412 345 678")
    add_task(ann.id, "Ring about the <refund>", NOW - timedelta(hours=5), staff_id=lee)
    nikos = add_contact("Νίκος", "Παπαδόπουλος", phone="0412 000 111")
    add_task(nikos.id, "Confirm the fitting", NOW + timedelta(hours=4))
    add_task(nikos.id, "Next week's call", NOW + 7 * DAY)  # not today: not listed
    kim = add_contact("민준", "김")
    log_interaction(kim.id, "complaint", summary="Zip broke", occurred_at=NOW - 3 * DAY)
    log_interaction(kim.id, "query", summary="Do you stock size 6?",
                    occurred_at=NOW - timedelta(hours=2))  # fmt: skip
    add_contact("Bea", "Birthday", birth_year=1980, birth_month=11, birth_day=25)
    drifting("Dora", phone="0412 999 888")
    return {"ann": ann, "nikos": nikos, "kim": kim}


def test_every_section_with_its_count_and_a_box_to_tick(busy_day, out):
    written = followup_list(out / "today.pdf", now=NOW)
    assert written == out / "today.pdf"
    assert_sound(written)
    text = pdf_text(written)
    lines = text.splitlines()
    for heading in ("Overdue follow-ups (1)", "Follow-ups due today (1)",
                    "Open queries and complaints, oldest first (2)",
                    "Birthdays in the next 7 days (1)", "Customers drifting away (1)"):  # fmt: skip
        assert heading in lines
    assert text.count(TICK_BOX) == 6  # one a line
    flat_text = flat(text)
    assert "Ann <b> </para>" in flat_text and "+61 412 345 678" in flat_text
    assert "Ring about the <refund>" in flat_text and "for Lee" in flat_text
    assert "5 h late" in flat_text
    assert "Νίκος Παπαδόπουλος" in flat_text and "Due at 4:00 PM" in flat_text
    assert "Next week's call" not in flat_text
    # Oldest case first, each with its age; the complaint is past the 24-hour target.
    assert flat_text.index("Complaint: Zip broke") < flat_text.index("Query: Do you stock")
    assert "Open 3 days overdue" in flat_text and "Open 2 h" in flat_text
    assert "김민준" in flat_text and "—" in lines  # no phone on file
    assert "Birthday: turns 46" in flat_text and "In 2 days Wed 25 Nov" in flat_text
    assert "Dora Drifter" in flat_text and "+61 412 999 888" in flat_text
    assert "Win back: usually visits every 10 days" in flat_text
    assert "180 days ago" in flat_text


def test_the_box_is_a_glyph_of_the_body_font_and_lines_are_set_large(busy_day, out):
    assert font_for(TICK_BOX) == BODY  # DejaVu Sans draws U+2610
    sizes: dict[str, float] = {}

    def remember(text, _matrix, text_matrix, _font, size):
        if text.strip():
            sizes[text.strip()] = size * text_matrix[0]

    PdfReader(followup_list(out / "today.pdf", now=NOW)).pages[0].extract_text(
        visitor_text=remember
    )
    assert sizes["Confirm the fitting"] == TYPE_SIZE
    assert sizes[TICK_BOX] > TYPE_SIZE


def test_an_empty_day_says_so_in_each_section(db, clock, out):
    lines = pdf_text(followup_list(out / "empty.pdf", now=NOW)).splitlines()
    for heading, empty in [
        ("Overdue follow-ups (0)", "No follow-up is overdue."),
        ("Follow-ups due today (0)", "No follow-up is due later today."),
        ("Open queries and complaints, oldest first (0)", "No query or complaint is open."),
        ("Birthdays in the next 7 days (0)", "No birthday in the next 7 days."),
        ("Customers drifting away (0)", "No customer is drifting away."),
    ]:
        assert lines[lines.index(heading) + 1] == empty
    assert TICK_BOX not in "".join(lines)


def test_only_the_first_drifting_customers_are_listed(db, clock, out):
    for number in range(DRIFTING_SHOWN + 3):
        drifting(f"Customer{number:02d}")
    text = flat(pdf_text(followup_list(out / "drifting.pdf", now=NOW)))
    assert f"Customers drifting away ({DRIFTING_SHOWN + 3})" in text
    assert text.count(TICK_BOX) == DRIFTING_SHOWN
    assert "… and 3 more: see the Today view." in text


def test_cancelling_raises_and_leaves_no_file(busy_day, out):
    with pytest.raises(ReportCancelled):
        followup_list(out / "cancelled.pdf", now=NOW, cancelled=lambda: True)
    assert list(out.iterdir()) == []


def test_the_demo_shop_list_is_sound(demo_db, out):
    seen: list[float] = []
    written = followup_list(out / "demo.pdf", progress=seen.append)
    assert_sound(written)
    assert seen[-1] == 1.0
    assert "Follow-up list" in pdf_text(written).splitlines()
