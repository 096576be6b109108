"""The fonts every report embeds, and which of them draws each character.

reportlab's built-in fonts know Latin-1 only, and no single free font covers every script a
shop's customers write their names in, so three TrueType fonts from resources/fonts are
embedded (subset to the characters used):

* DejaVu Sans (regular, bold): Latin with diacritics, Greek, Cyrillic, Hebrew, Arabic,
  Armenian, Georgian, symbols;
* Nanum Gothic: Korean (Hangul);
* Droid Sans Fallback: Chinese, Japanese (kana and kanji).

A character is drawn by the body font if it has it (bold text by the bold font, or the
regular one where the bold lacks the character); Hangul by Nanum Gothic; any other character
by Droid Sans Fallback, then Nanum Gothic, if they hold it (Han characters thus keep one style
in a Chinese or Japanese name; Nanum holds Korean hanja too). What none holds
(e.g. Thai, Devanagari, Ethiopic, emoji) falls back to DejaVu Sans, which draws its
"missing glyph" box: the text stays extractable and searchable in the PDF, only its shape
is lost. The CJK fonts have no bold; bold text in them is drawn regular.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from relapp.resources import resource_path

BODY = "RelappSans"
BOLD = "RelappSans-Bold"
KOREAN = "RelappKorean"
CJK = "RelappCJK"
_FILES = {
    BODY: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    KOREAN: "NanumGothic.ttf",
    CJK: "DroidSansFallbackFull.ttf",
}
# Tried in this order for a character the body font lacks (Hangul goes to KOREAN first).
_FALLBACKS = (CJK, KOREAN)
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


@cache
def register_fonts() -> None:
    """Register the report fonts with reportlab (once per process)."""
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))
    pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)


@cache
def _characters(name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def has_glyph(font: str, character: str) -> bool:
    return ord(character) in _characters(font)


def font_for(character: str, bold: bool = False) -> str:
    """The registered font that draws this character (the body font if none does)."""
    code = ord(character)
    if bold and (code in _characters(BOLD) or character.isspace()):
        return BOLD
    if code in _characters(BODY) or character.isspace():
        return BODY
    if any(low <= code <= high for low, high in _HANGUL) and code in _characters(KOREAN):
        return KOREAN
    for name in _FALLBACKS:
        if code in _characters(name):
            return name
    return BOLD if bold else BODY


def font_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """text cut into (font, piece) runs, each piece drawn by one font."""
    runs: list[tuple[str, str]] = []
    for character in text:
        font = font_for(character, bold)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + character)
        else:
            runs.append((font, character))
    return runs
