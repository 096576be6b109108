"""Help > User guide: docs/user-guide.md as shipped with the app, shown here, offline.

Qt reads the Markdown itself (QTextBrowser), so the guide needs no browser and no network;
its sections are listed on the left. Links to web pages open in the browser.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from relapp.resources import user_guide_path

SECTION_ROLE = Qt.ItemDataRole.UserRole  # the heading's block number


class UserGuideDialog(QDialog):
    def __init__(self, markdown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Relapp user guide"))
        self.browser = QTextBrowser(objectName="userGuide")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(markdown)
        self.contents = QListWidget(objectName="userGuideContents")
        self._list_sections()
        self.contents.currentRowChanged.connect(self._go_to_section)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size()
        self.resize(min(1000, room.width() - 40), min(720, room.height() - 60))
        splitter.setSizes([220, self.width() - 220])
        self.browser.setFocus()

    def _list_sections(self) -> None:
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() == 2:
                item = QListWidgetItem(block.text())
                item.setData(SECTION_ROLE, block.blockNumber())
                self.contents.addItem(item)
            block = block.next()

    def _go_to_section(self, row: int) -> None:
        item = self.contents.item(row)
        if item is None:
            return
        block = self.browser.document().findBlockByNumber(item.data(SECTION_ROLE))
        # To the end first, then back: the heading lands at the top, not at the bottom.
        self.browser.moveCursor(QTextCursor.MoveOperation.End)
        self.browser.setTextCursor(QTextCursor(block))
        self.browser.ensureCursorVisible()

    def sections(self) -> list[str]:
        return [self.contents.item(row).text() for row in range(self.contents.count())]

    @classmethod
    def show_for(cls, parent: QWidget) -> None:
        """Open the guide; if the installation lost it, say so in one sentence."""
        try:
            markdown = user_guide_path().read_text(encoding="utf-8")
        except (FileNotFoundError, OSError) as error:
            QMessageBox.warning(parent, parent.tr("User guide"), str(error))
            return
        cls(markdown, parent).exec()
