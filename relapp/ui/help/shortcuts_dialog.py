"""Help > Keyboard shortcuts (F1): every key of the window and its views, as they are now."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.ui.help.shortcuts import EVERYWHERE, ShortcutLine, window_shortcuts

# Keys that work inside a list or a field rather than through a shortcut of their own.
IN_LISTS_AND_FIELDS = (
    ("Up, Down", "Move through a list (at the Counter: through the search results)"),
    ("Enter", "Open or choose what is selected"),
    ("Escape", "Close a dialog; at the Counter, clear the search"),
    ("Tab, Shift+Tab", "Next or previous field"),
    ("Ctrl+Tab", "Next tab of a view with tabs (Loyalty, Today)"),
    ("Up, Down in a PIN field", "Choose whose PIN it is"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, lines: list[ShortcutLine], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        intro = QLabel(
            self.tr("The keys of this window, read from it as it is now. Keys under a view "
                    "work while that view is on screen."),
            wordWrap=True,
        )  # fmt: skip
        self.tree = QTreeWidget(objectName="shortcutsTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Keys"), self.tr("What they do")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        sections: dict[str, QTreeWidgetItem] = {}
        for line in lines:
            section = sections.get(line.where)
            if section is None:
                section = sections[line.where] = self._section(self._where_title(line.where))
            QTreeWidgetItem(section, [line.keys, self.tr(line.what)])
        extra = self._section(self.tr("In lists and fields"))
        for keys, what in IN_LISTS_AND_FIELDS:
            QTreeWidgetItem(extra, [self.tr(keys), self.tr(what)])
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.tree.setFocus()
        self._fit_screen()

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [title])
        item.setFirstColumnSpanned(True)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return item

    def _where_title(self, where: str) -> str:
        if where == EVERYWHERE:
            return self.tr("Everywhere in the window")
        return self.tr("{view} view").format(view=self.tr(where))

    def _fit_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size()
        self.resize(min(620, room.width() - 40), min(640, room.height() - 60))

    def lines(self) -> list[tuple[str, str, str]]:
        """(section, keys, what) as listed on screen."""
        found = []
        for number in range(self.tree.topLevelItemCount()):
            section = self.tree.topLevelItem(number)
            for child in range(section.childCount()):
                item = section.child(child)
                found.append((section.text(0), item.text(0), item.text(1)))
        return found

    @classmethod
    def show_for(cls, window: QWidget, views: Iterable[tuple[str, QWidget]]) -> None:
        cls(window_shortcuts(window, views), window).exec()
