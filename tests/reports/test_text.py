"""User text in PDFs: escaped, each character in a font that has it, right-to-left in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from relapp.reports.document import styles
from relapp.reports.fonts import BODY, BOLD, CJK, KOREAN, font_for, font_runs, has_glyph
from relapp.reports.text import para, visual


@pytest.mark.parametrize(
    "name", ["Ann <b>", "</para>", '<img src="/etc/passwd"/>', "Tom & Jerry", "<font name=x>"]
)
def test_markup_in_a_name_is_shown_literally(name):
    paragraph = Paragraph(para(name), styles()["body"])
    assert "".join(word for frag in paragraph.frags for word in [frag.text]) == name


@given(st.text(max_size=40))
def test_any_text_makes_a_paragraph(text):
    Paragraph(para(text), styles()["body"])  # raises on markup it cannot parse


def test_each_script_goes_to_a_font_that_draws_it():
    assert font_for("é") == BODY and font_for("Ж") == BODY and font_for("Ω") == BODY
    assert font_for("한") == KOREAN
    assert font_for("王") == CJK and font_for("か") == CJK  # one style for a Chinese name
    assert [font for font, _ in font_runs("Zoë 김민준 王伟")] == [BODY, KOREAN, BODY, CJK]


def test_bold_falls_back_to_regular_where_the_bold_font_lacks_a_character():
    lacking = next(
        chr(code) for code in range(0x20, 0x10000)
        if has_glyph(BODY, chr(code)) and not has_glyph(BOLD, chr(code))
    )  # fmt: skip
    assert font_for(lacking, bold=True) == BODY
    assert font_for("A", bold=True) == BOLD


def test_right_to_left_names_are_drawn_in_visual_order():
    assert visual("אורי ביטון") == "ןוטיב ירוא"
    assert visual("Zoë") == "Zoë"


@pytest.mark.parametrize("name", ["عبدالله الأحمد", "محمد حسن", "لا إله"])
def test_every_shaped_arabic_letter_is_in_the_font(name):
    shown = visual(name)
    assert all(has_glyph(BODY, character) for character in shown if not character.isspace())
