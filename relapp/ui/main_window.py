"""The main window: navigation between the views, menus, status bar, remembered geometry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.settings import load_settings
from relapp.ui.about_dialog import AboutDialog
from relapp.ui.change_bus import ChangeBus
from relapp.ui.contacts import ContactsView
from relapp.ui.counter import CounterView
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.icons import app_icon, view_icon
from relapp.ui.loyalty import LoyaltyView
from relapp.ui.reports import ReportsView
from relapp.ui.settings import SettingsView
from relapp.ui.staff.current_staff import CurrentStaff, install_staff_toolbar
from relapp.ui.today import TodayView


@dataclass(frozen=True)
class ViewEntry:
    key: str
    title: str
    shortcut: str


VIEWS = (
    ViewEntry("counter", "Counter", "Ctrl+1"),
    ViewEntry("contacts", "Contacts", "Ctrl+2"),
    ViewEntry("today", "Today", "Ctrl+3"),
    ViewEntry("loyalty", "Loyalty", "Ctrl+4"),
    ViewEntry("reports", "Reports", "Ctrl+5"),
    ViewEntry("settings", "Settings", "Ctrl+6"),
)


class MainWindow(QMainWindow):
    def __init__(self, database_path: Path, change_bus: ChangeBus) -> None:
        super().__init__()
        self.database_path = database_path
        self.change_bus = change_bus
        # Who is at the counter: nobody until someone signs in (Ctrl+Shift+U).
        self.current_staff = CurrentStaff(self)
        # What every view can do for a customer on a row (open, log a contact, follow up).
        self.customer_actions = CustomerActions(change_bus, self.current_staff, self)
        self.customer_actions.open_customer_requested.connect(self.open_customer)
        self.setWindowIcon(app_icon())
        self.setMinimumSize(QSize(760, 520))

        self.navigation = QListWidget(objectName="navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(190)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {
            "counter": CounterView(change_bus, self.current_staff, self.customer_actions),
            "contacts": ContactsView(change_bus, self.customer_actions),
            "today": TodayView(change_bus, self.customer_actions),
            "loyalty": LoyaltyView(change_bus, self.current_staff),
            "reports": ReportsView(),
            "settings": SettingsView(database_path, change_bus),
        }
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for entry in VIEWS:
            self.stack.addWidget(self.views[entry.key])
            item = QListWidgetItem(view_icon(entry.key), self.tr(entry.title))
            item.setToolTip(f"{self.tr(entry.title)} ({entry.shortcut})")
            self.navigation.addItem(item)
            action = QAction(view_icon(entry.key), self.tr(entry.title), self)
            action.setShortcut(QKeySequence(entry.shortcut))
            action.triggered.connect(lambda _=False, key=entry.key: self.show_view(key))
            view_menu.addAction(action)
            change_bus.changed.connect(self.views[entry.key].on_change)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self._build_menus()
        install_staff_toolbar(self, self.current_staff, change_bus)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        change_bus.changed.connect(self._on_change)
        self._refresh_title_and_status()
        self._restore_state()

    def show_view(self, key: str) -> None:
        self.navigation.setCurrentRow([entry.key for entry in VIEWS].index(key))

    def open_customer(self, contact_id: int) -> None:
        """Show the customer at the Counter, where everything about them is one key away."""
        counter: CounterView = self.views["counter"]  # type: ignore[assignment]
        self.show_view("counter")
        counter.show_customer(contact_id)

    def current_view_key(self) -> str:
        return VIEWS[self.stack.currentIndex()].key

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        contacts: ContactsView = self.views["contacts"]  # type: ignore[assignment]
        for title, name in ((self.tr("&Import customers…"), "import"),
                            (self.tr("&Export customers…"), "export")):  # fmt: skip
            action = QAction(title, self)
            action.triggered.connect(contacts.actions_by_name[name].trigger)
            file_menu.addAction(action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        # File comes first on screen although View was created first (it needs the views).
        self.menuBar().insertMenu(self.menuBar().actions()[0], file_menu)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about_action = QAction(self.tr("&About Relapp"), self)
        about_action.triggered.connect(lambda: AboutDialog.show_for(self, self.database_path))
        help_menu.addAction(about_action)

    def _on_change(self, change: Change) -> None:
        if change.touches(Entity.SETTINGS):
            self._refresh_title_and_status()

    def _refresh_title_and_status(self) -> None:
        shop = load_settings().shop_name
        self.setWindowTitle(f"{shop} — Relapp")
        # Only cheap facts here: counting a million customers is the views' job, on demand.
        self.status_label.setText(f"{shop} · {self.database_path}")

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 760)
        keys = [entry.key for entry in VIEWS]
        last_view = settings.value("window/view", "counter")
        self.show_view(last_view if last_view in keys else "counter")

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/view", self.current_view_key())
        super().closeEvent(event)
