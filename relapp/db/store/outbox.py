"""The email outbox (schema 15): the messages of email campaigns waiting to be sent from
Relapp, being sent, sent, refused, or in doubt.

Values go in and come out as stored (timestamps as text, the message as RFC 5322 text). The
rules (when a message is claimed, what a refusal makes of it, when a message left in
'sending' is in doubt) are relapp.domain.campaigns.outbox's. Each function runs in the
caller's transaction.

A row left in 'sending' since before `stale_before` counts as in doubt wherever rows are
counted, listed or chosen, so the owner sees it at once; sending turns it into 'in_doubt'
for good (mark_stale_in_doubt).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.dialect import in_json_list

# Rows inserted per statement when a campaign is queued (each holds a whole message).
QUEUE_BATCH = 500


@dataclass(frozen=True)
class OutboxRow:
    """A message the owner may need to act on (refused or in doubt), with its customer."""

    id: int
    campaign_id: int
    campaign_name: str
    contact_id: int
    contact_kind: str
    given_name: str
    family_name: str
    organisation: str
    recipient: str
    status: str  # as counted: a stale 'sending' row reads 'in_doubt'
    attempts: int
    last_error: str | None
    queued_at: str
    claimed_at: str | None


def _status(stale_placeholder: str = "?") -> str:
    """The row's status as counted: a claim older than the stale moment is in doubt."""
    return (
        f"CASE WHEN o.status = 'sending' AND o.claimed_at < {stale_placeholder}"
        " THEN 'in_doubt' ELSE o.status END"
    )


def queue_messages(
    campaign_id: int, messages: Sequence[tuple[int, str, str]], queued_at: str
) -> None:
    """One queued row per (contact id, recipient address, message text)."""
    for start in range(0, len(messages), QUEUE_BATCH):
        insert_rows(
            database,
            "email_outbox",
            ("campaign_id", "contact_id", "recipient", "message", "queued_at"),
            [
                (campaign_id, contact_id, recipient, message, queued_at)
                for contact_id, recipient, message in messages[start : start + QUEUE_BATCH]
            ],
        )


def mark_stale_in_doubt(stale_before: str) -> int:
    """Rows claimed before stale_before and never recorded become in_doubt; how many."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'in_doubt' WHERE status = 'sending' AND claimed_at < ?",
        (stale_before,),
    )
    return int(cursor.rowcount)


def next_queued() -> int | None:
    """The id of the message to send next: fewest attempts first, then the oldest."""
    row = database.execute_sql(
        "SELECT id FROM email_outbox WHERE status = 'queued' ORDER BY attempts, id LIMIT 1"
    ).fetchone()
    return None if row is None else int(row[0])


def claim(message_id: int, claimed_at: str) -> bool:
    """Whether this call claimed the message for sending (False: another sender has it, or
    it is no longer queued). Atomic on both engines: the row changes only while queued."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'sending', claimed_at = ?"
        " WHERE id = ? AND status = 'queued'",
        (claimed_at, message_id),
    )
    return cursor.rowcount == 1


def claimed_message(message_id: int) -> tuple[str, str] | None:
    """(recipient, message text) of a message being sent; None if it is gone (erased)."""
    row = database.execute_sql(
        "SELECT recipient, message FROM email_outbox WHERE id = ? AND status = 'sending'",
        (message_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def mark_sent(message_id: int, sent_at: str) -> bool:
    """The message being sent was taken by the mail server. False if it was not being sent
    (erased meanwhile)."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        " last_error = NULL WHERE id = ? AND status = 'sending'",
        (sent_at, message_id),
    )
    return cursor.rowcount == 1


def mark_failed(message_id: int, error: str) -> bool:
    """The mail server refused the message being sent for good, saying error."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
        " WHERE id = ? AND status = 'sending'",
        (error, message_id),
    )
    return cursor.rowcount == 1


def requeue(message_id: int, error: str) -> bool:
    """The message being sent was refused for now (error): queued again, one attempt more."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'queued', attempts = attempts + 1, last_error = ?,"
        " claimed_at = NULL WHERE id = ? AND status = 'sending'",
        (error, message_id),
    )
    return cursor.rowcount == 1


def mark_in_doubt(message_id: int, error: str) -> bool:
    """The connection broke while the message was on its way: it may have been sent."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'in_doubt', attempts = attempts + 1, last_error = ?"
        " WHERE id = ? AND status = 'sending'",
        (error, message_id),
    )
    return cursor.rowcount == 1


def queued_count() -> int:
    return int(
        database.execute_sql(
            "SELECT count(*) FROM email_outbox WHERE status = 'queued'"
        ).fetchone()[0]
    )


def counts_by_campaign(stale_before: str) -> list[tuple[int, str, str, int]]:
    """(campaign id, campaign name, status as counted, how many), newest campaign first."""
    return [
        (int(campaign_id), str(name), str(state), int(number))
        for campaign_id, name, state, number in database.execute_sql(
            "SELECT s.campaign_id, s.name, s.state, count(*) FROM (SELECT o.campaign_id,"
            f" c.name, {_status()} AS state FROM email_outbox o"
            " JOIN campaign c ON c.id = o.campaign_id) AS s"
            " GROUP BY s.campaign_id, s.name, s.state ORDER BY s.campaign_id DESC, s.state",
            (stale_before,),
        ).fetchall()
    ]


def rows_needing_the_owner(stale_before: str, limit: int) -> list[OutboxRow]:
    """The refused and in-doubt messages (a stale 'sending' one too), in doubt first, then
    the newest; at most limit."""
    status = _status()
    rows = database.execute_sql(
        f"SELECT o.id, o.campaign_id, c.name, o.contact_id, p.kind, p.given_name,"
        f" p.family_name, p.organisation, o.recipient, {status}, o.attempts, o.last_error,"
        " o.queued_at, o.claimed_at FROM email_outbox o"
        " JOIN campaign c ON c.id = o.campaign_id JOIN contact p ON p.id = o.contact_id"
        " WHERE o.status IN ('failed', 'in_doubt')"
        " OR (o.status = 'sending' AND o.claimed_at < ?)"
        " ORDER BY CASE WHEN o.status = 'failed' THEN 1 ELSE 0 END, o.id DESC LIMIT ?",
        (stale_before, stale_before, limit),
    ).fetchall()
    return [OutboxRow(*row) for row in rows]


def requeue_chosen(ids: Sequence[int], stale_before: str) -> int:
    """The chosen messages that are in doubt (a stale 'sending' one too) or refused go back
    in the queue; how many."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'queued', claimed_at = NULL, sent_at = NULL"
        f" WHERE id {in_json_list()} AND (status IN ('in_doubt', 'failed')"
        " OR (status = 'sending' AND claimed_at < ?))",
        (json.dumps(list(ids)), stale_before),
    )
    return int(cursor.rowcount)


def mark_chosen_sent(ids: Sequence[int], stale_before: str) -> int:
    """The chosen messages in doubt (a stale 'sending' one too) count as sent, when they were
    claimed; how many."""
    cursor = database.execute_sql(
        "UPDATE email_outbox SET status = 'sent', sent_at = claimed_at"
        f" WHERE id {in_json_list()} AND (status = 'in_doubt'"
        " OR (status = 'sending' AND claimed_at < ?))",
        (json.dumps(list(ids)), stale_before),
    )
    return int(cursor.rowcount)
