"""Amounts typed at a till or on the command line."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapp.domain.shop.money import format_amount, parse_amount


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12.50", 1250), ("12,50", 1250), ("$12.50", 1250), ("1,234.50", 123450), ("12", 1200),
     (" 0.01 ", 1), ("1000000", 100_000_000), ("€ 7,5", 750), ("1,250.00", 125_000),
     ("1.250,00", 125_000), ("1,000,000.00", 100_000_000), ("12,50 €", 1250), (".5", 50)],
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


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("12 50", "has a space inside"),  # once 1,250.00
        ("1 234,50", "has a space inside"),  # once 123,450.00
        ("1,2,3", "could be read several ways"),  # once 123.00
        ("1.2.3", "could be read several ways"),
        ("1,250", "could be read two ways: 1,250.00 or 1.250"),  # once 1,250.00
        ("1.250", "could be read two ways: 1,250.00 or 1.250"),  # once 1.25
        ("1,234,5", "could be read several ways"),
        ("12$50", "not an amount"),  # once 1,250.00
    ],
)
def test_an_amount_that_could_be_read_two_ways_is_refused_with_an_example(typed, problem):
    with pytest.raises(ValueError, match=problem) as refused:
        parse_amount(typed)
    if "amount" not in problem:
        assert str(refused.value).endswith("Type the amount like 12.50 or 12,50.")


@given(st.integers(min_value=1, max_value=100_000_000))
def test_formatting_reads_back(cents):
    assert parse_amount(format_amount(cents)) == cents


@given(st.text())
def test_any_text_gives_cents_or_a_value_error(text):
    with contextlib.suppress(ValueError):
        assert 0 < parse_amount(text) <= 100_000_000
