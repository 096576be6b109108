"""The Today view: the day's work list, and the shop's activity feed."""

from relapp.ui.today.activity_view import ActivityFeedView
from relapp.ui.today.view import TodayView

__all__ = ["ActivityFeedView", "TodayView"]
