"""Loyalty card sheets, read back as a shop would use them: the text on them, the barcodes a
scanner decodes from the printed page, the pages and paper, and what is left out and why."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from reportlab.lib.pagesizes import A4, LETTER

from relapp.db.models import Contact
from relapp.domain.clock import utc_now
from relapp.domain.contacts.listing import ContactFilter, UnknownSegment, save_segment
from relapp.domain.loyalty.cards import card_number_for
from relapp.domain.shop.logo import set_logo
from relapp.domain.shop.settings import save_settings
from relapp.errors import RelappError
from relapp.reports.cards import (
    CARD_WIDTH,
    NO_CARDS,
    PADDING,
    CardSheet,
    card_grid,
    card_ids_for_segment,
    loyalty_cards,
)
from relapp.reports.document import ReportCancelled
from relapp.reports.text import visual
from tests.factories import add_contact

NAMES = [
    ("Ann <b>", "</para>"),
    ("Δήμητρα", "Παπαδοπούλου"),
    ("Анастасия", "Иванова"),
    ("伟", "王"),
    ("민준", "김"),
    ("דוד", "כהן"),
    ("محمد", "حسن"),
    ("Zoë", "Ó Súilleabháin"),
]


# ------------------------------------------------------------------------ reading PDFs back


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder for reports alone (the database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def assert_clean_pdf(path: Path) -> None:
    """The file opens and its structure has no problems (as qpdf --check would say)."""
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []


def page_texts(path: Path) -> list[str]:
    """Each page's text. reportlab ends each piece of text it draws with a line break, and a
    name set in two fonts (王 comes from the Korean font's hanja, 伟 from the Chinese one)
    is two pieces, so lines are joined back before looking for a name in them."""
    return [page.extract_text().replace("\n", "") for page in PdfReader(path).pages]


def scanned(path: Path, page: int = 0) -> dict[str, list[str]]:
    """What a scanner reads from the printed page (rendered at 288 dpi), by symbology."""
    image = pdfium.PdfDocument(path)[page].render(scale=4).to_pil()
    found: dict[str, list[str]] = {"CODE128": [], "QRCODE": []}
    for symbol in decode(image):
        found[symbol.type].append(symbol.data.decode("ascii"))
    return found


def card_numbers_in(text: str) -> list[str]:
    return re.findall(r"27\d{10}", text)


def carded(count: int, first: int = 1) -> list[int]:
    return [
        add_contact(f"Given{n:03d}", f"Family{n:03d}", card_number=card_number_for(n)).id
        for n in range(first, first + count)
    ]


# ------------------------------------------------------------------------------ the cards


def test_each_card_carries_the_name_as_written_and_a_number_both_symbols_decode_to(db, tmp_path):
    save_settings(shop_name="Lantern & <Lane>")
    ids = [
        add_contact(given, family, card_number=card_number_for(n)).id
        for n, (given, family) in enumerate(NAMES, start=1)
    ]
    sheet = loyalty_cards(ids, tmp_path / "cards.pdf")

    assert sheet == CardSheet(tmp_path / "cards.pdf", len(NAMES), ())
    assert_clean_pdf(sheet.path)
    [text] = page_texts(sheet.path)
    for given, family in NAMES[:5] + NAMES[7:]:  # left to right scripts, markup included
        assert f"{given} {family}" in text or f"{family}{given}" in text
    assert "王伟" in text and "김민준" in text  # family name first, as these scripts write it
    # Right to left: drawn shaped and in visual order; pypdf reads the run back to front,
    # so the shaped letters come back in reading order.
    normalised = unicodedata.normalize("NFKC", text)
    for given, family in NAMES[5:7]:
        shaped = visual(f"{given} {family}")
        assert shaped[::-1] in text
        assert unicodedata.normalize("NFKC", shaped[::-1]) in normalised
    assert text.count("Lantern & <Lane>") == len(NAMES) + 1  # each card, and the slug line
    numbers = [card_number_for(n) for n in range(1, len(NAMES) + 1)]
    assert card_numbers_in(text) == numbers  # in the order given, digits as printed
    symbols = scanned(sheet.path)
    assert sorted(symbols["CODE128"]) == numbers
    assert sorted(symbols["QRCODE"]) == numbers


def test_a_full_page_of_ten_cards_scans_whole(db, tmp_path):
    sheet = loyalty_cards(carded(10), tmp_path / "cards.pdf")
    symbols = scanned(sheet.path)
    numbers = [card_number_for(n) for n in range(1, 11)]
    assert sorted(symbols["CODE128"]) == numbers and sorted(symbols["QRCODE"]) == numbers


def test_the_longest_card_number_fits_beside_the_qr_code_and_scans(db, tmp_path):
    number = "27" + "1234567890" * 3  # 32 digits, the most the database takes
    contact = add_contact("Ava", "Long", card_number=number)
    sheet = loyalty_cards([contact.id], tmp_path / "cards.pdf")
    assert scanned(sheet.path) == {"CODE128": [number], "QRCODE": [number]}
    assert number in page_texts(sheet.path)[0]


@pytest.mark.parametrize(("paper", "size", "per_page"), [("A4", A4, 10), ("Letter", LETTER, 8)])
def test_cards_fill_pages_in_rows_on_a4_and_letter_each_page_numbered(
    db, tmp_path, paper, size, per_page
):
    ids = carded(2 * per_page + 3)
    save_settings(paper_size=paper, shop_name="Corner Shop")
    sheet = loyalty_cards(ids, tmp_path / f"{paper}.pdf")
    assert_clean_pdf(sheet.path)
    reader = PdfReader(sheet.path)
    assert [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages] == [
        pytest.approx(size)
    ] * 3
    texts = page_texts(sheet.path)
    assert [len(card_numbers_in(text)) for text in texts] == [per_page, per_page, 3]
    assert [card_numbers_in(text)[0] for text in texts] == [
        card_number_for(1),
        card_number_for(per_page + 1),
        card_number_for(2 * per_page + 1),
    ]
    for number, text in enumerate(texts, start=1):
        assert f"Corner Shop · Loyalty cards · Page {number} of 3 · Generated" in text
    assert reader.metadata.title == "Loyalty cards"


@pytest.mark.parametrize(("paper", "rows"), [(A4, 5), (LETTER, 4)])
def test_the_grid_is_centred_with_printable_room_for_the_crop_marks(paper, rows):
    grid = card_grid(paper)
    assert (grid.columns, grid.rows) == (2, rows)
    width, height = paper
    assert grid.left == pytest.approx(width - grid.left - 2 * CARD_WIDTH)
    assert grid.bottom * 2 + rows * 54 / 25.4 * 72 == pytest.approx(height)
    # The marks end 4 mm beyond the cut, and printers lose about 5 mm at the edge.
    assert grid.bottom >= 9 / 25.4 * 72 - 0.01


def test_long_names_and_shop_names_stay_inside_the_card(db, tmp_path):
    save_settings(shop_name="The Extraordinarily Long-Named Corner Emporium of Fine Teas")
    contact = add_contact(
        "Maximiliane-Josephine Alexandra",
        "von Hohenzollern-Sigmaringen-Wittelsbach-Habsburg",
        card_number=card_number_for(5),
    )
    sheet = loyalty_cards([contact.id], tmp_path / "cards.pdf")
    text = pdfium.PdfDocument(sheet.path)[0].get_textpage()
    grid = card_grid(A4)
    right_edges = [text.get_charbox(index)[2] for index in range(text.count_chars())]
    assert max(right_edges) <= grid.left + CARD_WIDTH - PADDING + 0.5
    assert "…" in page_texts(sheet.path)[0]


def test_the_logo_is_drawn_on_every_card_but_stored_once(db, tmp_path):
    Image.new("RGB", (300, 100), "teal").save(tmp_path / "logo.png")
    set_logo(tmp_path / "logo.png")
    sheet = loyalty_cards(carded(12), tmp_path / "cards.pdf")
    assert_clean_pdf(sheet.path)
    with pikepdf.open(sheet.path) as pdf:
        images = {image.objgen for page in pdf.pages for image in page.get_images().values()}
        drawn = sum(page.Contents.read_bytes().count(b" Do") for page in pdf.pages)
    assert len(images) == 1 and drawn == 12


def test_customers_without_a_card_erased_or_unknown_are_skipped_with_the_reason(db, tmp_path):
    printed = carded(2)
    no_card = add_contact("Nora", "Nocard").id
    erased = add_contact("", "", card_number=card_number_for(99)).id
    Contact.update(erased_at=utc_now()).where(Contact.id == erased).execute()
    archived = add_contact("Archie", "Ved", card_number=card_number_for(98))
    Contact.update(archived_at=utc_now()).where(Contact.id == archived.id).execute()

    sheet = loyalty_cards(
        [no_card, printed[0], 999_999, erased, printed[1], archived.id], tmp_path / "cards.pdf"
    )

    assert sheet.printed == 3  # an archived customer asked for by number still gets a card
    assert sheet.skipped == (
        (no_card, "no loyalty card number"),
        (999_999, "no such customer"),
        (erased, "erased"),
    )
    assert card_numbers_in(page_texts(sheet.path)[0]) == [
        card_number_for(1),
        card_number_for(2),
        card_number_for(98),
    ]


def test_nothing_printable_is_an_error_and_writes_no_file(db, out):
    no_card = add_contact("Nora", "Nocard").id
    with pytest.raises(RelappError, match=re.escape(NO_CARDS)):
        loyalty_cards([no_card, 12345], out / "cards.pdf")
    with pytest.raises(RelappError):
        loyalty_cards([], out / "cards.pdf")
    assert list(out.iterdir()) == []


def test_cancelling_leaves_no_file_and_keeps_an_earlier_one(db, out):
    target = out / "cards.pdf"
    target.write_bytes(b"the sheet printed last week")
    seen = []

    def cancel_on_page_two() -> bool:
        return len(seen) > 12

    with pytest.raises(ReportCancelled):
        loyalty_cards(carded(25), target, seen.append, cancel_on_page_two)
    assert target.read_bytes() == b"the sheet printed last week"
    assert sorted(path.name for path in out.iterdir()) == ["cards.pdf"]


def test_progress_rises_to_one(db, tmp_path):
    seen: list[float] = []
    loyalty_cards(carded(15), tmp_path / "cards.pdf", seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 15


def test_a_missing_folder_is_a_sentence(db, tmp_path):
    with pytest.raises(RelappError, match="does not exist"):
        loyalty_cards(carded(1), tmp_path / "nowhere" / "cards.pdf")


# ----------------------------------------------------------------------------- segments


def test_a_segments_cards_are_its_members_in_name_order_archived_only_if_asked(db):
    zed = add_contact("Zed", "Adams", card_number=card_number_for(1)).id
    amy = add_contact("Amy", "Brown").id
    old = add_contact("Olga", "Archer", card_number=card_number_for(3))
    Contact.update(archived_at=utc_now()).where(Contact.id == old.id).execute()
    gone = add_contact("", "", card_number=card_number_for(4))
    Contact.update(erased_at=utc_now()).where(Contact.id == gone.id).execute()
    save_segment("Everyone", ContactFilter())
    save_segment("Everyone ever", ContactFilter(archived="all"))

    assert card_ids_for_segment("Everyone") == [zed, amy]
    assert card_ids_for_segment("everyone ever") == [zed, old.id, amy]
    with pytest.raises(UnknownSegment):
        card_ids_for_segment("Nobody")


def test_a_segment_larger_than_a_page_of_ids_comes_whole_and_in_order(db, monkeypatch):
    from relapp.reports import segment_list

    monkeypatch.setattr(segment_list, "PAGE_IDS", 4)
    ids = carded(11)
    save_segment("All", ContactFilter())
    assert card_ids_for_segment("All") == ids  # Family001 .. Family011
