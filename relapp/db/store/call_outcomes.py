"""A phone-call campaign's outcomes: the customers it was sent to, with what they need on a
call list, and the call outcomes already logged for them.

Values go in and come out as stored (timestamps as text). The rules (what an outcome is, what
is logged) are the domain's: relapp.domain.campaigns.call_outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relapp.db.models import database

# The columns of a call row: contact id, kind, given name, family name, organisation, phone.
CALL_COLUMNS = ("c.id", "c.kind", "c.given_name", "c.family_name", "c.organisation", "c.phone")


def sent_call_rows(campaign_id: int) -> list[tuple[Any, ...]]:
    """CALL_COLUMNS of the customers the campaign was sent to, in id order."""
    return database.execute_sql(
        f"SELECT {', '.join(CALL_COLUMNS)} FROM campaign_recipient r"
        " JOIN contact c ON c.id = r.contact_id"
        " WHERE r.campaign_id = ? AND r.role = 'sent' ORDER BY c.id",
        (campaign_id,),
    ).fetchall()


def logged_call_summaries(
    contact_ids: Sequence[int] | None, prefix: str, since: str
) -> dict[int, tuple[str, str]]:
    """contact id -> (summary, details) of its earliest outbound `call` interaction since then whose
    summary starts with prefix (for these contacts; None: any contact)."""
    conditions = [
        "kind = 'call'",
        "direction = 'outbound'",
        "occurred_at >= ?",
        "substr(summary, 1, CAST(? AS INTEGER)) = ?",
    ]
    params: list[object] = [since, len(prefix), prefix]
    if contact_ids is not None:
        if not contact_ids:
            return {}
        conditions.append(f"contact_id IN ({', '.join('?' * len(contact_ids))})")
        params += list(contact_ids)
    rows = database.execute_sql(
        f"SELECT contact_id, summary, details FROM interaction WHERE {' AND '.join(conditions)}"
        " ORDER BY contact_id, occurred_at, id",
        tuple(params),
    ).fetchall()
    found: dict[int, tuple[str, str]] = {}
    for contact_id, summary, details in rows:
        found.setdefault(int(contact_id), (str(summary), str(details or "")))
    return found
