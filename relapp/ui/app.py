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
from relapp.ui.outside_changes import OutsideChanges
from relapp.ui.single_instance import bring_forward, claim
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


def run_app(database_path: Path) -> int:
    """Open the window on the database; returns the process exit code."""
    app = create_application()
    # One window per database: a second launch brings the first forward and quits.
    instance = claim(database_path)
    if instance is None:
        return 0  # the window already open on this database was asked to come forward
    instance.activation_requested.connect(bring_forward)
    sys.excepthook = show_unexpected_error
    try:
        if needs_upgrade(database_path):
            upgrade_with_progress(database_path)
        open_database(database_path)
        if not is_set_up() and not run_first_time_setup():
            return 0
    except RelappError as error:
        QMessageBox.critical(None, "Relapp", str(error))
        return 1
    running = start_main_window(database_path)
    exit_code = app.exec()
    running.stop()
    return exit_code


@dataclass
class RunningWindow:
    """The main window with the work that runs beside it (daily round, backups, outside
    changes), as the shop sees it; the flow tests start exactly this."""

    window: MainWindow
    change_bus: ChangeBus
    daily_round: DailyRound
    backups: AutomaticBackup

    def stop(self) -> None:
        self.daily_round.wait()  # a round half-way through a batch finishes its transaction
        self.backups.stop()  # a copy half-way through is cancelled and its partial file removed


def start_main_window(database_path: Path) -> RunningWindow:
    """Show the window on the open database and start the work that runs beside it."""
    change_bus = ChangeBus()
    apply_shop_locale()
    change_bus.changed.connect(apply_shop_locale_if_changed)
    window = MainWindow(database_path, change_bus)
    window.show()
    daily_round = DailyRound(change_bus, window)
    daily_round.start()
    backups = AutomaticBackup(database_path, window)
    backups.reported.connect(lambda text: window.statusBar().showMessage(text, 15_000))
    backups.start()
    outside_changes = OutsideChanges(change_bus, window)
    outside_changes.start()
    return RunningWindow(window, change_bus, daily_round, backups)


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
    """Last resort for a bug: say so plainly, keep the details for support, keep running."""
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
