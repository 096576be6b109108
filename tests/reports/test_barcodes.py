"""The one QR encoder (letters, cards, the Counter's text dialog): what it gives decodes to the
text, at every size a text can need, and a text too long for a QR code gets None."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from pyzbar.pyzbar import ZBarSymbol, decode

from relapp.reports.barcodes import qr_runs

QUIET = 4
PIXELS = 4  # a module


def rendered(runs: tuple[int, tuple[tuple[int, int, int], ...]]) -> Image.Image:
    """The symbol as a scanner sees it: black runs on white, its quiet zone around it."""
    count, dark = runs
    side = (count + 2 * QUIET) * PIXELS
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    for row, column, length in dark:
        left, top = (QUIET + column) * PIXELS, (QUIET + row) * PIXELS
        draw.rectangle((left, top, left + length * PIXELS - 1, top + PIXELS - 1), fill=0)
    return image


@pytest.mark.parametrize(
    "text",
    [
        "270000000017",  # a card number: digits
        "K7QM-2XPR-9BQ4",  # a voucher
        "sms:+61412345678?body=Your%20order%20is%20ready%20%F0%9F%98%80",
        "sms:+61412345678?body=" + "Hello%20" * 60,  # a long message: a larger version
    ],
)
def test_the_runs_decode_to_the_text(text):
    symbol = qr_runs(text)
    assert symbol is not None
    count, runs = symbol
    assert (count - 17) % 4 == 0  # 21, 25, ... modules: a QR version's size
    assert all(0 <= row < count and column + length <= count for row, column, length in runs)
    (found,) = decode(rendered(symbol), symbols=[ZBarSymbol.QRCODE])
    assert found.data.decode("ascii") == text


def test_a_text_too_long_for_a_qr_code_is_none():
    assert qr_runs("x" * 2_000) is not None
    assert qr_runs("x" * 2_332) is None  # more bytes than version 40 holds at level M
