"""Making rows for tests in a few words."""

from __future__ import annotations

from datetime import datetime, timedelta

from relapp.db.models import Contact
from relapp.domain.clock import utc_now
from relapp.domain.contacts.phones import parse_phone


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


class FakeClock:
    """Stands in for relapp.domain.clock.utc_now: a moment that moves only when told."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment
