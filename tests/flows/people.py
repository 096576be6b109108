"""Customers of the demo shop that the flows work with, and finding one at the Counter."""

from __future__ import annotations

from relapp.db.models import Contact
from relapp.domain.memberships.members import memberships_of
from relapp.ui.counter.view import CounterView
from tests.flows.harness import Flow


def a_card_holder(
    min_points: int = 0, *, newest: bool = False, with_email: bool = False, plain: bool = False
) -> Contact:
    """A live person with a loyalty card (the oldest such customer, or the newest); plain:
    one the demo made neither a member nor a partner's customer."""
    conditions = [
        Contact.card_number.is_null(False),
        Contact.kind == "person",
        Contact.erased_at.is_null(),
        Contact.archived_at.is_null(),
        Contact.points_balance >= min_points,
    ]
    if with_email:
        conditions.append(Contact.email.is_null(False))
    if plain:
        conditions.append(Contact.referred_by_partner_id.is_null())
    order = Contact.id.desc() if newest else Contact.id
    found = Contact.select().where(*conditions).order_by(order)
    if not plain:
        return found.first()
    return next(customer for customer in found if not memberships_of(customer.id))


def show_at_counter(flow: Flow, customer: Contact) -> CounterView:
    """Ctrl+1, the customer's card typed as a scanner does, Enter; the Counter showing them."""
    flow.press("Ctrl+1")
    flow.type(customer.card_number)
    flow.press("Return")
    counter = flow.current_view()
    flow.wait_until(lambda: counter.shown_contact_id == customer.id)
    return counter
