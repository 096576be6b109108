"""The Contacts view (placeholder until its issue lands)."""

from relapp.ui.placeholder_view import PlaceholderView


class ContactsView(PlaceholderView):
    icon_name = "contacts"
    title = "Contacts"
    purpose = (
        "Browse, filter and edit every customer, with tags, saved segments, consent per channel, "
        "referrals and duplicate merging."
    )
