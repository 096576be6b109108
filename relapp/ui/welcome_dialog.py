"""First run: start with an empty shop or explore a demo shop."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.ui.icons import app_icon


class WelcomeChoice(Enum):
    EMPTY_SHOP = "empty"
    DEMO_SHOP = "demo"


class WelcomeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: WelcomeChoice | None = None
        self.setWindowTitle(self.tr("Welcome to Relapp"))
        self.setWindowIcon(app_icon())
        # A fixed width lets the wrapped labels work out their height; no stray gaps.
        self.setFixedWidth(540)

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        heading = QLabel(self.tr("Welcome to Relapp"), objectName="welcomeTitle")
        intro = QLabel(
            self.tr(
                "Know your customers, reward their loyalty and keep them for years. "
                "Everything stays on this computer; no internet connection is needed."
            ),
            wordWrap=True,
        )
        header = QHBoxLayout()
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(intro)
        header.addLayout(text, 1)

        self.shop_name = QLineEdit(placeholderText=self.tr("e.g. Corner Books"))
        self.shop_name.setMaxLength(80)
        form = QFormLayout()
        form.addRow(self.tr("&Shop name:"), self.shop_name)

        self.empty_button = QPushButton(self.tr("Start with an &empty shop"))
        self.empty_button.setDefault(True)
        self.demo_button = QPushButton(self.tr("Explore a &demo shop"))
        self.demo_button.setToolTip(
            self.tr("A boutique with 3,000 invented customers and two years of history")
        )
        self.empty_button.clicked.connect(lambda: self._choose(WelcomeChoice.EMPTY_SHOP))
        self.demo_button.clicked.connect(lambda: self._choose(WelcomeChoice.DEMO_SHOP))
        hint = QLabel(
            self.tr(
                "The demo shop is an invented boutique with 3,000 customers and two years of "
                "history, for trying everything out. It is kept in this database; start your "
                "real shop with an empty one."
            ),
            wordWrap=True,
            objectName="welcomeHint",
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.setFixedHeight(layout.heightForWidth(self.width()))

    def _choose(self, choice: WelcomeChoice) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> tuple[WelcomeChoice, str] | None:
        """The owner's choice and shop name, or None if they closed the dialog."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice is None:
            return None
        return dialog.choice, dialog.shop_name.text().strip()
