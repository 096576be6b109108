"""How the Campaigns view and its dialogs word channels, counts and moments."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QLocale

from relapp.domain.campaigns.campaigns import reason_words
from relapp.domain.campaigns.listing import Reach
from relapp.domain.shop.formats import ShopFormat, shop_format

# The channels as the owner chooses them, in the order offered.
CHANNEL_TITLES = {
    "letter": "Letter",
    "email": "Email",
    "sms": "Text message (SMS)",
    "call": "Phone calls",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("campaigns", text)


def count(number: int) -> str:
    """A count in the shop's locale: "1,242"."""
    return QLocale().toString(number)


def channel_title(channel: str) -> str:
    return tr(CHANNEL_TITLES.get(channel, channel))


def reach_summary(reach: Reach, produced: bool) -> str:
    """ "128 to send, 14 held out for comparison" (or "sent", once produced)."""
    words = tr("{sent} sent") if produced else tr("{sent} to send")
    text = words.format(sent=count(reach.sent))
    return text + tr(", {held} held out for comparison").format(held=count(reach.held_out))


def left_out_summary(reach: Reach, partner_offer: bool = False) -> str:
    """ "Left out: 1,250 (1,242 no consent for this channel, 8 archived)", or "Nobody left
    out" (partner_offer: a partner's offer's words)."""
    words = reason_words(partner_offer)
    if not reach.left_out_total:
        return tr("Nobody left out.")
    parts = ", ".join(
        f"{count(number)} {tr(words[reason])}"
        for reason, number in reach.left_out.items()
        if number
    )
    return tr("Left out: {total} ({parts}).").format(total=count(reach.left_out_total), parts=parts)


def when(moment: datetime, shop: ShopFormat | None = None) -> str:
    """ "5 Dec 2026, 11:27 pm": a campaign's moment on this PC's clock (shop: the format
    read once for a whole table)."""
    shop = shop or shop_format()
    return f"{shop.day(moment)}, {shop.time(moment)}"
