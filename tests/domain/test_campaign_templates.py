"""Merge fields in a campaign's message: what is accepted, what is refused and how it is said,
and that nothing in a template or a value is ever evaluated."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapp.domain.campaigns.templates import (
    MERGE_FIELDS,
    TemplateError,
    check_template,
    render,
    template_fields,
)
from relapp.errors import RelappError

VALUES = {
    "first_name": "Zoë",
    "last_name": "Martin",
    "name": "Zoë Martin",
    "points": "340",
    "reward": "a free coffee",
    "next_reward": "a lunch",
    "points_to_go": "60",
    "birthday_bonus": "25",
    "voucher_code": "SPRING-7Q",
    "shop_name": "Bean There",
}


def test_the_merge_fields_are_the_ones_the_shop_was_promised_each_described():
    names = [field.name for field in MERGE_FIELDS]
    assert names == [
        "first_name", "last_name", "name", "points", "reward", "next_reward", "points_to_go",
        "birthday_bonus", "voucher_code", "shop_name",
    ]  # fmt: skip
    assert all(field.description.strip() for field in MERGE_FIELDS)


def test_render_replaces_each_field_with_its_value():
    text = "Hello {first_name}, {shop_name} owes you {reward} for {points} points: {voucher_code}"
    assert render(text, VALUES) == (
        "Hello Zoë, Bean There owes you a free coffee for 340 points: SPRING-7Q"
    )


def test_fields_are_listed_in_order_of_first_use_once_each():
    assert template_fields("{points} {first_name} {points} {{name}}") == ["points", "first_name"]
    assert template_fields("No field at all.") == []


def test_doubled_braces_are_braces_themselves():
    assert render("{{first_name}} is {first_name}", VALUES) == "{first_name} is Zoë"
    assert render("{{{points}}}", VALUES) == "{340}"
    assert render("a }} b {{", VALUES) == "a } b {"


def test_a_value_is_inserted_as_it_is_never_merged_again():
    values = {**VALUES, "first_name": "{shop_name} {0.__class__} }{"}
    assert render("Hi {first_name}", values) == "Hi {shop_name} {0.__class__} }{"


def test_a_misspelt_field_is_named_with_the_fields_there_are_in_one_sentence():
    with pytest.raises(TemplateError) as refused:
        check_template("Hello {frist_name}")
    message = str(refused.value)
    assert message == (
        "The message uses {frist_name}, which is not a merge field; the fields are "
        "{first_name}, {last_name}, {name}, {points}, {reward}, {next_reward}, {points_to_go},"
        " {birthday_bonus}, {voucher_code} and {shop_name}."
    )
    assert isinstance(refused.value, RelappError)


def test_several_unknown_fields_are_named_together():
    with pytest.raises(TemplateError, match=r"uses \{frist_name\} and \{pionts\}, which are not"):
        check_template("{frist_name} {pionts} {frist_name} {points}")


@pytest.mark.parametrize(
    "field",
    ["0.__class__", "first_name.__class__", "points[0]", "first_name!r", "points:>10", "", "0"],
)
def test_attribute_index_conversion_and_format_spec_are_unknown_fields_not_evaluated(field):
    text = f"Hi {{{field}}}"
    with pytest.raises(TemplateError, match="which is not a merge field") as refused:
        render(text, VALUES)
    assert f"{{{field}}}" in str(refused.value)


@pytest.mark.parametrize("text", ["Hello {first_name", "Hello first_name}", "{ {points} }", "}{"])
def test_an_unmatched_brace_is_refused_with_how_to_write_one(text):
    with pytest.raises(TemplateError, match=r"not part of a merge field .*write \{\{ or \}\}"):
        check_template(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_message_is_refused(text):
    with pytest.raises(TemplateError, match="The message is empty"):
        check_template(text)
    with pytest.raises(TemplateError):
        render(text, VALUES)


def test_a_field_the_campaign_has_no_value_for_is_refused_not_left_blank():
    values = {key: value for key, value in VALUES.items() if key != "voucher_code"}
    with pytest.raises(TemplateError, match=r"uses \{voucher_code\}, which this campaign has no"):
        render("Your code: {voucher_code}", values)


def test_a_long_pasted_unknown_field_is_quoted_by_its_start():
    with pytest.raises(TemplateError) as refused:
        check_template("{" + "x" * 5000 + "}")
    assert len(str(refused.value)) < 300


names = st.sampled_from([field.name for field in MERGE_FIELDS])
plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20)


@given(st.lists(st.tuples(plain, names), max_size=6), plain)
def test_render_is_the_text_with_values_in_place_of_fields(pieces, tail):
    text = "".join(f"{literal}{{{name}}}" for literal, name in pieces) + tail + "."
    expected = "".join(literal + VALUES[name] for literal, name in pieces) + tail + "."
    assert render(text, VALUES) == expected
    assert template_fields(text) == list(dict.fromkeys(name for _, name in pieces))


@given(st.text(max_size=40))
def test_any_text_is_either_refused_in_words_or_rendered(text):
    try:
        check_template(text)
    except TemplateError as error:
        assert str(error).startswith("The message ")
    else:
        assert isinstance(render(text, VALUES), str)
