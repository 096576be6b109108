"""Editing one contact in the detail editor: every field loaded, checked at once, saved as a diff.

The editor works on a ContactDetails snapshot. Saving runs every field through the cleaners
enrolment uses (relapp.domain.contacts.fields), so the form can mark every problem at once, then
writes only what differs from the stored contact, with one audit row of old and new values.
A snapshot older than the stored row is refused (EditConflict) instead of silently undoing
what someone else saved at another counter meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import contacts, tags
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.fields import (
    MAX_TEXT_LENGTH,
    InvalidContact,
    ProblemCollector,
    clean_birthday,
    clean_card,
    clean_email,
    clean_name,
    clean_phone,
    clean_text,
)
from relapp.domain.contacts.merged_records import merged_contact_ids, merged_into
from relapp.domain.contacts.naming import display_name
from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.profiles import ContactNotFound, current_consent
from relapp.domain.contacts.search import search_contacts
from relapp.domain.partners.referrals import checked_referral_partner
from relapp.domain.terms import CONSENT_CHANNELS, CONTACT_KINDS, LADDER_STAGES, PREFERENCE_KINDS
from relapp.errors import RelappError

MAX_TAG_LENGTH = 50
MAX_PREFERENCE_LENGTH = 500
MAX_NETWORK_LENGTH = 50
MAX_HANDLE_LENGTH = 100
MAX_METHOD_LENGTH = 100
MAX_NOTES_LENGTH = MAX_TEXT_LENGTH
# Single-line fields and their limits; an address line longer than this is a paste gone wrong.
LINE_LIMITS = {
    "street": 200,
    "locality": 100,
    "region": 100,
    "postcode": 20,
    "country": 100,
    "source": 100,
}

Pair = tuple[str, str]


class EditConflict(RelappError):
    """The contact was saved by someone else after this editor loaded it."""


@dataclass(frozen=True)
class ContactDetails:
    """Everything the detail editor shows; edit with dataclasses.replace and save."""

    id: int
    kind: str  # person or business
    given_name: str
    family_name: str
    organisation: str
    email: str  # "" if none
    phone: str  # as shown and typed: +61 412 345 678; "" if none
    street: str
    locality: str
    region: str
    postcode: str
    country: str
    birth_year: int | None  # a birthday may have no year
    birth_month: int | None
    birth_day: int | None
    card_number: str  # "" if none
    ladder_stage: str  # one of LADDER_STAGES
    referred_by_id: int | None
    referred_by_name: str  # for display only; saving reads referred_by_id
    source: str
    notes: str
    tags: tuple[str, ...]  # sorted case-insensitively
    preferences: tuple[Pair, ...]  # (kind, value), kind in PREFERENCE_KINDS
    social_handles: tuple[Pair, ...]  # (network, handle)
    # channel -> True (granted), False (withdrawn), None (never asked). Read only here:
    # record_consent() appends to the log. Not compared, so the snapshot stays hashable.
    consent: dict[str, bool | None] = field(compare=False)
    archived: bool
    created_at: datetime
    updated_at: datetime  # what the editor loaded; a newer stored value means a conflict
    referred_by_partner_id: int | None = None  # the partner they came through (schema 20)


# The contact columns the editor reads, in this order.
_COLUMNS = (
    "kind", "given_name", "family_name", "organisation", "email", "phone", "phone_national",
    "street", "locality", "region", "postcode", "country", "birth_year", "birth_month",
    "birth_day", "card_number", "ladder_stage", "referred_by_id", "source", "notes",
    "archived_at", "created_at", "updated_at", "referred_by_partner_id",
)  # fmt: skip
# Columns derived from another one, left out of the audit (phone_national follows phone).
_DERIVED = {"phone_national"}


@dataclass(frozen=True)
class _CleanEdit:
    """An edit in stored form: contact columns, tags, preferences and handles."""

    columns: dict[str, Any]
    tags: tuple[tuple[int | None, str], ...]  # (existing tag id or None to create, name)
    preferences: tuple[Pair, ...]
    social_handles: tuple[Pair, ...]


# ---------------------------------------------------------------------------------- loading


def load_contact_details(contact_id: int) -> ContactDetails:
    """The contact as the editor shows it; ContactNotFound if missing or erased."""
    stored = _stored_row(contact_id)
    return ContactDetails(
        id=contact_id,
        kind=stored["kind"],
        given_name=stored["given_name"],
        family_name=stored["family_name"],
        organisation=stored["organisation"],
        email=stored["email"] or "",
        phone=display_phone(stored["phone"]) if stored["phone"] else "",
        street=stored["street"],
        locality=stored["locality"],
        region=stored["region"],
        postcode=stored["postcode"],
        country=stored["country"],
        birth_year=stored["birth_year"],
        birth_month=stored["birth_month"],
        birth_day=stored["birth_day"],
        card_number=stored["card_number"] or "",
        ladder_stage=stored["ladder_stage"],
        referred_by_id=stored["referred_by_id"],
        referred_by_name=_name_of(stored["referred_by_id"]),
        source=stored["source"],
        notes=stored["notes"],
        tags=tuple(sorted(_stored_tags(contact_id).values(), key=str.casefold)),
        preferences=tuple((kind, value) for _, kind, value in contacts.preferences_of(contact_id)),
        social_handles=tuple(handle for _, handle in _stored_handles(contact_id)),
        consent=current_consent(contact_id),
        archived=stored["archived_at"] is not None,
        created_at=parse_timestamp(stored["created_at"]),
        updated_at=parse_timestamp(stored["updated_at"]),
        referred_by_partner_id=stored["referred_by_partner_id"],
    )


def _stored_row(contact_id: int) -> dict[str, Any]:
    row = contacts.unerased_contact_values(contact_id, _COLUMNS)
    if row is None:
        raise ContactNotFound(f"No customer with number {contact_id}.")
    return row


def _name_of(contact_id: int | None) -> str:
    if contact_id is None:
        return ""
    row = contacts.name_parts(contact_id)
    return display_name(*row) if row else ""


def _stored_tags(contact_id: int) -> dict[int, str]:
    return dict(tags.tags_of_contact(contact_id))


def _stored_handles(contact_id: int) -> list[tuple[int, Pair]]:
    rows = contacts.social_handles_of(contact_id)
    return [(row_id, (network, handle)) for row_id, network, handle in rows]


# ---------------------------------------------------------------------------------- saving


def save_contact_details(
    details: ContactDetails, phone_region: str, staff_id: int | None = None
) -> Change:
    """Check every field, then store what differs from the contact as it is now.

    The stored row is then newer than details: an editor that stays open reloads the contact
    (load_contact_details) before the next save, or that save is refused as a conflict.

    Raises:
        ContactNotFound: the contact is gone (erased or deleted).
        InvalidContact: problems by field name (the ContactDetails field names, "birthday").
        EditConflict: someone else saved the contact after details were loaded.
    """
    try:
        with lock_first():  # the write lock first: check and write as one
            stored = _stored_row(details.id)
            edit = _clean_edit(details, phone_region, stored)
            differences = _differences(details.id, stored, edit)
            if not differences:
                return Change.of()
            if parse_timestamp(stored["updated_at"]) > _as_utc(details.updated_at):
                raise EditConflict(
                    "Someone else saved this customer after you opened it. Reopen the"
                    " customer to see their changes, then make yours again."
                )
            now = utc_now()
            _write(details.id, stored, edit, now)
            _audit_edit(details.id, differences, staff_id, now)
    except IntegrityError as error:
        if "card_number" not in str(error):
            raise
        # A card issued at another counter between the check and the write.
        raise InvalidContact(
            {"card_number": "This card number already belongs to another customer."}
        ) from error
    return Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({details.id}))


def _clean_edit(details: ContactDetails, phone_region: str, stored: dict[str, Any]) -> _CleanEdit:
    """The edit in stored form, or InvalidContact naming every wrong field."""
    checks = ProblemCollector()
    columns: dict[str, Any] = {}
    for key in ("given_name", "family_name", "organisation"):
        columns[key] = checks.check(key, clean_name, getattr(details, key)) or ""
    if not checks.problems and not any(columns.values()):
        checks.add("given_name", "Enter a name or an organisation.")
    if details.kind not in CONTACT_KINDS:
        checks.add("kind", "A contact is either a person or a business.")
    columns["kind"] = details.kind
    columns["email"] = checks.check("email", clean_email, details.email)
    columns["phone"], columns["phone_national"] = _checked_phone(
        checks, details, phone_region, stored
    )
    for key, limit in LINE_LIMITS.items():
        columns[key] = checks.check(key, clean_line, getattr(details, key), limit) or ""
    birthday = checks.check(
        "birthday", clean_birthday, details.birth_year, details.birth_month, details.birth_day
    )
    columns["birth_year"], columns["birth_month"], columns["birth_day"] = birthday or (None,) * 3
    columns["card_number"] = checks.check(
        "card_number", clean_card, details.card_number, details.id
    )
    if details.ladder_stage not in LADDER_STAGES:
        checks.add(
            "ladder_stage", f"{details.ladder_stage!r} is not a stage of the loyalty ladder."
        )
    columns["ladder_stage"] = details.ladder_stage
    columns["referred_by_id"] = checks.check(
        "referred_by_id", _checked_referrer, details.id, details.referred_by_id,
        stored["referred_by_id"],
    )  # fmt: skip
    columns["referred_by_partner_id"] = checks.check(
        "referred_by_partner_id", checked_referral_partner, details.referred_by_partner_id,
        stored["referred_by_partner_id"],
    )  # fmt: skip
    columns["notes"] = checks.check("notes", clean_text, details.notes, MAX_NOTES_LENGTH) or ""
    columns["archived_at"] = _archived_at(details.archived, stored["archived_at"])
    if stored["archived_at"] is not None and not details.archived:
        survivor = merged_into(details.id)
        if survivor is not None:
            checks.add(
                "archived",
                f"This customer was merged into customer #{survivor}, who now holds their "
                "history and points; they stay archived.",
            )
    resolved_tags = checks.check("tags", resolve_tags, details.tags)
    preferences = checks.check("preferences", clean_preferences, details.preferences)
    handles = checks.check("social_handles", clean_social_handles, details.social_handles)
    checks.raise_if_any()
    return _CleanEdit(columns, tuple(resolved_tags or ()), preferences or (), handles or ())


def _checked_phone(
    checks: ProblemCollector, details: ContactDetails, region: str, stored: dict[str, Any]
) -> tuple[str | None, str | None]:
    """E.164 and national digits; an untouched number is kept as stored.

    Keeping it matters when phone metadata changes between releases: a number valid when it
    was stored must not block saving an unrelated field.
    """
    if stored["phone"] and details.phone == display_phone(stored["phone"]):
        return stored["phone"], stored["phone_national"]
    phone = checks.check("phone", clean_phone, details.phone, region)
    return (phone.e164, phone.national_digits) if phone else (None, None)


def clean_line(text: str, limit: int) -> str:
    """A one-line field (street, postcode, network): clean text with runs of space folded."""
    return " ".join(clean_text(text, limit).split())


def _checked_referrer(
    contact_id: int, referrer_id: int | None, stored_id: int | None
) -> int | None:
    """The referring contact: another live contact, not referred (even indirectly) by this one.

    An unchanged referrer is kept as it is, even if since erased: the referral happened.
    """
    if referrer_id is None or referrer_id == stored_id:
        return referrer_id
    if referrer_id == contact_id:
        raise ValueError("A customer cannot have referred themselves.")
    if not contacts.is_unerased(referrer_id):
        raise ValueError("The referring customer no longer exists.")
    if contacts.referral_chain_reaches(referrer_id, contact_id):
        raise ValueError(
            f"{_name_of(referrer_id)} was referred by this customer, directly or through"
            " others; referrals cannot go round in a circle."
        )
    return referrer_id


def _archived_at(archived: bool, stored: str | None) -> str | None:
    """Archiving keeps the first time it happened; unarchiving clears it."""
    if not archived:
        return None
    return stored or format_timestamp(utc_now())


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------ tags, preferences, handles


def clean_tag_name(text: str) -> str:
    """A new tag's name as stored: a clean name of 1 to MAX_TAG_LENGTH characters."""
    name = _folded_tag(text)
    if not name:
        raise ValueError("A tag needs a name.")
    if len(name) > MAX_TAG_LENGTH:
        raise ValueError(f"A tag can have at most {MAX_TAG_LENGTH} characters.")
    return name


def find_tag(name: str) -> tuple[int, str] | None:
    """The existing tag with this name in any letter case (the oldest, if several)."""
    return _existing_tags().get(_folded_tag(name).casefold())


def resolve_tags(names: Iterable[str]) -> list[tuple[int | None, str]]:
    """Each distinct tag as (existing id or None, name); an existing tag keeps its spelling.

    Letter case never makes two tags ("VIP" and "vip" are one), blank entries are dropped, and
    an existing tag is accepted as it is even if longer than a new one may be.
    """
    existing = _existing_tags()
    resolved: dict[str, tuple[int | None, str]] = {}
    for text in names:
        name = _folded_tag(text)
        key = name.casefold()
        if name and key not in resolved:
            resolved[key] = existing.get(key) or (None, clean_tag_name(name))
    return list(resolved.values())


def _folded_tag(text: str) -> str:
    try:
        return clean_name(text)
    except ValueError:  # longer than any name, so longer than any tag
        raise ValueError(f"A tag can have at most {MAX_TAG_LENGTH} characters.") from None


def _existing_tags() -> dict[str, tuple[int, str]]:
    """Tags by case-folded name. SQLite's NOCASE folds only ASCII; casefold() folds É too."""
    existing: dict[str, tuple[int, str]] = {}
    for tag_id, tag_name in tags.tags_by_age():
        existing.setdefault(tag_name.casefold(), (tag_id, tag_name))
    return existing


def clean_preferences(pairs: Iterable[Pair]) -> tuple[Pair, ...]:
    """Distinct (kind, value) pairs; rows left blank in the editor are dropped."""
    kept: list[Pair] = []
    for position, (kind, text) in enumerate(pairs, start=1):
        if kind not in PREFERENCE_KINDS:
            raise ValueError(
                f"{kind!r} is not a kind of preference: use {', '.join(PREFERENCE_KINDS)}."
            )
        value = _limited(text, MAX_PREFERENCE_LENGTH, f"Preference {position}")
        if value and (kind, value) not in kept:
            kept.append((kind, value))
    return tuple(kept)


def clean_social_handles(pairs: Iterable[Pair]) -> tuple[Pair, ...]:
    """Distinct (network, handle) pairs, letter case ignored; blank rows are dropped."""
    kept: dict[Pair, Pair] = {}
    for position, (network_text, handle_text) in enumerate(pairs, start=1):
        label = f"Social handle {position}"
        network = " ".join(_limited(network_text, MAX_NETWORK_LENGTH, label).split())
        handle = " ".join(_limited(handle_text, MAX_HANDLE_LENGTH, label).split())
        if not network and not handle:
            continue
        if not (network and handle):
            raise ValueError(f"{label} needs both a network and a handle.")
        kept.setdefault((network.casefold(), handle.casefold()), (network, handle))
    return tuple(kept.values())


def _limited(text: str, limit: int, label: str) -> str:
    try:
        return clean_text(text, limit)
    except ValueError:
        raise ValueError(f"{label} is too long: at most {limit:,} characters.") from None


# -------------------------------------------------------------------------- diff and write


def _differences(
    contact_id: int, stored: dict[str, Any], edit: _CleanEdit
) -> dict[str, tuple[Any, Any]]:
    """Changed fields (ContactDetails names) -> (old, new), in stored form."""
    changed: dict[str, tuple[Any, Any]] = {}
    for column, new in edit.columns.items():
        old = stored[column]
        if column in _DERIVED or old == new:
            continue
        if column == "archived_at":
            changed["archived"] = (old is not None, new is not None)
        else:
            changed[column] = (old, new)
    old_tags = sorted(_stored_tags(contact_id).values(), key=str.casefold)
    new_tags = sorted((name for _, name in edit.tags), key=str.casefold)
    if old_tags != new_tags:
        changed["tags"] = (old_tags, new_tags)
    old_preferences = [(kind, value) for _, kind, value in contacts.preferences_of(contact_id)]
    if sorted(old_preferences) != sorted(edit.preferences):
        changed["preferences"] = (old_preferences, list(edit.preferences))
    old_handles = [pair for _, pair in _stored_handles(contact_id)]
    if sorted(old_handles) != sorted(edit.social_handles):
        changed["social_handles"] = (old_handles, list(edit.social_handles))
    return changed


def _write(contact_id: int, stored: dict[str, Any], edit: _CleanEdit, now: datetime) -> None:
    changed = {key: value for key, value in edit.columns.items() if stored[key] != value}
    contacts.update_contact(contact_id, changed, format_timestamp(now))
    _replace_tags(contact_id, edit.tags)
    _replace_preferences(contact_id, edit.preferences, now)
    _replace_handles(contact_id, edit.social_handles)


def _replace_tags(contact_id: int, wanted: Iterable[tuple[int | None, str]]) -> None:
    tag_ids = [tag_id if tag_id is not None else create_tag(name) for tag_id, name in wanted]
    tags.set_tags_of_contact(contact_id, tag_ids)


def create_tag(name: str) -> int:
    """A new tag (name already cleaned: clean_tag_name or resolve_tags); its id."""
    return tags.insert_tag(name)


def _replace_preferences(contact_id: int, wanted: tuple[Pair, ...], now: datetime) -> None:
    """Keep the rows (and so the dates) of unchanged preferences; drop and add the rest."""
    missing = list(wanted)
    for row_id, kind, value in contacts.preferences_of(contact_id):
        if (kind, value) in missing:
            missing.remove((kind, value))
        else:
            contacts.delete_preference(row_id)
    for kind, value in missing:
        contacts.insert_preference(contact_id, kind, value, format_timestamp(now))


def _replace_handles(contact_id: int, wanted: tuple[Pair, ...]) -> None:
    missing = list(wanted)
    for row_id, pair in _stored_handles(contact_id):
        if pair in missing:
            missing.remove(pair)
        else:
            contacts.delete_social_handle(row_id)
    for network, handle in missing:
        contacts.insert_social_handle(contact_id, network, handle)


def _audit_edit(
    contact_id: int, differences: dict[str, tuple[Any, Any]], staff_id: int | None, now: datetime
) -> None:
    """One audit row: the changed fields and their old and new values.

    Notes are only named: they can be long and hold what the customer said in confidence.
    """
    values = {name: list(pair) for name, pair in differences.items() if name != "notes"}
    write_audit(
        "contact edited", "contact", contact_id,
        {"fields": sorted(differences), "values": values}, now, staff_id,
    )  # fmt: skip


# ------------------------------------------------------------------------ consent and pickers


def record_consent(
    contact_id: int, channel: str, granted: bool, method: str, staff_id: int | None = None
) -> Change:
    """Append a consent event (the log is never edited); nothing if the state is already so.

    Raises:
        ValueError: channel is not one of CONSENT_CHANNELS (a programming error).
        InvalidContact: method (how consent was given: "in person", "form") is too long.
        ContactNotFound: the contact is missing or erased.
    """
    if channel not in CONSENT_CHANNELS:
        raise ValueError(
            f"{channel!r} is not a consent channel: use {', '.join(CONSENT_CHANNELS)}."
        )
    checks = ProblemCollector()
    how = checks.check("method", clean_line, method, MAX_METHOD_LENGTH)
    checks.raise_if_any()
    with lock_first():
        _stored_row(contact_id)
        if current_consent(contact_id)[channel] is bool(granted):
            return Change.of()
        contacts.insert_consent_event(
            contact_id, channel, bool(granted), format_timestamp(utc_now()), how, staff_id
        )
    return Change.of(Entity.CONTACTS, contact_ids=frozenset({contact_id}))


def referral_candidates(
    text: str, limit: int = 10, exclude_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, name) of contacts matching text, for the referred-by picker.

    Archived contacts are offered too: someone who once referred a friend still did.
    exclude_id leaves out the contact being edited (who cannot refer themselves).
    """
    hits = search_contacts(text, limit=limit + 1, include_archived=True)
    # A merged contact's survivor is the one to pick; the empty shell would only confuse.
    merged = merged_contact_ids() if any(hit.archived for hit in hits) else frozenset()
    return [(hit.id, hit.name) for hit in hits if hit.id != exclude_id and hit.id not in merged][
        :limit
    ]


def all_tags() -> list[tuple[str, int]]:
    """Every tag with how many contacts (erased ones aside) carry it, by name."""
    rows = tags.tag_use_counts()
    return sorted(rows, key=lambda row: (row[0].casefold(), row[0]))
