"""The shops (branches) of the business: customers, points and tiers are shared; each sale,
interaction, follow-up and ledger entry carries the shop it happened at, and a staff member
may be limited to one shop's tills (schema 11)."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.store import shops as shop_store
from relapp.db.store import staff as staff_store
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


def limit_staff_to_shop(staff_name: str, shop_name: str | None) -> str:
    """Limit the staff member called staff_name to the tills of the shop called shop_name
    (None: any shop's); the sentence saying what was done. The command line runs as the
    owner (relapp.cli); the change is audited.

    Raises InvalidShop for an unknown staff member or shop."""
    staff_id = staff_store.staff_named(staff_name)
    if staff_id is None:
        raise InvalidShop(f"There is no staff member called {staff_name.strip()!r}.")
    shop_id = None
    if shop_name is not None:
        shop_id = shop_store.shop_named(shop_name.strip())
        if shop_id is None:
            known = ", ".join(repr(shop.name) for shop in list_shops())
            raise InvalidShop(f"There is no shop called {shop_name.strip()!r} (there is: {known}).")
    with lock_first():
        shop_store.set_staff_shop(staff_id, shop_id)
        write_audit("staff shop set", "staff", staff_id, {"shop_id": shop_id}, clock.utc_now())
    names = {shop.id: shop.name for shop in list_shops()}
    where = "any shop's tills" if shop_id is None else f"{names[shop_id]}'s tills only"
    row = staff_store.staff_row(staff_id)
    return f"{row.name if row else staff_name.strip()} signs in at {where}."
