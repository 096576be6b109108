"""Merging two contacts who are the same customer into one.

One contact survives; the other (the merged contact) is kept, archived and marked, because its
points ledger rows must stay where they were written (the ledger is append-only and refers to
contacts with ON DELETE RESTRICT). Everything else moves to the survivor in one transaction:
interactions, tasks, tags, preferences, consent events, social handles, referrals, points,
gift cards, memberships, vouchers, named survey responses, when they were asked for one,
competition entries and a partner business's link to its record.

Rules chosen here:

* Fields. merge_preview() lists every mergeable field with both values and a default choice:
  the survivor's value unless it is empty and the other's is not. Exceptions: the ladder stage
  defaults to the higher stage; the address (street, locality, region, postcode, country)
  defaults as one block, so two half addresses are never spliced into a place that does not
  exist; notes default to "both" (survivor's, a blank line, the other's) when both have text.
  The phone carries its national digits and the birthday its three parts as one field.
* Referrals. Contacts the merged contact referred now name the survivor. A survivor never
  refers to itself: a chosen referrer that is either of the two contacts becomes no referrer.
* Duplicates are skipped, not doubled: a tag, a preference (same kind and value) or a social
  handle the survivor already has stays once; the merged contact's copy is removed.
  Consent events all move; the current consent is still the latest event per channel.
* Points. The merged contact's balance moves through the ledger, never by editing it: one
  negative "transfer" entry empties the merged contact, and positive "transfer" entries on the
  survivor add the same total. Expiry is kept: the merged contact's ledger is replayed into
  lots (each positive entry is a lot with its expires_at; each negative entry spends the lot it
  reverses, if any, then the soonest-expiring lots first, lots that never expire last, which
  is "oldest points first" for points earned under one program). Each remaining lot becomes one
  positive entry with the lot's expires_at (lots expiring at the same moment are combined), so
  the entries sum to the balance exactly. A lot whose expiry has passed but was never expired
  in the ledger keeps its past date: the merge neither forgives nor hastens an expiry.
* Gift cards move to the survivor as they are (holder only: codes, balances and their ledger
  do not change). Memberships move with their payments, history kept: a renewal still names
  the membership it renews, and the status of each comes from its dates as before.
* Partners (schema 20). The survivor keeps the partner business it came through, or takes
  the merged contact's if it has none. A partner's link to its business record moves to the
  survivor; if both records are each a partner's, the merge is refused until one is unlinked
  (a partner has one record and a record one partner, and which agreement the merged
  business keeps is the owner's to say, in Campaigns > Partners). Vouchers move as they are;
  the use of a shared promotion code becomes the survivor's (once per customer, so it cannot
  be used again under the survivor's number), unless the survivor used it too.
* Listening (schema 21). Named survey responses (their answers follow them), the record of
  when the customer was asked, and competition entries (a draw names entries, so a recorded
  draw still checks) move to the survivor. An entry limit per person may then be exceeded:
  the entries were made before anyone knew the two were one.
* Two memberships running at once. If both contacts have a membership that is current or
  pending (not cancelled, not ended), the merge is refused until one is cancelled: the
  customer has paid twice for the same time, which the shop should see and settle (refund,
  cancel one) rather than find later, and every other rule assumes one membership at a
  time (joining is refused while one runs; only the latest renews). One in grace beside a
  current one is merged: it has ended, nothing is paid twice, and the later one is the
  latest, the one that renews.
* Tier. The survivor keeps the higher of the two cached tiers, then its tier is recomputed
  from the combined spend in the same transaction.
* The merged contact is archived, its card number cleared (so the survivor can take it), and
  its notes start with a line saying whom it was merged into. The audit log row ("contacts
  merged") is the record a program reads: it names both contacts and holds their previous
  values, the choices and what moved; relapp.domain.contacts.merged_records reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, cast

from relapp.db.audit import write_audit
from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store import contacts as contact_store
from relapp.db.store import merge as merge_store
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.merged_records import MERGE_ACTION, merged_into
from relapp.domain.contacts.naming import display_name
from relapp.domain.loyalty.ledger import recompute_tier
from relapp.domain.loyalty.lots import remaining_lots
from relapp.domain.memberships.members import memberships_of
from relapp.domain.memberships.status import CURRENT, PENDING, Membership, shop_today
from relapp.domain.shop.formats import format_day
from relapp.domain.terms import LADDER_STAGES
from relapp.errors import RelappError

Choice = Literal["survivor", "other", "both"]

# Field name -> the contact columns it stands for.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind",),
    "given_name": ("given_name",),
    "family_name": ("family_name",),
    "organisation": ("organisation",),
    "email": ("email",),
    "phone": ("phone", "phone_national"),
    "street": ("street",),
    "locality": ("locality",),
    "region": ("region",),
    "postcode": ("postcode",),
    "country": ("country",),
    "birthday": ("birth_year", "birth_month", "birth_day"),
    "card_number": ("card_number",),
    "ladder_stage": ("ladder_stage",),
    "referred_by": ("referred_by_id",),
    "source": ("source",),
    "notes": ("notes",),
}
MERGEABLE_FIELDS = tuple(FIELD_COLUMNS)
ADDRESS_FIELDS = ("street", "locality", "region", "postcode", "country")
_CONTACT_COLUMNS = (
    "id",
    *(column for columns in FIELD_COLUMNS.values() for column in columns),
    "archived_at",
    "erased_at",
    "tier_id",
    "points_balance",
    "referred_by_partner_id",  # not chosen: see Partners in the module docstring
)


class MergeRefused(RelappError):
    """These two contacts cannot be merged; the message says why."""


@dataclass(frozen=True)
class MergeField:
    """One mergeable field: both contacts' values as shown to a person, and the default."""

    name: str
    survivor: str  # "" when empty
    other: str
    default: Choice

    @property
    def differs(self) -> bool:
        return self.survivor != self.other

    @property
    def choices(self) -> tuple[Choice, ...]:
        return allowed_choices(self.name)


@dataclass(frozen=True)
class MergeCounts:
    """What moves from the merged contact to the survivor (duplicates not counted)."""

    interactions: int = 0
    tasks: int = 0
    tags: int = 0
    preferences: int = 0
    consent_events: int = 0
    social_handles: int = 0
    points: int = 0
    referrals: int = 0
    gift_cards: int = 0
    memberships: int = 0
    referral_partner: int = 0  # 1: the survivor takes the partner the other came through
    partner_link: int = 0  # 1: a partner's link to its business record moves
    vouchers: int = 0
    survey_responses: int = 0
    surveys_asked: int = 0
    competition_entries: int = 0


@dataclass(frozen=True)
class MergePreview:
    survivor_id: int
    other_id: int
    survivor_name: str
    other_name: str
    fields: tuple[MergeField, ...]
    moves: MergeCounts

    def default_choices(self) -> dict[str, Choice]:
        return {item.name: item.default for item in self.fields}


def merge_preview(survivor_id: int, other_id: int) -> MergePreview:
    """Both contacts side by side, a default choice per field, and what would move."""
    survivor, other = _mergeable_pair(survivor_id, other_id)
    _refuse_two_running_memberships(survivor, other, utc_now())
    _refuse_two_partners(survivor, other)
    fields = tuple(
        MergeField(
            name,
            _shown(name, survivor),
            _shown(name, other),
            _default_choice(name, survivor, other),
        )
        for name in MERGEABLE_FIELDS
    )
    return MergePreview(
        survivor_id,
        other_id,
        _name(survivor),
        _name(other),
        fields,
        _counts_to_move(survivor_id, other_id, other["points_balance"]),
    )


def merge_contacts(
    survivor_id: int,
    other_id: int,
    choices: Mapping[str, Choice] | None = None,
    staff_id: int | None = None,
) -> Change:
    """Merge other into survivor in one transaction; see the module docstring for the rules.

    Args:
        choices: field name -> "survivor" or "other" ("both" for notes); fields left out
            take merge_preview()'s default.
        staff_id: who merged, for the ledger entries and the audit log.

    Raises:
        MergeRefused: the same contact twice, a missing or erased contact, one already
            merged into another, both with a membership running (cancel one first), or
            both linked to a partner business (unlink one first).
        ValueError: an unknown field or choice (a programming error).
    """
    with database.atomic():
        survivor, other = _mergeable_pair(survivor_id, other_id)
        resolved = _resolve_choices(choices or {}, survivor, other)
        now = utc_now()
        _refuse_two_running_memberships(survivor, other, now)
        _refuse_two_partners(survivor, other)
        _retire_other(other, survivor, now)
        _apply_fields(survivor, other, resolved, now)
        moved = _move_rows(survivor_id, other_id)
        entry_ids = _transfer_points(survivor, other, now, staff_id)
        moved["points"] = other["points_balance"]
        _write_audit(survivor, other, resolved, MergeCounts(**moved), entry_ids, now, staff_id)
        # The survivor's spend now includes the other's purchases: its tier may rise.
        recompute_tier(survivor_id, now)
    return Change.of(
        Entity.CONTACTS,
        Entity.POINTS,
        Entity.INTERACTIONS,
        Entity.TAGS,
        Entity.TASKS,
        Entity.GIFT_CARDS,
        Entity.MEMBERSHIPS,
        Entity.PARTNERS,
        Entity.CAMPAIGNS,  # their vouchers
        Entity.SURVEYS,
        Entity.COMPETITIONS,
        contact_ids=frozenset({survivor_id, other_id}),
    )


def allowed_choices(field_name: str) -> tuple[Choice, ...]:
    """Notes can keep both texts; any other field takes one contact's value."""
    return ("survivor", "other", "both") if field_name == "notes" else ("survivor", "other")


def _mergeable_pair(survivor_id: int, other_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    if survivor_id == other_id:
        raise MergeRefused("A contact cannot be merged with itself.")
    return _mergeable(survivor_id), _mergeable(other_id)


def _mergeable(contact_id: int) -> dict[str, Any]:
    row = contact_store.contact_values(contact_id, _CONTACT_COLUMNS)
    if row is None:
        raise MergeRefused(f"There is no contact number {contact_id}.")
    contact = dict(zip(_CONTACT_COLUMNS, row, strict=True))
    if contact["erased_at"] is not None:
        raise MergeRefused(
            f"Contact number {contact_id} has been erased; an erased contact cannot be merged."
        )
    survivor_id = merged_into(contact_id)
    if survivor_id is not None:
        raise MergeRefused(
            f"{_name(contact) or 'This contact'} (number {contact_id}) was already merged "
            f"into contact number {survivor_id}; merge with that contact instead."
        )
    return contact


def _running(contact_id: int, now: datetime) -> Membership | None:
    """The contact's membership that is current or pending on the shop's day, if any."""
    today = shop_today(now)
    return next(
        (held for held in memberships_of(contact_id) if held.status(today) in (CURRENT, PENDING)),
        None,
    )


def _refuse_two_running_memberships(
    survivor: Mapping[str, Any], other: Mapping[str, Any], now: datetime
) -> None:
    """MergeRefused if both have a membership running (the module docstring says why)."""
    mine, theirs = _running(survivor["id"], now), _running(other["id"], now)
    if mine is None or theirs is None:
        return
    raise MergeRefused(
        f"Both customers have a membership running ({_label(survivor)}: {mine.plan_name} to"
        f" {format_day(mine.ends_on)}; {_label(other)}: {theirs.plan_name} to"
        f" {format_day(theirs.ends_on)}): cancel one of them first, then merge."
    )


def _refuse_two_partners(survivor: Mapping[str, Any], other: Mapping[str, Any]) -> None:
    """MergeRefused if both records are a partner business's own (the module docstring says
    why)."""
    linked = dict(merge_store.partners_linked([survivor["id"], other["id"]]))
    if len(linked) < 2:
        return
    raise MergeRefused(
        f"Both records are linked to a partner business ({linked[survivor['id']]} and"
        f" {linked[other['id']]}); unlink one in Campaigns > Partners… before merging them."
    )


def _name(contact: Mapping[str, Any]) -> str:
    return display_name(
        contact["kind"], contact["given_name"], contact["family_name"], contact["organisation"]
    )


def _label(contact: Mapping[str, Any]) -> str:
    name = _name(contact)
    return f"{name} (#{contact['id']})" if name else f"contact #{contact['id']}"


def _is_empty(name: str, contact: Mapping[str, Any]) -> bool:
    return all(contact[column] in (None, "") for column in FIELD_COLUMNS[name])


def _shown(name: str, contact: Mapping[str, Any]) -> str:
    """A field's value as text for a person to compare; "" when empty."""
    if name == "birthday":
        year, month, day = (contact[c] for c in FIELD_COLUMNS["birthday"])
        if month is None:
            return ""
        return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
    if name == "referred_by":
        referrer = contact["referred_by_id"]
        if referrer is None:
            return ""
        # referred_by_id is a foreign key (ON DELETE SET NULL): the referrer exists.
        row = cast("tuple[int, str, str, str, str]", merge_store.contact_name_parts(referrer))
        keys = ("id", "kind", "given_name", "family_name", "organisation")
        return _label(dict(zip(keys, row, strict=True)))
    value = contact[FIELD_COLUMNS[name][0]]
    return "" if value is None else str(value)


def _default_choice(name: str, survivor: Mapping[str, Any], other: Mapping[str, Any]) -> Choice:
    if name == "ladder_stage":
        higher = LADDER_STAGES.index(other["ladder_stage"]) > LADDER_STAGES.index(
            survivor["ladder_stage"]
        )
        return "other" if higher else "survivor"
    if name in ADDRESS_FIELDS:
        has_address = [any(c[f] for f in ADDRESS_FIELDS) for c in (survivor, other)]
        return "other" if has_address == [False, True] else "survivor"
    if name == "referred_by":
        usable = [_usable_referrer(c["referred_by_id"], survivor, other) for c in (survivor, other)]
        return "other" if usable[0] is None and usable[1] is not None else "survivor"
    survivor_empty, other_empty = _is_empty(name, survivor), _is_empty(name, other)
    if name == "notes" and not survivor_empty and not other_empty:
        return "survivor" if survivor["notes"].strip() == other["notes"].strip() else "both"
    return "other" if survivor_empty and not other_empty else "survivor"


def _usable_referrer(
    referrer: int | None, survivor: Mapping[str, Any], other: Mapping[str, Any]
) -> int | None:
    """A referrer the survivor may keep: never itself, nor the contact merged into it."""
    return None if referrer in (survivor["id"], other["id"]) else referrer


def _resolve_choices(
    choices: Mapping[str, str], survivor: Mapping[str, Any], other: Mapping[str, Any]
) -> dict[str, Any]:
    unknown = sorted(set(choices) - set(MERGEABLE_FIELDS))
    if unknown:
        raise ValueError(f"not mergeable fields: {', '.join(unknown)}")
    resolved = {}
    for name in MERGEABLE_FIELDS:
        choice = choices.get(name) or _default_choice(name, survivor, other)
        if choice not in allowed_choices(name):
            raise ValueError(f"field {name} takes one of {allowed_choices(name)}, not {choice!r}")
        resolved[name] = choice
    return resolved


def _chosen_values(
    resolved: Mapping[str, str], survivor: Mapping[str, Any], other: Mapping[str, Any]
) -> dict[str, Any]:
    """Column -> the value the survivor ends up with."""
    values = {}
    for name, choice in resolved.items():
        source = other if choice == "other" else survivor
        for column in FIELD_COLUMNS[name]:
            values[column] = source[column]
    if resolved["notes"] == "both":
        values["notes"] = f"{survivor['notes'].rstrip()}\n\n{other['notes'].strip()}"
    values["referred_by_id"] = _usable_referrer(values["referred_by_id"], survivor, other)
    return values


def _retire_other(other: Mapping[str, Any], survivor: Mapping[str, Any], now: datetime) -> None:
    """Archive and mark the merged contact, freeing its card before the survivor may take it."""
    stamp = format_timestamp(now)
    marker = f"Merged into {_label(survivor)} on {now.date().isoformat()}."
    notes = f"{marker}\n\n{other['notes']}" if other["notes"].strip() else marker
    merge_store.retire_merged_contact(other["id"], survivor["id"], notes, stamp)


def _apply_fields(
    survivor: Mapping[str, Any],
    other: Mapping[str, Any],
    resolved: Mapping[str, str],
    now: datetime,
) -> None:
    values = _chosen_values(resolved, survivor, other)
    values["tier_id"] = _higher_tier(survivor["tier_id"], other["tier_id"])
    values["updated_at"] = format_timestamp(now)
    merge_store.set_contact_values(survivor["id"], values)


def _higher_tier(first: int | None, second: int | None) -> int | None:
    if first is None or second is None:
        return first if second is None else second
    higher = merge_store.higher_tier(first, second)
    return first if higher is None else higher


def _move_rows(survivor_id: int, other_id: int) -> dict[str, int]:
    return merge_store.move_rows(survivor_id, other_id)


def _counts_to_move(survivor_id: int, other_id: int, points: int) -> MergeCounts:
    return MergeCounts(points=points, **merge_store.rows_to_move(survivor_id, other_id))


def _transfer_points(
    survivor: Mapping[str, Any], other: Mapping[str, Any], now: datetime, staff_id: int | None
) -> list[int]:
    """Move the merged contact's balance through new ledger entries; return their ids."""
    balance = other["points_balance"]
    if balance <= 0:
        return []
    lots = remaining_lots(other["id"])
    if sum(lot.points for lot in lots) != balance:
        raise RuntimeError(f"the ledger of contact {other['id']} does not add up to its balance")
    stamp = format_timestamp(now)
    rows: list[tuple[int, int, str | None, str]] = [
        (other["id"], -balance, None, f"Moved to {_label(survivor)}: contacts merged")
    ]
    rows += [
        (
            survivor["id"],
            lot.points,
            None if lot.expires_at is None else format_timestamp(lot.expires_at),
            f"From {_label(other)}: contacts merged",
        )
        for lot in lots
    ]
    return [
        merge_store.add_transfer_entry(contact_id, points, stamp, expires_at, staff_id, reason)
        for contact_id, points, expires_at, reason in rows
    ]


def _write_audit(
    survivor: Mapping[str, Any],
    other: Mapping[str, Any],
    resolved: Mapping[str, str],
    moved: MergeCounts,
    entry_ids: list[int],
    now: datetime,
    staff_id: int | None,
) -> None:
    details = {
        "survivor_id": survivor["id"],
        "merged_id": other["id"],
        "survivor_before": dict(survivor),
        "merged_before": dict(other),
        "choices": dict(resolved),
        "moved": asdict(moved),
        "points_entries": entry_ids,
    }
    write_audit(MERGE_ACTION, "contact", survivor["id"], details, now, staff_id)
