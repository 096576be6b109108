"""A campaign's recipient as the files and letters that carry its message need them.

Plain data, no database: relapp.domain.campaigns.audience reads them; the letter PDF
(relapp.reports.campaign_letters) and the channel files (relapp.exchange.campaign_files)
only write them out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    given_name: str
    family_name: str
    name: str  # as the shop shows it (display_name): a business's organisation, else the person
    email: str | None
    phone: str | None  # E.164 ("+61412345678"), or None
    street: str
    locality: str
    region: str
    postcode: str
    country: str  # as entered; the shop's own country is left off an address
    points_balance: int
    card_number: str | None
    customer_since: str = ""  # the day they became a customer, YYYY-MM-DD (shop's calendar)

    def address_lines(self) -> list[str]:
        """The postal address as printed on an envelope: name, street (its lines), then
        locality, region and postcode on one line, then the country; empty parts left out."""
        town = " ".join(part for part in (self.locality, self.region, self.postcode) if part)
        lines = [self.name, *self.street.splitlines(), town, self.country]
        return [line.strip() for line in lines if line and line.strip()]

    def has_postal_address(self) -> bool:
        return bool(self.street.strip() and (self.locality.strip() or self.postcode.strip()))


@dataclass(frozen=True)
class Message:
    """What one recipient is sent: the merged text (and subject, for email), and the voucher
    code printed or quoted with it, if the campaign has an offer."""

    recipient: Recipient
    body: str
    subject: str = ""
    voucher_code: str | None = None
