"""Importing customers from CSV or vCard into the shop, all or nothing.

Every row goes through the same cleaners as the contact form (relapp.domain.contact_fields):
names folded, phones stored in E.164 read in the shop's region, emails validated offline.
A row with a problem is set aside with its line and reason (write_error_report) while the
good rows are imported. Everything happens in one transaction: a dry run or a Cancel rolls it
back, and a killed process leaves the database as it was (SQLite's journal undoes it).

Duplicates are found by card number, then email, then phone, among contacts not erased,
including those imported earlier in the same file. The policy decides what happens:
skip (default) keeps the existing contact as it is; merge fills the existing contact's empty
fields and never overwrites one; create adds a new contact anyway (a card number still belongs
to one customer only, so a row whose card is taken is rejected).
An opening-points column adds an opening balance (add_opening_balance, once per customer);
a merged customer who already has one keeps it.
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from relapp.db.bulk import DeferredFullText
from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contact_fields import (
    CARD_LENGTHS,
    ProblemCollector,
    clean_birthday,
    clean_email,
    clean_name,
    clean_phone,
    clean_text,
)
from relapp.domain.loyalty import add_opening_balance
from relapp.domain.settings import ShopSettings, load_settings
from relapp.errors import RelappError
from relapp.exchange.csv_read import FIELDS, UnreadableFile, guess_mapping, read_table

Policy = Literal["skip", "merge", "create"]
POLICIES: tuple[Policy, ...] = ("skip", "merge", "create")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_LINE = 200
# New contacts reach the search index in batches of this many rows (see DeferredFullText).
SEARCH_BATCH = 5_000
# Files this long are cleaned in worker processes; a worker takes this many rows at a time.
PARALLEL_FROM_ROWS = 5_000
CLEAN_CHUNK = 2_000
MAX_OPENING_POINTS = 10_000_000
OPENING_REASON = "Opening balance imported from {name}"
IMPORT_ACTION = "contacts imported"
# Columns filled by a merge when the existing contact's value is empty.
_FILLABLE = (
    "given_name", "family_name", "organisation", "email", "phone", "phone_national", "street",
    "locality", "region", "postcode", "country", "card_number", "notes",
)  # fmt: skip
_COLUMNS = (*_FILLABLE, "kind", "birth_year", "birth_month", "birth_day", "source")

Progress = Callable[[int, int], bool]  # (rows done, rows in all) -> carry on?


class ImportCancelled(RelappError):
    """Cancelled: the transaction was rolled back, nothing was written."""


@dataclass(frozen=True)
class SourceRow:
    """One row or card of the file: where it starts, its raw cells, its values by field."""

    line: int
    cells: Sequence[str]
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    cells: Sequence[str]


@dataclass(frozen=True)
class CleanRow:
    columns: dict[str, object]  # contact column -> value, only those given
    opening_points: int | None


@dataclass
class ImportResult:
    imported: int = 0
    merged: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # of the file, for the error report
    dry_run: bool = False
    change: Change = field(default_factory=Change.of)

    def summary(self) -> str:
        text = (
            f"imported {self.imported:,}, merged {self.merged:,}, skipped {self.skipped:,}, "
            f"rejected {self.rejected:,}"
        )
        return f"{text} (dry run: nothing was written)" if self.dry_run else text


# ------------------------------------------------------------------------------- cleaning


def unquote_cell(text: str) -> str:
    """A cell as written, without the quote an export puts before =, +, -, @ (formulas)."""
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def parse_birthday(text: str, month_first: bool) -> tuple[int | None, int | None, int | None]:
    """A birthday as Excel, Google, Outlook or vCard write it: 1990-05-31, --05-31, --0531,
    19900531, 31/05/1990 (or 05/31/1990 in the US), 31.05.1990; Outlook's 0/0/00 is none."""
    text = text.strip().split("T")[0]
    if not text or text in {"0/0/00", "0/0/0000", "00/00/0000"}:
        return None, None, None
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{4})(\d{2})(\d{2})", "ymd"),
        (r"--(\d{2})-?(\d{2})", "md"),
        (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", "mdy" if month_first else "dmy"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
    )
    for pattern, order in patterns:
        found = re.fullmatch(pattern, text)
        if found:
            parts = dict(zip(order, (int(group) for group in found.groups()), strict=True))
            return clean_birthday(parts.get("y"), parts.get("m"), parts.get("d"))
    raise ValueError(f"{text!r} is not a date (write it as 1990-05-31).")


def _clean_card_format(text: str) -> str | None:
    card = "".join(text.split())
    if not card:
        return None
    if not (card.isascii() and card.isdigit() and len(card) in CARD_LENGTHS):
        raise ValueError(f"{card!r} is not a card number (4 to 32 digits).")
    return card


def _clean_points(text: str) -> int | None:
    text = text.replace(",", "").replace(" ", "").replace("_", "")
    if not text or text in {"0", "0.0"}:
        return None
    try:
        points = int(float(text)) if re.fullmatch(r"\d+(\.0*)?", text) else int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number of points.") from None
    if not 0 < points <= MAX_OPENING_POINTS:
        raise ValueError(f"Opening points must be between 1 and {MAX_OPENING_POINTS:,}.")
    return points


def clean_row(values: dict[str, str], region: str, month_first: bool) -> CleanRow:
    """The contact columns for one row, or InvalidContact naming every problem."""
    values = {name: unquote_cell(value) for name, value in values.items() if value}
    checks = ProblemCollector()
    given = checks.check("given_name", clean_name, values.get("given_name", "")) or ""
    family = checks.check("family_name", clean_name, values.get("family_name", "")) or ""
    if not given and not family and values.get("full_name"):
        full = checks.check("full_name", clean_name, values["full_name"]) or ""
        given, _, family = full.rpartition(" ") if " " in full else (full, "", "")
    organisation = checks.check("organisation", clean_name, values.get("organisation", "")) or ""
    phone = checks.check("phone", clean_phone, values.get("phone", ""), region)
    email = checks.check("email", clean_email, values.get("email", ""))
    card = checks.check("card_number", _clean_card_format, values.get("card_number", ""))
    birthday = checks.check(
        "birthday", parse_birthday, values.get("birthday", ""), month_first
    ) or (None, None, None)
    notes = checks.check("notes", clean_text, values.get("notes", "")) or ""
    points = checks.check("opening_points", _clean_points, values.get("opening_points", ""))
    address = {
        name: checks.check(name, clean_name, values.get(name, "")) or ""
        for name in ("street", "locality", "region", "postcode", "country")
    }
    if not (given or family or organisation or email or phone or card) and not checks.problems:
        checks.add("given_name", "No name, organisation, email, phone or card number.")
    checks.raise_if_any()
    columns: dict[str, object] = {
        "kind": "business" if organisation and not (given or family) else "person",
        "given_name": given,
        "family_name": family,
        "organisation": organisation,
        "email": email,
        "phone": phone.e164 if phone else None,
        "phone_national": phone.national_digits if phone else None,
        "card_number": card,
        "notes": notes,
        "birth_year": birthday[0],
        "birth_month": birthday[1],
        "birth_day": birthday[2],
        **address,
    }
    return CleanRow(columns, points)


def clean_rows(
    rows: Sequence[SourceRow], region: str, month_first: bool, workers: int | None = None
) -> Iterator[tuple[SourceRow, CleanRow | str]]:
    """Each row with its cleaned columns, or the sentence saying why it was refused, in order.

    Cleaning (libphonenumber and email-validator are pure Python) is most of an import's work,
    so a large file is cleaned in worker processes while this one writes; workers: how many
    (default: one per core but the one this process writes on; none for small files or a
    single core: 100,000 rows took 18.6 s here, 10.2 s with one worker, 11.4 s with two on a
    two-core machine).
    """
    if workers is None:
        workers = (os.cpu_count() or 1) - 1 if len(rows) >= PARALLEL_FROM_ROWS else 0
    if workers <= 0:
        for row in rows:
            yield row, _clean_or_reason(row.values, region, month_first)
        return
    chunks = [rows[start : start + CLEAN_CHUNK] for start in range(0, len(rows), CLEAN_CHUNK)]
    done = 0
    try:
        # spawn, not fork: the app has Qt threads, and a forked child may inherit a held lock.
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with_parent
        )
    except OSError:
        pool = None
    if pool is not None:
        try:
            cleaned = pool.map(
                _clean_chunk,
                ([row.values for row in chunk] for chunk in chunks),
                itertools.repeat(region),
                itertools.repeat(month_first),
            )
            for chunk, results in zip(chunks, cleaned, strict=True):
                yield from zip(chunk, results, strict=True)
                done += len(chunk)
            return
        except (BrokenProcessPool, OSError):
            pass  # a worker died or could not start (memory, a security program): go on here
        finally:  # also when the caller stops early (Cancel, an error): drop queued chunks
            pool.shutdown(wait=False, cancel_futures=True)
    yield from clean_rows(rows[done:], region, month_first, workers=0)


def _clean_or_reason(values: dict[str, str], region: str, month_first: bool) -> CleanRow | str:
    try:
        return clean_row(values, region, month_first)
    except RelappError as error:
        return str(error)


def _exit_with_parent() -> None:
    """Runs first in each worker: a killed app must not leave its workers waiting for ever
    (they hold their own end of the work queue, so they never see it close)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(0)), daemon=True).start()


def _clean_chunk(values: list[dict[str, str]], region: str, month_first: bool) -> list:
    """Runs in a worker process."""
    return [_clean_or_reason(row, region, month_first) for row in values]


# ------------------------------------------------------------------------------- importing


def import_rows(
    rows: Sequence[SourceRow],
    *,
    source_name: str,
    duplicates: Policy = "skip",
    dry_run: bool = False,
    progress: Progress | None = None,
    staff_id: int | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import rows in one transaction; see the module's rules. workers: see clean_rows.

    Raises:
        ImportCancelled: progress returned False; nothing was written.
    """
    if duplicates not in POLICIES:
        raise ValueError(f"duplicates must be one of {POLICIES}, not {duplicates!r}")
    settings = load_settings()
    region, month_first = settings.phone_region, settings.phone_region in {"US", "PH", "FM"}
    result = ImportResult(dry_run=dry_run)
    touched: set[int] = set()
    now = utc_now()
    search = DeferredFullText(
        database, "contact_search", "contact_search_source", "contact_search_insert"
    )
    writer = _RowWriter(
        result, touched, duplicates, settings, _timestamp(now),
        OPENING_REASON.format(name=source_name)[:MAX_LINE], staff_id, search,
    )  # fmt: skip
    total = len(rows)
    with database.atomic("IMMEDIATE") as transaction:
        with search:
            cleaned = clean_rows(rows, region, month_first, workers)
            with closing(cleaned):  # stops the workers at once on Cancel or an error
                for done, (row, clean) in enumerate(cleaned, 1):
                    writer.write(row, clean)
                    if done % SEARCH_BATCH == 0:
                        search.flush()
                    report = progress is not None and (done % 500 == 0 or done == total)
                    if report and not progress(done, total):
                        raise ImportCancelled("The import was cancelled; nothing was written.")
        if dry_run:
            transaction.rollback()
        else:
            database.execute_sql(
                "INSERT INTO audit_log (occurred_at, staff_id, action, entity, details)"
                " VALUES (?, ?, ?, 'contact', ?)",
                (writer.stamp, staff_id, IMPORT_ACTION,
                 json.dumps(_audit_details(result, source_name))),
            )  # fmt: skip
    if not dry_run and touched:
        result.change = Change.of(Entity.CONTACTS, Entity.POINTS, contact_ids=frozenset(touched))
    return result


def _audit_details(result: ImportResult, source_name: str) -> dict:
    return {
        "file": source_name,
        "imported": result.imported,
        "merged": result.merged,
        "skipped": result.skipped,
        "rejected": result.rejected,
    }


@dataclass
class _RowWriter:
    """Writes the cleaned rows of one import, in its transaction."""

    result: ImportResult
    touched: set[int]
    policy: Policy
    settings: ShopSettings
    stamp: str
    reason: str
    staff_id: int | None
    search: DeferredFullText

    def write(self, row: SourceRow, clean: CleanRow | str) -> None:
        if isinstance(clean, str):
            _reject(self.result, row, clean)
            return
        columns = clean.columns
        existing = _find_existing(columns)
        if existing is not None and self.policy == "skip":
            self.result.skipped += 1
            return
        if existing is not None and self.policy == "merge":
            contact_id = existing
            if not self.search.covers(contact_id):
                self.search.flush()  # added earlier in this file: indexed before it changes
            _fill_empty_fields(contact_id, columns, self.stamp)
            self.result.merged += 1
        else:
            if columns["card_number"] and _card_holder(columns["card_number"]) is not None:
                taken = f"Card {columns['card_number']} already belongs to a customer."
                _reject(self.result, row, taken)
                return
            contact_id = _insert_contact(columns, self.stamp)
            self.result.imported += 1
        self.touched.add(contact_id)
        if clean.opening_points:
            self._add_opening_points(row, contact_id, clean.opening_points)

    def _add_opening_points(self, row: SourceRow, contact_id: int, points: int) -> None:
        has_one = database.execute_sql(
            "SELECT 1 FROM points_entry WHERE contact_id = ? AND kind = 'opening' LIMIT 1",
            (contact_id,),
        ).fetchone()
        if has_one is not None:
            return
        try:
            add_opening_balance(
                contact_id, points, self.reason, self.staff_id, settings=self.settings
            )
        except (RelappError, ValueError) as error:
            self.result.errors.append(
                RowError(row.line, f"Imported, but no opening points: {error}", row.cells)
            )


def _reject(result: ImportResult, row: SourceRow, reason: str) -> None:
    result.rejected += 1
    result.errors.append(RowError(row.line, reason, row.cells))


def _card_holder(card: object) -> int | None:
    found = database.execute_sql("SELECT id FROM contact WHERE card_number = ?", (card,)).fetchone()
    return found[0] if found else None


def _find_existing(columns: dict[str, object]) -> int | None:
    alive = "erased_at IS NULL"
    for column, collate in (("card_number", ""), ("email", " COLLATE NOCASE"), ("phone", "")):
        value = columns.get(column)
        if value:
            found = database.execute_sql(
                f"SELECT id FROM contact WHERE {column} = ?{collate} AND {alive}"
                " ORDER BY archived_at IS NOT NULL, id LIMIT 1",
                (value,),
            ).fetchone()
            if found:
                return found[0]
    return None


def _insert_contact(columns: dict[str, object], stamp: str) -> int:
    names = [*_COLUMNS, "created_at", "updated_at"]
    values = [columns.get(name, "") for name in _COLUMNS[:-1]] + ["import", stamp, stamp]
    cursor = database.execute_sql(
        f"INSERT INTO contact ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        values,
    )
    return cursor.lastrowid


def _fill_empty_fields(contact_id: int, columns: dict[str, object], stamp: str) -> None:
    stored = database.execute_sql(
        f"SELECT {', '.join(_FILLABLE)}, birth_month FROM contact WHERE id = ?", (contact_id,)
    ).fetchone()
    current = dict(zip((*_FILLABLE, "birth_month"), stored, strict=True))
    updates: dict[str, object] = {}
    for name in _FILLABLE:
        if name == "phone_national":
            continue
        new = columns.get(name)
        if new and not current[name]:
            if name == "card_number" and _card_holder(new) is not None:
                continue
            updates[name] = new
            if name == "phone":
                updates["phone_national"] = columns["phone_national"]
    if current["birth_month"] is None and columns.get("birth_month") is not None:
        for name in ("birth_year", "birth_month", "birth_day"):
            updates[name] = columns[name]
    if updates:
        assignments = ", ".join(f"{name} = ?" for name in updates)
        database.execute_sql(
            f"UPDATE contact SET {assignments}, updated_at = ? WHERE id = ?",
            (*updates.values(), stamp, contact_id),
        )


def _timestamp(moment) -> str:
    return format_timestamp(moment)


# ------------------------------------------------------------------------------- files


def csv_rows(
    path: Path, mapping: dict[int, str] | None = None
) -> tuple[list[str], list[SourceRow]]:
    """The header and the rows of a CSV file, each row's values by field."""
    table = read_table(path)
    mapping = guess_mapping(table.headers) if mapping is None else mapping
    unknown = set(mapping.values()) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields in the mapping: {', '.join(sorted(unknown))}")
    if not mapping:
        raise UnreadableFile(
            "No column could be matched to a customer field; name the columns "
            "(for example First name, Last name, Email, Phone)."
        )
    rows = [
        SourceRow(
            line,
            cells,
            {name: cells[index] for index, name in mapping.items() if index < len(cells)},
        )
        for line, cells in table.rows
    ]
    return table.headers, rows


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: dict[str, str]  # field -> the value as it will be stored (as text)
    problem: str | None


def preview(
    file: Path | str, mapping: dict[int, str] | None = None, rows: int = 20
) -> list[PreviewRow]:
    """The first rows as they would be imported with this mapping; nothing is written."""
    _, source = csv_rows(Path(file), mapping)
    settings = load_settings()
    month_first = settings.phone_region in {"US", "PH", "FM"}
    shown = []
    for row in source[:rows]:
        try:
            clean = clean_row(row.values, settings.phone_region, month_first)
        except RelappError as error:
            shown.append(PreviewRow(row.line, dict(row.values), str(error)))
            continue
        values = {k: str(v) for k, v in clean.columns.items() if v not in (None, "")}
        if clean.opening_points:
            values["opening_points"] = str(clean.opening_points)
        shown.append(PreviewRow(row.line, values, None))
    return shown


def detect_format(path: Path) -> str:
    head = path.read_bytes()[:4096]
    for encoding in ("utf-8", "utf-16", "cp1252"):
        try:
            text = head.decode(encoding, errors="ignore")
        except LookupError:
            continue
        if "BEGIN:VCARD" in text.upper():
            return "vcard"
    return "vcard" if path.suffix.lower() in {".vcf", ".vcard"} else "csv"


def import_file(
    path: Path | str,
    format: str | None = None,
    *,
    mapping: dict[int, str] | None = None,
    duplicates: Policy = "skip",
    dry_run: bool = False,
    progress: Progress | None = None,
    staff_id: int | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import a CSV or vCard file (format guessed from its content when not given)."""
    path = Path(path)
    try:
        kind = format or detect_format(path)
        if kind == "vcard":
            from relapp.exchange.vcard import vcard_rows

            headers, rows, broken = vcard_rows(path)
        else:
            headers, rows = csv_rows(path, mapping)
            broken = []
    except OSError as error:
        raise RelappError(f"Cannot read {path}: {error.strerror or error}.") from None
    except UnreadableFile as error:
        raise RelappError(f"{path.name}: {error}") from None
    result = import_rows(
        rows,
        source_name=path.name,
        duplicates=duplicates,
        dry_run=dry_run,
        progress=progress,
        staff_id=staff_id,
        workers=workers,
    )
    result.headers = headers
    if broken:
        result.rejected += len(broken)
        result.errors = sorted([*broken, *result.errors], key=lambda error: error.line)
    return result


def write_error_report(path: Path | str, result: ImportResult) -> None:
    """The rejected rows as CSV: line, reason, then the row's cells as they were."""
    from relapp.exchange.exporter import safe_cell

    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason", *result.headers])
        for error in result.errors:
            writer.writerow([error.line, safe_cell(error.reason), *map(safe_cell, error.cells)])
