"""Amounts typed at a till or on the command line."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapp.domain.money import format_amount, parse_amount


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12.50", 1250), ("12,50", 1250), ("$12.50", 1250), ("1,234.50", 123450), ("12", 1200),
     (" 0.01 ", 1), ("1000000", 100_000_000), ("€ 7,5", 750)],
)  # fmt: skip
def test_amounts_as_people_type_them(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "12.505",
        "0",
        "-5",
        "1000000.01",
        "1e9",
        "NaN",
        "12..5",
        "1,2,3.4.5",
        "100000000000000000000000000000",
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_sentence(typed):
    with pytest.raises(ValueError, match=r"\."):
        parse_amount(typed)


@given(st.integers(min_value=1, max_value=100_000_000))
def test_formatting_reads_back(cents):
    assert parse_amount(format_amount(cents)) == cents


@given(st.text())
def test_any_text_gives_cents_or_a_value_error(text):
    with contextlib.suppress(ValueError):
        assert 0 < parse_amount(text) <= 100_000_000
