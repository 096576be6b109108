"""What the window shows while locked (Ctrl+L): no customer data, only a PIN prompt.

Locking signs the cashier out; the window's views stay hidden behind this page until someone
signs in, here or with Ctrl+Shift+U (see CurrentStaff.lock and MainWindow).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.staff.sign_in_form import SignInForm


class LockScreen(QWidget):
    def __init__(self, current_staff: CurrentStaff, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.current_staff = current_staff
        title = QLabel(self.tr("Relapp is locked"), objectName="lockTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        explanation = QLabel(
            self.tr("Customer data stays hidden until someone signs in with their PIN."),
            wordWrap=True,
        )
        self.form = SignInForm()
        self.form.signed_in.connect(current_staff.set_member)
        self.form.pin.returnPressed.connect(self.form.try_sign_in)
        self.sign_in_button = QPushButton(self.tr("Sign in"), objectName="unlockButton")
        self.sign_in_button.clicked.connect(self.form.try_sign_in)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(explanation)
        column.addSpacing(12)
        column.addWidget(self.form)
        column.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(2)
        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(440)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 2)
        layout.addStretch(1)
        self.setFocusProxy(self.form)

    def prepare(self) -> None:
        """Ready for the next person: the staff listed afresh, the PIN field empty, focused."""
        self.form.fill(None)
        self.form.pin.setFocus()
