"""One line that tells two customers of the same name apart, for the search results and the
enrol form's duplicate warning: the phone's last digits (or the email), the card's last
digits and the last visit."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication

from relapp.domain.contacts.profiles import CustomerClues
from relapp.domain.shop.formats import ShopFormat

LAST_DIGITS = 4
SEPARATOR = " · "


def clue_line(clues: CustomerClues | None, shop: ShopFormat) -> str:
    """ "☎ …5678 · card …0017 · visited 3 Mar 2026": short enough for the results list."""
    if clues is None:
        return ""
    tr = partial(QCoreApplication.translate, "CustomerClues")
    parts = []
    if clues.phone:
        parts.append(tr("☎ …{digits}").format(digits=clues.phone[-LAST_DIGITS:]))
    elif clues.email:
        parts.append(clues.email)
    if clues.card_number:
        parts.append(tr("card …{digits}").format(digits=clues.card_number[-LAST_DIGITS:]))
    if clues.last_visit is not None:
        parts.append(tr("visited {day}").format(day=shop.day(clues.last_visit)))
    else:
        parts.append(tr("no visit yet"))
    return SEPARATOR.join(parts)
