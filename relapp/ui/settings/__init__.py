"""The Settings view."""

from relapp.ui.settings.view import SettingsView

__all__ = ["SettingsView"]
