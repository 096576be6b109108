"""A sale far outside the usual range: the customer's own median, else the shop's."""

from __future__ import annotations

from datetime import timedelta

from relapp.db.models import Interaction
from relapp.domain.clock import utc_now
from relapp.domain.loyalty.usual_spend import UnusualAmount, unusual_amount
from tests.factories import add_contact


def purchases(contact, *amounts: int, refunded: bool = False) -> None:
    now = utc_now()
    for n, cents in enumerate(amounts):
        when = now - timedelta(days=len(amounts) - n)
        Interaction.create(
            contact=contact, kind="purchase", occurred_at=when, amount_cents=cents,
            created_at=when, updated_at=when, refunded_at=when if refunded else None,
        )  # fmt: skip


def test_more_than_twenty_times_the_customers_median_is_unusual(db):
    deborah = add_contact("Deborah", "Smith")
    purchases(deborah, 1_000, 1_250, 1_500, 900_000)  # one big sale does not move the median
    assert unusual_amount(deborah.id, 25_000) is None  # 20 x 12.50, exactly
    assert unusual_amount(deborah.id, 125_000) == UnusualAmount(125_000, 1_250, True)


def test_a_customer_with_few_purchases_is_compared_with_the_shop(db):
    regular, newcomer = add_contact("Reg", "Ular"), add_contact("New", "Comer")
    purchases(regular, 5_000, 6_000, 7_000)
    purchases(newcomer, 100, 100)  # too few to say what they usually spend
    assert unusual_amount(newcomer.id, 10_000) is None
    assert unusual_amount(newcomer.id, 200_000) == UnusualAmount(200_000, 5_000, False)


def test_refunded_sales_do_not_count_and_an_empty_shop_asks_nothing(db):
    ann = add_contact("Ann", "Lee")
    assert unusual_amount(ann.id, 99_999_999) is None
    purchases(ann, 100, 100, 100, refunded=True)
    assert unusual_amount(ann.id, 99_999_999) is None
