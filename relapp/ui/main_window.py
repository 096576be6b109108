"""The main window: navigation between the views, menus, status bar, remembered geometry.

It fits the screen it opens on (a 1366 x 768 laptop included, status bar and all), remembers
its size and whether it was maximised, and puts the cursor in each view's first field. Lock
(Ctrl+L) hides the views behind a PIN prompt until someone signs in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from relapp.db.server.urls import is_server_url, redact
from relapp.domain.changes import Change, Entity
from relapp.domain.shop.settings import load_settings
from relapp.ui.about_dialog import AboutDialog
from relapp.ui.campaigns import CampaignsView
from relapp.ui.change_bus import ChangeBus
from relapp.ui.contacts import ContactsView
from relapp.ui.counter.view import CounterView
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.help import ShortcutsDialog, UserGuideDialog
from relapp.ui.icons import app_icon, view_icon
from relapp.ui.listening.view import ListeningView
from relapp.ui.loyalty import LoyaltyView
from relapp.ui.reports import ReportsView
from relapp.ui.settings import SettingsView
from relapp.ui.staff.current_staff import CurrentStaff, StaffButton, install_staff_toolbar
from relapp.ui.staff.lock_screen import LockScreen
from relapp.ui.till_outbox_status import TillOutboxStatus, confirm_quit_with_waiting, waiting_text
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
    ViewEntry("campaigns", "Campaigns", "Ctrl+7"),
    ViewEntry("listening", "Listening", "Ctrl+8"),
)
FIND_SHORTCUT = "Ctrl+F"
# The window at its largest by default and at its smallest, when the screen has room.
DEFAULT_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(760, 520)
# The title bar and borders the window manager adds around the window (unknown until shown).
FRAME_ALLOWANCE = QSize(16, 40)


class MainWindow(QMainWindow):
    def __init__(self, database_path: Path | str, change_bus: ChangeBus) -> None:
        """database_path: the shop file, or the shop server's postgresql:// URL."""
        super().__init__()
        self.database_path = database_path
        self.change_bus = change_bus
        # Who is at the counter: nobody until someone signs in (Ctrl+Shift+U).
        self.current_staff = CurrentStaff(self)
        # What every view can do for a customer on a row (open, log a contact, follow up).
        self.customer_actions = CustomerActions(change_bus, self.current_staff, self)
        self.customer_actions.open_customer_requested.connect(self.open_customer)
        self.setWindowIcon(app_icon())
        self._fit_to_screen()
        # On a shop server: this till's outbox, to keep selling while the server is away
        # (started with the window by relapp.ui.app.start_main_window).
        self.till = (
            TillOutboxStatus(str(database_path), change_bus, self)
            if is_server_url(database_path)
            else None
        )
        self.quit_confirmed = False  # quitting with kept sales waiting was asked and agreed

        self.navigation = QListWidget(objectName="navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(190)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {
            "counter": CounterView(
                change_bus, self.current_staff, self.customer_actions, till=self.till
            ),
            "contacts": ContactsView(change_bus, self.customer_actions),
            "today": TodayView(change_bus, self.customer_actions),
            "loyalty": LoyaltyView(change_bus, self.current_staff),
            "reports": ReportsView(),
            "settings": SettingsView(database_path, change_bus),
            "campaigns": CampaignsView(change_bus, self.current_staff),
            "listening": ListeningView(change_bus, self.current_staff),
        }
        # What Lock disables: everything that would show a customer.
        self.data_actions: list[QAction] = []
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
            self.data_actions.append(action)
            change_bus.changed.connect(self.views[entry.key].on_change)
        view_menu.addSeparator()
        find_action = QAction(self.tr("&Find a customer"), self)
        find_action.setShortcut(QKeySequence(FIND_SHORTCUT))
        find_action.triggered.connect(self.find_customer)
        view_menu.addAction(find_action)
        self.data_actions.append(find_action)
        self.navigation.currentRowChanged.connect(self._view_chosen)
        toolbar = install_staff_toolbar(self, self.current_staff, change_bus)
        self.staff_button: StaffButton = toolbar.findChild(StaffButton)
        self._build_menus()

        self.main_page = QWidget()
        layout = QHBoxLayout(self.main_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.lock_screen = LockScreen(self.current_staff)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.main_page)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        self.current_staff.lock_changed.connect(self._show_locked)

        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        # Offline, and the sales this till keeps until the server is back: from every view.
        self.till_label = QLabel(objectName="tillState")
        self.till_label.setStyleSheet(TILL_STATE_STYLE)
        self.till_label.hide()
        self.statusBar().addPermanentWidget(self.till_label)
        if self.till is not None:
            self.till.changed.connect(self._show_till_state)
            self.till.told.connect(lambda text: self.statusBar().showMessage(text, 30_000))
            self._show_till_state()
        change_bus.changed.connect(self._on_change)
        self._refresh_title_and_status()
        self._restore_state()

    def show_view(self, key: str) -> None:
        """Show the view, with the cursor in its first field (Ctrl+1 to Ctrl+8)."""
        row = [entry.key for entry in VIEWS].index(key)
        if self.navigation.currentRow() == row:
            self.focus_first_field()  # already there: the cursor goes back to the start
        else:
            self.navigation.setCurrentRow(row)

    def _view_chosen(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.focus_first_field()

    def focus_first_field(self) -> None:
        """The cursor in the current view's first field: the Counter's search box, the
        Contacts filter, the Today list, the Loyalty tab's first field..."""
        view = self.stack.currentWidget()
        if self.current_view_key() == "counter":
            self.views["counter"].focus_search()  # type: ignore[attr-defined]
        elif hasattr(view, "focus_first_field"):
            view.focus_first_field()
        else:
            first = _first_field(view)
            if first is not None:
                first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def find_customer(self) -> None:
        """Ctrl+F: the Counter's search box at the Counter, the Contacts filter elsewhere."""
        if self.current_view_key() == "counter":
            box = self.views["counter"].search_box  # type: ignore[attr-defined]
        else:
            self.show_view("contacts")
            box = self.views["contacts"].filter_bar.text  # type: ignore[attr-defined]
        box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        box.selectAll()

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
            self.data_actions.append(action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        # File comes first on screen although View was created first (it needs the views).
        self.menuBar().insertMenu(self.menuBar().actions()[0], file_menu)
        # The user menu of the toolbar's staff button, reachable from the keyboard (Alt+T).
        staff_menu = self.menuBar().addMenu(self.tr("S&taff"))
        for action in self.staff_button.menu_actions():
            if action is None:
                staff_menu.addSeparator()
            else:
                staff_menu.addAction(action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), self)
        shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        shortcuts_action.triggered.connect(self.show_shortcuts)
        guide_action = QAction(self.tr("&User guide"), self)
        guide_action.triggered.connect(lambda: UserGuideDialog.show_for(self))
        about_action = QAction(self.tr("&About Relapp"), self)
        about_action.triggered.connect(lambda: AboutDialog.show_for(self, self.database_path))
        for action in (shortcuts_action, guide_action, about_action):
            help_menu.addAction(action)

    def show_shortcuts(self) -> None:
        ShortcutsDialog.show_for(self, [(entry.title, self.views[entry.key]) for entry in VIEWS])

    def _show_locked(self, locked: bool) -> None:
        """Hide the customers behind the PIN prompt, or show them again once signed in."""
        for action in self.data_actions:
            action.setEnabled(not locked)
        if locked:
            # A customer's history open in a window of its own goes too.
            for widget in QApplication.topLevelWidgets():
                if (
                    widget is not self
                    and widget.isVisible()
                    and widget.isWindow()
                    and (widget.windowType() == Qt.WindowType.Window)
                ):
                    widget.close()
            self.pages.setCurrentWidget(self.lock_screen)
            self.lock_screen.prepare()
        else:
            self.pages.setCurrentWidget(self.main_page)
            self.focus_first_field()

    def _on_change(self, change: Change) -> None:
        if change.touches(Entity.SETTINGS):
            self._refresh_title_and_status()

    def _refresh_title_and_status(self) -> None:
        shop = load_settings().shop_name
        self.setWindowTitle(f"{shop} — Relapp")
        # Only cheap facts here: counting a million customers is the views' job, on demand.
        if is_server_url(self.database_path):
            where = self.tr("shop server {url}").format(url=redact(str(self.database_path)))
        else:
            where = str(self.database_path)
        self.status_label.setText(f"{shop} · {where}")

    def _fit_to_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        minimum, self.default_size = window_sizes(screen.availableGeometry().size())
        self.setMinimumSize(minimum)

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        # restoreGeometry brings back the size, the place and the maximised state, moved and
        # shrunk onto this screen if it was saved on a larger one.
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self.default_size)
            # Centred with its title bar and borders, which are not there until it is shown.
            free = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
            spare = free.size() - self.default_size - FRAME_ALLOWANCE
            self.move(
                free.left() + max(0, spare.width() // 2), free.top() + max(0, spare.height() // 2)
            )
            if starts_maximised(free.size()):
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        keys = [entry.key for entry in VIEWS]
        last_view = settings.value("window/view", "counter")
        self.show_view(last_view if last_view in keys else "counter")

    def _show_till_state(self) -> None:
        assert self.till is not None
        parts = [] if self.till.online else [self.tr("Offline: shop server not answering")]
        parts += [waiting_text(self.till.waiting)] if self.till.waiting else []
        self.till_label.setText("  ·  ".join(parts))
        self.till_label.setProperty("offline", not self.till.online)
        self.till_label.style().unpolish(self.till_label)
        self.till_label.style().polish(self.till_label)
        self.till_label.setVisible(bool(parts))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.till is not None and self.till.waiting and not self.quit_confirmed:
            if not confirm_quit_with_waiting(self, self.till.waiting):
                event.ignore()  # the person stays; the sales are sent when the server answers
                return
            self.quit_confirmed = True  # asked once: closing again does not ask again
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/view", self.current_view_key())
        super().closeEvent(event)


# The status bar's offline notice (relapp.qss has no rule for it yet).
TILL_STATE_STYLE = """
QLabel#tillState { font-weight: bold; color: #0b5d56; padding: 0 8px; }
QLabel#tillState[offline="true"] { color: #7a2e0e; background: #fff4e5; }
"""


def window_sizes(free: QSize) -> tuple[QSize, QSize]:
    """The window's minimum and default size on a screen whose free area (without the
    taskbar) is free, leaving room for the title bar: on a 1366 x 768 laptop the whole
    window, status bar included, is in sight."""
    room = free - FRAME_ALLOWANCE
    return MINIMUM_SIZE.boundedTo(room), DEFAULT_SIZE.boundedTo(room)


def starts_maximised(free: QSize) -> bool:
    """Whether the window's first start fills a screen with this free area: a counter PC's
    large screen (1920 x 1080, say) shows the Counter's larger type at once (type_scale), not
    a 1280 x 800 window in its middle; a laptop gets the window at its default size."""
    return (
        free.width() >= DEFAULT_SIZE.width() * 5 // 4
        and free.height() >= DEFAULT_SIZE.height() * 5 // 4 - FRAME_ALLOWANCE.height()
    )


def _first_field(view: QWidget) -> QWidget | None:
    """The first widget of view that Tab would reach."""
    widget = view.nextInFocusChain()
    while widget is not None and widget is not view:
        if (
            view.isAncestorOf(widget)
            and widget.isVisibleTo(view)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None
