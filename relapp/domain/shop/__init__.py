"""The shop itself: settings, set-up, formats, logo, staff and the audit log."""
