"""The Counter view (placeholder until its issue lands)."""

from relapp.ui.placeholder_view import PlaceholderView


class CounterView(PlaceholderView):
    icon_name = "counter"
    title = "Counter"
    purpose = (
        "Find a customer by typing part of a name or phone number, or by scanning their loyalty "
        "card; then record a sale, redeem a reward or log a query, all from the keyboard."
    )
