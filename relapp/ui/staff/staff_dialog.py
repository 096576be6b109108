"""Managing staff accounts (managers only): list, add, deactivate or reactivate, role, PIN.

The domain refuses anything a manager may not do (the last active manager cannot be
deactivated or made a counter); the dialog shows its sentence and changes nothing.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.shop.staff import (
    COUNTER,
    MANAGER,
    MAX_PIN_DIGITS,
    MAX_STAFF_NAME,
    InvalidStaff,
    StaffMember,
    add_staff,
    authenticate,
    can,
    change_pin,
    check_new_pin,
    list_staff,
    set_role,
    set_staff_active,
)
from relapp.errors import RelappError
from relapp.ui.widgets.field_problems import FieldProblems

STAFF_MEMBER_ROLE = Qt.ItemDataRole.UserRole
ROLE_TITLES = {MANAGER: "Manager", COUNTER: "Counter"}
_INACTIVE_COLOUR = QColor("#7a8684")
_Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("staff", text)


def pin_edit(placeholder: str = "") -> QLineEdit:
    """A field for a PIN: digits only, shown as dots."""
    edit = QLineEdit(maxLength=MAX_PIN_DIGITS, placeholderText=placeholder)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setValidator(QRegularExpressionValidator(rf"\d{{0,{MAX_PIN_DIGITS}}}", edit))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit


class PinFields:
    """A new PIN typed twice, checked for form and for agreement."""

    def __init__(self, form: QFormLayout, first_label: str) -> None:
        self.pin = pin_edit()
        self.pin_again = pin_edit()
        form.addRow(first_label, self.pin)
        form.addRow(_tr("PIN a&gain:"), self.pin_again)

    def problems(self) -> dict[str, str]:
        try:
            check_new_pin(self.pin.text())
        except InvalidStaff as error:
            return {"pin": str(error)}
        if self.pin_again.text() != self.pin.text():
            return {"pin_again": _tr("The two PINs differ: type the same PIN twice.")}
        return {}

    def clear(self) -> None:
        self.pin.clear()
        self.pin_again.clear()


class AddStaffDialog(QDialog):
    """Name, role and PIN twice; the account is created when the dialog accepts."""

    def __init__(self, acting: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add staff member"))
        self.setMinimumWidth(420)
        self.acting = acting
        self.change: Change | None = None
        self.name = QLineEdit(maxLength=MAX_STAFF_NAME)
        self.role = QComboBox()
        for role in (COUNTER, MANAGER):
            self.role.addItem(self.tr(ROLE_TITLES[role]), role)
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Role:"), self.role)
        self.pins = PinFields(form, self.tr("&PIN:"))
        self.problems = FieldProblems(
            {"name": self.name, "pin": self.pins.pin, "pin_again": self.pins.pin_again}
        )
        hint = QLabel(
            self.tr("A counter can sell, redeem and log; a manager can also do everything else."),
            wordWrap=True,
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Add"))
        buttons.accepted.connect(self.try_add)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)

    def try_add(self) -> None:
        problems = {} if self.name.text().strip() else {"name": self.tr("Enter a name.")}
        problems.update(self.pins.problems())
        if problems:
            self.problems.show_problems(problems)
            return
        try:
            self.change = add_staff(
                self.name.text(), self.role.currentData(), self.pins.pin.text(), self.acting.id
            )
        except InvalidStaff as error:
            self.problems.show_problems({"name": str(error)})
            return
        except RelappError as error:
            self.problems.show_problems({"": str(error)})
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, acting: StaffMember) -> Change | None:
        """What adding changed, or None if cancelled."""
        dialog = cls(acting, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.change


class PinDialog(QDialog):
    """A new PIN, typed twice; with ask_current, the present PIN first (changing one's own)."""

    def __init__(
        self, member: StaffMember, ask_current: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.member = member
        self.setWindowTitle(self.tr("New PIN for {name}").format(name=member.name))
        self.setMinimumWidth(380)
        self.current = pin_edit() if ask_current else None
        form = QFormLayout()
        if self.current is not None:
            form.addRow(self.tr("&Current PIN:"), self.current)
        self.pins = PinFields(form, self.tr("&New PIN:"))
        fields = {"pin": self.pins.pin, "pin_again": self.pins.pin_again}
        if self.current is not None:
            fields = {"current": self.current, **fields}
        self.problems = FieldProblems(fields)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)

    def try_accept(self) -> None:
        problems = self.pins.problems()
        if not problems and self.current is not None:
            try:
                authenticate(self.member.id, self.current.text())
            except RelappError as error:
                self.current.clear()
                problems = {"current": str(error)}
        if problems:
            self.problems.show_problems(problems)
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, member: StaffMember, ask_current: bool = False
    ) -> str | None:
        """The new PIN (well formed, typed twice alike), or None if cancelled."""
        dialog = cls(member, ask_current, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.pins.pin.text()


class StaffTableModel(QAbstractTableModel):
    """Every account, active or not, by name. A shop has a handful: all are loaded."""

    COLUMNS = ("Name", "Role", "Status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.members: list[StaffMember] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.members = list_staff(include_inactive=True)
        self.endResetModel()

    def member(self, row: int) -> StaffMember | None:
        return self.members[row] if 0 <= row < len(self.members) else None

    def row_of(self, staff_id: int) -> int | None:
        return next((row for row, m in enumerate(self.members) if m.id == staff_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.members)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        member = self.member(index.row()) if index.isValid() else None
        if member is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return member.name
            if index.column() == 1:
                return self.tr(ROLE_TITLES.get(member.role, member.role))
            return self.tr("Active") if member.active else self.tr("Deactivated")
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return _INACTIVE_COLOUR
        if role == STAFF_MEMBER_ROLE:
            return member
        return None


class StaffDialog(QDialog):
    """The shop's accounts and what a manager can do to them.

    changes holds what was changed so far (the caller broadcasts it after the dialog closes).
    """

    def __init__(self, acting: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Staff"))
        self.setMinimumSize(560, 360)
        self.acting = acting
        self.changes: list[Change] = []

        self.model = StaffTableModel(self)
        self.table = QTableView(objectName="staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.update_buttons())

        self.add_button = QPushButton(self.tr("&Add…"))
        self.role_button = QPushButton(self.tr("Make &manager"))
        self.active_button = QPushButton(self.tr("&Deactivate"))
        self.pin_button = QPushButton(self.tr("Reset &PIN…"))
        self.add_button.clicked.connect(self.add)
        self.role_button.clicked.connect(self.toggle_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.pin_button.clicked.connect(self.reset_pin)
        side = QVBoxLayout()
        for button in (self.add_button, self.role_button, self.active_button, self.pin_button):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)

        self.message = QLabel(objectName="fieldProblems", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self.notice = QLabel(wordWrap=True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        if not can(acting, "manage_staff"):
            self.show_message(self.tr("Only a manager can change staff accounts."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self.select(acting.id)

    def selected(self) -> StaffMember | None:
        return self.model.member(self.table.currentIndex().row())

    def select(self, staff_id: int) -> None:
        row = self.model.row_of(staff_id)
        self.table.selectRow(0 if row is None else row)
        self.update_buttons()

    def update_buttons(self) -> None:
        member = self.selected()
        allowed = can(self.acting, "manage_staff")
        self.add_button.setEnabled(allowed)
        for button in (self.role_button, self.active_button, self.pin_button):
            button.setEnabled(allowed and member is not None)
        if member is not None:
            self.role_button.setText(
                self.tr("Make &counter") if member.is_manager else self.tr("Make &manager")
            )
            self.active_button.setText(
                self.tr("&Deactivate") if member.active else self.tr("Re&activate")
            )

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def add(self) -> None:
        change = AddStaffDialog.ask(self, self.acting)
        if change is not None:
            self.show_message("")
            self._changed(change, None)

    def toggle_role(self) -> None:
        member = self.selected()
        if member is not None:
            role = COUNTER if member.is_manager else MANAGER
            self._apply(lambda: set_role(member.id, role, self.acting.id), member.id)

    def toggle_active(self) -> None:
        member = self.selected()
        if member is not None:
            active = not member.active
            self._apply(lambda: set_staff_active(member.id, active, self.acting.id), member.id)

    def reset_pin(self) -> None:
        member = self.selected()
        if member is None:
            return
        pin = PinDialog.ask(self, member, ask_current=False)
        if pin is not None and self._apply(
            lambda: change_pin(member.id, pin, self.acting.id), member.id
        ):
            self.notice.setText(self.tr("{name}'s PIN was reset.").format(name=member.name))

    def _apply(self, mutation, staff_id: int) -> bool:
        """Run a domain mutation; show its refusal, or refresh the list. True if it ran."""
        try:
            change = mutation()
        except RelappError as error:
            self.show_message(str(error))
            return False
        self.show_message("")
        self._changed(change, staff_id)
        return True

    def _changed(self, change: Change, staff_id: int | None) -> None:
        self.changes.append(change)
        self.notice.clear()
        self.model.reload()
        if staff_id is None:  # a new account: the highest id
            staff_id = max(member.id for member in self.model.members)
        self.select(staff_id)

    @classmethod
    def ask(cls, parent: QWidget | None, acting: StaffMember) -> Change | None:
        """Everything changed while the dialog was open, or None if nothing was."""
        dialog = cls(acting, parent)
        dialog.exec()
        changes = [change for change in dialog.changes if change.entities]
        return Change.union(*changes) if changes else None
