"""Signing in at the counter: pick your name, type your PIN, press Enter.

In a shop with no staff accounts yet, the same dialog creates the owner's account (a manager)
instead, from a name and a PIN typed twice.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.staff import (
    MAX_STAFF_NAME,
    InvalidStaff,
    StaffMember,
    authenticate,
    ensure_owner,
    has_staff,
    list_staff,
)
from relapp.errors import RelappError
from relapp.ui.staff.staff_dialog import ROLE_TITLES, STAFF_MEMBER_ROLE, PinFields, pin_edit
from relapp.ui.widgets.field_problems import FieldProblems


class SwitchUserDialog(QDialog):
    """Who is at the counter. member is set once someone signed in (or the owner was created)."""

    def __init__(self, current: StaffMember | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(400)
        self.member: StaffMember | None = None
        self.owner_mode = not has_staff()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if self.owner_mode:
            self._build_owner_form(layout)
        else:
            self._build_sign_in(layout, current)
        layout.addWidget(self.buttons)

    # -- signing in ---------------------------------------------------------------------------

    def _build_sign_in(self, layout: QVBoxLayout, current: StaffMember | None) -> None:
        self.setWindowTitle(self.tr("Switch user"))
        self.ok_button.setText(self.tr("&Sign in"))
        self.staff_list = QListWidget(objectName="staffList")
        for member in list_staff():
            title = self.tr(ROLE_TITLES.get(member.role, member.role)).lower()
            item = QListWidgetItem(f"{member.name} — {title}")
            item.setData(STAFF_MEMBER_ROLE, member)
            self.staff_list.addItem(item)
            if current is not None and member.id == current.id:
                self.staff_list.setCurrentItem(item)
        if self.staff_list.currentRow() < 0 and self.staff_list.count():
            self.staff_list.setCurrentRow(0)
        self.pin = pin_edit()
        # Large enough to hit and read at a glance at the counter.
        for widget in (self.staff_list, self.pin):
            font = widget.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            widget.setFont(font)
        self.staff_list.setSpacing(3)
        rows = min(max(self.staff_list.count(), 3), 8)
        spacing = self.staff_list.spacing()
        row_height = max(self.staff_list.sizeHintForRow(0), self.staff_list.fontMetrics().height())
        self.staff_list.setFixedHeight(
            rows * (row_height + 2 * spacing) + 2 * self.staff_list.frameWidth()
        )
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
        layout.addWidget(who)
        layout.addWidget(self.staff_list)
        layout.addWidget(pin_label)
        layout.addWidget(self.pin)
        layout.addWidget(self.message)
        self.pin.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up and Down in the PIN field choose the name, so the hands stay on the keys.
        if (
            watched is getattr(self, "pin", None)
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
            self.member = authenticate(member.id, self.pin.text())
        except RelappError as error:
            self.pin.clear()
            self.show_message(str(error))
            self.pin.setFocus()
            return
        self.accept()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- the first account --------------------------------------------------------------------

    def _build_owner_form(self, layout: QVBoxLayout) -> None:
        self.setWindowTitle(self.tr("Create the owner's account"))
        self.ok_button.setText(self.tr("&Create account"))
        intro = QLabel(
            self.tr(
                "This shop has no staff accounts yet. Create yours first: the owner is a "
                "manager and can then add the rest of the staff."
            ),
            wordWrap=True,
        )
        self.owner_name = QLineEdit(maxLength=MAX_STAFF_NAME)
        form = QFormLayout()
        form.addRow(self.tr("Your &name:"), self.owner_name)
        self.pins = PinFields(form, self.tr("&PIN:"))
        self.problems = FieldProblems(
            {"name": self.owner_name, "pin": self.pins.pin, "pin_again": self.pins.pin_again}
        )
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        self.owner_name.setFocus()

    def try_create_owner(self) -> None:
        problems = {} if self.owner_name.text().strip() else {"name": self.tr("Enter a name.")}
        problems.update(self.pins.problems())
        if problems:
            self.problems.show_problems(problems)
            return
        try:
            self.member = ensure_owner(self.owner_name.text(), self.pins.pin.text())
        except InvalidStaff as error:
            self.problems.show_problems({"name": str(error)})
            return
        except RelappError as error:
            self.problems.show_problems({"": str(error)})
            return
        self.accept()

    # -----------------------------------------------------------------------------------------

    def try_accept(self) -> None:
        if self.owner_mode:
            self.try_create_owner()
        else:
            self.try_sign_in()

    @classmethod
    def ask(
        cls, parent: QWidget | None = None, current: StaffMember | None = None
    ) -> StaffMember | None:
        """The staff member now signed in, or None if the dialog was cancelled."""
        dialog = cls(current, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.member
