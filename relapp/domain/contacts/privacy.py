"""Per-person data export and erasure (GDPR articles 15, 17 and 20).

Export. export_person() writes one zip: person.json (everything stored about the person, see
EXPORT_KEYS), person.vcf (relapp.exchange.vcard.contact_vcard, when that module is present)
and summary.pdf (relapp.reports.privacy_summary). Contacts that were merged into the person
(archived shells that keep their own ledger rows) belong to the same person and are included.

Erasure. erase_person() removes the personal data of a contact and of the contacts merged into
it, in one write transaction, and keeps what the accounts need:

* the contact row stays, with erased_at set and every personal column emptied (names, email,
  phone, address, birthday, card number, notes); id, kind, ladder stage, dates, tier, cached
  balance and referred_by stay (ids only). Search, lists and reports already skip erased rows.
* interactions keep kind, direction, times, amount, score, status and staff; summary and
  details are blanked. Tasks, preferences, social handles, consent events (and so the current
  consent) and tag links are deleted, and so are the tags no other contact carries (a tag
  used by one person can name them). Their emails in the outbox are deleted whatever their
  state (each holds their name and address; a queued one is then never sent).
* memberships and their payments stay, unchanged: they hold no personal data once the
  contact row is emptied (ids, plan, dates, amounts, staff), and the members report's figures
  (fees by month, joins, renewals, lapses, the renewal rate) are the shop's accounts, kept as
  purchases' amounts and the points ledger are. Their history notes are blanked with the
  other interactions. Vouchers stay too (a code, its offer, whether used: the campaign's and
  the partner report's figures), and so does referred_by_partner_id (an id, as referred_by).
* a partner business whose own customer record this is keeps everything but the link: its
  contact_id is emptied (the partner is the shop's agreement, not the person's data).
* named survey responses are deleted with their answers, and so is the record of when the
  person was asked (survey_asked). Anonymous responses were never theirs to begin with: they
  name no one. The feedback entry a response put on the timeline stays as every other
  interaction does (its text blanked, its score kept).
* competition entries stay without the person (contact_id and the history entry emptied), so
  a recorded draw, which names entries, can still be run again and checked; a winning entry
  stays a winner, of no one.
* gift cards are the shop's debt to whoever holds them, not personal data: the person's
  cards are detached (contact_id emptied: bearer cards, their balance and code still good)
  and never deleted; their ledger is append-only, every entry and amount stays. A note
  (a reversal's reason) naming the person has their strings replaced by "[erased]", the
  update trigger lifted for that one statement as for the points ledger.
* the points ledger keeps every entry and amount, so balances and liability totals do not
  move. Reasons are free text and may name the person (a merge transfer, a referral bonus on
  the referrer's ledger, a manager's adjustment): the person's reasons become "[erased]", and
  the person's names, email, phone and card number are replaced by "[erased]" in every other
  reason. The ledger is append-only by trigger; for this one statement the update trigger is
  dropped and re-created from its stored SQL in the same transaction.
* audit rows about the person (edits with old values, enrolment, merges, bulk actions naming
  them) keep their action, time and staff; every personal value in their details becomes
  "[erased]", and the person's strings are replaced in any other row that holds them.
* one audit row "contact erased" records who erased which customer number, and when, without
  any personal data.

Then the search index is optimised (an FTS5 delete only adds a tombstone: the old tokens stay
in older segments until they are merged), a few hundred pages per transaction so a sale at
the counter is not kept waiting, and the WAL is checkpointed with TRUNCATE. (The ledger is
searched for the person's strings before the erasure takes the write lock, for the same
reason; only rows added since are searched under it.) With
secure_delete on, freed cells and pages are zeroed, so the person's strings no longer appear
anywhere in the .db, -wal or -shm files (tests/privacy scan the raw bytes). A checkpoint that
another connection blocks is reported (ErasureResult.checkpoint_complete), not hidden.

Backups are not altered: erasure lists the backups (*.db in the backup folder) that still hold
the person, so the shop can delete or replace them.

Who may erase: in the app, an active manager (require_manager). The command line runs as the
shop owner (as_owner=True): whoever can run commands on the database file owns it; the audit
row then names no staff member and says "command line".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from relapp.db.audit import write_audit
from relapp.db.busy import give_way, write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.models import database
from relapp.db.store import engine
from relapp.db.store import privacy as privacy_store
from relapp.db.store import search as search_store
from relapp.db.store.vouchers import OfferRow
from relapp.domain.campaigns.vouchers import describe, printed
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.merged_records import merged_into, merged_into_this
from relapp.domain.contacts.naming import display_name
from relapp.domain.giftcards.cards import shown_code
from relapp.domain.memberships.status import CANCELLED, shop_today, status_of_dates
from relapp.domain.shop.staff import require_manager
from relapp.errors import RelappError

ERASED = "[erased]"
ERASE_ACTION = "contact erased"
EXPORT_ACTION = "personal data exported"
EXPORT_FORMAT = "relapp-person-export"
EXPORT_VERSION = 1
# Pages of the search index merged per transaction when it is optimised after an erasure.
OPTIMIZE_PAGES = 500

# Contact columns holding personal data, and what erasure writes into them.
PERSONAL_COLUMNS: dict[str, object] = {
    "given_name": "",
    "family_name": "",
    "organisation": "",
    "email": None,
    "phone": None,
    "phone_national": None,
    "street": "",
    "locality": "",
    "region": "",
    "postcode": "",
    "country": "",
    "birth_year": None,
    "birth_month": None,
    "birth_day": None,
    "card_number": None,
    "notes": "",
}
# Keys in audit details whose values are a contact's personal data (wherever they nest).
_PERSONAL_KEYS = frozenset(PERSONAL_COLUMNS) | {"name", "card", "phone_national", "birthday"}
_TIMESTAMP_COLUMNS = frozenset({
    "created_at", "updated_at", "archived_at", "erased_at", "occurred_at", "expires_at",
    "first_response_at", "resolved_at", "refunded_at", "due_at", "done_at", "queued_at",
    "claimed_at", "sent_at", "sold_at", "paid_at", "cancelled_at", "redeemed_at", "valid_from",
    "valid_until", "answered_at", "entered_at", "notified_at",
})  # fmt: skip
# The top of each scored survey question's scale (schema 21: a rating 1-5, an NPS score 0-10).
RATING_SCALES = {"rating": 5, "nps": 10}
# Strings shorter than this are not searched for in other rows' free text ("Al" is in
# "Alpha"): only whole names, email, phone and card number are.
_MIN_TERM = 4

# The keys of person.json and what each holds: written into the file as "keys".
EXPORT_KEYS: dict[str, str] = {
    "format": f"always {EXPORT_FORMAT!r}",
    "version": "version of this layout",
    "exported_at": "when the file was written (ISO 8601, UTC)",
    "contact_id": "the customer number",
    "status": "active, archived, merged (into merged_into) or erased",
    "merged_into": "customer number this record was merged into, or null",
    "contact": "the contact row: names, email, phone (E.164), address, birthday, card, "
    "ladder stage, referred_by_id, source, notes, dates, points balance, tier",
    "merged_contacts": "records merged into this one (the same person), same layout as contact",
    "referred_contact_ids": "customer numbers this person referred (ids only)",
    "tags": "tag names",
    "preferences": "likes, dislikes, sizes and notes",
    "social_handles": "network and handle",
    "consent_events": "the consent log per channel: granted or withdrawn, when, how, by whom",
    "current_consent": "per channel: true (granted), false (withdrawn); absent: never asked",
    "interactions": "visits, purchases (amount_cents), calls, messages, queries, complaints, "
    "feedback, notes, each with its time and text",
    "tasks": "follow-ups about the person",
    "emails": "campaign emails sent or to be sent from Relapp: the address, the whole message, "
    "its state (queued, sending, sent, failed, in_doubt) and when",
    "points_ledger": "every loyalty ledger entry, oldest first (points, kind, reason)",
    "points_balance": "sum of the ledger",
    "gift_cards": "gift cards held: the code as printed, when sold, when it expires (null: never),"
    " the balance in cents, and its ledger entries oldest first (sale, redeem, reversal,"
    " expiry; amount_cents signed)",
    "memberships": "memberships, oldest first: the plan, starts_on, ends_on and grace_until"
    " (the shop's calendar days), the status on the day of the export (pending, current,"
    " grace, expired or cancelled), cancelled_at, renewed_from_id, and the payments made",
    "referral_partner": "the partner business the person came through (its name), or null",
    "partner_business": "the partner business whose own customer record this is (its name),"
    " or null",
    "vouchers": "vouchers given to the person or redeemed by them: the code as printed (a"
    " shared promotion code as it is), the offer (kind, value, in words), the least purchase,"
    " valid_from and valid_until, whether and when it was redeemed, and where it came from"
    " (the campaign, the partner, a partner batch's direction and label)",
    "survey_answers": "the person's named survey and poll responses, oldest first: the survey,"
    " the version of its questions, when and where (counter or paper) it was given, and each"
    " question with the answer in words. Anonymous responses are not here: nothing links"
    " them to anyone, so they cannot be found for a person (nor erased with them)",
    "competition_entries": "competition entries: the competition, how it was entered"
    " (counter, paper, purchase, no_purchase), when, and whether it won (its place in the"
    " draw)",
    "audit_log": "audit rows about the person (details as recorded)",
    "files": "the files of the export and what each is",
}


class PersonNotFound(RelappError):
    """No contact has this number."""


class AlreadyErased(RelappError):
    """The contact's personal data was erased before."""


@dataclass(frozen=True)
class ErasureResult:
    contact_id: int
    erased_ids: tuple[int, ...]  # the contact and the contacts merged into it
    erased_at: datetime
    backups_holding: list[Path]  # backups that still hold the person's data
    unreadable_backups: list[Path] = field(default_factory=list)  # could not be checked
    checkpoint_complete: bool = True  # False: another connection kept WAL frames alive
    gift_cards_detached: tuple[int, ...] = ()  # their cards, bearer cards from now on
    partners_unlinked: tuple[int, ...] = ()  # partners whose business record this was
    survey_responses_deleted: int = 0  # their named responses, with the answers
    competition_entries_kept: tuple[int, ...] = ()  # their entries, now of no one
    change: Change = field(default_factory=Change.of)


# ------------------------------------------------------------------------------- gathering


def _iso_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_iso(row) for row in rows]


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    for name in _TIMESTAMP_COLUMNS & row.keys():
        if row[name] is not None:
            row[name] = parse_timestamp(row[name]).isoformat()
    return row


def _contact_row(contact_id: int) -> dict[str, Any]:
    row = privacy_store.contact_with_tier(contact_id)
    if row is None:
        raise PersonNotFound(f"There is no customer number {contact_id}.")
    return _iso(row)


def person_ids(contact_id: int) -> tuple[int, ...]:
    """The contact and every contact merged into it (through earlier merges too)."""
    found = [contact_id]
    index = 0
    while index < len(found):
        found += [merged for merged in merged_into_this(found[index]) if merged not in found]
        index += 1
    return tuple(found)


def person_data(contact_id: int) -> dict[str, Any]:
    """Everything stored about the person, as person.json holds it (see EXPORT_KEYS).

    Raises:
        PersonNotFound: no contact has this number.
        AlreadyErased: it was erased; nothing personal is left to export.
    """
    contact = _contact_row(contact_id)
    if contact["erased_at"] is not None:
        raise AlreadyErased(
            f"Customer number {contact_id}'s personal data was erased on "
            f"{contact['erased_at'][:10]}; there is nothing left to export."
        )
    ids = person_ids(contact_id)
    survivor = merged_into(contact_id)
    if survivor is not None:
        status = "merged"
    elif contact["archived_at"] is not None:
        status = "archived"
    else:
        status = "active"
    audit_rows = _iso_rows(privacy_store.audit_rows_about(ids))
    for row in audit_rows:
        with suppress(ValueError):  # a row written by hand may hold plain text
            row["details"] = json.loads(row["details"])
    ledger = _iso_rows(privacy_store.ledger_rows(ids))
    consent_events = _iso_rows(privacy_store.consent_event_rows(ids))
    for event in consent_events:
        event["granted"] = bool(event["granted"])
    current = {}
    for event in consent_events:
        if event["contact_id"] == contact_id:
            current[event["channel"]] = event["granted"]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utc_now().replace(microsecond=0).isoformat(),
        "contact_id": contact_id,
        "status": status,
        "merged_into": survivor,
        "contact": contact,
        "merged_contacts": [_contact_row(other) for other in ids[1:]],
        "referred_contact_ids": privacy_store.referred_contact_ids(ids),
        "tags": privacy_store.tag_names(ids),
        "preferences": _iso_rows(privacy_store.preference_rows(ids)),
        "social_handles": _iso_rows(privacy_store.social_handle_rows(ids)),
        "consent_events": consent_events,
        "current_consent": current,
        "interactions": _iso_rows(privacy_store.interaction_rows(ids)),
        "tasks": _iso_rows(privacy_store.task_rows(ids)),
        "emails": _iso_rows(privacy_store.email_rows(ids)),
        "points_ledger": ledger,
        "points_balance": sum(
            entry["points"] for entry in ledger if entry["contact_id"] == contact_id
        ),
        "gift_cards": _gift_cards(ids),
        "memberships": _memberships(ids),
        "referral_partner": privacy_store.referral_partner_name(contact_id),
        "partner_business": next(
            (row["name"] for row in privacy_store.partner_business_rows(ids)), None
        ),
        "vouchers": _vouchers(ids),
        "survey_answers": _survey_answers(ids),
        "competition_entries": _competition_entries(ids),
        "audit_log": audit_rows,
        "keys": EXPORT_KEYS,
    }


def _gift_cards(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    cards = _iso_rows(privacy_store.gift_card_rows(ids))
    entries = _iso_rows(privacy_store.gift_card_entry_rows([card["id"] for card in cards]))
    for card in cards:
        card["code"] = shown_code(card["code"])
        card["entries"] = [entry for entry in entries if entry["card_id"] == card["id"]]
    return cards


def _memberships(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    memberships = _iso_rows(privacy_store.membership_rows(ids))
    payments = _iso_rows(
        privacy_store.membership_payment_rows([membership["id"] for membership in memberships])
    )
    today = shop_today()
    for membership in memberships:
        starts_on, ends_on, grace_until = (
            date.fromisoformat(membership[name]) for name in ("starts_on", "ends_on", "grace_until")
        )
        membership["status"] = (
            CANCELLED
            if membership["cancelled_at"] is not None
            else status_of_dates(starts_on, ends_on, grace_until, today)
        )
        membership["payments"] = [
            payment for payment in payments if payment["membership_id"] == membership["id"]
        ]
    return memberships


def _vouchers(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    vouchers = []
    for row in _iso_rows(privacy_store.voucher_rows(ids)):
        offer = OfferRow(0, 0, row["kind"], row["value"], None, row["reward_name"], 0, "", "")
        vouchers.append({
            "id": row["id"],
            "contact_id": row["contact_id"],
            # A shared promotion code's use is stored as CODE:customer; it is quoted as CODE.
            "code": row["shared_code"] or printed(row["code"]),
            "offer": describe(offer),
            "kind": row["kind"],
            "value": row["value"],
            "min_spend_cents": row["min_spend_cents"],
            "valid_from": row["valid_from"],
            "valid_until": row["valid_until"],
            "redeemed": row["redeemed_at"] is not None,
            "redeemed_at": row["redeemed_at"],
            "campaign": row["campaign_name"],
            "partner": row["partner_name"],
            "direction": row["direction"],
            "batch": row["label"] or None,
        })  # fmt: skip
    return vouchers


def _survey_answers(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Their named responses only: an anonymous one keeps no customer (schema 21), so it
    cannot be told to be theirs."""
    responses = _iso_rows(privacy_store.survey_response_rows(ids))
    answers = privacy_store.survey_answer_rows([response["id"] for response in responses])
    for response in responses:
        response["answers"] = [
            {
                "question": answer["question"],
                "kind": answer["kind"],
                "answer": answer_in_words(
                    answer["kind"], answer["options"], answer["value"], answer["text"]
                ),
            }
            for answer in answers
            if answer["response_id"] == response["id"]
        ]
    return responses


def answer_in_words(kind: str, options: str, value: int | None, text: str | None) -> str:
    """An answer as a person reads it, worded as the survey's own history entry words it
    (relapp.domain.listening.answers.answer_words: "4 of 5", "Yes", "Cake, Coffee"): the
    option's label for one choice, the labels of the options chosen for several (bit i of the
    mask is option i of the question's JSON list), yes or no, the rating or score out of its
    scale, or the text typed. Read from the stored row alone, so that no edit of a survey can
    keep a person's data out of their export."""
    words = ""
    if value is not None and kind in ("choice", "choices"):
        labels = _option_labels(options)
        chosen = [value] if kind == "choice" else [
            bit for bit in range(value.bit_length()) if value >> bit & 1
        ]  # fmt: skip
        # An index past the list (a question edited by hand) is still shown, by its number.
        words = ", ".join(
            labels[index] if index < len(labels) else f"option {index + 1}" for index in chosen
        )
    elif value is not None and kind == "yes_no":
        words = "Yes" if value else "No"
    elif value is not None:
        words = f"{value} of {RATING_SCALES[kind]}" if kind in RATING_SCALES else str(value)
    if text:
        words = f"{words}: {text}" if words else text
    return words


def _option_labels(options: str) -> list[str]:
    try:
        labels = json.loads(options)
    except ValueError:
        return []
    return [str(label) for label in labels] if isinstance(labels, list) else []


def _competition_entries(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    entries = _iso_rows(privacy_store.competition_entry_rows(ids))
    for entry in entries:
        entry["won"] = entry["winner_position"] is not None
    return entries


# -------------------------------------------------------------------------------- erasure


def _terms(contacts: Iterable[Mapping[str, Any]]) -> list[str]:
    """The person's distinctive strings, searched for in other rows' free text."""
    found: set[str] = set()
    for contact in contacts:
        given, family = contact["given_name"].strip(), contact["family_name"].strip()
        candidates = [
            display_name(contact["kind"], given, family, contact["organisation"]),
            f"{given} {family}",
            f"{family} {given}",
            f"{family}, {given}",
            f"{family}{given}",
            contact["organisation"],
            contact["email"],
            contact["phone"],
            contact["phone_national"],
            contact["card_number"],
        ]
        if given and family:
            candidates += [given, family]  # alone only when long enough (see _MIN_TERM)
        found.update(text.strip() for text in candidates if text and len(text.strip()) >= _MIN_TERM)
    # Longest first: "Ann Lee" is replaced whole before "Lee" alone could be.
    return sorted(found, key=lambda text: (-len(text), text))


def _scrub_text(text: str, terms: list[str]) -> str:
    for term in terms:
        text = re.sub(re.escape(term), ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_value(value: Any, terms: list[str], personal: bool = False) -> Any:
    """value with the values of personal keys (and everything under "values", a contact
    edit's old and new values) erased, keeping their shape, and the person's strings removed
    everywhere else."""
    if isinstance(value, dict):
        return {
            key: _scrub_value(item, terms, personal or key in _PERSONAL_KEYS or key == "values")
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub_value(item, terms, personal) for item in value]
    if personal:
        return value if value in (None, "") or isinstance(value, bool) else ERASED
    return _scrub_text(value, terms) if isinstance(value, str) else value


def _scrub_audit(ids: tuple[int, ...], terms: list[str]) -> None:
    about = privacy_store.audit_ids_about(ids)
    for row_id, details in privacy_store.audit_details_about(ids):
        _rewrite_audit(row_id, details, terms, about=ids)
    # Any other row naming them (a tier change, a merge seen from the other side...).
    for row_id, details in privacy_store.audit_details_naming(terms):
        if row_id not in about:
            _rewrite_audit(row_id, details, terms, about=())


def _rewrite_audit(row_id: int, details: str, terms: list[str], about: tuple[int, ...]) -> None:
    """about: the erased ids, if the row is about them (else only their strings go)."""
    try:
        value = json.loads(details)
    except ValueError:
        value = _scrub_text(details, terms)
    else:
        if about and isinstance(value, dict):
            value = _scrub_about(value, terms, about)
        else:
            value = _scrub_strings(value, terms)
    privacy_store.set_audit_details(row_id, json.dumps(value, ensure_ascii=False))


def _scrub_about(details: dict[str, Any], terms: list[str], ids: tuple[int, ...]) -> dict[str, Any]:
    """An audit row about the person: old and new values, personal keys, their strings.

    A merge row holds both contacts' previous values: only the erased one's are emptied.
    """
    scrubbed = {}
    for key, value in details.items():
        if key in ("survivor_before", "merged_before") and isinstance(value, dict):
            mine = value.get("id") in ids
            scrubbed[key] = _scrub_value(value, terms) if mine else _scrub_strings(value, terms)
        elif key == "choices":  # which side's value a merge kept: no personal data
            scrubbed[key] = _scrub_strings(value, terms)
        else:
            scrubbed[key] = _scrub_value({key: value}, terms)[key]
    return scrubbed


def _scrub_strings(value: Any, terms: list[str]) -> Any:
    """value with the person's strings replaced wherever they appear, nothing else."""
    if isinstance(value, dict):
        return {key: _scrub_strings(item, terms) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(item, terms) for item in value]
    return _scrub_text(value, terms) if isinstance(value, str) else value


@dataclass(frozen=True)
class _LedgerLookahead:
    """The ledger rows naming the person, looked for before the write lock is taken (a read
    keeps no one waiting; over the 1,000,000 demo's 8 million entries it takes seconds): the
    terms looked for, the rows found, and the newest entry at the time."""

    terms: tuple[str, ...]
    found: tuple[int, ...]
    newest: int


def _look_ahead(contact_id: int) -> _LedgerLookahead | None:
    """None when there is nothing to erase (the transaction then says why)."""
    with database.atomic():  # one read snapshot, and no write lock
        try:
            if _contact_row(contact_id)["erased_at"] is not None:
                return None
        except PersonNotFound:
            return None
        terms = _terms([_raw_contact(row_id) for row_id in person_ids(contact_id)])
        newest = privacy_store.newest_ledger_entry_id()
        found = privacy_store.ledger_entry_ids_naming(terms, up_to=newest)
    return _LedgerLookahead(tuple(terms), tuple(found), newest)


def _scrub_ledger_reasons(
    ids: tuple[int, ...], terms: list[str], ahead: _LedgerLookahead | None = None
) -> None:
    """Rewrite ledger reasons naming the person; only the reason column changes.

    ahead: what a look before the write lock found; if it looked for the same terms, only
    the rows it found (read again) and those added since are searched."""
    changes: dict[int, str] = dict.fromkeys(privacy_store.ledger_entry_ids_of(ids), ERASED)
    if ahead is not None and list(ahead.terms) == terms:
        # A reason changes only when an erasure scrubs it: none can have come to name them.
        naming = privacy_store.ledger_reasons_naming_after(
            terms, ahead.newest
        ) + privacy_store.ledger_reasons_naming_among(terms, ahead.found)
    else:
        naming = privacy_store.ledger_reasons_naming(terms)
    for row_id, reason in naming:
        if row_id not in changes:
            changes[row_id] = _scrub_text(reason, terms)
    if not changes:
        return
    # The ledger is append-only by trigger; for this one statement the rule is lifted.
    with engine.ledger_update_trigger_lifted():
        privacy_store.set_ledger_reasons(changes)


def _scrub_gift_card_notes(terms: list[str]) -> None:
    """Replace the person's strings in gift card ledger notes (a reversal's reason may name
    the holder); only the note column changes. The cards stay (see the module docstring)."""
    changes = {
        row_id: _scrub_text(note, terms)
        for row_id, note in privacy_store.gift_card_notes_naming(terms)
    }
    if not changes:
        return
    with engine.ledger_update_trigger_lifted("gift_card_entry"):
        privacy_store.set_gift_card_notes(changes)


def audit_about_person(
    action: str, contact_id: int, staff_id: int | None, details: dict[str, Any]
) -> None:
    """One audit row about the person (no personal data in details)."""
    write_audit(action, "contact", contact_id, details, utc_now(), staff_id)


def erase_person(
    contact_id: int,
    staff_id: int | None,
    backup_folder: Path | None = None,
    *,
    as_owner: bool = False,
) -> ErasureResult:
    """Erase the person's personal data (see the module docstring for what stays).

    Args:
        contact_id: the customer number.
        staff_id: the signed-in staff member, who must be an active manager.
        backup_folder: where backups are; None: relapp.db.backups.default_backup_folder of this
            database, if that module exists, else no backups are checked.
        as_owner: the shop owner at the command line; no staff check (staff_id may be None).

    Raises:
        NotAllowed: not as_owner and staff_id is not an active manager.
        PersonNotFound: no contact has this number.
        AlreadyErased: it was erased before.
    """
    action = "erase a customer's personal data"
    if not as_owner:
        require_manager(staff_id, action)
    engine.secure_delete_on()
    now = utc_now()
    ahead = _look_ahead(contact_id)
    with write_transaction():  # short: the long searches and the index's optimise are outside
        if not as_owner:
            require_manager(staff_id, action)
        contact = _contact_row(contact_id)
        if contact["erased_at"] is not None:
            raise AlreadyErased(
                f"Customer number {contact_id} was already erased on "
                f"{contact['erased_at'][:10]}; there is nothing left to erase."
            )
        ids = person_ids(contact_id)
        originals = [_raw_contact(row_id) for row_id in ids]
        terms = _terms(originals)
        privacy_store.erase_contact_columns(ids, PERSONAL_COLUMNS, format_timestamp(now))
        privacy_store.blank_interaction_texts(ids)
        tag_ids = privacy_store.tag_ids_of(ids)
        privacy_store.delete_tasks_preferences_handles_consent_and_tag_links(ids)
        privacy_store.delete_emails(ids)
        # Bearer cards from now on: the shop still owes their balance to whoever holds them.
        detached = privacy_store.detach_gift_cards(ids)
        # The contact row stays (emptied), so no ON DELETE rule fires: what the schema would
        # do to a deleted contact's rows is done here, as the module docstring says.
        unlinked = privacy_store.unlink_partner_businesses(ids, format_timestamp(now))
        responses = privacy_store.delete_survey_responses_and_askings(ids)
        entries = privacy_store.detach_competition_entries(ids)
        # Memberships, payments and vouchers stay as they are (the module docstring says why).
        # A tag no one else carries may name the person ("Ann's friends"): it goes too.
        privacy_store.delete_tags_no_one_carries(tag_ids)
        _scrub_ledger_reasons(ids, terms, ahead)
        _scrub_gift_card_notes(terms)
        _scrub_audit(ids, terms)
        audit_about_person(
            ERASE_ACTION,
            contact_id,
            staff_id,
            {
                "contact_ids": list(ids),
                "by": "command line" if as_owner else "app",
                "gift_cards_detached": sorted(detached),
                "partners_unlinked": sorted(unlinked),
                "survey_responses_deleted": responses,
                "competition_entries_kept": sorted(entries),
            },
        )
    _optimize_search_index()
    checkpoint_complete = engine.checkpoint_wal()
    holding, unreadable = backups_holding(originals, _backup_folder(backup_folder))
    return ErasureResult(
        contact_id=contact_id,
        erased_ids=ids,
        erased_at=now,
        backups_holding=holding,
        unreadable_backups=unreadable,
        checkpoint_complete=checkpoint_complete,
        gift_cards_detached=tuple(sorted(detached)),
        partners_unlinked=tuple(sorted(unlinked)),
        survey_responses_deleted=responses,
        competition_entries_kept=tuple(sorted(entries)),
        change=Change.of(
            Entity.CONTACTS,
            Entity.TAGS,
            Entity.INTERACTIONS,
            Entity.TASKS,
            Entity.POINTS,
            Entity.GIFT_CARDS,
            Entity.MEMBERSHIPS,
            Entity.PARTNERS,
            Entity.SURVEYS,
            Entity.COMPETITIONS,
            contact_ids=frozenset(ids),
        ),
    )


def _optimize_search_index() -> None:
    """FTS5's optimize, a few hundred pages per transaction with a pause between for the
    counter: an FTS5 delete only adds a tombstone, and merging every segment into one drops
    the old tokens. A negative page count starts this incremental optimise, a positive one
    goes on (relapp.db.store.search.merge_index_segments). If Relapp stops before the end,
    the old tokens stay in the index's pages until the next erasure optimises it again.
    """
    pages = -OPTIMIZE_PAGES
    while True:
        with write_transaction():
            done = search_store.merge_index_segments(pages)
        if done:
            return
        give_way()
        pages = OPTIMIZE_PAGES


def _raw_contact(contact_id: int) -> dict[str, Any]:
    row = privacy_store.contact(contact_id)
    if row is None:
        raise PersonNotFound(f"There is no customer number {contact_id}.")
    return row


# -------------------------------------------------------------------------------- backups


def _backup_folder(folder: Path | None) -> Path | None:
    if folder is not None:
        return Path(folder)
    try:
        from relapp.db.backups import default_backup_folder
    except ImportError:
        return None
    return Path(default_backup_folder(Path(database.database)))


def backups_holding(
    originals: Sequence[Mapping[str, Any]], folder: Path | None
) -> tuple[list[Path], list[Path]]:
    """The backups (*.db in folder) holding any of these contacts as they were, by id and
    original name, email or phone; and the files that could not be read. Each file is opened
    read-only and immutable: nothing is written to it or beside it."""
    if folder is None or not folder.is_dir():
        return [], []
    live = Path(database.database).resolve() if database.database else None
    holding, unreadable = [], []
    for path in sorted(folder.glob("*.db")):
        if live is not None and path.resolve() == live:
            continue
        held = engine.backup_identities(path, [contact["id"] for contact in originals])
        if held is None:
            unreadable.append(path)
        elif _holds(held, originals):
            holding.append(path)
    return holding, unreadable


def _holds(
    held: Mapping[int, tuple[str, str, str | None, str | None]],
    originals: Sequence[Mapping[str, Any]],
) -> bool:
    """Whether a backup holding these contacts (id -> given name, family name, email, phone)
    holds any of originals as they were, by original name, email or phone."""
    for contact in originals:
        if contact["id"] in held:
            given, family, email, phone = held[contact["id"]]
            same_name = (given, family) == (contact["given_name"], contact["family_name"]) and (
                given or family
            )
            same_email = email is not None and email == contact["email"]
            same_phone = phone is not None and phone == contact["phone"]
            if same_name or same_email or same_phone:
                return True
    return False
