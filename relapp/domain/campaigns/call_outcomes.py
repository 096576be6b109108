"""The outcomes of a phone-call campaign's calls, typed back from the printed call list.

Rules chosen here:

* Only a produced call campaign has outcomes, and only for the customers it was sent to
  (not those held out or left out).
* Each outcome is logged as an outbound `call` interaction on the customer's history, its
  summary "Call (CAMPAIGN): Outcome" and its details the note. Like any outbound contact it
  counts towards the shop's contact cap.
* A customer's outcome is logged once per campaign: one found since the campaign was
  produced, its summary beginning "Call (CAMPAIGN):", is kept and not logged again.
* A batch is all or nothing: any wrong entry refuses the whole of it, with one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.store import call_outcomes as store
from relapp.db.store.campaigns import CampaignRow
from relapp.db.store.interactions import insert_interaction
from relapp.domain.campaigns.campaigns import campaign_or_error
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.naming import display_name
from relapp.errors import RelappError

OUTCOMES = ("answered", "no_answer", "left_message", "call_back", "not_interested")
OUTCOME_WORDS = {
    "answered": "Answered",
    "no_answer": "No answer",
    "left_message": "Left message",
    "call_back": "Call back",
    "not_interested": "Not interested",
}
MAX_NOTE = 500


class CallOutcomeError(RelappError):
    """Call outcomes cannot be logged as asked; nothing was changed."""


@dataclass(frozen=True)
class CallRow:
    """A customer on the call list and the outcome logged for them: one of OUTCOMES, None
    if none is (or, when logged is true, if its words are not one of ours)."""

    contact_id: int
    name: str
    phone: str | None  # E.164
    outcome: str | None
    logged: bool = False
    note: str = ""  # the note logged with the outcome


def summary_prefix(campaign_name: str) -> str:
    return f"Call ({campaign_name}):"


def call_summary(campaign_name: str, outcome: str) -> str:
    return f"{summary_prefix(campaign_name)} {OUTCOME_WORDS[outcome]}"


def calls_to_log(campaign_id: int) -> list[CallRow]:
    """The customers a produced call campaign was sent to, in id order, with the outcome
    logged for each so far; raises CallOutcomeError for any other campaign."""
    campaign = _call_campaign(campaign_id)
    logged, notes = _logged(campaign, None)
    return [
        CallRow(
            contact_id=int(contact_id),
            name=display_name(str(kind), str(given), str(family), str(organisation)),
            phone=phone or None,
            outcome=logged.get(int(contact_id)),
            logged=int(contact_id) in logged,
            note=notes.get(int(contact_id), ""),
        )
        for contact_id, kind, given, family, organisation, phone in store.sent_call_rows(
            campaign_id
        )
    ]


def log_call_outcomes(
    campaign_id: int,
    outcomes: Mapping[int, tuple[str, str]],
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Change:
    """Log each contact id -> (outcome, note) as an outbound call, in one transaction; an
    outcome logged already for the customer is not logged again. Raises CallOutcomeError
    (one sentence) and writes nothing if any entry is wrong."""
    moment = format_timestamp(now or utc_now())
    with write_transaction():
        campaign = _call_campaign(campaign_id)
        sent = {int(row[0]) for row in store.sent_call_rows(campaign_id)}
        for contact_id, (outcome, note) in sorted(outcomes.items()):
            if contact_id not in sent:
                raise CallOutcomeError(
                    f"Customer {contact_id} was not called in the campaign {campaign.name!r}."
                )
            if outcome not in OUTCOME_WORDS:
                raise CallOutcomeError(
                    f"A call's outcome is one of {', '.join(OUTCOMES)}, not {outcome!r}."
                )
            if len(note) > MAX_NOTE:
                raise CallOutcomeError(f"A call's note has at most {MAX_NOTE} characters.")
        logged, _notes = _logged(campaign, sorted(outcomes))
        written = set()
        for contact_id, (outcome, note) in sorted(outcomes.items()):
            if contact_id in logged:
                continue
            insert_interaction({
                "contact_id": contact_id, "kind": "call", "direction": "outbound",
                "occurred_at": moment, "summary": call_summary(campaign.name, outcome),
                "details": note.strip(), "staff_id": staff_id, "created_at": moment,
                "updated_at": moment,
            })  # fmt: skip
            written.add(contact_id)
    if not written:
        return Change.of()
    return Change.of(Entity.INTERACTIONS, Entity.CAMPAIGNS, contact_ids=frozenset(written))


def _call_campaign(campaign_id: int) -> CampaignRow:
    try:
        campaign = campaign_or_error(campaign_id)
    except RelappError as error:
        raise CallOutcomeError(str(error)) from None
    if campaign.channel != "call":
        raise CallOutcomeError(f"The campaign {campaign.name!r} is not a phone-call campaign.")
    if campaign.produced_at is None:
        raise CallOutcomeError(
            f"The campaign {campaign.name!r} is not produced yet, so nobody has been called."
        )
    return campaign


def _logged(
    campaign: CampaignRow, contact_ids: list[int] | None
) -> tuple[dict[int, str | None], dict[int, str]]:
    """contact id -> the outcome logged for the campaign (None if its words are unknown), and
    contact id -> the note logged with it."""
    prefix = summary_prefix(campaign.name)
    words = {word: outcome for outcome, word in OUTCOME_WORDS.items()}
    assert campaign.produced_at is not None
    found = store.logged_call_summaries(contact_ids, prefix, campaign.produced_at)
    outcomes = {
        contact_id: words.get(summary[len(prefix) :].strip())
        for contact_id, (summary, _note) in found.items()
    }
    return outcomes, {contact_id: note for contact_id, (_summary, note) in found.items()}
