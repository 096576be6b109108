"""Starting the GUI: the application object, the database, first run, the main window."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from relapp import __version__
from relapp.crash_log import write_crash_log
from relapp.db.connection import needs_upgrade, open_database
from relapp.db.server.urls import is_server_url, redact
from relapp.domain.changes import Change, Entity
from relapp.domain.shop.settings import is_set_up, load_settings
from relapp.domain.shop.setup import start_empty_shop
from relapp.errors import RelappError
from relapp.resources import resource_path
from relapp.ui.automatic_backup import AutomaticBackup
from relapp.ui.change_bus import ChangeBus
from relapp.ui.daily_round import DailyRound
from relapp.ui.icons import app_icon
from relapp.ui.main_window import MainWindow
from relapp.ui.outside_changes import OutsideChanges, ServerChanges
from relapp.ui.single_instance import bring_forward, claim
from relapp.ui.till_outbox_status import TillOutboxStatus, server_away
from relapp.ui.welcome_dialog import WelcomeChoice, WelcomeDialog
from relapp.ui.widgets.background_task import run_with_progress

DEMO_SHOP_CONTACTS = 3_000


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName("Relapp")
    QCoreApplication.setApplicationName("Relapp")
    QCoreApplication.setApplicationVersion(__version__)
    # Matches packaging/relapp.desktop, so Wayland shows the right icon.
    QApplication.setDesktopFileName("relapp")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(resource_path("styles", "relapp.qss").read_text(encoding="utf-8"))
    add_fallback_fonts()
    return app


def add_fallback_fonts() -> None:
    """The reports' fonts for Korean and Chinese/Japanese, so that names in those scripts show
    on a counter PC that has no such system font (fontconfig falls back to them)."""
    for file_name in ("NanumGothic.ttf", "DroidSansFallbackFull.ttf"):
        QFontDatabase.addApplicationFont(str(resource_path("fonts", file_name)))


def run_app(database: Path | str) -> int:
    """Open the window on the database (a shop file, or a shop server's postgresql:// URL);
    returns the process exit code."""
    app = create_application()
    on_server = is_server_url(database)
    # One window per database (per server database, on this PC): a second launch brings the
    # first forward and quits.
    instance = claim(redact(str(database)) if on_server else database)
    if instance is None:
        return 0  # the window already open on this database was asked to come forward
    instance.activation_requested.connect(bring_forward)
    sys.excepthook = show_unexpected_error
    try:
        if on_server:
            open_shop_server(str(database))
        else:
            database = Path(database)
            if needs_upgrade(database):
                upgrade_with_progress(database)
            open_database(database)
        if not is_set_up() and not run_first_time_setup():
            return 0
    except RelappError as error:
        QMessageBox.critical(None, "Relapp", str(error))
        return 1
    running = start_main_window(database)
    exit_code = app.exec()
    running.stop()
    return exit_code


def open_shop_server(url: str) -> None:
    """Connect to the shop server and bind the models to it; the server migrates its own
    schema on the way (one transaction), so there is no upgrade step as for a file."""
    from relapp.db.server.connection import open_server_database  # psycopg: servers only

    open_server_database(url)


@dataclass
class RunningWindow:
    """The main window with the work that runs beside it (daily round, backups, outside
    changes), as the shop sees it; the flow tests start exactly this."""

    window: MainWindow
    change_bus: ChangeBus
    daily_round: DailyRound
    backups: AutomaticBackup | None  # None on a shop server: its backups are the server's
    server_changes: ServerChanges | None = None  # on a shop server: the other tills' commits
    # On a shop server: the sales kept while it is away, sent when it answers.
    till: TillOutboxStatus | None = None
    outside_changes: OutsideChanges | None = None  # on a file: other programs' commits

    def stop(self) -> None:
        self.daily_round.wait()  # a round half-way through a batch finishes its transaction
        if self.backups is not None:
            self.backups.stop()  # a copy half-way through is cancelled, its partial file removed
        if self.server_changes is not None:
            self.server_changes.stop()
        if self.till is not None:
            self.till.stop()  # a send under way finishes; what waits stays on disk
        if self.outside_changes is not None:
            # Its timer lives as long as the window object, which a closed window outlives.
            self.outside_changes.stop()


def start_main_window(database: Path | str) -> RunningWindow:
    """Show the window on the open database (a shop file's path, or the shop server's URL)
    and start the work that runs beside it."""
    on_server = is_server_url(database)
    change_bus = ChangeBus()
    apply_shop_locale()
    change_bus.changed.connect(apply_shop_locale_if_changed)
    window = MainWindow(database, change_bus)
    window.show()
    daily_round = DailyRound(change_bus, window)
    daily_round.start()
    backups = None
    server_changes = None
    outside_changes = None
    if on_server:
        # The other tills' commits, as the server announces them (no polling).
        server_changes = ServerChanges(change_bus, str(database), window)
        server_changes.start()
        if window.till is not None:
            # Sends what this till kept while the server was away, copies the card index.
            window.till.start()
    else:
        # A server is backed up with `relapp backup --db URL`, not by each till's window.
        backups = AutomaticBackup(Path(database), window)
        backups.reported.connect(lambda text: window.statusBar().showMessage(text, 15_000))
        backups.start()
        outside_changes = OutsideChanges(change_bus, window)
        outside_changes.start()
    return RunningWindow(
        window, change_bus, daily_round, backups, server_changes, window.till, outside_changes
    )


def upgrade_with_progress(database_path: Path) -> None:
    """Migrate an older database off the GUI thread, saying why the start takes a while."""

    def upgrade(_report, _should_stop) -> bool:
        open_database(database_path).close()
        return True

    label = QCoreApplication.translate(
        "app",
        "Updating your shop's database for this version of Relapp. A safety copy is made "
        "first; on a large shop this takes a minute.",
    )
    run_with_progress(None, label, upgrade, (), cancellable=False)


def run_first_time_setup() -> bool:
    """Ask how to start; False if the owner closed the welcome dialog without choosing."""
    from relapp.ui.demo_progress import generate_demo_with_progress

    while True:
        answer = WelcomeDialog.ask()
        if answer is None:
            return False
        choice, shop_name = answer
        if choice is WelcomeChoice.EMPTY_SHOP:
            start_empty_shop(shop_name)
            return True
        if generate_demo_with_progress(None, DEMO_SHOP_CONTACTS) is not None:
            return True
        # Cancelled: nothing was written; ask again.


def apply_shop_locale() -> None:
    """Numbers and dates follow the shop's locale setting, so every counter shows the same."""
    QLocale.setDefault(QLocale(load_settings().locale))


def apply_shop_locale_if_changed(change: Change) -> None:
    if change.touches(Entity.SETTINGS):
        apply_shop_locale()


def show_unexpected_error(kind, error, trace) -> None:
    """Last resort for a bug: say so plainly, keep the details for support, keep running.

    A shop server that stopped answering is not a bug: its one sentence, and no crash log."""
    away = server_away(error) if isinstance(error, Exception) else None
    if away is not None:
        QMessageBox.warning(
            QApplication.activeWindow(),
            "Relapp",
            QCoreApplication.translate(
                "app", "{sentence} The Counter keeps selling to card holders meanwhile."
            ).format(sentence=away),
        )
        return
    log_file = write_crash_log("".join(traceback.format_exception(kind, error, trace)))
    QMessageBox.warning(
        QApplication.activeWindow(),
        "Relapp",
        QCoreApplication.translate(
            "app",
            "Something went wrong: {error}\n\nWhat was saved before is safe. "
            "The details were written to {log}.",
        ).format(error=error, log=log_file),
    )
