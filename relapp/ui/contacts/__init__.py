"""The Contacts view."""

from relapp.ui.contacts.view import ContactsView

__all__ = ["ContactsView"]
