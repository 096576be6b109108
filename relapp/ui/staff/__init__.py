"""Staff: signing in and switching user, managing accounts, and the audit log."""

from relapp.ui.staff.audit_view import AuditLogDialog
from relapp.ui.staff.current_staff import CurrentStaff, StaffButton, install_staff_toolbar
from relapp.ui.staff.staff_dialog import StaffDialog
from relapp.ui.staff.switch_user_dialog import SwitchUserDialog

__all__ = [
    "AuditLogDialog",
    "CurrentStaff",
    "StaffButton",
    "StaffDialog",
    "SwitchUserDialog",
    "install_staff_toolbar",
]
