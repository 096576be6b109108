"""A customer's points balance split into lots by expiry, replayed from the ledger.

Each positive ledger entry is a lot with its expires_at; each negative entry spends the lot it
reverses, if any, then the soonest-expiring lots first, lots that never expire last (which is
"oldest points first" for points earned under one program). Points spent before any lot
could pay for them (entries dated out of order) are owed and paid by the next positive entry.
Lots expiring at the same moment are combined, and the lots always sum to the balance.
Expiry (relapp.domain.loyalty.ledger) and a merge's transfer of points
(relapp.domain.contacts.merge)
both work on these lots.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import parse_timestamp
from relapp.db.store.ledger import entries_for_lots


@dataclass(frozen=True)
class PointsLot:
    """Points still held from one positive ledger entry (or several expiring together)."""

    points: int
    expires_at: datetime | None


@dataclass
class _Lot:
    points: int
    expires_at: str | None  # stored text sorts chronologically
    sequence: int

    def order(self) -> tuple[bool, str, int]:
        return (self.expires_at is None, self.expires_at or "", self.sequence)


def remaining_lots(contact_id: int) -> list[PointsLot]:
    """The contact's balance split into lots by expiry, soonest-expiring first.

    The lots always sum to the balance. See the module docstring for how entries are replayed.
    """
    lots: list[_Lot] = []
    by_entry: dict[int | None, _Lot] = {}  # None: what an entry reversing nothing reverses
    owed = 0  # points spent before any lot could pay for them (out-of-order dates)
    entries = entries_for_lots(contact_id)
    for sequence, (entry_id, points, expires_at, reverses_id) in enumerate(entries):
        if points > 0:
            paid = min(owed, points)
            owed -= paid
            if points > paid:
                lot = _Lot(points - paid, expires_at, sequence)
                bisect.insort(lots, lot, key=_Lot.order)
                by_entry[entry_id] = lot
        else:
            owed += _spend(-points, lots, by_entry.get(reverses_id))
    return _combined(lot for lot in lots if lot.points > 0)


def _spend(points: int, lots: list[_Lot], reversed_lot: _Lot | None) -> int:
    """Take points from the reversed lot, then the soonest-expiring; return what is unpaid."""
    for lot in ([reversed_lot] if reversed_lot else []) + lots:
        taken = min(lot.points, points)
        lot.points -= taken
        points -= taken
        if not points:
            break
    lots[:] = [lot for lot in lots if lot.points > 0]
    return points


def _combined(lots: Iterable[_Lot]) -> list[PointsLot]:
    combined: list[PointsLot] = []
    for lot in lots:
        expires = None if lot.expires_at is None else parse_timestamp(lot.expires_at)
        if combined and combined[-1].expires_at == expires:
            combined[-1] = PointsLot(combined[-1].points + lot.points, expires)
        else:
            combined.append(PointsLot(lot.points, expires))
    return combined
