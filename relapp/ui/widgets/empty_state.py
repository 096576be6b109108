"""A friendly, centred message for a view that has nothing to show yet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

TEXT_WIDTH = 560


class EmptyState(QWidget):
    """Icon, title, explanation and a detail line, centred in the view."""

    def __init__(self, icon: QIcon, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(12)
        self.icon_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.icon_label.setPixmap(icon.pixmap(72, 72))
        self.title_label = QLabel(title, objectName="emptyStateTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_label = QLabel(objectName="emptyStateBody", wordWrap=True)
        self.body_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A word-wrapped label given only a maximum width collapses to a few words a line
        # and clips; a fixed width lets it compute its height.
        self.body_label.setFixedWidth(TEXT_WIDTH)
        self.body_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label = QLabel(objectName="emptyStateDetail", wordWrap=True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setFixedWidth(TEXT_WIDTH)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (self.icon_label, self.title_label, self.body_label, self.detail_label):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)

    def set_body(self, text: str) -> None:
        self.body_label.setText(text)

    def set_detail(self, text: str) -> None:
        self.detail_label.setText(text)
        self.detail_label.setVisible(bool(text))
