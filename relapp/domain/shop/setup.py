"""Starting a shop and summarising what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from peewee import AutoField, fn

from relapp.db.fields import format_timestamp
from relapp.db.models import Contact, Interaction, database
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
    # peewee adds Contact's `id` primary key when the class is made, out of the stubs' sight;
    # and .tuples().get() gives a tuple where the stubs say a Contact.
    contact_id = cast("AutoField[int]", Contact._meta.primary_key)
    customers, points = cast(
        "tuple[int, int]",
        Contact.select(
            fn.count(contact_id),
            fn.coalesce(fn.sum(Contact.points_balance), 0),
        )
        .where(Contact.archived_at.is_null(), Contact.erased_at.is_null())
        .tuples()
        .get(),
    )
    open_queries = Interaction.select().where(Interaction.status == "open").count()
    return ShopSummary(customers=customers, open_queries=open_queries, points_outstanding=points)
