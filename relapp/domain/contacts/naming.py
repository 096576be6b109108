"""How a contact is named and shown."""

from __future__ import annotations

import unicodedata

# Scripts whose names are written family name first, without a space: 王小明, 山田太郎, 김민준.
_FAMILY_FIRST_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def display_name(kind: str, given_name: str, family_name: str, organisation: str) -> str:
    """The name shown in lists: the business for a business, else given then family name."""
    person = person_name(given_name, family_name)
    if kind == "business" and organisation.strip():
        return f"{organisation.strip()} ({person})" if person else organisation.strip()
    return person or organisation.strip()


def person_name(given_name: str, family_name: str) -> str:
    """A person's name in the order their script writes it."""
    given, family = given_name.strip(), family_name.strip()
    if given and family and _family_first(given) and _family_first(family):
        return family + given
    return " ".join(part for part in (given, family) if part)


def initials(given_name: str, family_name: str) -> str:
    """Up to two letters for an avatar: the family name alone for family-first scripts."""
    given, family = given_name.strip(), family_name.strip()
    if family and _family_first(family):
        return family[:1]
    return "".join(part[0] for part in (given, family) if part).upper()


def _family_first(text: str) -> bool:
    return unicodedata.name(text[0], "").startswith(_FAMILY_FIRST_SCRIPTS)
