"""The shop's logo in Settings: see it, choose a picture, or remove it (saved at once)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from relapp.domain.changes import Change
from relapp.domain.shop.logo import InvalidLogo, logo_png, remove_logo, set_logo

THUMBNAIL = 56
PICTURE_FILTER = "Pictures (*.png *.jpg *.jpeg *.gif *.bmp *.webp)"


class LogoPicker(QWidget):
    """Signals:
    changed(Change): the logo was set or removed.
    """

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnail = QLabel(objectName="logoThumbnail", alignment=Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setFixedSize(THUMBNAIL * 2, THUMBNAIL)
        self.choose_button = QPushButton(self.tr("Choose picture…"))
        self.choose_button.clicked.connect(self.choose)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbnail)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.remove_button)
        layout.addStretch(1)

    def load(self) -> None:
        data = logo_png()
        picture = QPixmap()
        if data is not None and picture.loadFromData(data):
            self.thumbnail.setPixmap(
                picture.scaled(self.thumbnail.size(), Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
            )  # fmt: skip
        else:
            self.thumbnail.setPixmap(QPixmap())
            self.thumbnail.setText(self.tr("No logo"))
        self.remove_button.setEnabled(data is not None)

    def choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the shop's logo"), "", self.tr(PICTURE_FILTER)
        )
        if path:
            self._apply(lambda: set_logo(Path(path)))

    def remove(self) -> None:
        self._apply(remove_logo)

    def _apply(self, action) -> None:
        try:
            change: Change = action()
        except InvalidLogo as error:
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return
        self.load()
        self.changed.emit(change)
