"""The Reports view."""

from relapp.ui.reports.view import ReportsView

__all__ = ["ReportsView"]
