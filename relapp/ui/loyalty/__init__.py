"""The Loyalty view."""

from relapp.ui.loyalty.view import LoyaltyView

__all__ = ["LoyaltyView"]
