"""The shops (branches) of the business: customers, points and tiers are shared; each sale,
interaction, follow-up and ledger entry carries the shop it happened at, and a staff member
may be limited to one shop's tills (schema 11)."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.store import shops as shop_store
from relapp.domain import clock
from relapp.errors import RelappError

MAX_SHOP_NAME = 80


class InvalidShop(RelappError):
    """A shop name or address that cannot be used as given."""


@dataclass(frozen=True)
class Shop:
    id: int
    name: str
    address: str


def list_shops() -> list[Shop]:
    return [Shop(*row) for row in shop_store.shops()]


def add_shop(name: str, address: str = "", staff_id: int | None = None) -> Shop:
    """A new shop (branch). Raises InvalidShop for an empty, overlong or taken name."""
    name, address = name.strip(), address.strip()
    if not name or len(name) > MAX_SHOP_NAME or not name.isprintable():
        raise InvalidShop(f"A shop's name has 1 to {MAX_SHOP_NAME} characters, all printable.")
    try:
        with lock_first():
            now = clock.utc_now()
            shop_id = shop_store.insert_shop(name, address, now)
            write_audit("shop added", "shop", shop_id, {"name": name, "address": address}, now,
                        staff_id)  # fmt: skip
    except IntegrityError as error:
        raise InvalidShop(f"There is already a shop called {name!r}.") from error
    return Shop(shop_id, name, address)
