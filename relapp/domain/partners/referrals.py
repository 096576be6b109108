"""Customers who came through a partner: their referral source (contact.referred_by_partner_id).

Rules chosen here:

* It is set by hand in the contact editor ("Came through partner"), or the first time the
  customer redeems one of a partner's codes at the counter: then, if they have no partner
  recorded yet, that partner is (a source set by hand is never replaced by a code).
* An unchanged source is kept as it is; a new one must be a partner that exists.
"""

from __future__ import annotations

from datetime import datetime

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp
from relapp.db.store import partners as store


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
