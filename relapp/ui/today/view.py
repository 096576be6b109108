"""The Today view (placeholder until its issue lands)."""

from relapp.ui.placeholder_view import PlaceholderView


class TodayView(PlaceholderView):
    icon_name = "today"
    title = "Today"
    purpose = (
        "What needs doing today: follow-ups due, open queries and complaints, birthdays this "
        "week, regulars drifting away, and who must not be contacted again yet."
    )
