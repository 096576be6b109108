"""The Loyalty view (placeholder until its issue lands)."""

from relapp.ui.placeholder_view import PlaceholderView


class LoyaltyView(PlaceholderView):
    icon_name = "loyalty"
    title = "Loyalty"
    purpose = (
        "Run the rewards program: points per dollar, tiers, the rewards catalogue, expiry, "
        "bonuses, staff roles and the audit log."
    )
