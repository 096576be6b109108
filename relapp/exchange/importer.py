"""Importing customers from CSV or vCard into the shop, all or nothing.

Every row goes through the same cleaners as the contact form (relapp.domain.contacts.fields):
names folded, phones stored in E.164 read in the shop's region, emails validated offline.
A row with a problem is set aside with its line and reason (write_error_report) while the
good rows are imported.

All or nothing, without locking the counter out (see import_rows): the rows are checked first,
writing nothing (a dry run stops there; so does Cancel, and a killed process leaves the
database as it was). Then the checked rows are set aside in the database, and once the last
of them is, the import is decided. They are then saved into the shop in steps of about a fifth
of a second, so a sale at the counter waits at most about that long; if Relapp stops half
way, the next import or the next daily round saves the rest (finish_interrupted_imports).
While the steps run, the rows appear in the shop a few thousand at a time.

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
import functools
import itertools
import json
import multiprocessing
import os
import re
import string
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal, Protocol

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.bulk import DeferredFullText
from relapp.db.busy import give_way, write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.live_files import refuse_database_files
from relapp.db.models import database
from relapp.db.store import contacts as contact_store
from relapp.db.store.imports import (
    add_batch,
    add_batch_counts,
    batch_counts,
    batch_has_rows,
    batch_to_save,
    best_match,
    best_match_id,
    deferred_contact_search,
    delete_batch,
    delete_first_rows,
    delete_saved_rows,
    has_opening_balance,
    highest_contact_id,
    holders_of_cards,
    interrupted_batches,
    is_archived,
    mark_batch_decided,
    mark_batch_saved,
    matches_of,
    pending_rows,
    set_aside_rows,
)
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.fields import (
    CARD_LENGTHS,
    ProblemCollector,
    clean_birthday,
    clean_email,
    clean_name,
    clean_phone,
    clean_text,
)
from relapp.domain.loyalty.points import add_opening_balance, live_customer
from relapp.domain.shop.settings import ShopSettings, load_settings
from relapp.errors import DatabaseBusy, RelappError, excerpt
from relapp.exchange.csv_read import FIELDS, UnreadableFile, guess_mapping, read_table
from relapp.exchange.rows import FORMULA_STARTS, RowError, SourceRow, safe_cell
from relapp.exchange.tags import ImportedTags, clean_tags
from relapp.exchange.vcard import vcard_rows

Policy = Literal["skip", "merge", "create"]
POLICIES: tuple[Policy, ...] = ("skip", "merge", "create")
MAX_LINE = 200
# Saving: at most this many rows, and about this long, per transaction; the counter waits at
# most about that long for the write lock (relapp.db.busy).
SAVE_STEP_ROWS = 5_000
SAVE_STEP_SECONDS = 0.2
# Rows asked about and written together within a step (_ChunkStore).
SAVE_CHUNK = 500
# How long the import waits for the write lock (a restore holds it for minutes) before saying
# the database is busy; and how many checked rows are set aside per transaction.
SAVE_PATIENCE_SECONDS = 120
DECIDE_CHUNK = 10_000
# An import nobody moved on for this long was interrupted: finish_interrupted_imports.
INTERRUPTED_AFTER = timedelta(seconds=60)
PROGRESS_STEP = 500
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
    """Cancelled while the rows were checked: nothing was written."""


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
    raise ValueError(f"{excerpt(text)} is not a date (write it as 1990-05-31).")


def _clean_card_format(text: str) -> str | None:
    card = "".join(text.split())
    if not card:
        return None
    if not (card.isascii() and card.isdigit() and len(card) in CARD_LENGTHS):
        raise ValueError(f"{excerpt(card)} is not a card number (4 to 32 digits).")
    return card


def _clean_points(text: str) -> int | None:
    text = text.replace(",", "").replace(" ", "").replace("_", "")
    if not text or text in {"0", "0.0"}:
        return None
    try:
        points = int(float(text)) if re.fullmatch(r"\d+(\.0*)?", text) else int(text)
    except ValueError:
        raise ValueError(f"{excerpt(text)} is not a whole number of points.") from None
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
    tags = checks.check("tags", clean_tags, values.get("tags", "")) or []
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
        "tags": tags,  # not a contact column: _RowWriter gives them (relapp.exchange.tags)
    }
    return CleanRow(columns, points)


def clean_rows(
    rows: Sequence[SourceRow], region: str, month_first: bool, workers: int | None = None
) -> Iterator[tuple[SourceRow, CleanRow | str]]:
    """Each row with its cleaned columns, or the sentence saying why it was refused, in order.

    Cleaning (libphonenumber and email-validator are pure Python) is most of an import's work,
    so a large file is cleaned in worker processes; workers: how many (default: one per core,
    since this process only collects the rows; none for small files or a single core).
    """
    if workers is None:
        cores = os.cpu_count() or 1
        workers = cores if len(rows) >= PARALLEL_FROM_ROWS and cores > 1 else 0
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
    """Import rows, all or nothing; see the module's rules. workers: see clean_rows.

    Three steps, so that the counter never waits long for the write lock:
    1. Check: every row is cleaned; nothing is written, and Cancel (progress returning False)
       stops the import here. A dry run then works out what the import would do, reading
       the shop only, and stops.
    2. Decide: the checked rows are set aside in import_row, DECIDE_CHUNK per transaction;
       the import is decided when the last of them is. From then on it happens, even if
       Relapp stops (finish_interrupted_imports); before, anything that stops it leaves
       nothing.
    3. Save: the rows are moved into the shop in steps of at most SAVE_STEP_SECONDS, each
       its own transaction, with a pause after each for a sale waiting at the counter.
       Progress is still reported, but returning False no longer stops anything.
    progress counts both halves as one bar: (done, len(rows)), checking up to half of it.

    Raises:
        ImportCancelled: progress returned False while the rows were checked; nothing was
            written.
        DatabaseBusy: the write lock stayed out of reach for SAVE_PATIENCE_SECONDS before
            the import was decided; nothing was written.
    """
    if duplicates not in POLICIES:
        raise ValueError(f"duplicates must be one of {POLICIES}, not {duplicates!r}")
    if not dry_run:
        finish_interrupted_imports()
    settings = load_settings()
    result = ImportResult(dry_run=dry_run)
    bar = _ProgressBar(progress, len(rows))
    checked = _check(rows, settings, workers, bar)
    if dry_run:
        _work_out(checked, result, duplicates)
    else:
        batch_id = _set_aside(checked, result, source_name, duplicates, staff_id)
        touched = _save(batch_id, result, [row for row, _ in checked], bar)
        if touched:
            result.change = Change.of(
                Entity.CONTACTS, Entity.POINTS, Entity.TAGS, contact_ids=frozenset(touched)
            )
    result.errors.sort(key=lambda error: error.line)
    return result


def finish_interrupted_imports(idle: timedelta = INTERRUPTED_AFTER) -> int:
    """Save the rest of every decided import that stopped half way through saving (Relapp
    closed by a crash or a power cut) and that nobody has moved on for idle; returns how
    many. The rows of one that stopped before it was decided are deleted.

    Runs before each import and in the daily round (at start-up, then hourly). An import
    still being saved elsewhere is left to its owner; two saving one import would still be
    safe, since each step takes the next rows under the write lock and deletes them.
    """
    batches = interrupted_batches(_timestamp(utc_now() - idle))
    for batch_id, decided in batches:
        if decided:
            _save(batch_id, ImportResult(), None, None)
        else:
            _discard(batch_id)  # stopped while its rows were set aside: it never happened
    return sum(decided for _, decided in batches)


class _ProgressBar:
    """One bar over both halves of an import: checking the rows, then saving them.

    Reported at every multiple of PROGRESS_STEP (none skipped: the command line prints every
    10,000), and at the end of each half.
    """

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress, self._total, self._next = progress, total, PROGRESS_STEP

    def checked(self, done: int) -> bool:
        """Rows checked so far; False: the user cancelled."""
        return self._show(done // 2, final=done == self._total)

    def saved(self, done: int) -> None:
        self._show(self._total // 2 + (done + 1) // 2, final=done == self._total)

    def _show(self, done: int, final: bool) -> bool:
        if self._progress is None or not self._total:
            return True
        values = []
        while self._next <= done:
            values.append(self._next)
            self._next += PROGRESS_STEP
        if final and (not values or values[-1] != done):
            values.append(done)
        carry_on = True
        for value in values:
            carry_on = self._progress(value, self._total) and carry_on
        return carry_on


def _check(
    rows: Sequence[SourceRow], settings: ShopSettings, workers: int | None, bar: _ProgressBar
) -> list[tuple[SourceRow, CleanRow | str]]:
    region, month_first = settings.phone_region, settings.phone_region in {"US", "PH", "FM"}
    checked = []
    cleaned = clean_rows(rows, region, month_first, workers)
    with closing(cleaned):  # stops the workers at once on Cancel or an error
        for done, pair in enumerate(cleaned, 1):
            checked.append(pair)
            report = done % PROGRESS_STEP == 0 or done == len(rows)
            if report and not bar.checked(done):
                raise ImportCancelled("The import was cancelled; nothing was written.")
    return checked


def _work_out(
    checked: list[tuple[SourceRow, CleanRow | str]], result: ImportResult, policy: Policy
) -> None:
    """What the import would do, read from one snapshot of the shop; nothing is written."""
    with database.atomic():  # BEGIN (deferred) and reads only: a snapshot, no write lock
        writer = _RowWriter(result, set(), policy, _DryRunStore())
        for row, clean in checked:
            writer.write(row, clean)


def _set_aside(
    checked: list[tuple[SourceRow, CleanRow | str]],
    result: ImportResult,
    source_name: str,
    policy: Policy,
    staff_id: int | None,
) -> int:
    """Write the checked rows to import_row, DECIDE_CHUNK rows per transaction, then mark the
    import decided; returns its batch id. Anything that stops it before then deletes the rows
    again (after a crash, finish_interrupted_imports does).
    """
    good = []
    for position, (row, clean) in enumerate(checked):
        if isinstance(clean, str):
            _reject(result, row, clean)
        else:
            good.append((position, row.line, clean))
    names = list(good[0][2].columns) if good else []
    stamp = _timestamp(utc_now())
    with write_transaction(SAVE_PATIENCE_SECONDS):
        batch_id = add_batch(source_name, policy, staff_id, names, stamp, result.rejected)
    try:
        for start in range(0, len(good), DECIDE_CHUNK):
            rows = [
                (batch_id, position, line,
                 json.dumps([clean.opening_points, *(clean.columns[name] for name in names)],
                            ensure_ascii=False))
                for position, line, clean in good[start : start + DECIDE_CHUNK]
            ]  # fmt: skip
            with write_transaction(SAVE_PATIENCE_SECONDS):
                set_aside_rows(rows)
                _mark_saved(batch_id)
            give_way()
        with write_transaction(SAVE_PATIENCE_SECONDS):
            mark_batch_decided(batch_id, _timestamp(utc_now()))
    except BaseException:
        with suppress(Exception):  # else finish_interrupted_imports deletes them later
            _discard(batch_id)
        raise
    return batch_id


def _discard(batch_id: int) -> None:
    """Delete an import that was not decided: its rows a step at a time, then itself."""
    while True:
        with write_transaction(SAVE_PATIENCE_SECONDS):
            if not delete_first_rows(batch_id, DECIDE_CHUNK):
                delete_batch(batch_id)
                return
        give_way()


def _mark_saved(batch_id: int) -> None:
    mark_batch_saved(batch_id, _timestamp(utc_now()))


@dataclass
class _SaveStep:
    rows: int  # rows of the file saved by this step
    finished: bool  # the import is complete (this step or another saver finished it)
    totals: tuple[int, int, int, int] | None  # (imported, merged, skipped, rejected) if this
    # step finished it: the whole import's, also what another saver did


def _save(
    batch_id: int,
    result: ImportResult,
    sources: Sequence[SourceRow] | None,
    bar: _ProgressBar | None,
) -> set[int]:
    """Move the batch's rows into the shop, a step at a time; returns the contacts touched.

    sources: the file's rows by position, for the error report (None when finishing an
    interrupted import: its errors are counted, not listed).
    """
    touched: set[int] = set()
    saved = 0
    while True:
        try:
            with write_transaction(SAVE_PATIENCE_SECONDS):
                step = _save_step(batch_id, result, sources, touched)
        except DatabaseBusy as error:
            raise RelappError(
                "The database stayed busy with other work, so the import is only partly saved;"
                " Relapp saves the rest by itself at its next start or with the next import."
            ) from error
        saved += step.rows
        if step.totals is not None:
            result.imported, result.merged, result.skipped, result.rejected = step.totals
        if step.finished:
            if bar is not None:
                bar.saved(len(sources) if sources is not None else saved)
            return touched
        if bar is not None:
            bar.saved(saved)
        give_way()


def _save_step(
    batch_id: int,
    result: ImportResult,
    sources: Sequence[SourceRow] | None,
    touched: set[int],
) -> _SaveStep:
    """One transaction's worth of saving: the next rows, for at most SAVE_STEP_SECONDS."""
    batch = batch_to_save(batch_id)
    if batch is None:
        return _SaveStep(0, True, None)  # another saver finished it
    source_name, policy, staff_id = batch.source_name, batch.duplicates, batch.staff_id
    names, stamp = batch.columns, batch.imported_at
    pending = pending_rows(batch_id, SAVE_STEP_ROWS)
    rows = [
        (position, sources[position] if sources is not None else SourceRow(line, [], {}), clean)
        for position, line, clean in pending
    ]  # fmt: skip
    store_for = functools.partial(
        _LiveStore,
        stamp,
        OPENING_REASON.format(name=source_name)[:MAX_LINE],
        staff_id,
        load_settings(),
    )
    try:
        with database.atomic():  # a savepoint: all undone if the database refuses one row
            step, touched_here, last = _save_rows(rows, names, policy, store_for, at_once=True)
    except IntegrityError:
        # Found and refused row by row instead (each statement alone is undone).
        step, touched_here, last = _save_rows(rows, names, policy, store_for, at_once=False)
    touched |= touched_here
    delete_saved_rows(batch_id, last)
    add_batch_counts(batch_id, step.imported, step.merged, step.skipped, step.rejected)
    _mark_saved(batch_id)
    result.errors += step.errors
    for name in ("imported", "merged", "skipped", "rejected"):
        setattr(result, name, getattr(result, name) + getattr(step, name))
    saved = sum(1 for row in rows if row[0] <= last)
    if batch_has_rows(batch_id):
        return _SaveStep(saved, False, None)
    totals = batch_counts(batch_id)
    details = dict(zip(("imported", "merged", "skipped", "rejected"), totals, strict=True))
    write_audit(
        IMPORT_ACTION, "contact", None, {"file": source_name, **details},
        parse_timestamp(stamp), staff_id,
    )  # fmt: skip
    delete_batch(batch_id)
    return _SaveStep(saved, True, totals)


def _clean_from_stored(clean: str, names: Sequence[str]) -> CleanRow:
    points, *values = json.loads(clean)
    return CleanRow(dict(zip(names, values, strict=True)), points)


def _save_rows(
    rows: list[tuple[int, SourceRow, str]],
    names: Sequence[str],
    policy: Policy,
    store_for: Callable[[DeferredFullText], _LiveStore],
    at_once: bool,
) -> tuple[ImportResult, set[int], int]:
    """Save rows in order for at most SAVE_STEP_SECONDS: the step's counts and errors, the
    contacts touched, and the position of the last row saved.

    rows: (position, source row, the cleaned values as set aside), read a chunk at a time (a
    step rarely gets through all it fetched).
    at_once: the shop is asked about SAVE_CHUNK rows in one query per column and their new
    contacts written in one statement (_ChunkStore); else row by row (_LiveStore).
    """
    step, touched = ImportResult(), set[int]()
    search = deferred_contact_search()
    deadline = time.perf_counter() + SAVE_STEP_SECONDS
    last = -1
    with search:
        store = _ChunkStore(store_for(search)) if at_once else store_for(search)
        writer = _RowWriter(step, touched, policy, store)
        chunk = SAVE_CHUNK if at_once else 1
        for start in range(0, len(rows), chunk):
            part = [
                (position, row, _clean_from_stored(clean, names))
                for position, row, clean in rows[start : start + chunk]
            ]
            if isinstance(store, _ChunkStore):
                store.ask([clean for _, _, clean in part])
            for _position, row, clean in part:
                if isinstance(store, _ChunkStore):
                    store.row = row
                try:
                    writer.write(row, clean)
                except IntegrityError as error:
                    if at_once:
                        raise
                    # The one statement that failed had no effect (SQLite undoes it alone):
                    # this row is refused, and the import goes on rather than stop for good.
                    _reject(step, row, f"This row could not be saved: {error}.")
            if isinstance(store, _ChunkStore):
                step.errors += store.write_new()
            last = part[-1][0]
            if time.perf_counter() > deadline:
                break
    return step, touched, last


class _Store(Protocol):
    """Where an import's decisions are looked up and carried out: the shop itself
    (_LiveStore), or a dry run's notes beside a read-only snapshot of it (_DryRunStore)."""

    def find_existing(self, columns: dict[str, object]) -> int | None: ...
    def card_holder(self, card: object) -> int | None: ...
    def insert(self, columns: dict[str, object]) -> int: ...
    def fill_empty_fields(self, contact_id: int, columns: dict[str, object]) -> None: ...
    def has_opening(self, contact_id: int) -> bool: ...
    def add_opening(self, contact_id: int, points: int) -> None: ...
    def add_tags(self, contact_id: int, names: list[str]) -> None: ...


@dataclass
class _RowWriter:
    """Applies the duplicate policy to cleaned rows, through a store."""

    result: ImportResult
    touched: set[int]
    policy: Policy
    store: _Store

    def write(self, row: SourceRow, clean: CleanRow | str) -> None:
        if isinstance(clean, str):
            _reject(self.result, row, clean)
            return
        columns = clean.columns
        existing = self.store.find_existing(columns)
        if existing is not None and self.policy == "skip":
            self.result.skipped += 1
            return
        if existing is not None and self.policy == "merge":
            contact_id = existing
            self.store.fill_empty_fields(contact_id, columns)
            self.result.merged += 1
        else:
            card = columns["card_number"]
            if card and self.store.card_holder(card) is not None:
                taken = f"Card {columns['card_number']} already belongs to a customer."
                _reject(self.result, row, taken)
                return
            contact_id = self.store.insert(columns)
            self.result.imported += 1
        self.touched.add(contact_id)
        if columns.get("tags"):
            self.store.add_tags(contact_id, columns["tags"])  # type: ignore[arg-type]
        if clean.opening_points and not self.store.has_opening(contact_id):
            try:
                self.store.add_opening(contact_id, clean.opening_points)
            except (RelappError, ValueError, IntegrityError) as error:
                self.result.errors.append(
                    RowError(row.line, f"Imported, but no opening points: {error}", row.cells)
                )


@dataclass
class _LiveStore:
    """The shop itself, inside a step's transaction."""

    stamp: str
    reason: str
    staff_id: int | None
    settings: ShopSettings
    search: DeferredFullText
    tags: ImportedTags = field(default_factory=ImportedTags)

    def find_existing(self, columns: dict[str, object]) -> int | None:
        for column, ignore_case in _LOOKUPS:
            value = columns.get(column)
            if value:
                found = best_match_id(column, value, ignore_case)
                if found is not None:
                    return found
        return None

    def card_holder(self, card: object) -> int | None:
        return contact_store.card_holder(card)

    def insert(self, columns: dict[str, object]) -> int:
        values = {name: columns.get(name, "") for name in _COLUMNS[:-1]}
        return contact_store.insert_contact(
            {**values, "source": "import", "created_at": self.stamp, "updated_at": self.stamp}
        )

    def fill_empty_fields(self, contact_id: int, columns: dict[str, object]) -> None:
        if not self.search.covers(contact_id):
            self.search.flush()  # added earlier in this step: indexed before it changes
        updates = _fill_updates(_stored_fields(contact_id), columns, self.card_holder)
        if updates:
            contact_store.update_contact(contact_id, updates, self.stamp)

    def has_opening(self, contact_id: int) -> bool:
        return has_opening_balance(contact_id)

    def add_opening(self, contact_id: int, points: int) -> None:
        add_opening_balance(contact_id, points, self.reason, self.staff_id, settings=self.settings)

    def add_tags(self, contact_id: int, names: list[str]) -> None:
        self.tags.add(contact_id, names)


class _DryRunStore:
    """A dry run's notes: the shop is only read; what the file would add or change is kept
    here, so later rows of the file find it exactly as they would in a real import."""

    def __init__(self) -> None:
        self._first_new = highest_contact_id() + 1
        self._next = self._first_new
        self._fields: dict[int, dict[str, object]] = {}  # as the import would leave them
        self._archived: dict[int, bool] = {}
        self._index: dict[str, dict[object, list[tuple[bool, int]]]] = {
            column: {} for column, _ in _LOOKUPS
        }
        self._openings: set[int] = set()

    def find_existing(self, columns: dict[str, object]) -> int | None:
        for column, ignore_case in _LOOKUPS:
            value = columns.get(column)
            if not value:
                continue
            found = list(self._index[column].get(_lookup_key(column, value), []))
            stored = self._stored_match(column, ignore_case, value)
            if stored is not None:
                found.append(stored)
            if found:
                return min(found)[1]  # as the shop orders them: not archived, then oldest
        return None

    def card_holder(self, card: object) -> int | None:
        noted = self._index["card_number"].get(card)
        return noted[0][1] if noted else self._stored_holder(card)

    def _stored_match(
        self, column: str, ignore_case: bool, value: object
    ) -> tuple[bool, int] | None:
        """The shop's own best match: (archived, id), not archived first, then the oldest."""
        return best_match(column, value, ignore_case)

    def _stored_holder(self, card: object) -> int | None:
        return contact_store.card_holder(card)

    def insert(self, columns: dict[str, object]) -> int:
        contact_id, self._next = self._next, self._next + 1
        self._fields[contact_id] = dict(columns)
        self._archived[contact_id] = False
        self._note(contact_id, columns)
        return contact_id

    def fill_empty_fields(self, contact_id: int, columns: dict[str, object]) -> dict[str, object]:
        """Returns the fields filled."""
        if contact_id not in self._fields:
            fields = _stored_fields(contact_id)
            self._archived[contact_id] = is_archived(contact_id)
            self._fields[contact_id] = fields
        updates = _fill_updates(self._fields[contact_id], columns, self.card_holder)
        self._fields[contact_id].update(updates)
        self._note(contact_id, updates)
        return updates

    def has_opening(self, contact_id: int) -> bool:
        if contact_id in self._openings:
            return True
        return contact_id < self._first_new and has_opening_balance(contact_id)

    def add_opening(self, contact_id: int, points: int) -> None:
        if contact_id < self._first_new:
            live_customer(contact_id)  # refuses an archived or merged one, as the import would
        self._openings.add(contact_id)

    def add_tags(self, contact_id: int, names: list[str]) -> None:
        pass  # a tag finds no duplicate, so a dry run has nothing to note

    def _note(self, contact_id: int, values: dict[str, object]) -> None:
        for column, _ in _LOOKUPS:
            if values.get(column):
                noted = self._index[column].setdefault(_lookup_key(column, values[column]), [])
                noted.append((self._archived[contact_id], contact_id))


class _ChunkStore(_DryRunStore):
    """A real import's store that asks the shop about SAVE_CHUNK rows at once.

    It decides as a dry run does (what this step adds or fills is kept here), with the shop's
    answers for a chunk fetched in one query per column; write_new() then writes the chunk's
    new contacts in one statement (ids follow the shop's highest, as SQLite would give them:
    the step holds the write lock) and their opening points. A contact already in the shop
    is filled and given opening points at once, through the live store. Row by row, the
    lookups and inserts cost ~75 µs a row; this way about half (see docs/performance.md).
    """

    def __init__(self, live: _LiveStore) -> None:
        super().__init__()
        self._live = live
        self.row = SourceRow(0, [], {})  # the row being written, for a later error
        self._matches: dict[tuple[str, object], tuple[bool, int] | None] = {}
        self._holders: dict[object, int | None] = {}
        self._unwritten: list[int] = []
        self._waiting_points: list[tuple[int, int, SourceRow]] = []
        self._waiting_tags: list[tuple[int, list[str]]] = []
        self._in_shop_below = self._first_new  # new contacts below this id are written

    def ask(self, rows: list[CleanRow]) -> None:
        """Fetch the shop's answers for these rows' cards, emails and phones."""
        for column, ignore_case in _LOOKUPS:
            keys = sorted(
                {
                    _lookup_key(column, row.columns[column])
                    for row in rows
                    if row.columns.get(column)
                }
                - {key for asked, key in self._matches if asked == column}
            )
            self._matches.update(((column, key), None) for key in keys)
            for value, archived, contact_id in matches_of(column, keys, ignore_case):
                found, best = (archived, contact_id), self._matches[column, value]
                self._matches[column, value] = found if best is None else min(best, found)
        cards = sorted(
            {row.columns["card_number"] for row in rows if row.columns.get("card_number")}
            - set(self._holders)
        )
        self._holders.update((card, None) for card in cards)
        self._holders.update(holders_of_cards(cards))

    def _stored_match(
        self, column: str, ignore_case: bool, value: object
    ) -> tuple[bool, int] | None:
        key = (column, _lookup_key(column, value))
        return (
            self._matches[key]
            if key in self._matches
            else super()._stored_match(column, ignore_case, value)
        )

    def _stored_holder(self, card: object) -> int | None:
        return self._holders[card] if card in self._holders else super()._stored_holder(card)

    def insert(self, columns: dict[str, object]) -> int:
        contact_id = super().insert(columns)
        self._unwritten.append(contact_id)
        return contact_id

    def fill_empty_fields(self, contact_id: int, columns: dict[str, object]) -> dict[str, object]:
        updates = super().fill_empty_fields(contact_id, columns)
        if updates and contact_id < self._in_shop_below:  # in the shop: change it there too
            if not self._live.search.covers(contact_id):
                self._live.search.flush()  # written earlier in this step: indexed first
            contact_store.update_contact(contact_id, updates, self._live.stamp)
        return updates

    def add_opening(self, contact_id: int, points: int) -> None:
        if contact_id < self._in_shop_below:
            self._live.add_opening(contact_id, points)  # refused as the live store would
        else:
            self._waiting_points.append((contact_id, points, self.row))
        self._openings.add(contact_id)

    def add_tags(self, contact_id: int, names: list[str]) -> None:
        if contact_id < self._in_shop_below:
            self._live.add_tags(contact_id, names)
        else:
            self._waiting_tags.append((contact_id, names))

    def write_new(self) -> list[RowError]:
        """Write the new contacts decided since the last call, then their opening points;
        returns the rows whose points could not be given."""
        if self._unwritten:
            stamp, values = self._live.stamp, self._fields
            contact_store.insert_contacts(
                ("id", *_COLUMNS, "created_at", "updated_at"),
                [
                    (contact_id, *(values[contact_id].get(name, "") for name in _COLUMNS[:-1]),
                     "import", stamp, stamp)
                    for contact_id in self._unwritten
                ],
            )  # fmt: skip
            self._in_shop_below = self._unwritten[-1] + 1
            self._unwritten = []
        for contact_id, names in self._waiting_tags:
            self._live.add_tags(contact_id, names)
        self._waiting_tags = []
        errors = []
        for contact_id, points, row in self._waiting_points:
            try:
                self._live.add_opening(contact_id, points)
            except (RelappError, ValueError, IntegrityError) as error:
                reason = f"Imported, but no opening points: {error}"
                errors.append(RowError(row.line, reason, row.cells))
        self._waiting_points = []
        return errors


# Duplicates are looked for by card, then email (ignoring ASCII case, as SQLite's NOCASE
# does), then phone: (column, ignoring case).
_LOOKUPS = (("card_number", False), ("email", True), ("phone", False))
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _lookup_key(column: str, value: object) -> object:
    return value.translate(_ASCII_LOWER) if column == "email" and isinstance(value, str) else value


def _reject(result: ImportResult, row: SourceRow, reason: str) -> None:
    result.rejected += 1
    result.errors.append(RowError(row.line, reason, row.cells))


def _stored_fields(contact_id: int) -> dict[str, object]:
    names = (*_FILLABLE, "birth_year", "birth_month", "birth_day")
    return dict(zip(names, contact_store.contact_values(contact_id, names), strict=True))


def _fill_updates(
    current: dict[str, object],
    columns: dict[str, object],
    card_holder: Callable[[object], int | None],
) -> dict[str, object]:
    """The fields a merge fills: those empty now and given in the row; a card only if nobody
    holds it, a birthday only if none is known."""
    updates: dict[str, object] = {}
    for name in _FILLABLE:
        if name == "phone_national":
            continue
        new = columns.get(name)
        if new and not current[name]:
            if name == "card_number" and card_holder(new) is not None:
                continue
            updates[name] = new
            if name == "phone":
                updates["phone_national"] = columns["phone_national"]
    if current["birth_month"] is None and columns.get("birth_month") is not None:
        for name in ("birth_year", "birth_month", "birth_day"):
            updates[name] = columns[name]
    return updates


def _timestamp(moment) -> str:
    return format_timestamp(moment)


# ------------------------------------------------------------------------------- files


def csv_rows(
    path: Path, mapping: dict[int, str] | None = None
) -> tuple[list[str], list[SourceRow], list[tuple[SourceRow, str]]]:
    """The header and the rows of a CSV file, each row's values by field; and the rows broken
    by a quote gone wrong, each with why (read_table), its values those of its first line."""
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
    fields = mapping.items()

    def source_row(line: int, cells: list[str]) -> SourceRow:
        return SourceRow(line, cells, {name: cells[i] for i, name in fields if i < len(cells)})

    rows = [source_row(line, cells) for line, cells in table.rows]
    broken = [(source_row(row.line, row.cells), row.reason) for row in table.broken]
    return table.headers, rows, broken


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: dict[str, str]  # field -> the value as it will be stored (as text)
    problem: str | None


def preview(
    file: Path | str, mapping: dict[int, str] | None = None, rows: int = 20
) -> list[PreviewRow]:
    """The first rows as they would be imported with this mapping; nothing is written."""
    _, source, broken = csv_rows(Path(file), mapping)
    settings = load_settings()
    month_first = settings.phone_region in {"US", "PH", "FM"}
    shown = [PreviewRow(row.line, dict(row.values), reason) for row, reason in broken]
    for row in source[:rows]:
        try:
            clean = clean_row(row.values, settings.phone_region, month_first)
        except RelappError as error:
            shown.append(PreviewRow(row.line, dict(row.values), str(error)))
            continue
        values = {
            k: ", ".join(v) if isinstance(v, list) else str(v)
            for k, v in clean.columns.items()
            if v not in (None, "", [])
        }
        if clean.opening_points:
            values["opening_points"] = str(clean.opening_points)
        shown.append(PreviewRow(row.line, values, None))
    return sorted(shown, key=lambda row: row.line)[:rows]


def detect_format(path: Path) -> str:
    with open(refuse_database_files(path), "rb") as handle:
        head = handle.read(4096)
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
            headers, rows, broken = vcard_rows(path)
        else:
            headers, rows, unreadable = csv_rows(path, mapping)
            broken = [RowError(row.line, reason, row.cells) for row, reason in unreadable]
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

    with open(refuse_database_files(path), "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason", *result.headers])
        for error in result.errors:
            writer.writerow([error.line, safe_cell(error.reason), *map(safe_cell, error.cells)])
