"""Campaign letters and address labels, read back as the shop would check them: what each
page says, what a scanner reads from the voucher, where the text lies on the paper, how
many labels a sheet holds, and that a cancelled run leaves no file."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm

from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.shops import add_shop
from relapp.errors import RelappError
from relapp.reports.campaign_letters import (
    ADDRESS_RIGHT,
    ENVELOPE_LAYOUTS,
    LABEL_LAYOUTS,
    LABEL_PADDING_X,
    LABEL_SIZE,
    LEFT,
    NO_LABELS,
    NO_LETTERS,
    RIGHT_MARGIN,
    WINDOW_HEIGHT,
    WINDOW_TOP,
    address_labels,
    campaign_letters,
    envelopes,
    label_text_sizes,
)
from relapp.reports.document import ReportCancelled
from relapp.reports.text import visual

BODY = """Dear {given},

Spring has come to Lantern & Lane, and with it our first harvest teas from Darjeeling and Uji.
You are invited to taste them before anyone else, on Thursday 15 October from 6 pm.

Kind regards,
Anna"""


def recipient(number: int, name: str = "Ann Smith", **fields: str) -> Recipient:
    values = {
        "street": f"{number} Harbour Street",
        "locality": "Fremantle",
        "region": "WA",
        "postcode": "6160",
        "country": "",
    }
    values.update(fields)
    given, _, family = name.partition(" ")
    return Recipient(
        contact_id=number, given_name=given, family_name=family, name=name, email=None,
        phone=None, points_balance=0, card_number=None, **values,
    )  # fmt: skip


def letter(number: int, name: str = "Ann Smith", voucher: str | None = None, **fields) -> Message:
    person = recipient(number, name, **fields)
    return Message(person, BODY.format(given=person.given_name), "Spring teas", voucher)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder for the PDFs alone (the database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------------ reading PDFs back


def page_texts(path: Path) -> list[str]:
    """Each page's text with its lines joined by spaces and runs of white space made one."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def words(text: str) -> str:
    return " ".join(text.split())


def scanned(path: Path, page: int = 0) -> dict[str, list[str]]:
    """What a scanner reads from the printed page (rendered at 288 dpi), by symbology."""
    image = pdfium.PdfDocument(path)[page].render(scale=4).to_pil()
    found: dict[str, list[str]] = {"CODE128": [], "QRCODE": []}
    for symbol in decode(image):
        found[symbol.type].append(symbol.data.decode("utf-8"))
    return found


def char_boxes(path: Path, page: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every drawn character of the page with its box (left, bottom, right, top) in points."""
    text = pdfium.PdfDocument(path)[page].get_textpage()
    return [
        (text.get_text_range(index, 1), text.get_charbox(index))
        for index in range(text.count_chars())
        if text.get_text_range(index, 1).strip()
    ]


# ------------------------------------------------------------------------------ letters


def test_each_letter_is_a_page_with_the_shop_the_address_the_date_and_the_text(db, out):
    save_settings(shop_name="Lantern & Lane Teas")
    add_shop("Lantern & Lane Fremantle", "12 Harbour Street\nFremantle WA 6160")
    messages = [letter(1), letter(2, "Bob Long", street="Unit 4\n7 Quay Road"), letter(3)]

    pages = campaign_letters(messages, out / "letters.pdf")

    assert pages == 3
    texts = page_texts(out / "letters.pdf")
    assert len(texts) == 3
    for message, text in zip(messages, texts, strict=True):
        assert "Lantern & Lane Teas" in text
        for line in message.recipient.address_lines():
            assert line in text
        assert words(message.body) in text  # every paragraph, wrapped but whole
    assert "Unit 4 7 Quay Road Fremantle WA 6160" in texts[1]
    assert "12 Harbour Street" in texts[0]  # the sender's address, in the letterhead
    assert PdfReader(out / "letters.pdf").metadata.title == "Campaign letters"


def test_a_voucher_is_printed_as_text_and_both_barcodes_decode_to_it(db, out):
    messages = [letter(1, voucher="SPRING-4F7K2Q"), letter(2), letter(3, voucher="CHA-88")]
    campaign_letters(messages, out / "letters.pdf")

    texts = page_texts(out / "letters.pdf")
    assert "SPRING-4F7K2Q" in texts[0] and "CHA-88" in texts[2]
    assert scanned(out / "letters.pdf", 0) == {"CODE128": ["SPRING-4F7K2Q"],
                                               "QRCODE": ["SPRING-4F7K2Q"]}  # fmt: skip
    assert scanned(out / "letters.pdf", 1) == {"CODE128": [], "QRCODE": []}
    assert scanned(out / "letters.pdf", 2) == {"CODE128": ["CHA-88"], "QRCODE": ["CHA-88"]}


@pytest.mark.parametrize("length", [1, 14, 30, 60, 120])
def test_voucher_codes_of_any_length_scan(db, out, length):
    """Longer codes need larger QR versions (each with its own mask choice) and thinner bars;
    a code too long for bars that still scan gets none (the QR code and the text carry it)."""
    code = ("K7Q2-" * 30)[:length]
    campaign_letters([letter(1, voucher=code)], out / "letters.pdf")
    symbols = scanned(out / "letters.pdf")
    assert symbols["QRCODE"] == [code]
    assert symbols["CODE128"] == ([code] if length <= 30 else [])
    assert code in page_texts(out / "letters.pdf")[0].replace(" ", "")


def test_names_in_other_scripts_are_printed(db, out):
    messages = [
        letter(1, "王伟", street="朝阳区建国路88号", locality="北京"),
        letter(2, "Δήμητρα Παπαδοπούλου", locality="Αθήνα"),
        letter(3, "محمد حسن", street="شارع الملك فهد 12", locality="الرياض"),
    ]
    campaign_letters(messages, out / "letters.pdf")
    texts = page_texts(out / "letters.pdf")
    assert "王伟" in texts[0].replace(" ", "") and "朝阳区建国路88号" in texts[0]
    assert "Δήμητρα Παπαδοπούλου" in texts[1] and "Dear Δήμητρα," in texts[1]
    # Right to left: drawn shaped and in visual order; pypdf reads the run back to front.
    shaped = unicodedata.normalize("NFKC", visual("محمد حسن")[::-1])
    assert shaped in unicodedata.normalize("NFKC", texts[2])


def test_a_long_letter_is_set_smaller_to_stay_on_one_sheet(db, out):
    body = "\n\n".join(BODY.format(given=f"reader {n}") for n in range(4))
    message = Message(recipient(1), body, voucher_code="SPRING-1")
    assert campaign_letters([message], out / "letters.pdf") == 1
    [text] = page_texts(out / "letters.pdf")
    assert words(body) in text
    bottom = min(box[1] for _character, box in char_boxes(out / "letters.pdf"))
    assert bottom > 10 * mm


def test_a_letter_too_long_for_a_sheet_goes_on_over_numbered_pages(db, out):
    body = "\n\n".join(BODY.format(given=f"reader {n}") for n in range(12))
    messages = [Message(recipient(1), body, voucher_code="SPRING-1"), letter(2)]

    pages = campaign_letters(messages, out / "letters.pdf")

    texts = page_texts(out / "letters.pdf")
    assert pages == len(texts) > 2
    long_letter = " ".join(texts[:-1])
    for paragraph in body.split("\n\n"):
        assert words(paragraph) in long_letter
    assert f"Page 1 of {pages - 1}" in texts[0]
    assert f"Ann Smith · page {pages - 1} of {pages - 1}" in texts[-2]
    assert "SPRING-1" in texts[-2] and "SPRING-1" not in texts[0]  # the voucher ends it
    assert "Page" not in texts[-1]  # the next letter is one page again
    for page in range(pages):
        assert all(box[1] > 5 * mm for _character, box in char_boxes(out / "letters.pdf", page))


def test_text_and_address_stay_inside_the_margins_and_the_window(db, out):
    long_name = "Maximiliane-Josephine Alexandra von Hohenzollern-Sigmaringen-Wittelsbach"
    message = Message(
        recipient(1, long_name, street="Apartment 1204, The Very Long Residential Tower\n"
                  "45-47 Extraordinarily Long Boulevard of the Republic\nc/o Reception",
                  country="Germany"),
        BODY.format(given=long_name) + "\n\nhttps://example.com/" + "x" * 200,
        voucher_code="X" * 40,
    )  # fmt: skip
    campaign_letters([message], out / "letters.pdf", paper=A4)
    boxes = char_boxes(out / "letters.pdf")
    width, height = A4
    assert all(box[0] >= LEFT - 0.5 and box[2] <= width - RIGHT_MARGIN + 0.5
               for _character, box in boxes)  # fmt: skip
    window = (height - WINDOW_TOP - WINDOW_HEIGHT, height - WINDOW_TOP)
    address = [box for _character, box in boxes
               if window[0] < box[1] < window[1] and box[0] < ADDRESS_RIGHT]  # fmt: skip
    assert address and all(box[2] <= ADDRESS_RIGHT + 0.5 for box in address)
    assert words(long_name) in page_texts(out / "letters.pdf")[0]


@pytest.mark.parametrize(("setting", "paper", "size"), [("A4", None, A4), ("A4", LETTER, LETTER),
                                                         ("Letter", None, LETTER)])  # fmt: skip
def test_the_paper_is_the_shops_unless_told(db, out, setting, paper, size):
    save_settings(paper_size=setting)
    campaign_letters([letter(1, voucher="A-1")], out / "letters.pdf", paper=paper)
    [page] = PdfReader(out / "letters.pdf").pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)
    assert scanned(out / "letters.pdf")["QRCODE"] == ["A-1"]


def test_paper_too_small_for_the_layout_is_a_sentence(db, out):
    with pytest.raises(RelappError, match="too small"):
        campaign_letters([letter(1)], out / "letters.pdf", paper=(105 * mm, 148 * mm))
    assert list(out.iterdir()) == []


def test_progress_rises_to_one_letter_by_letter(db, out):
    seen: list[float] = []
    campaign_letters([letter(n) for n in range(1, 6)], out / "letters.pdf", progress=seen.append)
    assert seen == [0.2, 0.4, 0.6, 0.8, 1.0]


def test_cancelling_leaves_no_file_and_keeps_an_earlier_one(db, out):
    target = out / "letters.pdf"
    target.write_bytes(b"last spring's letters")

    def cancel_at_the_third(fraction: float) -> None:
        if fraction > 0.2:
            raise ReportCancelled("The report was cancelled; no file was written.")

    with pytest.raises(ReportCancelled):
        campaign_letters([letter(n) for n in range(1, 11)], target, progress=cancel_at_the_third)
    with pytest.raises(ReportCancelled):
        address_labels([recipient(n) for n in range(1, 11)], out / "labels.pdf",
                       LABEL_LAYOUTS["A4 3x7"], progress=cancel_at_the_third)  # fmt: skip
    assert target.read_bytes() == b"last spring's letters"
    assert sorted(path.name for path in out.iterdir()) == ["letters.pdf"]


def test_nothing_to_print_is_a_sentence_and_no_file(db, out):
    with pytest.raises(RelappError, match=NO_LETTERS):
        campaign_letters([], out / "letters.pdf")
    with pytest.raises(RelappError, match=NO_LABELS):
        address_labels([], out / "labels.pdf", LABEL_LAYOUTS["A4 3x7"])
    assert list(out.iterdir()) == []


# ------------------------------------------------------------------------ address labels


@pytest.mark.parametrize("name", sorted(LABEL_LAYOUTS))
def test_a_sheet_holds_its_layouts_labels_and_the_rest_go_on_the_next(db, out, name):
    layout = LABEL_LAYOUTS[name]
    people = [recipient(n, f"Person{n:03d} Smith") for n in range(1, layout.per_sheet + 3)]

    written = address_labels(people, out / "labels.pdf", layout)

    assert written == len(people)
    reader = PdfReader(out / "labels.pdf")
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
    assert sizes == [pytest.approx(layout.paper)] * 2
    texts = page_texts(out / "labels.pdf")
    assert [text.count("Smith") for text in texts] == [layout.per_sheet, 2]
    assert texts[1].startswith(f"Person{layout.per_sheet + 1:03d} Smith")
    # Every label's text inside its label (the boxes of a whole first sheet).
    for slot, (character, box) in _label_slots(out / "labels.pdf", layout):
        left, bottom = layout.label_origin(slot)
        assert left <= box[0] and box[2] <= left + layout.label_width, (character, slot)
        assert bottom <= box[1] and box[3] <= bottom + layout.label_height, (character, slot)


def _label_slots(path: Path, layout):
    """Each character of the first sheet with the slot whose label its centre falls in."""
    for character, box in char_boxes(path):
        centre_x, centre_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        for slot in range(layout.per_sheet):
            left, bottom = layout.label_origin(slot)
            if left <= centre_x <= left + layout.label_width and (
                bottom <= centre_y <= bottom + layout.label_height
            ):
                yield slot, (character, box)
                break
        else:
            raise AssertionError(f"{character!r} at {box} is on no label")


def test_the_layouts_are_the_label_makers_and_fit_their_paper():
    l7160 = LABEL_LAYOUTS["A4 3x7"]
    assert (l7160.columns, l7160.rows) == (3, 7)
    assert (l7160.label_width / mm, l7160.label_height / mm) == pytest.approx((63.5, 38.1))
    assert (LABEL_LAYOUTS["A4 3x8"].label_height / mm, LABEL_LAYOUTS["A4 3x8"].per_sheet) == (
        pytest.approx(33.9), 24)  # fmt: skip
    assert LABEL_LAYOUTS["A4 2x7"].label_width / mm == pytest.approx(99.1)
    avery_5160 = LABEL_LAYOUTS["Letter 30-up"]
    assert (avery_5160.paper, avery_5160.per_sheet) == (LETTER, 30)
    for layout in LABEL_LAYOUTS.values():
        width, height = layout.paper
        right, top = layout.label_origin(layout.columns - 1)
        _left, bottom = layout.label_origin(layout.per_sheet - 1)
        # Centred on the sheet, as the makers print them, and no two labels overlap.
        assert right + layout.label_width == pytest.approx(width - layout.left_margin, abs=0.5)
        assert bottom == pytest.approx(layout.top_margin, abs=0.5)
        assert top + layout.label_height == pytest.approx(height - layout.top_margin)
        assert layout.column_pitch >= layout.label_width and layout.row_pitch >= layout.label_height


def test_a_long_address_is_drawn_smaller_to_fit_its_label_never_cut(db, out):
    layout = LABEL_LAYOUTS["Letter 30-up"]
    short = recipient(1, "Ann Smith")
    long = recipient(
        2,
        "Maximiliane-Josephine von Hohenzollern-Sigmaringen",
        street="Apartment 1204, The Very Long Residential Tower\n45-47 Long Boulevard\nFloor 3",
        locality="Sankt Peter-Ording Nord",
        region="Schleswig-Holstein",
        postcode="25826",
        country="Germany",
    )
    size, sizes = label_text_sizes(long.address_lines(), layout)
    assert size < LABEL_SIZE and max(sizes) <= size
    assert min(sizes) < size  # the name, too wide even then, on its own smaller still
    assert label_text_sizes(short.address_lines(), layout) == (LABEL_SIZE, [LABEL_SIZE] * 3)

    address_labels([short, long], out / "labels.pdf", layout)
    text = page_texts(out / "labels.pdf")[0]
    for line in long.address_lines():
        assert line in text
    boxes = [box for slot, (_character, box) in _label_slots(out / "labels.pdf", layout)
             if slot == 1]  # fmt: skip
    left, bottom = layout.label_origin(1)
    assert max(box[2] for box in boxes) <= left + layout.label_width - LABEL_PADDING_X + 0.5
    assert min(box[1] for box in boxes) >= bottom


# ------------------------------------------------------------------------------ envelopes


@pytest.mark.parametrize("name", list(ENVELOPE_LAYOUTS))
def test_an_envelope_a_page_of_its_size_the_shop_top_left_the_address_in_its_field(db, out, name):
    save_settings(shop_name="Lantern & Lane")
    add_shop("Fremantle", "12 Market Street\nFremantle WA 6160")
    layout = ENVELOPE_LAYOUTS[name]
    people = [recipient(1, "Ann Smith"), recipient(2, "Zoë Ødegård", country="Norway")]

    assert envelopes(people, out / "envelopes.pdf", layout) == 2

    reader = PdfReader(out / "envelopes.pdf")
    assert len(reader.pages) == 2
    width, height = layout.size
    assert [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in reader.pages] == [(round(width), round(height))] * 2  # fmt: skip
    texts = page_texts(out / "envelopes.pdf")
    assert texts[0].startswith("Lantern & Lane 12 Market Street Fremantle WA 6160")
    assert "Zoë Ødegård 2 Harbour Street Fremantle WA 6160 Norway" in texts[1]
    # The address is inside its field; the shop's lines in the top left quarter.
    boxes = char_boxes(out / "envelopes.pdf", 1)
    address = [box for character, box in boxes if box[0] >= layout.address_left - 0.5]
    assert address and min(box[0] for box in address) >= layout.address_left - 0.5
    assert max(box[2] for box in address) <= layout.address_left + layout.address_width + 0.5
    assert max(box[3] for box in address) <= height - layout.address_top + 0.5
    assert min(box[1] for box in address) >= height - layout.address_top - layout.address_height
    shop = [box for _character, box in boxes if box[3] > height - layout.address_top + 1]
    assert shop and max(box[2] for box in shop) < width / 2


def test_no_envelopes_to_print_is_a_sentence_and_no_file(db, out):
    with pytest.raises(RelappError, match=NO_LABELS):
        envelopes([], out / "envelopes.pdf", ENVELOPE_LAYOUTS["DL"])
    assert not (out / "envelopes.pdf").exists()
