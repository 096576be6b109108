"""Partner businesses: adding and changing them, and what the window shows of one.

Rules chosen here:

* A partner has a name (unique in any letter case, at most 100 characters); the rest is
  optional: a contact person, a phone and an email (as typed: a partner's number is for
  the owner to ring, not a customer's), what they offer, the agreement's first and last
  days (the last not before the first), notes.
* A partner may be linked to the customer record of the business when it is a customer
  too: a business's record, not an erased one, linked to one partner at most. Linking it
  puts that customer on the loyalty ladder's last stage, partner.
* A manager adds and changes partners (a partnership is an agreement of the shop's); every
  change is in the audit log. Partners are never deleted: their codes and customers name
  them. Each refusal is one sentence (PartnerRefused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from relapp.db.audit import write_audit
from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.store import contacts as contact_store
from relapp.db.store import partners as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.fields import clean_email, clean_name, clean_text
from relapp.domain.contacts.naming import display_name
from relapp.domain.memberships.status import shop_today
from relapp.domain.shop.staff import require_manager
from relapp.errors import RelappError

MAX_NAME = 100
MAX_LINE = 200
MAX_TEXT = 2_000


class PartnerRefused(RelappError):
    """The partner cannot be saved as given; nothing was changed."""


@dataclass(frozen=True)
class Partner:
    """A partner business as the owner sets it up (id None: not saved yet)."""

    name: str
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    offers: str = ""  # what they offer
    agreement_from: date | None = None
    agreement_until: date | None = None
    notes: str = ""
    contact_id: int | None = None  # the business's own customer record
    id: int | None = None

    def agreement_state(self, today: date | None = None) -> str:
        """ "current", "not yet" (it starts later), "ended", or "" (no dates given)."""
        day = today or shop_today()
        if self.agreement_from is None and self.agreement_until is None:
            return ""
        if self.agreement_from is not None and day < self.agreement_from:
            return "not yet"
        if self.agreement_until is not None and day > self.agreement_until:
            return "ended"
        return "current"


@dataclass(frozen=True)
class PartnerLine:
    """A partner as the Partners list shows it."""

    partner: Partner
    customers: int  # customers who came through them
    batches: int
    codes: int
    redeemed: int
    business: str  # the linked customer record's name, "" if none


def _partner(row: store.PartnerRow) -> Partner:
    return Partner(
        row.name, row.contact_person, row.phone, row.email, row.offers,
        date.fromisoformat(row.agreement_from) if row.agreement_from else None,
        date.fromisoformat(row.agreement_until) if row.agreement_until else None,
        row.notes, row.contact_id, row.id,
    )  # fmt: skip


def list_partners() -> list[PartnerLine]:
    """Every partner, by name, with their customers and codes."""
    counts = store.partner_counts()
    lines = []
    for row in store.partner_rows():
        figures = counts.get(row.id, store.PartnerCounts(0, 0, 0, 0))
        lines.append(
            PartnerLine(
                _partner(row),
                figures.customers,
                figures.batches,
                figures.codes,
                figures.redeemed,
                _name_of(row.contact_id),
            )
        )
    return lines


def partner_choices() -> list[tuple[int, str]]:
    """(id, name) of every partner, by name: for the pickers."""
    return [(row.id, row.name) for row in store.partner_rows()]


def partner_by_id(partner_id: int) -> Partner:
    row = store.partner_row(partner_id)
    if row is None:
        raise PartnerRefused(f"There is no partner number {partner_id}.")
    return _partner(row)


def _named(name: str, other_than: int | None = None) -> store.PartnerRow | None:
    """The partner (not other_than) called name in any letter case, accents' included."""
    row = store.partner_named(name, other_than)
    if row is not None:
        return row
    # SQLite's NOCASE folds ASCII letters only (CAFÉ is not Café there); a shop has a few
    # dozen partners at most, so the rest of Unicode is folded here.
    folded = name.casefold()
    return next(
        (other for other in store.partner_rows()
         if other.name.casefold() == folded and other.id != other_than),
        None,
    )  # fmt: skip


def find_partner(name: str) -> Partner:
    """The partner called name (any letter case); PartnerRefused naming the partners if none."""
    row = _named(" ".join(name.split()))
    if row is not None:
        return _partner(row)
    names = ", ".join(repr(other.name) for other in store.partner_rows()) or "none yet"
    raise PartnerRefused(f"There is no partner called {name.strip()!r}; the partners: {names}.")


def _name_of(contact_id: int | None) -> str:
    if contact_id is None:
        return ""
    parts = contact_store.name_parts(contact_id)
    return display_name(*parts) if parts else ""


def _cleaned(partner: Partner) -> dict[str, object]:
    """The partner's columns as stored; PartnerRefused for the first thing wrong."""
    try:
        name = clean_name(partner.name)
        values: dict[str, object] = {
            "name": name,
            "contact_person": clean_name(partner.contact_person),
            "phone": " ".join(clean_text(partner.phone, MAX_LINE).split()),
            "email": clean_email(partner.email) or "",
            "offers": clean_text(partner.offers, MAX_TEXT),
            "notes": clean_text(partner.notes, MAX_TEXT),
        }
    except ValueError as error:
        raise PartnerRefused(str(error)) from None
    if not name:
        raise PartnerRefused("A partner needs a name.")
    if len(name) > MAX_NAME:
        raise PartnerRefused(f"A partner's name has at most {MAX_NAME} characters.")
    start, end = partner.agreement_from, partner.agreement_until
    if start is not None and end is not None and end < start:
        raise PartnerRefused("The agreement cannot end before it begins.")
    values["agreement_from"] = start.isoformat() if start else None
    values["agreement_until"] = end.isoformat() if end else None
    values["contact_id"] = partner.contact_id
    return values


def _check_link(partner: Partner) -> None:
    if partner.contact_id is None:
        return
    stored = contact_store.unerased_contact_values(partner.contact_id, ("kind",))
    if stored is None:
        raise PartnerRefused(f"There is no customer number {partner.contact_id}.")
    if stored["kind"] != "business":
        raise PartnerRefused(
            "Only a business's customer record can be linked to a partner; make the customer"
            " a business first."
        )
    other = store.partner_of_contact(partner.contact_id, partner.id)
    if other is not None:
        raise PartnerRefused(
            f"{_name_of(partner.contact_id)} is linked to the partner {other.name} already."
        )


def save_partner(partner: Partner, staff_id: int | None, *, as_owner: bool = False) -> Change:
    """Add the partner (id None) or change it; manager only; audited.

    as_owner: the shop owner at the command line, who may do what a manager may (whoever can
    run commands on the database owns it): no staff check, and the audit row says so.

    Raises:
        NotAllowed: not as_owner and not a signed-in manager.
        PartnerRefused: the partner is not valid, its name is taken (in any letter case), or
            the customer record cannot be linked.
    """
    if not as_owner:
        require_manager(staff_id, "add or change partners")
    values = _cleaned(partner)
    with write_transaction():
        if partner.id is not None and store.partner_row(partner.id) is None:
            raise PartnerRefused(f"There is no partner number {partner.id}.")
        clash = _named(str(values["name"]), partner.id)
        if clash is not None:
            raise PartnerRefused(f"There is a partner called {clash.name} already.")
        _check_link(partner)
        now = clock.utc_now()
        stamp = format_timestamp(now)
        partner_id = store.save_partner(partner.id, values, stamp)
        contact_ids: frozenset[int] = frozenset()
        if partner.contact_id is not None:
            contact_ids = frozenset({partner.contact_id})
            stage = contact_store.unerased_contact_values(partner.contact_id, ("ladder_stage",))
            if stage is not None and stage["ladder_stage"] != "partner":
                contact_store.update_contact(partner.contact_id, {"ladder_stage": "partner"}, stamp)
                write_audit(
                    "contact edited", "contact", partner.contact_id,
                    {"fields": ["ladder_stage"],
                     "values": {"ladder_stage": [stage["ladder_stage"], "partner"]}},
                    now, staff_id,
                )  # fmt: skip
        action = "partner added" if partner.id is None else "partner changed"
        details = {**values, "by": "command line"} if as_owner else values
        write_audit(action, "partner", partner_id, details, now, staff_id)
    entities = [Entity.PARTNERS] + ([Entity.CONTACTS] if contact_ids else [])
    return Change.of(*entities, contact_ids=contact_ids)


@dataclass(frozen=True)
class PartnerLinks:
    """What the Counter and the dossier say of a customer and partners."""

    business_of: Partner | None  # the partner whose customer record this is
    came_through: Partner | None  # the partner the customer came through


def partner_links(contact_id: int) -> PartnerLinks:
    linked = store.partner_of_contact(contact_id)
    source = store.referral_partner(contact_id)
    came = store.partner_row(source) if source is not None else None
    return PartnerLinks(_partner(linked) if linked else None, _partner(came) if came else None)


MAX_BUSINESSES = 5_000  # offered to link; a shop with more types the name to narrow it


def business_choices() -> list[tuple[int, str]]:
    """(id, name) of the shop's business customers, by name: the records a partner links to."""
    rows = store.business_contacts(MAX_BUSINESSES)
    return [(int(row[0]), display_name(*row[1:])) for row in rows]  # type: ignore[arg-type, call-overload]


@dataclass(frozen=True)
class PartnerCustomers:
    total: int
    newest: tuple[tuple[int, str, str, str], ...]  # (id, name, card number, joined as stored)


def customers_of(partner_id: int, limit: int = 500) -> PartnerCustomers:
    """The customers who came through the partner: how many, and the newest limit of them."""
    total, rows = store.customers_of(partner_id, limit)
    return PartnerCustomers(
        total,
        tuple(
            (int(row[0]), display_name(*row[3:]), str(row[2] or ""), str(row[1]))  # type: ignore[arg-type, call-overload]
            for row in rows
        ),
    )
