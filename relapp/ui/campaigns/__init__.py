"""The Campaigns view."""

from relapp.ui.campaigns.view import CampaignsView

__all__ = ["CampaignsView"]
