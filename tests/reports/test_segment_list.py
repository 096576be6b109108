"""The segment list, read back: exactly the segment's members in name order, every name as
written, the chosen columns, the shop's paper, and nothing written when it cannot be made."""

from __future__ import annotations

import re
import unicodedata

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER, landscape

from relapp.db.models import Contact
from relapp.domain.clock import utc_now
from relapp.domain.contacts.listing import (
    ContactFilter,
    ContactQuery,
    SortKey,
    UnknownSegment,
    contact_ids_page,
    contact_rows,
    save_segment,
)
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.shop.settings import save_settings
from relapp.reports import segment_list
from relapp.reports.document import ReportCancelled
from relapp.reports.segment_list import DEFAULT_COLUMNS, SEGMENT_COLUMNS, segment_report
from relapp.reports.text import visual
from tests.factories import add_contact
from tests.reports.test_cards import NAMES, assert_clean_pdf, card_numbers_in, out, page_texts

__all__ = ["out"]  # the fixture, shared with the card tests


def members(contact_filter: ContactFilter):
    ids = contact_ids_page(ContactQuery(filter=contact_filter, sort=SortKey.NAME), 0, 10**6)
    return contact_rows(ids)


def test_the_list_holds_exactly_the_segments_members_in_name_order(demo_db, out):
    clients = ContactFilter(stages=("client",))
    save_segment("Our clients", clients)
    expected = members(clients)
    assert 10 < len(expected) < 50  # the demo shop has clients, and others

    path = segment_report("Our clients", out / "clients.pdf", columns=["card", "name", "stage"])

    assert_clean_pdf(path)
    text = "".join(page_texts(path))
    assert f"Segment: Our clients{len(expected)} customers: at stage client" in text
    carded = [row.card_number for row in expected if row.card_number]
    assert card_numbers_in(text) == carded
    everyone = {row.card_number for row in members(ContactFilter(archived="all"))}
    assert not (everyone - set(carded)) & set(card_numbers_in(text))
    normalised = unicodedata.normalize("NFKC", text)  # Arabic comes back in shaped forms
    positions = [normalised.index(unicodedata.normalize("NFKC", row.name)) for row in expected]
    assert positions == sorted(positions)


def test_names_in_every_script_and_markup_print_literally(db, out):
    for n, (given, family) in enumerate(NAMES, start=1):
        add_contact(given, family, card_number=card_number_for(n))
    save_segment("Everyone", ContactFilter())

    path = segment_report("Everyone", out / "everyone.pdf", columns=["name", "card"])

    assert_clean_pdf(path)
    [text] = page_texts(path)
    for given, family in NAMES[:3] + NAMES[7:]:
        assert f"{given} {family}" in text
    assert "王伟" in text and "김민준" in text
    normalised = unicodedata.normalize("NFKC", text)
    for given, family in NAMES[5:7]:  # shaped, visual order; pypdf reads the run back
        shaped = visual(f"{given} {family}")[::-1]
        assert shaped in text and unicodedata.normalize("NFKC", shaped) in normalised


def test_the_chosen_columns_in_the_chosen_order(demo_db, out):
    save_segment("All", ContactFilter())
    path = segment_report("All", out / "all.pdf", columns=["email", "points", "name"])
    first = page_texts(path)[0]
    assert "EmailPointsName" in first.replace(" ", "")
    for heading in set(SEGMENT_COLUMNS.values()) - {"Email", "Points", "Name"}:
        assert heading not in first


def test_the_default_columns_and_a_long_list_page_by_page(demo_db, out, monkeypatch):
    monkeypatch.setattr(segment_list, "PAGE_IDS", 7)  # many pages of ids for 60 customers
    save_segment("Everyone ever", ContactFilter(archived="all"))
    expected = members(ContactFilter(archived="all"))
    path = segment_report("Everyone ever", out / "all.pdf")

    texts = page_texts(path)
    assert len(texts) > 1
    heading = "".join(SEGMENT_COLUMNS[key] for key in DEFAULT_COLUMNS).replace(" ", "")
    for number, text in enumerate(texts, start=1):
        assert heading in text.replace(" ", "")  # each page repeats the header
        assert f"Page {number} of {len(texts)}" in text and "Generated" in text
    assert "archived included" in texts[0]
    assert card_numbers_in("".join(texts)) == [
        row.card_number for row in expected if row.card_number
    ]


def test_archived_customers_only_when_the_segment_asks_for_them(db, out):
    add_contact("Ava", "Active", card_number=card_number_for(1))
    old = add_contact("Olga", "Old", card_number=card_number_for(2))
    Contact.update(archived_at=utc_now()).where(Contact.id == old.id).execute()
    save_segment("Current", ContactFilter())
    save_segment("Archive", ContactFilter(archived="archived"))

    current = page_texts(segment_report("Current", out / "current.pdf"))[0]
    archive = page_texts(segment_report("Archive", out / "archive.pdf"))[0]
    assert "Ava Active" in current and "Olga Old" not in current
    assert "Olga Old" in archive and "Ava Active" not in archive
    assert "1 customer: everyone" in current and "1 customer: archived only" in archive


@pytest.mark.parametrize(
    ("paper", "columns", "size"),
    [
        ("A4", ["name", "phone", "email"], A4),
        ("Letter", ["name", "phone", "email"], LETTER),
        ("A4", list(SEGMENT_COLUMNS), landscape(A4)),  # ten columns need the wide page
        ("Letter", list(SEGMENT_COLUMNS), landscape(LETTER)),
    ],
)
def test_the_shops_paper_turned_only_for_many_columns(db, out, paper, columns, size):
    save_settings(paper_size=paper)
    add_contact("Ava", "Active")
    save_segment("Everyone", ContactFilter())
    page = PdfReader(segment_report("Everyone", out / "list.pdf", columns=columns)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)


def test_an_empty_segment_is_a_list_of_no_one(db, out):
    save_segment("Nobody", ContactFilter(text="zzzz"))
    path = segment_report("Nobody", out / "nobody.pdf")
    assert_clean_pdf(path)
    assert "0 customers: matching “zzzz”" in page_texts(path)[0]


def test_unknown_columns_and_segments_are_refused_before_anything_is_written(db, out):
    save_segment("Everyone", ContactFilter())
    with pytest.raises(ValueError, match=r"Unknown columns: shoe_size\. Choose from name, card"):
        segment_report("Everyone", out / "list.pdf", columns=["name", "shoe_size"])
    with pytest.raises(ValueError, match="No columns chosen"):
        segment_report("Everyone", out / "list.pdf", columns=[])
    with pytest.raises(UnknownSegment):
        segment_report("Nobody", out / "list.pdf")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("at", [0.1, 0.6])  # while reading the customers, while laying out
def test_cancelling_writes_nothing(demo_db, out, monkeypatch, at):
    monkeypatch.setattr(segment_list, "PAGE_IDS", 10)
    monkeypatch.setattr(segment_list, "TABLE_CHUNK", 10)
    save_segment("Everyone", ContactFilter())
    seen: list[float] = []
    with pytest.raises(ReportCancelled):
        segment_report(
            "Everyone",
            out / "list.pdf",
            progress=seen.append,
            cancelled=lambda: bool(seen) and seen[-1] >= at,
        )
    assert (seen[-1] < segment_list.READING_SHARE) == (at < segment_list.READING_SHARE)
    assert list(out.iterdir()) == []


def test_progress_rises_to_one(demo_db, out, monkeypatch):
    monkeypatch.setattr(segment_list, "PAGE_IDS", 10)
    monkeypatch.setattr(segment_list, "TABLE_CHUNK", 10)
    save_segment("Everyone", ContactFilter())
    seen: list[float] = []
    segment_report("Everyone", out / "list.pdf", progress=seen.append)
    reading = [0.3 * rows / 60 for rows in range(10, 61, 10)]  # 60 customers, 10 at a time
    laying_out = [0.3 + 0.7 * rows / 60 for rows in range(0, 60, 10)]  # as each table starts
    assert seen == pytest.approx([*reading, *laying_out, 1.0])


def test_card_numbers_are_never_split_across_lines(demo_db, out):
    save_segment("Everyone", ContactFilter())
    path = segment_report("Everyone", out / "list.pdf")
    lines = [line for page in PdfReader(path).pages for line in page.extract_text().split("\n")]
    assert len(card_numbers_in("".join(lines))) > 50
    assert not [line for line in lines if re.search(r"(?<!\d)2700\d{0,7}(?!\d)", line)]
