"""Tags in an imported file: read from a tags column (or vCard CATEGORIES) and given to the
imported customers, creating the tags the shop does not have yet.

Programs write a customer's tags in one cell, each its own way: Relapp's export "VIP, Regular",
Google's labels "* myContacts ::: Friends", Outlook's categories "Friends;VIP". A cell is cut at
the first of " ::: ", ";" and "," it holds (and at line breaks). Google's own groups
("* myContacts", "* starred") are left out: every Google contact is in them. An existing tag
is used in whatever letter case it was created (resolve_tags, as the contact form does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from relapp.db.store.tags import add_tags_to_contact
from relapp.domain.contacts.editing import clean_tag_name, create_tag, resolve_tags

MAX_TAGS_PER_CUSTOMER = 50
_SEPARATORS = (":::", ";", ",")
GOOGLE_GROUP_PREFIX = "* "


def split_tags(text: str) -> list[str]:
    """The tag names in a cell, as written (blank ones and Google's own groups left out)."""
    separator = next((mark for mark in _SEPARATORS if mark in text), None)
    parts = [
        name.strip()
        for piece in re.split(r"[\r\n]+", text)
        for name in (piece.split(separator) if separator else [piece])
    ]
    return [name for name in parts if name and not name.startswith(GOOGLE_GROUP_PREFIX)]


def clean_tags(text: str) -> list[str]:
    """The distinct tag names of a cell, each as a new tag would be stored.

    Raises:
        ValueError: a name is too long, or there are more than MAX_TAGS_PER_CUSTOMER.
    """
    names: dict[str, str] = {}
    for text_name in split_tags(text):
        name = clean_tag_name(text_name)
        names.setdefault(name.casefold(), name)
    if len(names) > MAX_TAGS_PER_CUSTOMER:
        raise ValueError(f"A customer can have at most {MAX_TAGS_PER_CUSTOMER} tags.")
    return list(names.values())


class ImportedTags:
    """Tags contacts inside the caller's transaction; remembers the tags it has looked up or
    created, so a step of an import looks each name up once."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}  # by case-folded name

    def add(self, contact_id: int, names: Sequence[str]) -> None:
        """Give the contact these tags (it keeps the ones it has)."""
        missing = [name for name in names if name.casefold() not in self._ids]
        for tag_id, name in resolve_tags(missing):
            self._ids[name.casefold()] = tag_id if tag_id is not None else create_tag(name)
        add_tags_to_contact(contact_id, [self._ids[name.casefold()] for name in names])
