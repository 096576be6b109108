"""The Qt half of `relapp --smoke-test` (relapp/smoke_test.py): start Qt as the app does, check
the plugins a shop's desktop needs, and build the main window once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from relapp.errors import SmokeTestFailure

# The Qt plugins a shop's desktop needs, per platform: (plugin folder, file name stem).
LINUX_PLUGINS = (
    ("platforms", "qxcb"),
    ("platforms", "qwayland"),
    ("platforms", "qoffscreen"),
    ("wayland-shell-integration", "xdg-shell"),
    ("printsupport", "cupsprintersupport"),
    ("imageformats", "qsvg"),
    ("imageformats", "qjpeg"),
    ("iconengines", "qsvgicon"),
    ("platforminputcontexts", "composeplatforminputcontextplugin"),
)
WINDOWS_PLUGINS = (
    ("platforms", "qwindows"),
    ("styles", "qmodernwindowsstyle"),
    ("imageformats", "qsvg"),
    ("imageformats", "qjpeg"),
    ("iconengines", "qsvgicon"),
)


def start_qt(settings_folder: Path) -> str:
    """The QApplication, set up as the app sets it up; per-machine settings go to
    settings_folder, not to the user's. With no display at all (a server, CI), offscreen."""
    note = ""
    if needs_offscreen(os.environ, sys.platform):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        note = " (no display here: offscreen)"
    elif not os.environ.get("QT_QPA_PLATFORM"):
        from relapp.ui.environment import display_problem

        problem = display_problem()
        if problem:
            raise SmokeTestFailure(problem)

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication

    from relapp.ui.app import create_application

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_folder))
    create_application()
    return f"platform {QGuiApplication.platformName()}{note}"


def check_plugins(strict: bool) -> str:
    """SVG drawn as an image and as an icon; every plugin in the list present, and loadable
    (its system libraries installed) if strict: a frozen build must load them all, while a
    checkout on a test machine may lack, say, the Wayland libraries without it mattering."""
    from PySide6.QtCore import QPluginLoader
    from PySide6.QtGui import QIcon, QImageReader

    from relapp.resources import resource_path

    formats = {bytes(name).decode() for name in QImageReader.supportedImageFormats()}
    if "svg" not in formats:
        raise SmokeTestFailure(f"Qt cannot read SVG images; it reads {sorted(formats)}")
    if QIcon(str(resource_path("icons", "relapp.svg"))).pixmap(48, 48).isNull():
        raise SmokeTestFailure("the SVG icon engine did not draw resources/icons/relapp.svg")

    found, missing = find_plugins(required_plugins(sys.platform))
    if missing:
        raise SmokeTestFailure("Qt plugins missing: " + ", ".join(missing))
    unloadable = []
    for name, path in found.items():
        loader = QPluginLoader(str(path))
        if not loader.load():
            unloadable.append(f"{name} ({loader.errorString()})")
    if unloadable and strict:
        raise SmokeTestFailure("Qt plugins cannot load: " + "; ".join(unloadable))
    if unloadable:
        return f"{len(found)} present; not loadable here: " + "; ".join(unloadable)
    return f"{len(found)} present and loadable, SVG images and icons drawn"


def show_main_window(database_path: Path):
    """The main window on the (open) database, shown and painted; returns it and a summary."""
    from PySide6.QtWidgets import QApplication

    from relapp.ui.app import apply_shop_locale
    from relapp.ui.change_bus import ChangeBus
    from relapp.ui.main_window import MainWindow

    apply_shop_locale()
    window = MainWindow(database_path, ChangeBus())
    window.show()
    QApplication.processEvents()
    if not window.isVisible():
        raise SmokeTestFailure("the main window did not show")
    picture = window.grab()
    if picture.isNull():
        raise SmokeTestFailure("the main window did not paint")
    views = window.navigation.count()
    size = f"{picture.width()}x{picture.height()}"
    return window, f"main window shown and painted ({size}, {views} views)"


def close_window(window) -> None:
    from PySide6.QtWidgets import QApplication

    window.close()
    window.deleteLater()
    QApplication.processEvents()


def needs_offscreen(env: Mapping[str, str], platform: str) -> bool:
    """No platform chosen and no display to show on (a server, CI): Qt would abort."""
    if env.get("QT_QPA_PLATFORM") or not platform.startswith(("linux", "freebsd", "openbsd")):
        return False
    return not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")


def required_plugins(platform: str) -> tuple[tuple[str, str], ...]:
    if platform.startswith("win"):
        return WINDOWS_PLUGINS
    if platform.startswith("linux"):
        return LINUX_PLUGINS
    return ()


def find_plugins(wanted) -> tuple[dict[str, Path], list[str]]:
    """Where Qt would find each wanted plugin, and those it would not find anywhere."""
    from PySide6.QtCore import QCoreApplication

    roots = [Path(folder) for folder in QCoreApplication.libraryPaths()]
    found: dict[str, Path] = {}
    missing = []
    for folder, stem in wanted:
        names = (f"lib{stem}.so", f"{stem}.dll", f"lib{stem}.dylib")
        hits = [root / folder / n for root in roots for n in names if (root / folder / n).is_file()]
        if hits:
            found[f"{folder}/{stem}"] = hits[0]
        else:
            missing.append(f"{folder}/{stem}")
    return found, missing
