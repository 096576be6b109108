"""QR codes, encoded once for every place that shows one: a campaign letter's voucher, a
loyalty card's number, and the sms: link in the Counter's text message dialog.

qr_runs gives a symbol as its dark runs, row by row; a PDF draws them as one filled path
(draw_qr), the window paints them into an image. One path of runs is several times faster
than rendering a QrCodeWidget's shapes (a card sheet of 1,000 QR codes spent most of its time
there) and makes a smaller file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


@lru_cache(maxsize=4096)
def qr_runs(text: str) -> tuple[int, tuple[tuple[int, int, int], ...]] | None:
    """The QR code of the text (error correction M) as (modules across, dark runs as (row,
    column, length)); None for a text too long for a QR code.

    reportlab's encoder makes the codewords and knows where they go; the mask is chosen
    here. Its make() places the whole symbol again for each of the 8 masks and scores it
    module by module, about 2 ms a code, most of a voucher letter's time; here each row of
    modules is the bits of an int, so a mask is an XOR of rows and the penalty is counted
    with bit operations (about a quarter of the time, and the same penalty, ISO/IEC 18004
    7.8.3, including the format information).
    """
    level = qrencoder.QRErrorCorrectLevel.M
    try:
        symbol = qrencoder.QRCode(None, level)
        symbol.addData(text)
        version = symbol.calculate_version()
        codewords = qrencoder.QRCode.createData(version, level, symbol.dataList)
    except Exception:  # reportlab raises several kinds for data it cannot encode
        return None
    layout = _qr_layout(version)
    count = len(layout.data)
    bits = [byte >> shift & 1 for byte in codewords for shift in range(7, -1, -1)]
    # The places beyond the codewords' bits (remainder bits) stay light, as in reportlab.
    dark_places = [place for place, dark in zip(layout.places, bits, strict=False) if dark]
    data = _bit_rows(count, dark_places)
    candidates = [
        [
            fixed | (placed ^ masked)
            for fixed, placed, masked in zip(function, data, mask, strict=True)
        ]
        for function, mask in zip(layout.function, layout.masks, strict=True)
    ]
    best = min(candidates, key=_qr_penalty)
    runs = []
    for row, bits_of_row in enumerate(best):
        for dark in _DARK_RUN.finditer(format(bits_of_row, f"0{count}b")):
            runs.append((row, dark.start(), dark.end() - dark.start()))
    return count, tuple(runs)


_DARK_RUN = re.compile("1+")


@dataclass(frozen=True)
class _QrLayout:
    """What every QR code of one version (error correction M) shares; each row of modules
    as the bits of an int, the leftmost module the highest bit."""

    places: tuple[tuple[int, int], ...]  # (column, row) of each data bit, in order
    data: tuple[int, ...]  # where the data modules are
    function: tuple[tuple[int, ...], ...]  # per mask: finders, timing, format and version
    masks: tuple[tuple[int, ...], ...]  # per mask: its dark modules among the data modules


@cache
def _qr_layout(version: int) -> _QrLayout:
    """Made from a sample symbol of the version: its patterns do not depend on the data."""
    sample = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    sample.addData("0")
    sample.makeImpl(False, 0)
    count = sample.getModuleCount()
    places = tuple(sample.dataPosIterator())
    data = _bit_rows(count, places)
    function, masks = [], []
    for pattern in range(8):
        sample.makeImpl(False, pattern)
        rows = [int("".join("1" if dark else "0" for dark in cells), 2) for cells in sample.modules]
        function.append(tuple(row & ~where for row, where in zip(rows, data, strict=True)))
        mask = qrencoder.QRUtil.getMask(pattern)
        masks.append(
            _bit_rows(count, [(column, row) for column, row in places if mask(row, column)])
        )
    return _QrLayout(places, data, tuple(function), tuple(masks))


def _bit_rows(count: int, places: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Rows of count modules as ints, dark at these (column, row) places."""
    rows = [0] * count
    for column, row in places:
        rows[row] |= 1 << (count - 1 - column)
    return tuple(rows)


def _qr_penalty(rows: list[int]) -> int:
    """ISO/IEC 18004's penalty of a symbol: runs of five or more alike in a row or column
    (3, and 1 for each module more), 2 x 2 blocks alike (3 each), finder-like patterns
    (40 each), dark modules far from half (10 for each 5 %)."""
    count = len(rows)
    every, pairs = (1 << count) - 1, (1 << (count - 1)) - 1
    score = 0
    for row in rows:  # runs across: bit k of `five` is set if modules k to k + 4 are alike
        alike = ~(row ^ row >> 1) & pairs
        five = alike & alike >> 1 & alike >> 2 & alike >> 3
        score += five.bit_count() + 2 * (five & ~(five << 1)).bit_count()
    alike_down = [~(upper ^ lower) & every for upper, lower in pairwise(rows)]
    above = 0
    for first in range(count - 4):  # runs down, the same way a row at a time
        five = alike_down[first] & alike_down[first + 1] & alike_down[first + 2]
        five &= alike_down[first + 3]
        score += five.bit_count() + 2 * (five & ~above).bit_count()
        above = five
    for upper, alike in zip(rows, alike_down, strict=False):  # 2 x 2 blocks
        score += 3 * (alike & alike >> 1 & ~(upper ^ upper >> 1) & pairs).bit_count()
    lines = [format(row, f"0{count}b") for row in rows]
    text = " ".join(lines + ["".join(column) for column in zip(*lines, strict=True)])
    score += 40 * (text.count("10111010000") + text.count("00001011101"))
    dark = sum(row.bit_count() for row in rows)
    return score + 10 * (abs(dark * 100 // (count * count) - 50) // 5)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> float | None:
    """The QR code of the text, size square (quiet zone not included) with its lower left
    corner at x, y, as one filled path; the module size, or None if it cannot be drawn (too
    long for a QR code: nothing is drawn)."""
    symbol = qr_runs(text)
    if symbol is None:
        return None
    count, runs = symbol
    module = size / count
    path = canvas.beginPath()
    top = y + size
    for row, column, length in runs:
        path.rect(x + column * module, top - (row + 1) * module, length * module, module)
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    return module
