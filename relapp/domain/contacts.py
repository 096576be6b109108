"""How a contact is named and shown."""

from __future__ import annotations


def display_name(kind: str, given_name: str, family_name: str, organisation: str) -> str:
    """The name shown in lists: the business for a business, else given then family name."""
    person = " ".join(part for part in (given_name.strip(), family_name.strip()) if part)
    if kind == "business" and organisation.strip():
        return f"{organisation.strip()} ({person})" if person else organisation.strip()
    return person or organisation.strip()
