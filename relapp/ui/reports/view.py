"""The Reports view (placeholder until its issue lands)."""

from relapp.ui.placeholder_view import PlaceholderView


class ReportsView(PlaceholderView):
    icon_name = "reports"
    title = "Reports"
    purpose = (
        "Print a customer dossier, loyalty cards, segment lists, loyalty liability, the retention"
        " summary and today's follow-up list."
    )
