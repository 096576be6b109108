"""The printed gift card: its value, whom it is for, until when, and its code as text and as a
Code128 and a QR code that a scanner reads back as the code the Counter's dialog takes."""

from __future__ import annotations

import pypdfium2 as pdfium
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from relapp.domain.giftcards.ledger import sell_gift_card
from relapp.domain.shop.settings import save_settings
from relapp.reports.document import report_context
from relapp.reports.gift_card import gift_card_pdf
from tests.factories import add_contact


def symbols(path) -> dict[str, list[str]]:
    image = pdfium.PdfDocument(path)[0].render(scale=4).to_pil()
    found: dict[str, list[str]] = {}
    for symbol in decode(image):
        found.setdefault(symbol.type, []).append(symbol.data.decode("ascii"))
    return found


def test_the_card_shows_its_value_holder_expiry_and_code_three_ways(db, tmp_path):
    save_settings(shop_name="Lantern Lane", gift_card_expiry_months=36)
    ann = add_contact("Ann", "Lee").id
    card = sell_gift_card(5000, ann).card
    out = gift_card_pdf(card, tmp_path / "gift card.pdf")
    (page,) = PdfReader(out).pages
    text = page.extract_text()
    context = report_context()
    assert "Lantern Lane" in text and "$50.00" in text and "GIFT CARD" in text
    assert f"For Ann Lee · valid until {context.day(card.expires_at)}" in text
    assert card.shown in text  # 7KQM-2XPR-9BQ4-HT3W, to type
    assert symbols(out) == {"CODE128": [card.code], "QRCODE": [card.code]}


def test_a_bearer_card_names_nobody_and_says_it_never_expires(db, tmp_path):
    card = sell_gift_card(2500).card
    text = PdfReader(gift_card_pdf(card, tmp_path / "bearer.pdf")).pages[0].extract_text()
    assert "No expiry date" in text and "as a bearer card, no expiry date" in text
    assert "For " not in text
