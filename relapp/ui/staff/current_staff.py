"""Who is signed in at this window, and the toolbar button that switches user.

Nothing opens at start-up: the button says "Sign in" until someone does. Views read
CurrentStaff.staff_id for the acting staff member and CurrentStaff.can() to enable actions; the
domain checks again, so a stale button cannot do what the role does not allow.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.staff import StaffMember, can, change_pin, get_staff
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.staff.audit_view import AuditLogDialog
from relapp.ui.staff.staff_dialog import PinDialog, StaffDialog
from relapp.ui.staff.switch_user_dialog import SwitchUserDialog

SWITCH_USER_SHORTCUT = "Ctrl+Shift+U"


class CurrentStaff(QObject):
    """The staff member signed in at this window, or None.

    Signals:
        changed(object): someone signed in or out, or the signed-in account's role or state
            changed; carries the StaffMember or None.
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._member: StaffMember | None = None

    @property
    def member(self) -> StaffMember | None:
        return self._member

    @property
    def staff_id(self) -> int | None:
        """For domain calls that record who acted."""
        return None if self._member is None else self._member.id

    def can(self, permission: str) -> bool:
        return can(self._member, permission)

    def set_member(self, member: StaffMember | None) -> None:
        if member != self._member:
            self._member = member
            self.changed.emit(member)

    def sign_out(self) -> None:
        self.set_member(None)

    def refresh(self) -> None:
        """Read the account again: a deactivated account is signed out, a new role applies."""
        if self._member is not None:
            member = get_staff(self._member.id)
            self.set_member(member if member is not None and member.active else None)

    def on_change(self, change: Change) -> None:
        if change.touches(Entity.STAFF):
            self.refresh()


class StaffButton(QToolButton):
    """Shows "Sam (counter)" or "Sign in"; a click (or Ctrl+Shift+U) switches user.

    Its menu also holds "Change my PIN…" and, for managers, "Staff…" and "Audit log…".
    Changes made there are published on change_bus when one is given.
    """

    def __init__(
        self,
        current_staff: CurrentStaff,
        change_bus: ChangeBus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staffButton")
        self.current_staff = current_staff
        self.change_bus = change_bus
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

        self.switch_action = QAction(self.tr("&Switch user…"), self)
        self.switch_action.setShortcut(QKeySequence(SWITCH_USER_SHORTCUT))
        self.switch_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.switch_action.triggered.connect(self.switch_user)
        self.pin_action = QAction(self.tr("Change my &PIN…"), self)
        self.pin_action.triggered.connect(self.change_my_pin)
        self.staff_action = QAction(self.tr("S&taff…"), self)
        self.staff_action.triggered.connect(self.manage_staff)
        self.audit_action = QAction(self.tr("&Audit log…"), self)
        self.audit_action.triggered.connect(self.show_audit_log)
        menu = QMenu(self)
        menu.addAction(self.switch_action)
        menu.addAction(self.pin_action)
        menu.addSeparator()
        menu.addAction(self.staff_action)
        menu.addAction(self.audit_action)
        self.setMenu(menu)
        self.addAction(self.switch_action)  # the shortcut works while the button is shown
        self.clicked.connect(self.switch_user)

        current_staff.changed.connect(lambda _member: self.update_state())
        self.update_state()

    def update_state(self) -> None:
        member = self.current_staff.member
        self.setText(self.tr("Sign in") if member is None else member.label)
        self.setToolTip(
            self.tr("Switch user ({shortcut})").format(
                shortcut=QKeySequence(SWITCH_USER_SHORTCUT).toString(
                    QKeySequence.SequenceFormat.NativeText
                )
            )
        )
        self.pin_action.setEnabled(member is not None)
        self.staff_action.setEnabled(can(member, "manage_staff"))
        self.audit_action.setEnabled(can(member, "view_audit"))

    def switch_user(self) -> None:
        member = SwitchUserDialog.ask(self.window(), self.current_staff.member)
        if member is not None:
            self.current_staff.set_member(member)

    def change_my_pin(self) -> None:
        member = self.current_staff.member
        if member is None:
            return
        pin = PinDialog.ask(self.window(), member, ask_current=True)
        if pin is None:
            return
        try:
            self._publish(change_pin(member.id, pin, member.id))
        except RelappError as error:
            QMessageBox.warning(self.window(), self.tr("PIN not changed"), str(error))

    def manage_staff(self) -> None:
        member = self.current_staff.member
        if member is not None and can(member, "manage_staff"):
            change = StaffDialog.ask(self.window(), member)
            if change is not None:
                self._publish(change)
                self.current_staff.refresh()

    def show_audit_log(self) -> None:
        if self.current_staff.can("view_audit"):
            AuditLogDialog.ask(self.window())

    def _publish(self, change: Change) -> None:
        if self.change_bus is not None:
            self.change_bus.publish(change)


def install_staff_toolbar(
    main_window: QMainWindow, current_staff: CurrentStaff, change_bus: ChangeBus | None = None
) -> QToolBar:
    """Add a toolbar with the StaffButton at its right end to main_window, and return it.

    Ctrl+Shift+U works anywhere in the window. With change_bus, staff changes are published
    and current_staff follows them (a deactivated account is signed out).
    """
    toolbar = QToolBar(main_window.tr("Staff"), main_window, objectName="staffToolbar")
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    toolbar.toggleViewAction().setVisible(False)  # no way to lose the only switch-user button
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    button = StaffButton(current_staff, change_bus, toolbar)
    toolbar.addWidget(button)
    main_window.addAction(button.switch_action)
    main_window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    if change_bus is not None:
        change_bus.changed.connect(current_staff.on_change)
    return toolbar
