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

    def touches(self, entity: Entity) -> bool:
        return entity in self.entities
