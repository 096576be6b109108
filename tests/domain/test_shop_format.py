"""Money and dates in the shop's currency and locale: one way of writing each, everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

from relapp.domain.shop.formats import (
    ShopFormat,
    format_day,
    format_moment,
    format_money,
    shop_format,
)
from relapp.domain.shop.settings import save_settings


def test_money_carries_the_shops_currency_in_the_shops_locale():
    assert ShopFormat("en_AU", "AUD").money(1250) == "$12.50"
    assert ShopFormat("en_US", "USD").money(123_456_789) == "$1,234,567.89"
    assert ShopFormat("de_DE", "EUR").money(1250) == "12,50\xa0€"
    assert ShopFormat("en_GB", "GBP").money(-500) == "-£5.00"
    assert ShopFormat("en_US", "USD").money(0) == "$0.00"


def test_days_and_moments_in_one_style(time_zone):
    time_zone("UTC")
    moment = datetime(2026, 3, 5, 14, 30, 59, tzinfo=UTC)
    assert ShopFormat("en_AU", "AUD").day(date(2026, 3, 5)) == "5 Mar 2026"
    assert ShopFormat("en_US", "USD").day(moment) == "Mar 5, 2026"
    # The time without seconds, joined to the day as the locale joins them.
    assert ShopFormat("en_AU", "AUD").moment(moment) == "5 Mar 2026, 2:30\u202fpm"
    assert ShopFormat("de_DE", "EUR").moment(moment) == "05.03.2026, 14:30"


def test_a_moment_is_shown_on_this_pcs_calendar(time_zone):
    time_zone("Australia/Melbourne")
    late = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)  # already the 6th in Melbourne
    assert ShopFormat("en_AU", "AUD").day(late) == "6 Mar 2026"


def test_the_shops_settings_choose_the_format(db):
    assert shop_format() == ShopFormat("en_US", "USD")
    assert format_money(4200) == "$42.00"
    save_settings(locale="en_AU", currency="AUD")
    assert format_money(4200) == "$42.00"
    assert format_day(date(2026, 3, 5)) == "5 Mar 2026"
    save_settings(locale="fr_FR", currency="EUR")
    assert format_money(4200) == "42,00\xa0€"
    assert format_moment(datetime(2026, 3, 5, 9, 5, tzinfo=UTC).astimezone()).startswith("5 mars")


def test_an_unknown_locale_falls_back_to_us_english():
    assert ShopFormat("xx_YY", "USD").money(1250) == "$12.50"
