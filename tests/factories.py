"""Making rows for tests in a few words."""

from __future__ import annotations

from relapp.db.models import Contact
from relapp.domain.clock import utc_now
from relapp.domain.phones import parse_phone


def add_contact(given_name: str = "", family_name: str = "", phone: str | None = None,
                **fields) -> Contact:  # fmt: skip
    """A contact as the app stores one: a phone typed as in Australia is kept in E.164."""
    now = utc_now()
    fields.setdefault("created_at", now)
    fields.setdefault("updated_at", now)
    if phone:
        parsed = parse_phone(phone, "AU")
        fields.update(phone=parsed.e164, phone_national=parsed.national_digits)
    return Contact.create(given_name=given_name, family_name=family_name, **fields)
