"""Paints the timeline: day headings, and entries as an icon, two lines of text, time and badge.

Every row has the same height, a heading as an entry: with uniform rows the list places rows
by arithmetic, where rows of two heights made it measure every loaded row again each time a
page arrived (300 ms per page at 10,000 entries). Long text is elided on screen and shown
whole in the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from relapp.domain.shop.formats import ShopFormat
from relapp.domain.timeline.history import TimelineEntry
from relapp.ui.timeline.entry_text import day_heading, entry_text
from relapp.ui.timeline.kind_style import kind_colour, kind_pixmap
from relapp.ui.timeline.model import DAY_ROLE, ENTRY_ROLE

ICON_SIZE = 30
MARGIN = 8
ALERT_COLOUR = QColor("#b91c1c")
HEADING_BACKGROUND = QColor("#e6f0ef")
HEADING_TEXT = QColor("#1f2d2b")

_Index = QModelIndex | QPersistentModelIndex


class TimelineDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index):
        size = super().sizeHint(option, index)
        size.setHeight(max(ICON_SIZE, QFontMetrics(option.font).lineSpacing() * 2) + 2 * MARGIN)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        day = index.data(DAY_ROLE)
        painter.save()
        if day is not None:
            self._paint_day(painter, option, day_heading(day))
        else:
            shop = getattr(index.model(), "shop", None)  # the TimelineModel's, read once
            self._paint_entry(painter, option, index.data(ENTRY_ROLE), shop)
        painter.restore()

    def _paint_day(self, painter: QPainter, option: QStyleOptionViewItem, text: str) -> None:
        band = option.rect.adjusted(0, option.rect.height() // 3, 0, 0)
        painter.fillRect(band, HEADING_BACKGROUND)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(HEADING_TEXT)
        area = band.adjusted(MARGIN + 4, 0, -MARGIN, 0)
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_entry(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        entry: TimelineEntry,
        shop: ShopFormat | None,
    ) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.color(QPalette.ColorRole.Highlight))
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_colour = option.palette.color(text_role)
        rect = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        # A thin bar of the kind's colour ties the entry to its icon when selected.
        painter.fillRect(
            QRect(option.rect.left(), option.rect.top() + 2, 3, option.rect.height() - 4),
            kind_colour(entry.kind),
        )
        icon_top = rect.top() + (rect.height() - ICON_SIZE) // 2
        painter.drawPixmap(rect.left() + 4, icon_top, kind_pixmap(entry.kind, ICON_SIZE))

        text = entry_text(entry, shop)
        # The painter's metrics: those of a bare QFontMetrics(font) may assume another DPI
        # than the widget painted on, and elide text that fits.
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        line = metrics.lineSpacing()
        left = rect.left() + ICON_SIZE + 16
        # A few pixels to spare: elidedText works in fractions and may cut a text measured
        # to the exact pixel.
        wanted = max(metrics.horizontalAdvance(text.badge), metrics.horizontalAdvance(text.time))
        right_width = min(wanted + 4, rect.width() // 3)
        text_width = rect.right() - left - right_width - 12

        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_colour)
        title = painter.fontMetrics().elidedText(
            text.title, Qt.TextElideMode.ElideRight, text_width
        )
        painter.drawText(
            QRect(left, rect.top(), text_width, line), Qt.AlignmentFlag.AlignLeft, title
        )

        painter.setFont(option.font)
        muted = QColor(text_colour)
        if not selected:
            muted = option.palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        subtitle = metrics.elidedText(text.subtitle, Qt.TextElideMode.ElideRight, text_width)
        painter.drawText(
            QRect(left, rect.top() + line, text_width, line), Qt.AlignmentFlag.AlignLeft, subtitle
        )

        right = QRect(rect.right() - right_width, rect.top(), right_width, line)
        painter.drawText(right, Qt.AlignmentFlag.AlignRight, text.time)
        painter.setPen(ALERT_COLOUR if text.alert and not selected else text_colour)
        badge = metrics.elidedText(text.badge, Qt.TextElideMode.ElideLeft, right_width)
        painter.drawText(right.translated(0, line), Qt.AlignmentFlag.AlignRight, badge)
