"""`relapp --smoke-test`: prove that this build of Relapp works, end to end, in a few seconds.

In a temporary folder (the shop's real database and settings are never touched) it opens a new
database (running every migration), enrols a customer, finds them, records a sale, writes the
customer's dossier as a PDF and reads it back, then starts Qt and builds the main window, which
loads the style sheet, the fonts and the SVG icons. It checks that the Qt plugins a desktop
needs (X11 and Wayland platforms, printing, SVG) are present, and, in a frozen build, that they
load: a missing system library shows up here rather than on the shop's counter.

It prints one line per step and "smoke test passed" (exit status 0), or the step that failed
with the reason (exit status 1). The packaging scripts and CI run it against the bundle.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from relapp.errors import SmokeTestFailure

SMOKE_CUSTOMER = {
    # Accents, an apostrophe and Han characters: the PDF needs every bundled font for them.
    "given_name": "Zoë 美玲",
    "family_name": "O'Brien",
    "phone": "+61 412 345 678",
    "email": "zoe.obrien@example.com",
}
SALE_CENTS = 12_50


def run_smoke_test(out: TextIO | None = None) -> int:
    """Run every step; 0 if all passed, else 1 after naming the step that failed."""
    out = out or sys.stdout
    frozen = bool(getattr(sys, "frozen", False))
    with tempfile.TemporaryDirectory(prefix="relapp-smoke-") as folder:
        run = _SmokeRun(Path(folder), frozen, out)
        try:
            return run.all_steps()
        finally:
            run.close()


class _SmokeRun:
    def __init__(self, folder: Path, frozen: bool, out: TextIO) -> None:
        self.folder = folder
        self.frozen = frozen
        self.out = out
        self.db_path = folder / "smoke.db"
        self.database = None
        self.contact_id = 0
        self.card_number = ""
        self.window = None

    def all_steps(self) -> int:
        steps: list[tuple[str, Callable[[], str]]] = [
            ("resources", self.resources),
            ("database", self.open_database),
            ("enrol", self.enrol),
            ("search", self.search),
            ("sale", self.sale),
            ("workers", self.workers),
            ("report", self.report),
            ("passwords", self.password_store),
            ("qt", self.start_qt),
            ("plugins", self.plugins),
            ("window", self.main_window),
        ]
        kind = "frozen bundle" if self.frozen else "source"
        self._say(f"relapp smoke test ({kind}, Python {sys.version.split()[0]})")
        started = time.perf_counter()
        for name, step in steps:
            step_started = time.perf_counter()
            try:
                detail = step()
            except Exception as error:
                self._say(f"FAILED {name}: {_one_line(error)}")
                if not isinstance(error, SmokeTestFailure):
                    detail = "".join(traceback.format_exception(error)).rstrip()
                    self._say("  detail: " + detail.replace("\n", "\n  "))
                self._say("smoke test failed")
                return 1
            elapsed = (time.perf_counter() - step_started) * 1000
            self._say(f"ok {name:<9} {elapsed:6.0f} ms  {detail}")
        self._say(f"smoke test passed in {time.perf_counter() - started:.1f} s")
        return 0

    # -- the steps ---------------------------------------------------------------------------

    def resources(self) -> str:
        from relapp.resources import resource_path, resources_dir

        wanted = [
            ("styles", "relapp.qss"),
            ("icons", "relapp.svg"),
            ("icons", "relapp-256.png"),
            ("icons", "views", "counter.svg"),
            ("icons", "kinds", "purchase.svg"),
            ("fonts", "DejaVuSans.ttf"),
            ("fonts", "DejaVuSans-Bold.ttf"),
            ("fonts", "NanumGothic.ttf"),
            ("fonts", "DroidSansFallbackFull.ttf"),
        ]
        missing = [os.path.join(*parts) for parts in wanted if not resource_path(*parts).is_file()]
        if missing:
            raise SmokeTestFailure(f"missing from {resources_dir()}: {', '.join(missing)}")
        return f"found in {resources_dir()}"

    def open_database(self) -> str:
        from relapp.db.connection import open_database, schema_version
        from relapp.db.migrations import LATEST_VERSION
        from relapp.domain.shop.setup import start_empty_shop

        self.database = open_database(self.db_path)
        version = schema_version(self.database)
        if version != LATEST_VERSION:
            raise SmokeTestFailure(f"schema {version} after migrating, expected {LATEST_VERSION}")
        start_empty_shop("Smoke test shop")
        return f"new database migrated to schema {version}"

    def enrol(self) -> str:
        from relapp.domain.contacts.enrolment import NewContact, clean_new_contact, enrol

        enrolment = enrol(clean_new_contact(NewContact(**SMOKE_CUSTOMER), "AU"))
        self.contact_id = enrolment.contact_id
        self.card_number = enrolment.card_number
        return f"customer {self.contact_id}, card {self.card_number}"

    def search(self) -> str:
        from relapp.domain.contacts.search import search_contacts

        for text in ("o'brien zo", "0412 345", self.card_number):
            found = [hit.id for hit in search_contacts(text)]
            if self.contact_id not in found:
                raise SmokeTestFailure(f"searching {text!r} did not find the customer: {found}")
        return "found by name, phone and card"

    def sale(self) -> str:
        from relapp.domain.loyalty.points import points_summary, record_sale

        result = record_sale(self.contact_id, SALE_CENTS, sale_key="smoke-test-1")
        balance = points_summary(self.contact_id).balance
        if result.points <= 0 or balance != result.balance:
            raise SmokeTestFailure(
                f"the sale earned {result.points} points; balance {balance}, "
                f"the sale said {result.balance}"
            )
        return f"{SALE_CENTS / 100:.2f} earned {result.points} points"

    def workers(self) -> str:
        """Rows of a large import are cleaned in worker processes: they must start here too."""
        from relapp.exchange.importer import clean_rows
        from relapp.exchange.rows import SourceRow

        values = {"given_name": "Zoë", "phone": "0412 345 678", "email": "ZOE@Example.com"}
        rows = [SourceRow(line, [], values) for line in range(2, 6)]
        cleaned = [clean for _, clean in clean_rows(rows, "AU", False, workers=2)]
        phones = {getattr(clean, "columns", {}).get("phone") for clean in cleaned}
        if phones != {"+61412345678"}:
            raise SmokeTestFailure(f"worker processes cleaned the rows as {cleaned!r}")
        return f"{len(cleaned)} rows cleaned in 2 worker processes"

    def password_store(self) -> str:
        """The shop's email password goes to the system's password store (keyring). Its
        backend for this system must be in the build, or every shop is told there is no
        password store; whether a store runs (none on a headless server) is not the build's
        business, so only the backend's code is checked, not the service."""
        import importlib

        import keyring.backend

        backend_of = {
            "linux": ("keyring.backends.SecretService", "secretstorage"),
            "win32": ("keyring.backends.Windows", "win32ctypes"),
            "darwin": ("keyring.backends.macOS", "keyring.backends.macOS.api"),
        }
        found = [type(store).__name__ for store in keyring.backend.get_all_keyring()]
        if sys.platform not in backend_of:
            return f"password stores found: {', '.join(found)}"
        backend, needs = backend_of[sys.platform]
        importlib.import_module(backend)
        try:
            importlib.import_module(needs)
        except ImportError as error:
            raise SmokeTestFailure(f"{backend} cannot work without {needs}: {error}") from None
        return f"{backend} and {needs} present; usable here: {', '.join(found) or 'none'}"

    def report(self) -> str:
        import pypdfium2

        from relapp.reports.catalogue import ReportRequest, write_report

        out = self.folder / "dossier.pdf"
        result = write_report(ReportRequest("customer", customer=str(self.contact_id)), out)
        if not out.read_bytes().startswith(b"%PDF-"):
            raise SmokeTestFailure(f"{out.name} is not a PDF")
        if result.pages < 1:
            raise SmokeTestFailure(f"{out.name} has no pages")
        document = pypdfium2.PdfDocument(str(out))
        try:
            text_page = document[0].get_textpage()
            text = text_page.get_text_range()
            text_page.close()
        finally:
            document.close()
        for expected in ("O'Brien", "美玲"):
            if expected not in text.replace("\u2019", "'"):
                raise SmokeTestFailure(f"the dossier's first page does not show {expected!r}")
        size_kb = out.stat().st_size / 1024
        return f"customer dossier: {result.pages} page(s), {size_kb:.0f} KB, text readable"

    def start_qt(self) -> str:
        from relapp.ui.smoke_checks import start_qt

        return start_qt(self.folder / "settings")

    def plugins(self) -> str:
        from relapp.ui.smoke_checks import check_plugins

        return check_plugins(strict=self.frozen)

    def main_window(self) -> str:
        from relapp.ui.smoke_checks import show_main_window

        self.window, detail = show_main_window(self.db_path)
        return detail

    def close(self) -> None:
        """Leave nothing behind: the window closed, the database released (Windows needs it
        closed before the temporary folder can go)."""
        if self.window is not None:
            from relapp.ui.smoke_checks import close_window

            close_window(self.window)
            self.window = None
        if self.database is not None:
            self.database.close()
            self.database = None

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().replace("\n", " ")
    return text if isinstance(error, SmokeTestFailure) else f"{type(error).__name__}: {text}"
