"""Customers who came through a partner: their referral source (contact.referred_by_partner_id).

Rules chosen here:

* It is set by hand in the contact editor ("Came through partner") or with `relapp partner
  refer` (saved as the editor saves it), or the first time the customer redeems one of a
  partner's codes at the counter: then, if they have no partner recorded yet, that partner
  is (a source set by hand is never replaced by a code).
* An unchanged source is kept as it is; a new one must be a partner that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.store import contacts as contact_store
from relapp.db.store import partners as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.fields import InvalidContact
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.profiles import ContactNotFound


def checked_referral_partner(partner_id: int | None, stored_id: int | None) -> int | None:
    """The partner a customer came through, as the editor saves it; ValueError if there is
    no such partner."""
    if partner_id is None or partner_id == stored_id:
        return partner_id
    if store.partner_row(partner_id) is None:
        raise ValueError("That partner no longer exists; choose another.")
    return partner_id


def record_on_redeeming(
    contact_id: int, partner_id: int, moment: datetime, staff_id: int | None
) -> str | None:
    """In the caller's transaction (a code of the partner's redeemed): the partner recorded as
    the customer's referral source unless they have one; the partner's name if it was,
    audited, else None."""
    if not store.set_referral_partner_if_none(contact_id, partner_id, format_timestamp(moment)):
        return None
    row = store.partner_row(partner_id)
    write_audit(
        "contact edited", "contact", contact_id,
        {"fields": ["referred_by_partner_id"],
         "values": {"referred_by_partner_id": [None, partner_id]}, "by": "partner code"},
        moment, staff_id,
    )  # fmt: skip
    return None if row is None else row.name


@dataclass(frozen=True)
class Referral:
    customer: str  # the customer's name, as shown
    before: int | None  # the partner recorded before, if any
    change: Change  # nothing when the partner was recorded already


def record_by_hand(contact_id: int, partner_id: int, staff_id: int | None = None) -> Referral:
    """The partner recorded as the customer's referral source, as the contact editor saves
    it (a source recorded before is replaced), audited as the editor's edit is.

    Raises:
        ContactNotFound: no such customer, or erased (the editor cannot open them either).
        InvalidContact: the editor's refusal, in its words (the partner does not exist).
    """
    with write_transaction():
        stored = contact_store.unerased_contact_values(contact_id, ("referred_by_partner_id",))
        if stored is None:
            raise ContactNotFound(f"No customer with number {contact_id}.")
        before = stored["referred_by_partner_id"]
        assert before is None or isinstance(before, int)
        parts = contact_store.name_parts(contact_id)
        name = display_name(*parts) if parts else f"Customer {contact_id}"
        try:
            chosen = checked_referral_partner(partner_id, before)
        except ValueError as error:
            raise InvalidContact({"referred_by_partner_id": str(error)}) from None
        if chosen == before:
            return Referral(name, before, Change.of())
        moment = clock.utc_now()
        store.set_referral_partner(contact_id, chosen, format_timestamp(moment))
        write_audit(
            "contact edited", "contact", contact_id,
            {"fields": ["referred_by_partner_id"],
             "values": {"referred_by_partner_id": [before, chosen]}},
            moment, staff_id,
        )  # fmt: skip
    change = Change.of(Entity.CONTACTS, Entity.PARTNERS, contact_ids=frozenset({contact_id}))
    return Referral(name, before, change)
