"""Several shops on one server: shared customers and points, each sale with its shop."""

from __future__ import annotations

import pytest

from relapp.db.models import Interaction, PointsEntry, Shop, Staff, database
from relapp.db.server.connection import open_server_database
from relapp.db.store.shops import set_staff_shop
from relapp.domain.loyalty.sales import record_sale
from relapp.domain.shop import staff
from relapp.domain.shop.shops import InvalidShop, add_shop, list_shops
from relapp.domain.shop.staff import NotAllowed, add_staff, authenticate, ensure_owner
from relapp.errors import UnknownShop
from tests.factories import add_contact


@pytest.fixture
def server(server_cluster, request, monkeypatch):
    monkeypatch.setattr(staff, "_SCRYPT_N", 2**4)
    name = f"shops_{request.node.name[-16:]}".replace("[", "_").replace("]", "_")
    url = server_cluster.create_database(name, template="relapp_template")
    open_server_database(url)
    add_shop("Northside", "1 North St")
    add_shop("Southside")
    database.close()
    yield url
    server_cluster.drop_database(name)


def test_a_tills_sales_carry_its_shop_and_the_customer_is_shared(server):
    open_server_database(server, shop="northside")  # any letter case
    ann = add_contact("Ann", "Lee")
    north = record_sale(ann.id, 2000)
    open_server_database(server, shop="Southside")
    south = record_sale(ann.id, 1000)
    shops = {shop.name: shop.id for shop in Shop.select()}
    sold_at = {i.id: i.shop_id for i in Interaction.select().where(Interaction.kind == "purchase")}
    assert sold_at == {
        north.interaction_id: shops["Northside"],
        south.interaction_id: shops["Southside"],
    }
    earned_at = sorted(entry.shop_id for entry in PointsEntry.select())
    assert earned_at == sorted([shops["Northside"], shops["Southside"]])
    assert south.balance == north.points + south.points  # one balance for both shops


def test_a_shop_the_server_does_not_have_is_refused_with_those_it_has(server):
    with pytest.raises(UnknownShop, match=r"no shop called 'Eastside'.*My shop, Northside"):
        open_server_database(server, shop="Eastside")


def test_shop_names_are_unique_whatever_their_case(server):
    open_server_database(server)
    with pytest.raises(InvalidShop, match="already a shop"):
        add_shop("NORTHSIDE")
    with pytest.raises(InvalidShop):
        add_shop("   ")
    assert [shop.name for shop in list_shops()] == ["My shop", "Northside", "Southside"]


def test_staff_of_one_shop_sign_in_only_at_its_tills(server):
    open_server_database(server)
    owner = ensure_owner("Maya", "1234")
    add_staff("Sam", "counter", "0000", by_staff_id=owner.id)
    sam = Staff.get(Staff.name == "Sam")
    north = next(shop.id for shop in list_shops() if shop.name == "Northside")
    set_staff_shop(sam.id, north)
    open_server_database(server, shop="Southside")
    with pytest.raises(NotAllowed, match="Sam works at Northside"):
        authenticate(sam.id, "0000")
    assert authenticate(owner.id, "1234").name == "Maya"  # no shop: any till
    open_server_database(server, shop="Northside")
    assert authenticate(sam.id, "0000").name == "Sam"
    assert Staff.get_by_id(sam.id).shop_id == north


def test_shops_are_added_listed_and_staff_limited_from_the_command_line(server, capsys):
    from relapp.cli import main

    open_server_database(server)
    ensure_owner("Maya", "1234")
    database.close()
    assert (
        main(["server", "add-shop", "Harbour Street", "--address", "2 Quay", "--db", server]) == 0
    )
    assert "RELAPP_SHOP='Harbour Street'" in capsys.readouterr().out
    assert main(["server", "shops", "--db", server]) == 0
    listed = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["Harbour Street", "My shop", "Northside", "Southside"]
    assert main(["server", "staff-shop", "maya", "--shop", "harbour street", "--db", server]) == 0
    assert capsys.readouterr().out == "Maya signs in at Harbour Street's tills only.\n"
    assert Staff.get(Staff.name == "Maya").shop.name == "Harbour Street"
    assert main(["server", "staff-shop", "Maya", "--shop", "Dockside", "--db", server]) == 1
    assert "no shop called 'Dockside'" in capsys.readouterr().err
    assert main(["server", "add-shop", "northside", "--db", server]) == 1
    assert "already a shop" in capsys.readouterr().err
