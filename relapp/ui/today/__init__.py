"""The Today view."""

from relapp.ui.today.view import TodayView

__all__ = ["TodayView"]
