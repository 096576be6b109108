"""Signing in at the counter: pick your name, type your PIN, press Enter.

In a shop with no staff accounts yet, the same dialog creates the owner's account (a manager)
instead, from a name and a PIN typed twice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.shop.staff import (
    MAX_STAFF_NAME,
    InvalidStaff,
    StaffMember,
    ensure_owner,
    has_staff,
)
from relapp.errors import RelappError
from relapp.ui.staff.sign_in_form import SignInForm
from relapp.ui.staff.staff_dialog import PinFields
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
        self.form = SignInForm(current)
        self.form.signed_in.connect(self._signed_in)
        # The form's parts, as tests and the flow harness reach them.
        self.staff_list, self.pin, self.message = (
            self.form.staff_list,
            self.form.pin,
            self.form.message,
        )
        layout.addWidget(self.form)
        self.pin.setFocus()

    def selected_member(self) -> StaffMember | None:
        return self.form.selected_member()

    def try_sign_in(self) -> None:
        self.form.try_sign_in()

    def show_message(self, text: str) -> None:
        self.form.show_message(text)

    def _signed_in(self, member: StaffMember) -> None:
        self.member = member
        self.accept()

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
        cls, parent: QWidget | None = None, current: StaffMember | None = None, reason: str = ""
    ) -> StaffMember | None:
        """The staff member now signed in, or None if the dialog was cancelled.

        reason: why signing in is asked for now ("Sign in to record a sale: ..."), said first;
        the dialog is then titled "Sign in".
        """
        dialog = cls(current, parent)
        if reason and not dialog.owner_mode:
            dialog.setWindowTitle(dialog.tr("Sign in"))
            said = QLabel(reason, objectName="signInReason", wordWrap=True)
            said.setTextFormat(Qt.TextFormat.PlainText)
            dialog.layout().insertWidget(0, said)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.member
