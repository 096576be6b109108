"""Membership cards: the loyalty card (relapp.reports.cards, the same layout, sheet and
symbols) with the member's plan and the last day of their membership under their name.

A card is printed for a customer whose membership is current, starts later, or is in grace
(the day shown is that of the renewal already made, if any: the day the card is good until);
the others are skipped with the reason, as customers without a card number are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from relapp.domain.memberships.members import standing
from relapp.domain.memberships.status import CANCELLED, EXPIRED
from relapp.domain.shop.formats import format_day
from relapp.reports.cards import CardSheet, printable_cards, write_card_sheet
from relapp.reports.document import Cancelled, Progress

TITLE = "Membership cards"
NO_MEMBERS = "None of these customers has a current membership and a loyalty card number."


def membership_cards(
    contact_ids: Sequence[int],
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> CardSheet:
    """Write a sheet of membership cards for these customers, in the order given, to out.

    Raises:
        RelappError: none of them can have one (nothing is written), or out cannot be written.
        ReportCancelled: cancelled() became true (nothing is written).
    """
    cards, skipped = printable_cards(contact_ids)
    members = []
    for card in cards:
        shown = standing(card.contact_id)
        if shown is None or shown.status in (EXPIRED, CANCELLED):
            skipped.append((card.contact_id, "no current membership"))
            continue
        until = shown.renewed_to or shown.membership.ends_on
        caption = f"{shown.membership.plan_name} member · valid to {format_day(until)}"
        members.append(replace(card, caption=caption, highlight=True))
    return write_card_sheet(members, skipped, out, TITLE, progress, cancelled, NO_MEMBERS)
