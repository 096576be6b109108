"""Icons from resources/, loaded once."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from relapp.resources import resource_path

APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
VIEW_ICON_COLOUR = "#0f766e"
VIEW_ICON_SIZES = (22, 44, 72)


@cache
def app_icon() -> QIcon:
    icon = QIcon()
    for size in APP_ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"relapp-{size}.png")))
    return icon


@cache
def view_icon(name: str) -> QIcon:
    """A view's navigation icon from resources/icons/views/NAME.svg.

    Drawn in the theme colour normally and in white when selected, so that it stays visible
    on the highlighted navigation entry.
    """
    svg = resource_path("icons", "views", f"{name}.svg").read_text(encoding="utf-8")
    icon = QIcon()
    for size in VIEW_ICON_SIZES:
        icon.addPixmap(_render_svg(svg, size), QIcon.Mode.Normal)
        icon.addPixmap(
            _render_svg(svg.replace(VIEW_ICON_COLOUR, "#ffffff"), size), QIcon.Mode.Selected
        )
    return icon


def _render_svg(svg: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    QSvgRenderer(QByteArray(svg.encode())).render(painter)
    painter.end()
    return pixmap
