"""Merge fields in a campaign's message: "Hello {first_name}, you have {points} points".

The syntax is str.format's as far as a shop needs it: a known name in braces, and `{{` / `}}`
for a brace itself. It is parsed here rather than handed to str.format, because str.format
evaluates what is inside the braces: `{0.__class__}` or `{points[0]}` would read attributes
and items of the values. Here the whole text between the braces must be one of
MERGE_FIELDS, so anything else (attribute access, an index, a conversion such as `!r`, a
format spec) is simply an unknown field, and a value is inserted as it is, never parsed again
(a customer named "{shop_name}" stays "{shop_name}").

A template is checked when it is written (check_template) so the person hears of a typo
before anything is sent; render checks again, so a message is never sent half merged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from relapp.errors import RelappError


@dataclass(frozen=True)
class MergeField:
    name: str
    description: str  # in English; the window translates it where it shows it


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("first_name", "the customer's first (given) name"),
    MergeField("last_name", "the customer's last (family) name"),
    MergeField("name", "the customer's name as the shop shows it (a business: its name)"),
    MergeField("points", "the customer's points balance"),
    MergeField("reward", "the reward the customer's points are worth"),
    MergeField("next_reward", "the next reward the customer is saving towards"),
    MergeField("points_to_go", "the points the customer still needs for the next reward"),
    MergeField("birthday_bonus", "the points the shop gives on a customer's birthday"),
    MergeField("voucher_code", "the voucher code of the campaign's offer"),
    MergeField("shop_name", "the shop's name"),
)
FIELD_NAMES = frozenset(field.name for field in MERGE_FIELDS)

# Left to right, the first alternative that matches wins, as in str.format: "{{{points}}}" is
# a brace, the field, a brace. A lone brace is whatever is left over.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_SHOWN_FIELD_LENGTH = 30  # an unknown "field" may be a pasted paragraph: quote its start only


class TemplateError(RelappError):
    """The message template is empty, has an unknown merge field or an unmatched brace."""


def template_fields(text: str) -> list[str]:
    """The merge fields the template uses, in order of first use, each once.

    Raises:
        TemplateError: see check_template.
    """
    check_template(text)
    return list(dict.fromkeys(_fields_written(text)))


def check_template(text: str) -> None:
    """Nothing if the template can be merged; otherwise TemplateError saying why, in one
    sentence: empty, an unmatched brace, or the fields that are not merge fields."""
    if not text.strip():
        raise TemplateError("The message is empty; write the text to send.")
    for match in _TOKEN.finditer(text):
        if match.group(0) in ("{", "}"):
            raise TemplateError(_unmatched_brace(text, match.start()))
    unknown = [name for name in dict.fromkeys(_fields_written(text)) if name not in FIELD_NAMES]
    if unknown:
        raise TemplateError(_unknown_fields(unknown))


def render(text: str, values: Mapping[str, str]) -> str:
    """The template with each merge field replaced by its value, inserted as it is.

    Raises:
        TemplateError: the template is not valid (check_template), or it uses a field that
            values lacks (a {voucher_code} in a campaign without an offer).
    """
    check_template(text)
    missing = [name for name in dict.fromkeys(_fields_written(text)) if name not in values]
    if missing:
        listed = _listing([f"{{{name}}}" for name in missing])
        raise TemplateError(
            f"The message uses {listed}, which this campaign has no value for; "
            "take it out of the message or give the campaign what it needs."
        )

    def piece(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1)]

    return _TOKEN.sub(piece, text)


def _fields_written(text: str) -> list[str]:
    return [match.group(1) for match in _TOKEN.finditer(text) if match.group(1) is not None]


def _unmatched_brace(text: str, position: int) -> str:
    brace = text[position]
    before = text[max(0, position - 20) : position]
    after = text[position + 1 : position + 21]
    where = f"{before}{brace}{after}".replace("\n", " ")
    return (
        f"The message has a “{brace}” that is not part of a merge field (near “{where}”); "
        "write {{ or }} for a brace itself."
    )


def _unknown_fields(unknown: list[str]) -> str:
    shown = [_shown(name) for name in unknown]
    known = _listing([f"{{{field.name}}}" for field in MERGE_FIELDS])
    if len(shown) == 1:
        return f"The message uses {shown[0]}, which is not a merge field; the fields are {known}."
    return (
        f"The message uses {_listing(shown)}, which are not merge fields; the fields are {known}."
    )


def _shown(name: str) -> str:
    name = " ".join(name.split())  # a field spanning lines is quoted on one
    if len(name) > _SHOWN_FIELD_LENGTH:
        name = name[: _SHOWN_FIELD_LENGTH - 1] + "…"
    return f"{{{name}}}"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
