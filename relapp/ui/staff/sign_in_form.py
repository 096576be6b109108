"""Pick your name, type your PIN: the sign-in form of the Switch user dialog and the lock screen.

Up and Down in the PIN field choose the name, so a cashier's hands stay on the keys. A wrong
PIN says so under the field, clears it and keeps the focus there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from relapp.domain.shop.staff import StaffMember, authenticate, list_staff
from relapp.errors import RelappError
from relapp.ui.staff.staff_dialog import ROLE_TITLES, STAFF_MEMBER_ROLE, pin_edit


class SignInForm(QWidget):
    """Signals:
    signed_in(StaffMember): the PIN matched; the sign-in is in the audit log.
    """

    signed_in = Signal(object)

    def __init__(self, current: StaffMember | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.staff_list = QListWidget(objectName="staffList")
        self.pin = pin_edit()
        # Large enough to hit and read at a glance at the counter.
        for widget in (self.staff_list, self.pin):
            font = widget.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            widget.setFont(font)
        self.staff_list.setSpacing(3)
        self.pin.installEventFilter(self)
        self.message = QLabel(objectName="fieldProblems", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        # Picking a name leads to the PIN: click, type, Enter.
        self.staff_list.currentRowChanged.connect(lambda _row: self._name_picked())
        self.staff_list.itemActivated.connect(lambda _item: self.pin.setFocus())
        who = QLabel(self.tr("&Who is at the counter?"))
        who.setBuddy(self.staff_list)
        pin_label = QLabel(self.tr("&PIN:"))
        pin_label.setBuddy(self.pin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(who)
        layout.addWidget(self.staff_list)
        layout.addWidget(pin_label)
        layout.addWidget(self.pin)
        layout.addWidget(self.message)
        self.fill(current)
        self.setFocusProxy(self.pin)

    def fill(self, current: StaffMember | None = None) -> None:
        """List the active staff again, current (if any) chosen, the PIN field empty."""
        self.staff_list.blockSignals(True)
        self.staff_list.clear()
        for member in list_staff():
            title = self.tr(ROLE_TITLES.get(member.role, member.role)).lower()
            item = QListWidgetItem(f"{member.name} — {title}")
            item.setData(STAFF_MEMBER_ROLE, member)
            self.staff_list.addItem(item)
            if current is not None and member.id == current.id:
                self.staff_list.setCurrentItem(item)
        if self.staff_list.currentRow() < 0 and self.staff_list.count():
            self.staff_list.setCurrentRow(0)
        self.staff_list.blockSignals(False)
        rows = min(max(self.staff_list.count(), 3), 8)
        spacing = self.staff_list.spacing()
        row_height = max(self.staff_list.sizeHintForRow(0), self.staff_list.fontMetrics().height())
        self.staff_list.setFixedHeight(
            rows * (row_height + 2 * spacing) + 2 * self.staff_list.frameWidth()
        )
        self.pin.clear()
        self.message.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.pin
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = self.staff_list.currentRow() + step
            if 0 <= row < self.staff_list.count():
                self.staff_list.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def _name_picked(self) -> None:
        self.pin.clear()
        self.message.hide()
        self.pin.setFocus()

    def selected_member(self) -> StaffMember | None:
        item = self.staff_list.currentItem()
        return None if item is None else item.data(STAFF_MEMBER_ROLE)

    def try_sign_in(self) -> None:
        member = self.selected_member()
        if member is None:
            self.show_message(self.tr("Choose your name first."))
            return
        if not self.pin.text():
            # Not a wrong try: Enter pressed before typing does not count towards a lockout.
            self.show_message(self.tr("Type your PIN, then press Enter."))
            self.pin.setFocus()
            return
        try:
            signed_in = authenticate(member.id, self.pin.text())
        except RelappError as error:
            self.pin.clear()
            self.show_message(str(error))
            self.pin.setFocus()
            return
        self.pin.clear()
        self.signed_in.emit(signed_in)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        # A word-wrapped label's height does not reach a dialog's minimum size by itself: the
        # dialog kept its height and squeezed the PIN label into the list (seen on screen).
        window = self.window()
        if window is not self and window.isVisible():
            window.adjustSize()
