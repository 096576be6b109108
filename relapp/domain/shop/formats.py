"""Money and dates as the shop writes them: in its currency and its locale (Settings), through
Babel. One function for money and one for each kind of date, used by the views, the reports,
the command line and the reasons written into the points ledger, so a sale reads "$12.50" and
a day "5 Mar 2026" wherever it appears.

No Qt here: the reports and the command line use it too. Counts and points stay with QLocale
in the views (the same CLDR data, and QLocale follows the shop's locale there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import cast

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from relapp.domain.shop.settings import load_settings

FALLBACK_LOCALE = "en_US"


@cache
def babel_locale(name: str) -> Locale:
    """The Babel locale for a setting such as "en_AU"; en_US for one Babel does not know."""
    try:
        return Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(FALLBACK_LOCALE)


@dataclass(frozen=True)
class ShopFormat:
    """How one shop writes money and dates. Cheap to keep: a table model holds one per
    reload rather than reading the settings for every cell."""

    locale: str
    currency: str

    def money(self, cents: int) -> str:
        """ "$12.50" (en_AU, AUD), "12,50 €" (de_DE, EUR): the shop's currency, always."""
        return format_currency(Decimal(cents) / 100, self.currency, locale=self._locale)

    def number(self, value: float | int) -> str:
        """ "1,234" or "1.234": counts and points in the shop's locale."""
        return format_decimal(value, locale=self._locale)

    def day(self, moment: date | datetime) -> str:
        """ "5 Mar 2026" (en_AU), "Mar 5, 2026" (en_US): a datetime on this PC's calendar."""
        if isinstance(moment, datetime):
            moment = moment.astimezone().date()
        return format_date(moment, "medium", locale=self._locale)

    def time(self, moment: datetime) -> str:
        """ "2:30 pm" (en_AU), "14:30" (de_DE): on this PC's clock."""
        return format_time(moment.astimezone(), "short", locale=self._locale)

    def moment(self, moment: datetime) -> str:
        """ "5 Mar 2026, 2:30 pm": the day and the time, joined as the locale joins them."""
        # Babel annotates a DateTimePattern; for these formats it gives a str, "{1}, {0}".
        joined = cast(str, get_datetime_format("medium", locale=self._locale))
        return joined.format(self.time(moment), self.day(moment))

    @property
    def _locale(self) -> Locale:
        return babel_locale(self.locale)


def shop_format() -> ShopFormat:
    """The shop's format as its settings say now."""
    settings = load_settings()
    return ShopFormat(locale=str(babel_locale(settings.locale)), currency=settings.currency)


def format_money(cents: int) -> str:
    """An amount in the shop's currency and locale: "Purchase of $12.50"."""
    return shop_format().money(cents)


def format_day(moment: date | datetime) -> str:
    return shop_format().day(moment)


def format_moment(moment: datetime) -> str:
    return shop_format().moment(moment)
