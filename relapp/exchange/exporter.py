"""Exporting a segment of customers as CSV (Excel-friendly) or vCard.

Rows are read in one query in id order and written as they come, so a million contacts
stream through in constant memory. CSV cells that a spreadsheet would run as a formula
(starting with =, +, -, @, tab, CR or LF; OWASP) are prefixed with a single quote; the
importer removes that quote again. Excel opens UTF-8 correctly only with a byte-order mark:
bom=True writes one. Lines end in CRLF, as Excel writes them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from relapp.db.live_files import refuse_database_files
from relapp.db.store.exports import card_rows, csv_rows
from relapp.domain.contacts.listing import ContactFilter, filter_where
from relapp.exchange.rows import safe_cell
from relapp.exchange.vcard import card_from_row, text_row

CSV_HEADERS = (
    "First name", "Last name", "Organisation", "Email", "Phone", "Street", "City", "Region",
    "Postcode", "Country", "Birthday", "Card number", "Ladder stage", "Tier", "Points",
    "Tags", "Notes", "Created",
)  # fmt: skip
Progress = Callable[[int], bool]  # rows written so far -> carry on?


class ExportCancelled(Exception):
    pass


def _birthday(year, month, day) -> str:
    if not (month and day):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _filter(contact_filter: ContactFilter | None, segment: str | None, consent: str | None):
    contact_filter = contact_filter or ContactFilter()
    if segment is not None:
        contact_filter = replace(contact_filter, segment=segment)
    if consent is not None:
        contact_filter = replace(contact_filter, consent=consent)
    return contact_filter


def export_csv(
    out: Path | str,
    contact_filter: ContactFilter | None = None,
    *,
    segment: str | None = None,
    consent: str | None = None,
    bom: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the contacts the filter selects; the number written."""
    out = refuse_database_files(out)
    where, params = filter_where(_filter(contact_filter, segment, consent))
    batches = csv_rows(where, params, 5000)
    count = 0
    with open(out, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_HEADERS)
        for rows in batches:
            writer.writerows(
                [safe_cell(v) for v in (*row[:10], _birthday(*row[10:13]), *row[13:])]
                for row in rows
            )
            count += len(rows)
            if progress is not None and not progress(count):
                raise ExportCancelled("The export was cancelled.")
    return count


def export_vcard(
    out: Path | str,
    contact_filter: ContactFilter | None = None,
    *,
    segment: str | None = None,
    consent: str | None = None,
    version: str = "3.0",
    progress: Progress | None = None,
) -> int:
    """Write one card per contact the filter selects; the number written."""
    out = refuse_database_files(out)
    where, params = filter_where(_filter(contact_filter, segment, consent))
    batches = card_rows(where, params, 2000)
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        for rows in batches:
            handle.write("".join(card_from_row(text_row(row), version) for row in rows))
            count += len(rows)
            if progress is not None and not progress(count):
                raise ExportCancelled("The export was cancelled.")
    return count
