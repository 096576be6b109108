"""A partner's code batch as a CSV file to hand over (a printer, a till, a spreadsheet): one
row per code, with what it gives, until when, whose it is and whether it was used already.
Written whole or not at all, never over the shop's database (campaign_files' writer)."""

from __future__ import annotations

from pathlib import Path

from relapp.db.fields import parse_timestamp
from relapp.domain.partners.batches import Batch, batch_codes
from relapp.domain.terms import PARTNER_DIRECTION_NAMES
from relapp.exchange.campaign_files import _csv_bytes, _write_atomically

HEADERS = ("Code", "Offer", "Least purchase (cents)", "Valid until", "Partner", "Batch", "Way",
           "Used")  # fmt: skip


def batch_csv(batch: Batch, target: Path) -> int:
    """Write the batch's codes to target; how many.

    Raises:
        RelappError: the target is the shop's database, or its folder cannot be written.
    """
    until = parse_timestamp(batch.valid_until).astimezone().date().isoformat()
    rows = [
        (code, batch.offer, batch.min_spend_cents, until, batch.partner, batch.label,
         PARTNER_DIRECTION_NAMES[batch.direction], "yes" if used else "")
        for code, used in batch_codes(batch.offer_id)
    ]  # fmt: skip
    _write_atomically(target, _csv_bytes(HEADERS, rows))
    return len(rows)
