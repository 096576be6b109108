"""Which contacts were merged into another, and into whom.

A merge (relapp.domain.contacts.merge) keeps the merged contact, archived, with
contact.merged_into_id
naming the survivor (schema 10), and writes one audit log row ("contacts merged") telling what
it did. The reads are relapp.db.store.merge's.
"""

from __future__ import annotations

from relapp.db.store import merge as merge_store

MERGE_ACTION = "contacts merged"


def merged_into(contact_id: int) -> int | None:
    """The survivor this contact was merged into, or None if it never was."""
    return merge_store.merged_into(contact_id)


def merged_contact_ids() -> frozenset[int]:
    """Every contact that has been merged into another."""
    return merge_store.merged_contact_ids()


def merged_into_this(contact_id: int) -> list[int]:
    """The contacts merged straight into this one (not those merged into them), by id."""
    return merge_store.merged_into_this(contact_id)
