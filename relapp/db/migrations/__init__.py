"""Numbered schema migrations, applied in order and recorded in PRAGMA user_version.

Each migration is a module with DESCRIPTION and upgrade(db). They are listed here explicitly,
not discovered on disk, so a frozen build carries them like any other import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import Database

from relapp.db.migrations import (
    m0001_contacts,
    m0002_loyalty,
    m0003_search,
    m0004_contact_list,
    m0005_sales,
    m0006_timeline,
    m0007_today,
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    upgrade: Callable[[Database], None]


MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration(number, module.DESCRIPTION, module.upgrade)
    for number, module in enumerate(
        (
            m0001_contacts,
            m0002_loyalty,
            m0003_search,
            m0004_contact_list,
            m0005_sales,
            m0006_timeline,
            m0007_today,
        ),
        start=1,
    )
)
LATEST_VERSION = MIGRATIONS[-1].version
