"""How each kind of history entry looks wherever it is shown: its name, colour and icon.

One place, so that the timeline, the activity feed, the quick-log dialog and Today agree. The
names and colours are domain words (relapp.domain.terms); a kind without a drawing of its own
is drawn as a note, so a new kind needs no edit here. Icons are white line drawings
(resources/icons/kinds/KIND.svg) on a disc of the kind's colour, so that kinds are told apart
by shape as well as by colour.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from relapp.domain.terms import KIND_COLOURS, KIND_NAMES
from relapp.resources import resource_path

# Networks offered for a social entry; any other name may be typed.
SOCIAL_NETWORKS = ("Facebook", "Instagram", "X", "TikTok", "WhatsApp", "LinkedIn", "YouTube")
ICON_SIZES = (16, 24, 32, 48)


def kind_name(kind: str) -> str:
    """The kind as shown to the shop, translated."""
    return QCoreApplication.translate("kinds", KIND_NAMES.get(kind, kind.title()))


def kind_colour(kind: str) -> QColor:
    return QColor(KIND_COLOURS.get(kind, "#64748b"))


@cache
def kind_icon(kind: str) -> QIcon:
    """The kind's icon: its drawing in white on a disc of its colour."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(kind_pixmap(kind, size))
    return icon


@cache
def kind_pixmap(kind: str, size: int) -> QPixmap:
    drawing = _drawing(kind)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(kind_colour(kind))
    painter.drawEllipse(0, 0, size, size)
    inset = size * 0.22
    renderer = QSvgRenderer(QByteArray(drawing.encode()))
    renderer.render(painter, pixmap.rect().toRectF().adjusted(inset, inset, -inset, -inset))
    painter.end()
    return pixmap


def _drawing(kind: str) -> str:
    path = resource_path("icons", "kinds", f"{kind}.svg")
    if not path.exists():
        path = resource_path("icons", "kinds", "note.svg")
    svg = path.read_text(encoding="utf-8")
    # Thicker strokes: the drawing is shown small, inside a disc.
    return re.sub(r'stroke-width="[\d.]+"', 'stroke-width="2.6"', svg)
