"""Help: the keyboard shortcuts of the window as they are, and the user guide, offline."""

from relapp.ui.help.shortcuts_dialog import ShortcutsDialog
from relapp.ui.help.user_guide_dialog import UserGuideDialog

__all__ = ["ShortcutsDialog", "UserGuideDialog"]
