"""Who is signed in at this window, and the toolbar button that switches user.

Nothing opens at start-up: the button says "Sign in" until someone does. Views read
CurrentStaff.staff_id for the acting staff member and CurrentStaff.can() to enable actions; the
domain checks again, so a stale button cannot do what the role does not allow.

A shop with staff accounts uses PINs: a sale or a redemption at the counter then needs someone
signed in (CurrentStaff.require_for_counter), and Lock (Ctrl+L) signs out and hides the
customers until someone signs in again. A shop without accounts works as before, unattributed.
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
from relapp.domain.shop.staff import StaffMember, can, change_pin, get_staff, has_staff
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published, run_change
from relapp.ui.staff.audit_view import AuditLogDialog
from relapp.ui.staff.staff_dialog import PinDialog, StaffDialog
from relapp.ui.staff.switch_user_dialog import SwitchUserDialog

SWITCH_USER_SHORTCUT = "Ctrl+Shift+U"
LOCK_SHORTCUT = "Ctrl+L"


class CurrentStaff(QObject):
    """The staff member signed in at this window, or None.

    Signals:
        changed(object): someone signed in or out, or the signed-in account's role or state
            changed; carries the StaffMember or None.
        lock_changed(bool): the window was locked (True) or someone signed in to unlock it.
    """

    changed = Signal(object)
    lock_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._member: StaffMember | None = None
        self._locked = False

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
        if member is not None and self._locked:
            self._locked = False
            self.lock_changed.emit(False)

    def sign_out(self) -> None:
        self.set_member(None)

    @property
    def locked(self) -> bool:
        return self._locked

    @staticmethod
    def pins_in_use() -> bool:
        """Whether the shop has staff accounts, and so signs in with PINs."""
        return has_staff()

    def lock(self) -> None:
        """Sign out and hide the customers until someone signs in (only with PINs in use:
        without an account nobody could unlock)."""
        if self._locked or not self.pins_in_use():
            return
        self.sign_out()
        self._locked = True
        self.lock_changed.emit(True)

    def require_for_counter(self, parent: QWidget, action: str) -> bool:
        """Whether the counter may go on with action ("record a sale", "redeem a reward").

        With PINs in use, every sale and redemption records who made it: with nobody signed
        in, the sign-in is offered with a sentence saying why, and this is True once someone
        has signed in (False if the cashier cancelled: nothing happens). Without staff
        accounts it is always True and the sale is not attributed to anyone.
        """
        if self._member is not None or not self.pins_in_use():
            return True
        reason = self.tr("Sign in to {action}: every sale and redemption records who made it.")
        member = SwitchUserDialog.ask(parent.window(), None, reason=reason.format(action=action))
        if member is None:
            return False
        self.set_member(member)
        return True

    def require_permission(self, parent: QWidget, permission: str, action: str) -> int | None:
        """The id of a staff member allowed to do action ("edit history entries"): the one
        signed in if their role allows it; else the sign-in is offered with a sentence saying
        why. None if the person cancelled, or signed in and still may not (said in a box)."""
        if self.can(permission):
            return self.staff_id
        refusal = self.tr("Only a manager can {action}.").format(action=action)
        member = SwitchUserDialog.ask(
            parent.window(),
            self._member,
            reason=refusal + " " + self.tr("Sign in as a manager to go on."),
        )
        if member is None:
            return None
        self.set_member(member)
        if self.can(permission):
            return self.staff_id
        QMessageBox.information(parent.window(), self.tr("Relapp"), refusal)
        return None

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
    Changes made there are published on change_bus.
    """

    def __init__(
        self,
        current_staff: CurrentStaff,
        change_bus: ChangeBus,
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
        self.sign_out_action = QAction(self.tr("Sign &out"), self)
        self.sign_out_action.triggered.connect(current_staff.sign_out)
        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.lock_action.setToolTip(
            self.tr("Sign out and hide the customers until someone signs in")
        )
        self.lock_action.triggered.connect(current_staff.lock)
        menu = QMenu(self)
        for action in self.menu_actions():
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.setMenu(menu)
        self.addAction(self.switch_action)  # the shortcut works while the button is shown
        self.addAction(self.lock_action)
        self.clicked.connect(self.switch_user)

        current_staff.changed.connect(lambda _member: self.update_state())
        self.update_state()

    def menu_actions(self) -> list[QAction | None]:
        """The user menu, None for a separator (the window's Staff menu shows the same)."""
        return [self.switch_action, self.sign_out_action, self.lock_action, None,
                self.pin_action, None, self.staff_action, self.audit_action]  # fmt: skip

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
        self.sign_out_action.setEnabled(member is not None)
        self.lock_action.setEnabled(self.current_staff.pins_in_use())
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
        run_change(
            self.window(),
            self.change_bus,
            lambda: change_pin(member.id, pin, member.id),
            title=self.tr("PIN not changed"),
        )

    def manage_staff(self) -> None:
        member = self.current_staff.member
        if member is not None and can(member, "manage_staff"):
            change = StaffDialog.ask(self.window(), member)
            if change is not None:
                published(self.change_bus, change)
                self.current_staff.refresh()

    def show_audit_log(self) -> None:
        if self.current_staff.can("view_audit"):
            AuditLogDialog.ask(self.window())


def install_staff_toolbar(
    main_window: QMainWindow, current_staff: CurrentStaff, change_bus: ChangeBus
) -> QToolBar:
    """Add a toolbar with the StaffButton at its right end to main_window, and return it.

    Ctrl+Shift+U works anywhere in the window. Staff changes made there are published on
    change_bus, and current_staff follows every change to staff (a deactivated account is
    signed out).
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
    main_window.addAction(button.lock_action)
    main_window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    change_bus.changed.connect(current_staff.on_change)
    # The first account added (or the last deactivated) turns Lock on or off.
    change_bus.changed.connect(
        lambda change: button.update_state() if change.touches(Entity.STAFF) else None
    )
    return toolbar
