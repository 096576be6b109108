"""What a person's data export reads and what erasing a person changes.

relapp.domain.contacts.privacy holds the rules: what belongs to the person, what erasure keeps,
which
strings name them and how a text is scrubbed. These functions read and write the rows for it,
inside the caller's transaction. Rows that go into person.json whole come out as dicts of
column name to stored value (times in their stored form); the others as ids and tuples.

What erasure needs of the engine itself (secure delete, the WAL checkpoint, lifting the
ledger's trigger, reading a backup file in place) is in relapp.db.store.engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from relapp.db.models import database
from relapp.db.store.dialect import (
    in_json_list,
    json_array_of,
    json_field,
    like_nocase,
    nocase,
)
from relapp.db.store.engine import execute_many


def _within() -> str:
    """The chosen contacts' rows (the parameter is _chosen(ids))."""
    return f"contact_id {in_json_list()}"


# --------------------------------------------------------------------------------- reading


def _rows(sql: str, params: Iterable[object] = ()) -> list[dict[str, Any]]:
    cursor = database.execute_sql(sql, tuple(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _chosen(ids: Sequence[int]) -> tuple[str]:
    return (json.dumps(list(ids)),)


def contact_with_tier(contact_id: int) -> dict[str, Any] | None:
    """Every column of the contact and its tier's name (tier_name); None if no such contact."""
    rows = _rows(
        "SELECT c.*, t.name AS tier_name FROM contact c LEFT JOIN tier t ON t.id = c.tier_id"
        " WHERE c.id = ?",
        (contact_id,),
    )
    return rows[0] if rows else None


def contact(contact_id: int) -> dict[str, Any] | None:
    """Every column of the contact as stored; None if no such contact."""
    rows = _rows("SELECT * FROM contact WHERE id = ?", (contact_id,))
    return rows[0] if rows else None


def _audit_about_sql(ids: Sequence[int]) -> tuple[str, tuple[str, ...]]:
    """SQL selecting the ids of audit rows about these contacts, and its parameters: rows
    about a contact, and a membership's or gift card's rows naming the contact (joined,
    renewed, cancelled; a card attached)."""
    chosen = json.dumps(list(ids))
    sql = (
        "SELECT id FROM audit_log WHERE (entity = 'contact' AND ("
        f" entity_id {in_json_list(':ids')}"
        f" OR {json_field('details', '$.merged_id', of='integer')} {in_json_list(':ids')}"
        f" OR EXISTS (SELECT 1 FROM {json_array_of('details', '$.ids')}"
        f"   WHERE value {in_json_list(':ids')})"
        f" OR EXISTS (SELECT 1 FROM {json_array_of('details', '$.contact_ids')}"
        f"   WHERE value {in_json_list(':ids')})))"
        " OR (entity IN ('membership', 'gift_card')"
        f" AND {json_field('details', '$.contact_id', of='integer')} {in_json_list(':ids')})"
    )
    return sql.replace(":ids", "?"), (chosen,) * sql.count(":ids")


def audit_rows_about(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The audit rows about these contacts (edits, enrolment, merges, bulk actions naming
    them), oldest first, with the staff member's name (staff_name); details as stored."""
    audit_sql, audit_params = _audit_about_sql(ids)
    return _rows(
        "SELECT a.id, a.occurred_at, a.staff_id, s.name AS staff_name, a.action, a.entity,"
        f" a.entity_id, a.details FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id"
        f" WHERE a.id IN ({audit_sql}) ORDER BY a.id",
        audit_params,
    )


def ledger_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' points ledger entries in time order, with the reward's name
    (reward_name)."""
    return _rows(
        "SELECT p.*, r.name AS reward_name FROM points_entry p"
        f" LEFT JOIN reward r ON r.id = p.reward_id WHERE p.{_within()}"
        " ORDER BY p.occurred_at, p.id",
        _chosen(ids),
    )


def consent_event_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' consent events in time order, with the staff member's name
    (staff_name); granted as stored (0 or 1)."""
    return _rows(
        "SELECT c.id, c.contact_id, c.channel, c.granted, c.occurred_at, c.method, c.staff_id,"
        f" s.name AS staff_name FROM consent c LEFT JOIN staff s ON s.id = c.staff_id"
        f" WHERE c.{_within()} ORDER BY c.occurred_at, c.id",
        _chosen(ids),
    )


def referred_contact_ids(ids: Sequence[int]) -> list[int]:
    """The contacts these contacts referred, by id."""
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM contact WHERE referred_by_id {in_json_list()} ORDER BY id",
            _chosen(ids),
        )
    ]


def tag_names(ids: Sequence[int]) -> list[str]:
    """The names of the tags these contacts carry, each once, in name order ignoring case."""
    return [
        row[0]
        for row in database.execute_sql(
            # GROUP BY, not DISTINCT: PostgreSQL orders a DISTINCT list only by what it selects.
            f"SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id"
            f" WHERE ct.{_within()} GROUP BY t.name ORDER BY {nocase('t.name')}",
            _chosen(ids),
        )
    ]


def preference_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' preferences, in the order they were added."""
    return _rows(
        f"SELECT id, contact_id, kind, value, created_at FROM preference WHERE {_within()}"
        " ORDER BY id",
        _chosen(ids),
    )


def social_handle_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' social handles, in the order they were added."""
    return _rows(
        f"SELECT id, contact_id, network, handle FROM social_handle WHERE {_within()} ORDER BY id",
        _chosen(ids),
    )


def interaction_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every column of the contacts' interactions, in time order."""
    return _rows(
        f"SELECT * FROM interaction WHERE {_within()} ORDER BY occurred_at, id", _chosen(ids)
    )


def task_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every column of the contacts' tasks, soonest due first."""
    return _rows(f"SELECT * FROM task WHERE {_within()} ORDER BY due_at, id", _chosen(ids))


def email_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' emails in the outbox (queued, sent, refused or in doubt), the whole
    message included, with the campaign's name (campaign_name), oldest first."""
    return _rows(
        "SELECT o.id, o.campaign_id, c.name AS campaign_name, o.contact_id, o.recipient,"
        " o.status, o.attempts, o.last_error, o.queued_at, o.claimed_at, o.sent_at, o.message"
        f" FROM email_outbox o JOIN campaign c ON c.id = o.campaign_id WHERE o.{_within()}"
        " ORDER BY o.queued_at, o.id",
        _chosen(ids),
    )


def gift_card_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' gift cards (code, sold_at, expires_at, balance_cents...), oldest sale
    first."""
    return _rows(
        "SELECT id, code, contact_id, sold_at, expires_at, balance_cents FROM gift_card"
        f" WHERE {_within()} ORDER BY sold_at, id",
        _chosen(ids),
    )


def gift_card_entry_rows(card_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The ledger entries of these gift cards, in ledger order (oldest first)."""
    return _rows(
        "SELECT id, card_id, kind, amount_cents, occurred_at, reverses_id, note"
        f" FROM gift_card_entry WHERE card_id {in_json_list()} ORDER BY occurred_at, id",
        _chosen(card_ids),
    )


def membership_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' memberships with the plan's name (plan_name), oldest start first;
    dates as stored (YYYY-MM-DD)."""
    return _rows(
        "SELECT m.id, m.contact_id, m.plan_id, p.name AS plan_name, m.starts_on, m.ends_on,"
        " m.grace_until, m.renewed_from_id, m.cancelled_at, m.created_at FROM membership m"
        f" JOIN membership_plan p ON p.id = m.plan_id WHERE m.{_within()}"
        " ORDER BY m.starts_on, m.id",
        _chosen(ids),
    )


def membership_payment_rows(membership_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The payments for these memberships, oldest first."""
    return _rows(
        "SELECT id, membership_id, amount_cents, paid_at FROM membership_payment"
        f" WHERE membership_id {in_json_list()} ORDER BY paid_at, id",
        _chosen(membership_ids),
    )


def referral_partner_name(contact_id: int) -> str | None:
    """The name of the partner business the contact came through (referred_by_partner_id);
    None if none."""
    row = database.execute_sql(
        "SELECT p.name FROM contact c JOIN partner p ON p.id = c.referred_by_partner_id"
        " WHERE c.id = ?",
        (contact_id,),
    ).fetchone()
    return None if row is None else row[0]


def partner_business_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The partner businesses whose own customer record is one of these contacts (id, name,
    contact_id)."""
    return _rows(
        f"SELECT id, name, contact_id FROM partner WHERE {_within()} ORDER BY id", _chosen(ids)
    )


def voucher_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' vouchers with their offer (kind, value, reward_name, min_spend_cents,
    valid_from, valid_until, shared_code) and where each came from: the campaign's name
    (campaign_name), the partner's (partner_name: the batch's partner, or the partner whose
    offer the campaign carried), the batch's direction and label; oldest offer first."""
    return _rows(
        "SELECT v.id, v.contact_id, v.code, v.redeemed_at, o.kind, o.value,"
        " r.name AS reward_name, o.min_spend_cents, o.valid_from, o.valid_until, o.shared_code,"
        " c.name AS campaign_name, coalesce(p.name, cp.name) AS partner_name, o.direction,"
        " o.label FROM voucher v JOIN voucher_offer o ON o.id = v.offer_id"
        " LEFT JOIN reward r ON r.id = o.reward_id"
        " LEFT JOIN campaign c ON c.id = o.campaign_id"
        " LEFT JOIN partner p ON p.id = o.partner_id"
        " LEFT JOIN partner cp ON cp.id = c.partner_id"
        f" WHERE v.{_within()} ORDER BY o.valid_from, v.id",
        _chosen(ids),
    )


def survey_response_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' named survey responses with the survey's name and kind (survey_name,
    survey_kind) and the version's number (version), oldest first. Anonymous responses name
    no one, so none is among them."""
    return _rows(
        "SELECT r.id, r.contact_id, s.name AS survey_name, s.kind AS survey_kind,"
        " v.number AS version, r.source, r.answered_at, r.answered_month"
        " FROM survey_response r JOIN survey s ON s.id = r.survey_id"
        " JOIN survey_version v ON v.id = r.version_id"
        f" WHERE r.{_within()} ORDER BY r.answered_at, r.id",
        _chosen(ids),
    )


def survey_answer_rows(response_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The answers of these responses with their question (position, kind, question: its
    text, options: the JSON list of its choices' labels), by response and position."""
    return _rows(
        "SELECT a.response_id, q.position, q.kind, q.text AS question, q.options, a.value,"
        " a.text FROM survey_answer a JOIN survey_question q ON q.id = a.question_id"
        f" WHERE a.response_id {in_json_list()} ORDER BY a.response_id, q.position",
        _chosen(response_ids),
    )


def competition_entry_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The contacts' competition entries with the competition's name (competition_name) and,
    for a winning entry, its place in the draw (winner_position) and when they were told
    (notified_at); oldest first."""
    return _rows(
        "SELECT e.id, e.contact_id, c.name AS competition_name, e.route, e.entered_at,"
        " w.position AS winner_position, w.notified_at FROM competition_entry e"
        " JOIN competition c ON c.id = e.competition_id"
        " LEFT JOIN competition_winner w ON w.entry_id = e.id"
        f" WHERE e.{_within()} ORDER BY e.entered_at, e.id",
        _chosen(ids),
    )


# ---------------------------------------------------------------------- erasing the rows


def erase_contact_columns(ids: Sequence[int], values: Mapping[str, object], now: str) -> None:
    """Set these columns of the contacts to these values, and erased_at and updated_at to
    now."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    database.execute_sql(
        f"UPDATE contact SET {assignments}, erased_at = ?, updated_at = ?"
        f" WHERE id {in_json_list()}",
        (*values.values(), now, now, *_chosen(ids)),
    )


def blank_interaction_texts(ids: Sequence[int]) -> None:
    """Empty the summary and details of the contacts' interactions."""
    database.execute_sql(
        f"UPDATE interaction SET summary = '', details = '' WHERE {_within()}", _chosen(ids)
    )


def tag_ids_of(ids: Sequence[int]) -> list[int]:
    """The tags these contacts carry, each once."""
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT DISTINCT tag_id FROM contact_tag WHERE {_within()}", _chosen(ids)
        )
    ]


def delete_tasks_preferences_handles_consent_and_tag_links(ids: Sequence[int]) -> None:
    """Delete the contacts' tasks, preferences, social handles, consent events and tag
    links."""
    for table in ("task", "preference", "social_handle", "consent", "contact_tag"):
        database.execute_sql(f"DELETE FROM {table} WHERE {_within()}", _chosen(ids))


def delete_emails(ids: Sequence[int]) -> None:
    """Delete the contacts' emails from the outbox, whatever their state: a queued one is then
    never sent."""
    database.execute_sql(f"DELETE FROM email_outbox WHERE {_within()}", _chosen(ids))


def detach_gift_cards(ids: Sequence[int]) -> list[int]:
    """Make the contacts' gift cards bearer cards (no holder); the cards detached, by id.
    Only gift_card.contact_id changes: the balance and the entries stay."""
    return [
        row[0]
        for row in database.execute_sql(
            f"UPDATE gift_card SET contact_id = NULL WHERE {_within()} RETURNING id",
            _chosen(ids),
        ).fetchall()
    ]


def unlink_partner_businesses(ids: Sequence[int], now: str) -> list[int]:
    """Unlink the partners whose business record is one of these contacts (the partner
    stays); the partners unlinked, by id."""
    return [
        row[0]
        for row in database.execute_sql(
            f"UPDATE partner SET contact_id = NULL, updated_at = ? WHERE {_within()} RETURNING id",
            (now, *_chosen(ids)),
        ).fetchall()
    ]


def delete_survey_responses_and_askings(ids: Sequence[int]) -> int:
    """Delete the contacts' named survey responses with their answers, and the record of
    when they were asked; the number of responses deleted. The answers are deleted here, not
    left to ON DELETE CASCADE, which SQLite applies only on a connection with foreign keys
    on."""
    database.execute_sql(
        "DELETE FROM survey_answer WHERE response_id IN"
        f" (SELECT id FROM survey_response WHERE {_within()})",
        _chosen(ids),
    )
    deleted = database.execute_sql(
        f"DELETE FROM survey_response WHERE {_within()}", _chosen(ids)
    ).rowcount
    database.execute_sql(f"DELETE FROM survey_asked WHERE {_within()}", _chosen(ids))
    return deleted


def detach_competition_entries(ids: Sequence[int]) -> list[int]:
    """Leave the contacts' competition entries without them: contact_id and the history
    entry that logged the entry emptied, the rest (competition, route, when, the draw and
    its winners) kept; the entries, by id."""
    return [
        row[0]
        for row in database.execute_sql(
            "UPDATE competition_entry SET contact_id = NULL, interaction_id = NULL"
            f" WHERE {_within()} RETURNING id",
            _chosen(ids),
        ).fetchall()
    ]


def delete_tags_no_one_carries(tag_ids: Sequence[int]) -> None:
    """Delete those of these tags that no contact carries."""
    database.execute_sql(
        f"DELETE FROM tag WHERE id {in_json_list()}"
        " AND NOT EXISTS (SELECT 1 FROM contact_tag WHERE tag_id = tag.id)",
        (json.dumps(list(tag_ids)),),
    )


# ------------------------------------------------------------------------- the ledger


def _mentioning(column: str, terms: Iterable[str]) -> tuple[str, list[str]]:
    """An SQL condition true where column contains any of terms, ignoring ASCII case, and its
    parameters. One LIKE per term: a json_each of the terms for every row took 42 s over the
    8 million ledger entries of the 1,000,000 demo (LIKE folds case as SQLite's lower() does:
    ASCII only)."""
    patterns = [
        "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for term in sorted(terms)
    ]
    if not patterns:
        return "0", []
    return "(" + " OR ".join(like_nocase(column) for _ in patterns) + ")", patterns


def ledger_entry_ids_of(ids: Sequence[int]) -> list[int]:
    """The ledger entries of these contacts."""
    return [
        row[0]
        for row in database.execute_sql(
            f"SELECT id FROM points_entry WHERE contact_id {in_json_list()}", _chosen(ids)
        )
    ]


def newest_ledger_entry_id() -> int:
    """The id of the newest ledger entry; 0 if there is none."""
    return database.execute_sql("SELECT coalesce(max(id), 0) FROM points_entry").fetchone()[0]


def ledger_entry_ids_naming(terms: Iterable[str], up_to: int) -> list[int]:
    """The ledger entries up to id up_to whose reason holds any of terms, ignoring ASCII
    case."""
    mentioning, searched = _mentioning("reason", terms)
    rows = database.execute_sql(
        f"SELECT id FROM points_entry WHERE id <= ? AND {mentioning}", [up_to, *searched]
    ).fetchall()
    return [row[0] for row in rows]


def ledger_reasons_naming(terms: Iterable[str]) -> list[tuple[int, str]]:
    """(id, reason) of every ledger entry whose reason holds any of terms, ignoring ASCII
    case."""
    mentioning, searched = _mentioning("reason", terms)
    return database.execute_sql(
        f"SELECT id, reason FROM points_entry WHERE {mentioning}", searched
    ).fetchall()


def ledger_reasons_naming_after(terms: Iterable[str], after: int) -> list[tuple[int, str]]:
    """As ledger_reasons_naming, among the entries newer than id after."""
    mentioning, searched = _mentioning("reason", terms)
    return database.execute_sql(
        f"SELECT id, reason FROM points_entry WHERE id > ? AND {mentioning}", [after, *searched]
    ).fetchall()


def ledger_reasons_naming_among(
    terms: Iterable[str], entry_ids: Sequence[int]
) -> list[tuple[int, str]]:
    """As ledger_reasons_naming, among these entries."""
    mentioning, searched = _mentioning("reason", terms)
    return database.execute_sql(
        f"SELECT id, reason FROM points_entry WHERE id {in_json_list()} AND {mentioning}",
        [json.dumps(list(entry_ids)), *searched],
    ).fetchall()


def set_ledger_reasons(reasons: Mapping[int, str]) -> None:
    """Set the reason of these ledger entries (id -> reason); only the reason column changes.
    The ledger's update trigger refuses it unless engine.ledger_update_trigger_lifted() is open."""
    execute_many(
        "UPDATE points_entry SET reason = ? WHERE id = ?",
        [(reason, row_id) for row_id, reason in reasons.items()],
    )


def gift_card_notes_naming(terms: Iterable[str]) -> list[tuple[int, str]]:
    """(id, note) of every gift card ledger entry whose note holds any of terms, ignoring
    ASCII case."""
    mentioning, searched = _mentioning("note", terms)
    return database.execute_sql(
        f"SELECT id, note FROM gift_card_entry WHERE {mentioning}", searched
    ).fetchall()


def set_gift_card_notes(notes: Mapping[int, str]) -> None:
    """Set the note of these gift card ledger entries (id -> note); only the note column
    changes. The ledger's update trigger refuses it unless
    engine.ledger_update_trigger_lifted("gift_card_entry") is open."""
    execute_many(
        "UPDATE gift_card_entry SET note = ? WHERE id = ?",
        [(note, row_id) for row_id, note in notes.items()],
    )


# -------------------------------------------------------------------------- the audit log


def audit_ids_about(ids: Sequence[int]) -> set[int]:
    """The audit rows about these contacts (see audit_rows_about)."""
    about_sql, params = _audit_about_sql(ids)
    return {row[0] for row in database.execute_sql(about_sql, params)}


def audit_details_about(ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, details as stored) of the audit rows about these contacts."""
    about_sql, params = _audit_about_sql(ids)
    return database.execute_sql(
        f"SELECT id, details FROM audit_log WHERE id IN ({about_sql})", params
    ).fetchall()


def audit_details_naming(terms: Iterable[str]) -> list[tuple[int, str]]:
    """(id, details as stored) of every audit row whose details hold any of terms, ignoring
    ASCII case. One pass over the log for every term, as written and as a JSON escape
    (Zo\\u00eb), since details are JSON text."""
    terms = list(terms)
    mentioning, searched = _mentioning("details", {*terms, *(json.dumps(t)[1:-1] for t in terms)})
    return database.execute_sql(
        f"SELECT id, details FROM audit_log WHERE {mentioning}", searched
    ).fetchall()


def set_audit_details(row_id: int, details: str) -> None:
    """Replace an audit row's details (JSON text)."""
    database.execute_sql("UPDATE audit_log SET details = ? WHERE id = ?", (details, row_id))
