"""The Today list: one tree, a top-level item per section, a line per customer.

One tree rather than a table per section, so that the arrow keys walk the whole day and one
set of actions (Enter, F5, Ctrl+D...) works on whichever line is selected. Each section's
heading also labels its columns ("What", "Due", "Staff"), since the sections' columns mean
different things; the tree's own header is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from relapp.ui.today.sections import Line, RowRef, SectionContent

REF_ROLE = Qt.ItemDataRole.UserRole
SECTION_ROLE = Qt.ItemDataRole.UserRole + 1
CUSTOMER, WHAT, WHEN, WHO = range(4)
# Widths (pixels) the measured columns stay within; What takes the rest of the width.
COLUMN_LIMITS = {CUSTOMER: (170, 320), WHEN: (120, 260), WHO: (90, 200)}
HEADING_BACKGROUND = QColor("#e3eeec")
QUIET = QColor("#5b6b69")
ALERT = QColor("#b42318")


class WorkList(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="todayList")
        self.setColumnCount(4)
        self.setHeaderHidden(True)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAllColumnsShowFocus(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setIconSize(QSize(18, 18))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setStyleSheet("QTreeView#todayList::item { padding: 3px 2px; }")  # room to read
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        self.sections: dict[str, QTreeWidgetItem] = {}
        # Sections folded by the user stay folded when the list is read again.
        self.folded: set[str] = set()
        self.itemCollapsed.connect(lambda item: self.folded.add(item.data(0, SECTION_ROLE)))
        self.itemExpanded.connect(lambda item: self.folded.discard(item.data(0, SECTION_ROLE)))

    # -- filling ------------------------------------------------------------------------------

    def show_sections(self, sections: list[SectionContent]) -> None:
        """Show these sections, keeping the selected line, or its neighbour if it is gone."""
        kept = self._position()
        self.setUpdatesEnabled(False)
        self.blockSignals(True)  # no folding or selection noise while rebuilding
        self.clear()
        self.sections = {}
        for content in sections:
            self._add_section(content)
        self.blockSignals(False)
        self._fit_columns()
        self._restore(kept)
        self.setUpdatesEnabled(True)

    def _add_section(self, content: SectionContent) -> None:
        captions = content.captions if content.lines else ("", "", "")
        heading = QTreeWidgetItem(self, [content.title, *captions])
        heading.setData(0, SECTION_ROLE, content.key)
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        bold = QFont(self.font())
        bold.setBold(True)
        heading.setFont(CUSTOMER, bold)
        for column in range(self.columnCount()):
            heading.setBackground(column, QBrush(HEADING_BACKGROUND))
            if column != CUSTOMER:
                heading.setForeground(column, QBrush(QUIET))
        self.sections[content.key] = heading
        if not content.lines:
            self._add_note(heading, content.empty)
        for line in content.lines:
            if isinstance(line, str):
                self._add_note(heading, line)
            else:
                self._add_line(heading, line)
        heading.setExpanded(content.key not in self.folded)

    def _add_line(self, heading: QTreeWidgetItem, line: Line) -> None:
        item = QTreeWidgetItem(heading, list(line.cells))
        item.setData(CUSTOMER, REF_ROLE, line.ref)
        for column, text in enumerate(line.cells):
            item.setToolTip(column, text)
        if line.icon is not None:
            item.setIcon(WHAT, line.icon)
        if line.alert:
            strong = QFont(self.font())
            strong.setBold(True)
            item.setForeground(WHEN, QBrush(ALERT))
            item.setFont(WHEN, strong)

    def _add_note(self, heading: QTreeWidgetItem, text: str) -> None:
        note = QTreeWidgetItem(heading, [text])
        note.setFlags(Qt.ItemFlag.ItemIsEnabled)  # said, not acted on
        note.setFirstColumnSpanned(True)
        note.setForeground(CUSTOMER, QBrush(QUIET))
        italic = QFont(self.font())
        italic.setItalic(True)
        note.setFont(CUSTOMER, italic)

    def _fit_columns(self) -> None:
        # At most a thousand lines: measuring them is quick, and keeps names and times whole.
        for column, (least, most) in COLUMN_LIMITS.items():
            self.resizeColumnToContents(column)
            self.setColumnWidth(column, max(least, min(most, self.columnWidth(column))))

    # -- reading ------------------------------------------------------------------------------

    def current_ref(self) -> RowRef | None:
        item = self.currentItem()
        return None if item is None else item.data(CUSTOMER, REF_ROLE)

    def line_items(self, section: str) -> list[QTreeWidgetItem]:
        heading = self.sections.get(section)
        if heading is None:
            return []
        children = (heading.child(row) for row in range(heading.childCount()))
        return [item for item in children if item.data(CUSTOMER, REF_ROLE) is not None]

    def lines(self, section: str) -> list[tuple[str, ...]]:
        """The section's lines as the user reads them (for tests and accessibility checks)."""
        return [
            tuple(item.text(column) for column in range(self.columnCount()))
            for item in self.line_items(section)
        ]

    def notes(self, section: str) -> list[str]:
        heading = self.sections.get(section)
        if heading is None:
            return []
        children = (heading.child(row) for row in range(heading.childCount()))
        return [item.text(0) for item in children if item.data(CUSTOMER, REF_ROLE) is None]

    def title(self, section: str) -> str:
        heading = self.sections.get(section)
        return "" if heading is None else heading.text(0)

    def select(self, section: str, row: int) -> None:
        items = self.line_items(section)
        if 0 <= row < len(items):
            self.setCurrentItem(items[row])

    # -- keeping the selection ----------------------------------------------------------------

    def _position(self) -> tuple[tuple[str, int], int] | None:
        ref = self.current_ref()
        if ref is None:
            return None
        items = self.line_items(ref.section)
        row = next((n for n, item in enumerate(items) if item.data(CUSTOMER, REF_ROLE) == ref), 0)
        return ref.key, row

    def _restore(self, kept: tuple[tuple[str, int], int] | None) -> None:
        """The same line if it is still listed; else the one that took its place in its
        section (the next, or the last); else the first line of a later section, or the last
        of an earlier one; on the first reading, the first line of the day."""
        keys = list(self.sections)
        if kept is None:
            self._select_first(keys)
            return
        key, row = kept
        for section in keys:
            for item in self.line_items(section):
                if item.data(CUSTOMER, REF_ROLE).key == key:
                    self.setCurrentItem(item)
                    return
        same_section = self.line_items(key[0])
        if same_section:
            self.setCurrentItem(same_section[min(row, len(same_section) - 1)])
            return
        place = keys.index(key[0]) if key[0] in keys else 0
        if not self._select_first(keys[place + 1 :]):
            earlier = [item for section in keys[:place] for item in self.line_items(section)]
            self.setCurrentItem(earlier[-1] if earlier else None)

    def _select_first(self, keys: list[str]) -> bool:
        for section in keys:
            items = self.line_items(section)
            if items:
                self.setCurrentItem(items[0])
                return True
        return False
