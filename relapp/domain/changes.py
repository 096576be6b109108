"""What a mutation changed, so that open views refresh only what was touched.

Every domain function that writes returns a Change; the UI broadcasts it on one app-wide
signal after the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Entity(Enum):
    SETTINGS = "settings"
    STAFF = "staff"
    CONTACTS = "contacts"
    TAGS = "tags"
    SEGMENTS = "segments"
    INTERACTIONS = "interactions"
    TASKS = "tasks"
    POINTS = "points"
    REWARDS = "rewards"
    TIERS = "tiers"
    CAMPAIGNS = "campaigns"
    MEMBERSHIPS = "memberships"  # plans, memberships and their payments (schema 19)
    GIFT_CARDS = "gift_cards"
    PARTNERS = "partners"  # partner businesses and their code batches (schema 20)
    SURVEYS = "surveys"  # surveys and polls, their versions and answers (schema 21)
    COMPETITIONS = "competitions"  # competitions, entries, draws and winners (schema 21)


@dataclass(frozen=True)
class Change:
    entities: frozenset[Entity]
    # Empty means "possibly all of them" for the entities named.
    contact_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *entities: Entity, contact_ids: frozenset[int] = frozenset()) -> Change:
        return cls(frozenset(entities), contact_ids)

    @classmethod
    def everything(cls) -> Change:
        return cls(frozenset(Entity))

    @classmethod
    def union(cls, *changes: Change) -> Change:
        """One change standing for several (e.g. an edit and a consent event)."""
        changes = tuple(change for change in changes if change.entities)
        if any(not change.contact_ids for change in changes):
            ids: frozenset[int] = frozenset()  # one of them may have touched anybody
        else:
            ids = frozenset().union(*(change.contact_ids for change in changes))
        return cls(frozenset().union(*(change.entities for change in changes)), ids)

    def touches(self, entity: Entity) -> bool:
        return entity in self.entities
