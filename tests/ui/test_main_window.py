"""The main window as a shop owner meets it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from relapp import __version__
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.today import today_queue
from relapp.ui.about_dialog import AboutDialog
from relapp.ui.main_window import VIEWS, MainWindow
from relapp.ui.today.sections import summary_text


def visible_texts(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def open_window(qtbot, db_path, change_bus) -> MainWindow:
    window = MainWindow(db_path, change_bus)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def test_the_demo_shop_shows_in_the_window(app, qtbot, demo_db, db_path, change_bus):
    window = open_window(qtbot, db_path, change_bus)
    assert window.windowTitle() == "Lantern Lane — Relapp"
    assert window.status_label.text() == f"Lantern Lane · {db_path}"
    assert "scan a loyalty card" in visible_texts(window.stack.currentWidget())
    window.show_view("contacts")
    assert "60 customers" in visible_texts(window.stack.currentWidget())
    window.show_view("today")
    assert summary_text(today_queue()) in visible_texts(window.stack.currentWidget())
    window.show_view("reports")
    assert "Everything about one customer" in visible_texts(window.stack.currentWidget())


def test_every_view_has_a_shortcut_and_a_helpful_page(app, qtbot, demo_db, db_path, change_bus):
    window = open_window(qtbot, db_path, change_bus)
    for number, entry in enumerate(VIEWS, start=1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_view_key() == entry.key
        assert window.navigation.currentRow() == number - 1
        page = visible_texts(window.stack.currentWidget())
        if entry.key == "contacts":
            assert "60 customers" in page
            continue
        if entry.key == "settings":
            assert window.views["settings"].shop_name.text() == "Lantern Lane"
            continue
        if entry.key == "today":
            assert summary_text(today_queue()) in page
            assert window.views["today"].work_list.topLevelItemCount() >= 5  # the sections
            continue
        if entry.key == "reports":
            assert "Choose a report on the left" in page
            from relapp.reports.catalogue import REPORTS

            assert window.views["reports"].catalogue.count() == len(REPORTS) >= 8
            continue
        if entry.key == "loyalty":
            assert "Sign in as a manager to change the program." in page
            assert window.views["loyalty"].rewards.rowCount() > 0
            continue
        assert entry.title in page
        assert len(page) > 120, f"{entry.key} page says too little: {page!r}"
    window.show_view("settings")  # no longer the last view shown (Campaigns, Ctrl+7, is)
    assert str(db_path) in visible_texts(window.views["settings"])


def test_an_empty_shop_says_it_has_no_customers_yet(app, qtbot, db, db_path, change_bus):
    window = open_window(qtbot, db_path, change_bus)
    window.show_view("today")
    assert "My shop has no customers yet." in visible_texts(window.stack.currentWidget())


def test_window_size_and_last_view_are_remembered(app, qtbot, db, db_path, change_bus):
    first = open_window(qtbot, db_path, change_bus)
    first.resize(780, 560)
    first.show_view("loyalty")
    first.close()

    second = open_window(qtbot, db_path, change_bus)
    assert (second.width(), second.height()) == (780, 560)
    assert second.current_view_key() == "loyalty"


def test_a_settings_change_reaches_the_open_window(app, qtbot, db, db_path, change_bus):
    window = open_window(qtbot, db_path, change_bus)
    window.show_view("today")
    change_bus.publish(save_settings(shop_name="Corner Books"))
    assert window.windowTitle() == "Corner Books — Relapp"
    assert "Corner Books has no customers yet." in visible_texts(window.stack.currentWidget())


def test_about_names_the_version_and_the_database(app, db_path):
    text = AboutDialog.text(db_path)
    assert f"Relapp {__version__}" in text
    assert str(db_path) in text


def test_figures_follow_the_shops_locale_setting(app, qtbot, demo_db, db_path, change_bus):
    from PySide6.QtCore import QLocale

    from relapp.db.models import Contact
    from relapp.ui.app import apply_shop_locale, apply_shop_locale_if_changed

    change_bus.changed.connect(apply_shop_locale_if_changed)
    richest = Contact.select().order_by(Contact.points_balance.desc()).first()
    points = richest.points_balance
    assert points >= 1000  # large enough to show a group separator
    try:
        apply_shop_locale()
        window = open_window(qtbot, db_path, change_bus)
        counter = window.views["counter"]
        counter.show_customer(richest.id)
        assert counter.panel.points.text() == f"{points:,}"
        change_bus.publish(save_settings(locale="de_DE"))
        assert counter.panel.points.text() == f"{points:,}".replace(",", ".")
    finally:
        QLocale.setDefault(QLocale.c())


def test_only_the_view_on_screen_reads_its_list(
    app, qtbot, demo_db, db_path, change_bus, monkeypatch
):
    from relapp.ui.today import view as today_view

    calls = []
    real_queue = today_view.today_queue
    monkeypatch.setattr(today_view, "today_queue", lambda: calls.append(1) or real_queue())
    window = open_window(qtbot, db_path, change_bus)
    assert len(calls) == 0  # the counter is on screen; Today waits to be shown
    window.show_view("today")
    assert len(calls) == 1
    change_bus.publish(save_settings(shop_name="Corner Books"))
    assert len(calls) == 2  # the visible view refreshed
    window.show_view("counter")
    change_bus.publish(save_settings(shop_name="Corner Books Ltd"))
    assert len(calls) == 2  # hidden, it was only marked stale
    window.show_view("today")
    assert len(calls) == 3


def test_the_window_fits_a_1366_by_768_laptop_with_its_status_bar(
    app, qtbot, demo_db, db_path, change_bus
):
    from PySide6.QtCore import QSize

    from relapp.ui.main_window import FRAME_ALLOWANCE, window_sizes

    free = QSize(1366, 768 - 40)  # a taskbar of 40 pixels
    minimum, default = window_sizes(free)
    assert default + FRAME_ALLOWANCE == QSize(1296, 728)
    assert minimum.width() <= default.width() and minimum.height() <= default.height()
    # Every view's content, with the menus, toolbar and status bar, fits that default size.
    window = open_window(qtbot, db_path, change_bus)
    for entry in VIEWS:
        window.show_view(entry.key)
        needed = window.minimumSizeHint()
        assert needed.width() <= default.width() and needed.height() <= default.height(), (
            entry.key, needed)  # fmt: skip


def test_a_tiny_screen_gets_a_window_no_larger_than_it(app):
    from PySide6.QtCore import QSize

    from relapp.ui.main_window import window_sizes

    minimum, default = window_sizes(QSize(700, 480))
    assert (minimum.width(), minimum.height()) == (684, 440)
    assert (default.width(), default.height()) == (684, 440)


def test_being_maximised_is_remembered(app, qtbot, db, db_path, change_bus):
    first = open_window(qtbot, db_path, change_bus)
    first.showMaximized()
    qtbot.waitUntil(first.isMaximized)
    first.close()
    second = open_window(qtbot, db_path, change_bus)
    assert second.isMaximized()


def test_lock_hides_the_views_and_their_menus_until_someone_signs_in(
    app, qtbot, demo_db, db_path, change_bus
):
    from relapp.domain.shop.staff import list_staff

    window = open_window(qtbot, db_path, change_bus)
    window.show_view("contacts")
    window.current_staff.lock()
    assert window.pages.currentWidget() is window.lock_screen
    assert not window.views["contacts"].isVisible()
    assert not any(action.isEnabled() for action in window.data_actions)
    window.current_staff.set_member(list_staff()[0])
    assert window.pages.currentWidget() is window.main_page
    assert window.views["contacts"].isVisible()
    assert all(action.isEnabled() for action in window.data_actions)


def test_the_help_menu_offers_shortcuts_and_the_guide(app, qtbot, db, db_path, change_bus):
    window = open_window(qtbot, db_path, change_bus)
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    assert list(menus) == ["&File", "&View", "S&taff", "&Help"]  # as on screen
    help_items = [action.text() for action in menus["&Help"].actions()]
    assert help_items == ["&Keyboard shortcuts", "&User guide", "&About Relapp"]
    assert menus["&Help"].actions()[0].shortcut().toString() == "F1"


def test_the_user_guide_is_found_and_read_as_a_document(app, qtbot):
    from relapp.resources import user_guide_path
    from relapp.ui.help import UserGuideDialog

    path = user_guide_path()
    assert path.name == "user-guide.md"
    dialog = UserGuideDialog(path.read_text(encoding="utf-8"))
    qtbot.addWidget(dialog)
    assert dialog.sections()[:3] == ["First start", "Where your data lives", "Finding your way"]
    dialog.contents.setCurrentRow(dialog.sections().index("Staff"))
    assert dialog.browser.textCursor().block().text() == "Staff"


def test_a_first_window_is_placed_with_room_for_its_title_bar(app, qtbot, db, db_path, change_bus):
    """Centred before the window manager adds its frame, it would hang below the screen."""
    from relapp.ui.main_window import FRAME_ALLOWANCE

    window = MainWindow(db_path, change_bus)  # nothing remembered yet
    qtbot.addWidget(window)
    free = window.screen().availableGeometry()
    bottom = window.y() + window.height() + FRAME_ALLOWANCE.height()
    right = window.x() + window.width() + FRAME_ALLOWANCE.width()
    assert window.y() >= free.top() and bottom <= free.bottom() + 1
    assert window.x() >= free.left() and right <= free.right() + 1


def test_the_first_start_fills_a_large_screen_only(app):
    from PySide6.QtCore import QSize

    from relapp.ui.main_window import starts_maximised

    assert starts_maximised(QSize(1920, 1080 - 40))  # a counter PC, with a taskbar
    assert starts_maximised(QSize(1600, 960))
    assert not starts_maximised(QSize(1366, 768 - 40))
    assert not starts_maximised(QSize(1440, 900 - 40))
