"""Starting a shop and summarising what it holds."""

from __future__ import annotations

from dataclasses import dataclass

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store import contacts as contacts_store
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.shop.settings import region_from_system_locale, save_settings, system_locale_name


@dataclass(frozen=True)
class ShopSummary:
    customers: int
    open_queries: int
    points_outstanding: int


def start_empty_shop(shop_name: str = "My shop") -> Change:
    """First-run choice: an empty shop, with locale and phone region from the system's."""
    with database.atomic():
        save_settings(
            shop_name=shop_name.strip() or "My shop",
            phone_region=region_from_system_locale(),
            locale=system_locale_name(),
            set_up_at=format_timestamp(utc_now()),
        )
    return Change.of(Entity.SETTINGS)


def shop_summary() -> ShopSummary:
    customers, points = contacts_store.current_count_and_points()
    open_queries = contacts_store.count_interactions_with_status("open")
    return ShopSummary(customers=customers, open_queries=open_queries, points_outstanding=points)
