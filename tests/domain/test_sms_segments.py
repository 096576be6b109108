"""SMS counted as the network counts them (3GPP TS 23.038): GSM-7 septets or UCS-2 code
units, one message of 160 / 70, parts of 153 / 67, no character split between parts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapp.domain.campaigns.sms import (
    GSM_BASIC,
    GSM_EXTENSION,
    SmsLength,
    is_gsm_7,
    sms_length_text,
    sms_segments,
)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (153 * 2, 2), (307, 3), (153 * 3, 3), (460, 4)],
)
def test_plain_text_takes_160_alone_and_153_a_part(length, segments):
    assert sms_segments("a" * length) == SmsLength("GSM-7", length, segments)


def test_an_empty_text_is_no_sms():
    assert sms_segments("") == SmsLength("GSM-7", 0, 0)


def test_an_extension_character_counts_two_septets():
    assert sms_segments("€" * 80) == SmsLength("GSM-7", 160, 1)
    assert sms_segments("a" * 159 + "€") == SmsLength("GSM-7", 161, 2)
    assert sms_segments("a" * 158 + "€") == SmsLength("GSM-7", 160, 1)
    for character in "€[]{}^~\\|\f":
        assert sms_segments(character).characters == 2


def test_an_extension_character_is_not_split_between_parts():
    # 152 septets then "€" (2): it does not fit the 1 left, so it starts part two.
    text = "a" * 152 + "€" + "a" * 152  # 306 septets: 2 parts by arithmetic, 3 as sent
    assert sms_segments(text) == SmsLength("GSM-7", 306, 3)
    assert sms_segments("a" * 151 + "€" + "a" * 151) == SmsLength("GSM-7", 304, 2)


def test_the_gsm_alphabet_has_its_accents_greek_and_symbols():
    text = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r"
    assert sms_segments(text) == SmsLength("GSM-7", len(text), 1)
    assert len(GSM_BASIC) == 128 and len(GSM_EXTENSION) == 10


@pytest.mark.parametrize("character", ["ł", "ç", "á", "’", "\u00a0", "ﾀ", "中", "ب", "😀"])
def test_one_character_outside_gsm_makes_the_text_ucs_2(character):
    assert not is_gsm_7("Hello " + character)
    assert sms_segments("Hello " + character).encoding == "UCS-2"


@pytest.mark.parametrize(
    ("text", "characters", "segments"),
    [
        ("ł" * 70, 70, 1),
        ("ł" * 71, 71, 2),
        ("ł" * 134, 134, 2),
        ("ł" * 135, 135, 3),
        ("😀" * 35, 70, 1),  # an emoji is two UTF-16 code units
        ("😀" * 36, 72, 2),
        ("ł" * 66 + "😀" + "ł", 69, 1),
        ("ł" * 66 + "😀" + "ł" * 5, 73, 2),
        ("ł" * 66 + "😀" + "ł" * 66, 134, 3),  # the pair does not fit the last unit of part 1
    ],
)
def test_ucs_2_counts_code_units_70_alone_67_a_part(text, characters, segments):
    assert sms_segments(text) == SmsLength("UCS-2", characters, segments)


def test_the_count_in_words():
    assert sms_length_text(sms_segments("a" * 180 + "€" * 3 + "a")) == (
        "2 SMS (GSM-7, 187 characters)"
    )
    assert sms_length_text(sms_segments("Hi 😀")) == "1 SMS (UCS-2, 5 characters)"
    assert sms_length_text(sms_segments("")) == "No SMS (the message is empty)"


gsm_text = st.text(alphabet=st.sampled_from(GSM_BASIC.replace("\x1b", "") + GSM_EXTENSION))
any_text = st.text()


@given(any_text)
def test_units_are_those_of_the_encoding_chosen(text):
    length = sms_segments(text)
    if is_gsm_7(text):
        extension = sum(character in GSM_EXTENSION for character in text)
        assert length == SmsLength("GSM-7", len(text) + extension, length.segments)
    else:
        assert length.encoding == "UCS-2"
        assert length.characters == len(text.encode("utf-16-le", "surrogatepass")) // 2


@given(any_text)
def test_segments_hold_the_text_and_none_is_wasted_but_a_split_pair(text):
    length = sms_segments(text)
    single, part = (160, 153) if length.encoding == "GSM-7" else (70, 67)
    if length.characters == 0:
        assert length.segments == 0
    elif length.characters <= single:
        assert length.segments == 1
    else:
        # At least what the room says; at most one unit lost per part to a pair moved on.
        assert length.segments >= math.ceil(length.characters / part)
        assert length.segments <= math.ceil(length.characters / (part - 1))


@given(gsm_text, st.sampled_from(GSM_BASIC.replace("\x1b", "") + GSM_EXTENSION))
def test_within_one_encoding_a_longer_text_never_takes_fewer_sms(text, character):
    # Not true across encodings: one "ł" more can turn 150 septets (1 SMS) into 3 of UCS-2.
    assert sms_segments(text + character).segments >= sms_segments(text).segments


def test_switching_encoding_can_cost_more_than_one_character_would_suggest():
    text = "a" * 150
    assert sms_segments(text).segments == 1
    assert sms_segments(text + "ł") == SmsLength("UCS-2", 151, 3)
