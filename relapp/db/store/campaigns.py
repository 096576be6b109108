"""Campaigns (schema 13): the campaign rows, who a campaign would reach and why the others
are left out, and the recording of a produced campaign.

Values go in and come out as stored (timestamps as text). The rules (which reasons apply in
which order, who is held out, what is logged) are the domain's: relapp.domain.campaigns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from relapp.db.bulk import insert_rows
from relapp.db.models import database
from relapp.db.store.contacts import OUTBOUND_SQL
from relapp.db.store.dialect import equal_nocase

# The consent log's channel for each campaign channel.
CONSENT_CHANNEL = {"letter": "post", "email": "email", "sms": "sms", "call": "phone"}
# What a contact needs to be reached on each channel (contact c).
REACHABLE = {
    "letter": "trim(c.street) <> '' AND (trim(c.locality) <> '' OR trim(c.postcode) <> '')",
    "email": "coalesce(trim(c.email), '') <> ''",
    "sms": "coalesce(c.phone, '') <> ''",
    "call": "coalesce(c.phone, '') <> ''",
}
# The tag that puts a customer on the shop's do-not-contact list (any letter case).
DO_NOT_CONTACT_TAG = "Do not contact"

CAMPAIGN_COLUMNS = (
    "id", "name", "channel", "segment_name", "subject", "template", "holdout_percent",
    "transactional", "recent_days", "holdout_seed", "created_at", "produced_at", "staff_id",
    "rule", "partner_id",
)  # fmt: skip


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    channel: str
    segment_name: str
    subject: str
    template: str
    holdout_percent: int
    transactional: bool
    recent_days: int
    holdout_seed: int | None
    created_at: str
    produced_at: str | None
    staff_id: int | None
    rule: str | None = None  # the automatic rule whose list it was made from (schema 16)
    partner_id: int | None = None  # a partner's offer (schema 20): partner_offers consent too


def insert_campaign(values: dict[str, object]) -> int:
    """A new campaign from column name -> value (names from CAMPAIGN_COLUMNS); its id."""
    unknown = set(values) - set(CAMPAIGN_COLUMNS)
    if unknown:
        raise ValueError(f"not campaign columns: {sorted(unknown)}")
    return database.execute_sql(
        f"INSERT INTO campaign ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
        " RETURNING id",
        tuple(values.values()),
    ).fetchone()[0]


def campaign(campaign_id: int) -> CampaignRow | None:
    row = database.execute_sql(
        f"SELECT {', '.join(CAMPAIGN_COLUMNS)} FROM campaign WHERE id = ?", (campaign_id,)
    ).fetchone()
    return None if row is None else _campaign(row)


def campaign_named(name: str) -> CampaignRow | None:
    row = database.execute_sql(
        f"SELECT {', '.join(CAMPAIGN_COLUMNS)} FROM campaign WHERE {equal_nocase('name')}",
        (name,),
    ).fetchone()
    return None if row is None else _campaign(row)


def campaigns() -> list[CampaignRow]:
    """Every campaign, the newest first."""
    rows = database.execute_sql(
        f"SELECT {', '.join(CAMPAIGN_COLUMNS)} FROM campaign ORDER BY created_at DESC, id DESC"
    ).fetchall()
    return [_campaign(row) for row in rows]


def _campaign(row: Sequence[Any]) -> CampaignRow:
    values = dict(zip(CAMPAIGN_COLUMNS, row, strict=True))
    values["transactional"] = bool(values["transactional"])
    return CampaignRow(**values)


# -------------------------------------------------------------------------- the audience


def audience(
    segment_where: str,
    segment_params: Sequence[object],
    channel: str,
    *,
    cap: int | None,
    cap_since: str,
    recent_since: str | None,
    until: str,
    partner_offer: bool = False,
) -> list[tuple[int, str | None]]:
    """(contact id, reason) for every contact of the segment (its condition on contact c,
    archived ones included), in id order; reason is the first that leaves the contact out,
    None if none does (see migration 13's REASONS for their order).

    cap: the shop's contact cap (None: the campaign is transactional and exempt); cap_since:
    the start of its window. recent_since: campaigns from then on count (None: no such rule).
    The counts come from the interactions in the windows, grouped once, not per contact.
    partner_offer: a partner's offer, which needs current consent to partner offers besides
    the channel's (else no_consent).
    """
    # Every rule is a LEFT JOIN of the set it tests, never `id NOT IN (subquery)`: PostgreSQL
    # hashes such a subquery only while it fits in work_mem, and otherwise scans it again for
    # each contact (430,000 consents x 430,000 members ran for minutes).
    joins = [
        "LEFT JOIN (SELECT DISTINCT ct.contact_id FROM contact_tag ct JOIN tag g"
        f" ON g.id = ct.tag_id WHERE {equal_nocase('g.name')}) AS dnc ON dnc.contact_id = c.id",
        "LEFT JOIN consent_current AS agreed ON agreed.contact_id = c.id"
        " AND agreed.channel = ? AND agreed.granted = 1",
    ]
    join_params: list[object] = [DO_NOT_CONTACT_TAG, CONSENT_CHANNEL[channel]]
    consent_rule = "agreed.contact_id IS NULL"
    if partner_offer:
        joins.append(
            "LEFT JOIN consent_current AS partnered ON partnered.contact_id = c.id"
            " AND partnered.channel = 'partner_offers' AND partnered.granted = 1"
        )
        consent_rule += " OR partnered.contact_id IS NULL"
    case_params: list[object] = []
    cap_rule = "false"
    if cap is not None:
        joins.append(
            "LEFT JOIN (SELECT contact_id, count(*) AS sent FROM interaction"
            f" WHERE occurred_at > ? AND occurred_at <= ? AND {OUTBOUND_SQL}"
            " GROUP BY contact_id) AS pressure ON pressure.contact_id = c.id"
        )
        join_params += [cap_since, until]
        cap_rule = "coalesce(pressure.sent, 0) >= ?"
        case_params.append(cap)
    recent_rule = "false"
    if recent_since is not None:
        joins.append(
            "LEFT JOIN (SELECT DISTINCT contact_id FROM interaction WHERE occurred_at > ?"
            " AND occurred_at <= ? AND kind = 'campaign') AS recent"
            " ON recent.contact_id = c.id"
        )
        join_params += [recent_since, until]
        recent_rule = "recent.contact_id IS NOT NULL"
    sql = (
        "SELECT c.id, CASE"
        " WHEN c.archived_at IS NOT NULL THEN 'inactive'"
        " WHEN dnc.contact_id IS NOT NULL THEN 'do_not_contact'"
        f" WHEN {consent_rule} THEN 'no_consent'"
        f" WHEN NOT ({REACHABLE[channel]}) THEN 'no_address'"
        f" WHEN {cap_rule} THEN 'at_cap'"
        f" WHEN {recent_rule} THEN 'recent_campaign'"
        f" END FROM contact c {' '.join(joins)} WHERE {_qualified(segment_where)} ORDER BY c.id"
    )
    # The parameters in the order their placeholders appear: the CASE's, the joins', then
    # the segment's.
    return [
        (contact_id, reason)
        for contact_id, reason in database.execute_sql(
            sql, (*case_params, *join_params, *segment_params)
        ).fetchall()
    ]


def _qualified(segment_where: str) -> str:
    """The segment's condition (written on the bare contact table) on contact c."""
    return f"c.id IN (SELECT id FROM contact WHERE {segment_where})"


RECIPIENT_COLUMNS = (
    "id", "kind", "given_name", "family_name", "organisation", "email", "phone", "street",
    "locality", "region", "postcode", "country", "points_balance", "card_number", "created_at",
)  # fmt: skip


def recipient_rows(contact_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """RECIPIENT_COLUMNS of these contacts, in id order."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(contact_ids), 500):
        chunk = contact_ids[start : start + 500]
        rows += database.execute_sql(
            f"SELECT {', '.join(RECIPIENT_COLUMNS)} FROM contact"
            f" WHERE id IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
    return sorted(rows, key=lambda row: row[0])


# ----------------------------------------------------------------------------- producing


def record_production(
    campaign_id: int,
    recipients: Sequence[tuple[int, str, str | None]],
    *,
    summary: str,
    details: str,
    produced_at: str,
    seed: int | None,
    staff_id: int | None,
) -> int:
    """In the caller's transaction: the campaign's recipients (contact id, role, reason), one
    outbound `campaign` interaction for each sent one, tied to its recipient row, and the
    campaign marked produced. Returns the interactions logged."""
    insert_rows(
        database,
        "campaign_recipient",
        ("campaign_id", "contact_id", "role", "reason"),
        [(campaign_id, contact_id, role, reason) for contact_id, role, reason in recipients],
    )
    cursor = database.execute_sql(
        "INSERT INTO interaction (contact_id, kind, direction, occurred_at, summary, details,"
        " staff_id, created_at, updated_at)"
        " SELECT contact_id, 'campaign', 'outbound', ?, ?, ?, ?, ?, ?"
        " FROM campaign_recipient WHERE campaign_id = ? AND role = 'sent' ORDER BY contact_id",
        (produced_at, summary, details, staff_id, produced_at, produced_at, campaign_id),
    )
    logged = cursor.rowcount
    database.execute_sql(
        "UPDATE campaign_recipient SET interaction_id = (SELECT i.id FROM interaction i"
        " WHERE i.contact_id = campaign_recipient.contact_id AND i.kind = 'campaign'"
        " AND i.occurred_at = ? AND i.summary = ? ORDER BY i.id DESC LIMIT 1)"
        " WHERE campaign_id = ? AND role = 'sent'",
        (produced_at, summary, campaign_id),
    )
    database.execute_sql(
        "UPDATE campaign SET produced_at = ?, holdout_seed = ? WHERE id = ?",
        (produced_at, seed, campaign_id),
    )
    return int(logged)


def recipient_counts(campaign_id: int) -> dict[tuple[str, str | None], int]:
    """How many recipients of a produced campaign have each (role, reason)."""
    rows = database.execute_sql(
        "SELECT role, reason, count(*) FROM campaign_recipient WHERE campaign_id = ?"
        " GROUP BY role, reason",
        (campaign_id,),
    ).fetchall()
    return {(role, reason): count for role, reason, count in rows}


def recipient_ids(campaign_id: int, role: str, reason: str | None = None) -> list[int]:
    """The contact ids of a produced campaign with this role (and reason), in id order."""
    reason_rule = " AND reason = ?" if reason is not None else ""
    return [
        contact_id
        for (contact_id,) in database.execute_sql(
            "SELECT contact_id FROM campaign_recipient WHERE campaign_id = ? AND role = ?"
            f"{reason_rule} ORDER BY contact_id",
            (campaign_id, role, *([reason] if reason is not None else [])),
        ).fetchall()
    ]


# ------------------------------------------------------------------------------- results


def group_outcomes(
    campaign_id: int, since: str, untils: Sequence[str]
) -> dict[str, tuple[int, list[tuple[int, int]]]]:
    """For the sent and holdout groups of a produced campaign: (members, [(customers who
    visited or bought, spend in cents of purchases not refunded) in (since, until] for each
    until]). The interactions are read once, up to the last until."""
    columns = []
    params: list[object] = []
    for until in untils:
        columns.append("count(DISTINCT CASE WHEN i.occurred_at <= ? THEN r.contact_id END)")
        columns.append(
            "coalesce(sum(CASE WHEN i.occurred_at <= ? AND i.kind = 'purchase'"
            " AND i.refunded_at IS NULL THEN i.amount_cents END), 0)"
        )
        params += [until, until]
    rows = database.execute_sql(
        f"SELECT r.role, count(DISTINCT r.contact_id), {', '.join(columns)}"
        " FROM campaign_recipient r LEFT JOIN interaction i ON i.contact_id = r.contact_id"
        " AND i.kind IN ('visit', 'purchase') AND i.occurred_at > ? AND i.occurred_at <= ?"
        " WHERE r.campaign_id = ? AND r.role IN ('sent', 'holdout') GROUP BY r.role",
        (*params, since, max(untils), campaign_id),
    ).fetchall()
    outcomes = {}
    for role, members, *figures in rows:
        pairs = [(int(figures[n]), int(figures[n + 1])) for n in range(0, len(figures), 2)]
        outcomes[role] = (int(members), pairs)
    return outcomes


def opted_out_after(campaign_id: int, consent_channel: str, since: str) -> int:
    """How many customers the campaign was sent to withdrew consent for the channel after."""
    return database.execute_sql(
        "SELECT count(DISTINCT k.contact_id) FROM consent k JOIN campaign_recipient r"
        " ON r.contact_id = k.contact_id WHERE r.campaign_id = ? AND r.role = 'sent'"
        " AND k.channel = ? AND k.granted = 0 AND k.occurred_at > ?",
        (campaign_id, consent_channel, since),
    ).fetchone()[0]
