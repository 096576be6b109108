"""Numbered schema migrations, applied in order and recorded in PRAGMA user_version.

Each migration is a module with DESCRIPTION and upgrade(db). They are listed here explicitly,
not discovered on disk, so a frozen build carries them like any other import. A migration's
version is the number in its module's name (m0009_... is 9), and they apply in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from peewee import Database

from relapp.db.migrations import (
    m0001_contacts,
    m0002_loyalty,
    m0003_search,
    m0004_contact_list,
    m0005_sales,
    m0006_timeline,
    m0007_today,
    m0008_import_batches,
    m0009_lowest_tier,
    m0010_merged_into,
    m0011_shops,
    m0012_word_starts,
    m0013_campaigns,
    m0014_vouchers,
    m0015_outbox,
    m0016_campaign_rules,
    m0017_percent_vouchers,
    m0018_gift_cards,
    m0019_memberships,
    m0020_partners,
    m0021_listening,
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    upgrade: Callable[[Database], None]
    # The same change on a shop server (relapp.db.server); None up to schema 10, which the
    # server's baseline (relapp/db/server/schema.py) already holds.
    server_upgrade: Callable[[Database], None] | None = None


def _version(module: ModuleType) -> int:
    """9 for relapp.db.migrations.m0009_lowest_tier."""
    return int(module.__name__.rpartition(".")[2][1:5])


MIGRATIONS: tuple[Migration, ...] = tuple(
    sorted(
        (
            Migration(
                _version(module),
                module.DESCRIPTION,
                module.upgrade,
                getattr(module, "server_upgrade", None),
            )
            for module in (
                m0001_contacts,
                m0002_loyalty,
                m0003_search,
                m0004_contact_list,
                m0005_sales,
                m0006_timeline,
                m0007_today,
                m0008_import_batches,
                m0009_lowest_tier,
                m0010_merged_into,
                m0011_shops,
                m0012_word_starts,
                m0013_campaigns,
                m0014_vouchers,
                m0015_outbox,
                m0016_campaign_rules,
                m0017_percent_vouchers,
                m0018_gift_cards,
                m0019_memberships,
                m0020_partners,
                m0021_listening,
            )
        ),
        key=lambda migration: migration.version,
    )
)
LATEST_VERSION = MIGRATIONS[-1].version
