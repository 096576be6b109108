"""Shop-wide settings, stored in the database so every counter on it agrees.

Per-machine preferences (window size, last view) are not here: the UI keeps those in QSettings.
"""

from __future__ import annotations

import locale
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, cast

from relapp.db.models import database
from relapp.db.store import settings as settings_store
from relapp.db.store import shops as shop_store
from relapp.domain.changes import Change, Entity


@dataclass(frozen=True)
class ShopSettings:
    shop_name: str = "My shop"
    phone_region: str = "US"  # ISO 3166 country for numbers typed without +country
    currency: str = "USD"  # ISO 4217
    locale: str = "en_US"  # formats money and dates in reports
    paper_size: str = "A4"  # A4 or Letter
    # The shop's logo for cards and reports: a PNG, base64, set through shop_logo.set_logo.
    logo_png: str = ""
    # Relationship rules: do not bombard, answer quickly.
    contact_cap_per_30_days: int = 4
    response_target_hours: int = 24
    # Loyalty program.
    points_per_unit: int = 1
    points_expiry_months: int = 0  # 0: points never expire
    tier_window_months: int = 12
    welcome_bonus_points: int = 0
    birthday_bonus_points: int = 0
    referral_bonus_points: int = 0
    value_of_100_points_cents: int = 100  # what 100 points are worth, for the liability
    # Gift cards sold from now on expire this many months after the sale; 0: never. The law
    # of many places sets a least (the shop chooses: see the user guide, Gift cards).
    gift_card_expiry_months: int = 0
    # Backups: "" = a `backups` folder beside the database; how many automatic backups to keep.
    backup_folder: str = ""
    backup_keep: int = 10
    # Set when the owner chose an empty or a demo shop on first run.
    set_up_at: str = ""
    # When the daily round last looked for purchases leaving the tier window.
    tier_sweep_at: str = ""
    # Sending campaign emails from Relapp (relapp.domain.campaigns.outbox): the mail server,
    # how the connection is protected (starttls, ssl or none), the account's user name (its
    # password is in this computer's keyring, never here), the From address, and the text
    # that ends every email. No server: emails are written as files only.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_sender: str = ""
    email_opt_out: str = ""


_FIELD_TYPES = {field.name: field.type for field in fields(ShopSettings)}


def load_settings() -> ShopSettings:
    """The shop's settings; anything never saved takes its default."""
    stored = dict(settings_store.all_settings())
    values: dict[str, Any] = {}  # str or int, as each field takes
    for name, type_name in _FIELD_TYPES.items():
        if name in stored:
            values[name] = int(stored[name]) if type_name == "int" else stored[name]
    return ShopSettings(**values)


def save_settings(**changes: str | int) -> Change:
    """Store the given settings; unknown names are a programming error."""
    unknown = sorted(set(changes) - set(_FIELD_TYPES))
    if unknown:
        raise KeyError(f"unknown settings: {', '.join(unknown)}")
    for name, value in changes.items():
        expected = int if _FIELD_TYPES[name] == "int" else str
        if type(value) is not expected:
            raise TypeError(f"setting {name} takes {expected.__name__}, not {value!r}")
    with database.atomic():
        for key, value in changes.items():
            settings_store.put_setting(key, str(value))
        if "shop_name" in changes:
            # A business with one shop: that shop is called as the business is (shop 1 was
            # named when schema 11 came, often before the owner had named the shop).
            shop_store.name_the_only_shop(str(changes["shop_name"]))
    return Change.of(Entity.SETTINGS)


# What the Settings view lets the owner change (the loyalty program lives in the Loyalty view).
SHOP_FIELDS = (
    "shop_name",
    "phone_region",
    "currency",
    "locale",
    "paper_size",
    "contact_cap_per_30_days",
    "response_target_hours",
    "backup_folder",
    "backup_keep",
    "gift_card_expiry_months",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_sender",
    "email_opt_out",
)
PAPER_SIZES = ("A4", "Letter")
# Languages whose money and date formats reports know (Babel's data for them, in every
# territory, ships with the app; the installable bundle leaves the rest out to stay small).
LOCALE_LANGUAGES = (
    "af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "eu", "fa",
    "fi", "fil", "fr", "ga", "gl", "he", "hi", "hr", "hu", "id", "is", "it", "ja", "ko", "lt",
    "lv", "ms", "mt", "nb", "nl", "nn", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv",
    "sw", "ta", "th", "tr", "uk", "ur", "vi", "zh",
)  # fmt: skip
_LIMITS = {
    "contact_cap_per_30_days": (1, 100),
    "response_target_hours": (1, 24 * 90),
    "backup_keep": (1, 365),
    "smtp_port": (1, 65535),
    "gift_card_expiry_months": (0, 120),
}
# How the connection to the mail server is protected: STARTTLS on the submission port (587),
# TLS from the first byte (465), or nothing (a server on this computer or the shop's network).
SMTP_SECURITY = ("starttls", "ssl", "none")
MAX_OPT_OUT = 500


def setting_problems(changes: dict[str, str | int]) -> dict[str, str]:
    """A sentence per setting that cannot be saved as given; empty if all can."""
    problems: dict[str, str] = {}
    name = changes.get("shop_name")
    if name is not None and not (isinstance(name, str) and 0 < len(name.strip()) <= 80):
        problems["shop_name"] = "The shop name must have 1 to 80 characters."
    region = changes.get("phone_region")
    if region is not None and region not in phone_regions():
        problems["phone_region"] = f"{region!r} is not a country code phone numbers know."
    currency = changes.get("currency")
    if currency is not None and not (
        isinstance(currency, str) and len(currency) == 3 and currency.isascii()
        and currency.isalpha() and currency.isupper()
    ):  # fmt: skip
        problems["currency"] = "A currency is a three-letter ISO 4217 code, such as AUD or EUR."
    locale_name = changes.get("locale")
    if locale_name is not None and not _is_locale_name(locale_name):
        problems["locale"] = "A locale looks like en_AU or fr_FR."
    elif (
        locale_name is not None
        # _is_locale_name() found it a str.
        and cast(str, locale_name).partition("_")[0] not in LOCALE_LANGUAGES
    ):
        problems["locale"] = (
            f"Relapp does not know how {locale_name} writes money and dates; choose a locale"
            " of one of these languages: " + ", ".join(LOCALE_LANGUAGES) + "."
        )
    paper = changes.get("paper_size")
    if paper is not None and paper not in PAPER_SIZES:
        problems["paper_size"] = "Paper is A4 or Letter."
    folder = changes.get("backup_folder")
    if folder and not (isinstance(folder, str) and Path(folder).is_dir()):
        problems["backup_folder"] = (
            f"There is no folder {folder}; choose an existing one, or leave it empty for the"
            " backups folder beside the database."
        )
    for field_name, (lowest, highest) in _LIMITS.items():
        value = changes.get(field_name)
        if value is not None and not (isinstance(value, int) and lowest <= value <= highest):
            problems[field_name] = f"Choose a whole number from {lowest} to {highest}."
    problems.update(_email_problems(changes))
    return problems


def _email_problems(changes: dict[str, str | int]) -> dict[str, str]:
    """The mail server settings: each checked as given; a server needs a From address and an
    opt-out text beside it (when they are given too, as the Settings view gives them all)."""
    problems: dict[str, str] = {}
    host = changes.get("smtp_host")
    if host is not None and not _is_host_name(host):
        problems["smtp_host"] = (
            "A mail server is a name such as smtp.example.com (or an address), without spaces."
        )
    security = changes.get("smtp_security")
    if security is not None and security not in SMTP_SECURITY:
        problems["smtp_security"] = "The connection is starttls, ssl or none."
    username = changes.get("smtp_username")
    if username is not None and not (
        isinstance(username, str) and len(username) <= 254 and username.isprintable()
    ):
        problems["smtp_username"] = "A user name is at most 254 characters on one line."
    sender = changes.get("smtp_sender")
    if sender is not None and not (isinstance(sender, str) and _is_sender(sender)):
        problems["smtp_sender"] = (
            "The From address is one email address, such as Lantern Lane <hello@example.com>."
        )
    opt_out = changes.get("email_opt_out")
    if opt_out is not None and not (isinstance(opt_out, str) and len(opt_out) <= MAX_OPT_OUT):
        problems["email_opt_out"] = f"The opt-out text has at most {MAX_OPT_OUT} characters."
    if host:  # sending is set up: every email needs a sender and a way out
        if sender is not None and not str(sender).strip() and "smtp_sender" not in problems:
            problems["smtp_sender"] = "Emails sent from Relapp need a From address."
        if opt_out is not None and not str(opt_out).strip():
            problems["email_opt_out"] = (
                "Every email must end with a way to opt out; write the opt-out text, such as:"
                " Reply “unsubscribe” to hear no more from us."
            )
    return problems


def _is_host_name(text: object) -> bool:
    """ "" (no server), or a host name or address without spaces or a scheme."""
    if not isinstance(text, str):
        return False
    return text == "" or (
        len(text) <= 253 and text.isprintable() and not any(c.isspace() for c in text)
        and "/" not in text and "@" not in text
    )  # fmt: skip


def _is_sender(text: str) -> bool:
    """ "" (not set), or one address with an @ and a domain, a name before it allowed."""
    from email.utils import getaddresses

    if not text.strip():
        return True
    if not text.isprintable():
        return False
    found = getaddresses([text])
    if len(found) != 1:
        return False
    _name, address = found[0]
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain and "." in domain.strip(".") and " " not in address)


def phone_regions() -> dict[str, int]:
    """Every region phone numbers can be read in, with its country calling code."""
    import phonenumbers  # here, not at the top: the command line starts without its metadata

    return {
        region: phonenumbers.country_code_for_region(region)
        for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    }


def _is_locale_name(text: object) -> bool:
    if not isinstance(text, str):
        return False
    language, _, territory = text.partition("_")
    return (
        len(language) in (2, 3) and language.isascii() and language.isalpha()
        and language.islower() and len(territory) == 2 and territory.isascii()
        and territory.isupper()
    )  # fmt: skip


def is_set_up() -> bool:
    """Whether the owner has chosen how to start (empty or demo shop)."""
    return bool(load_settings().set_up_at)


def system_locale_name() -> str:
    """The user's locale as language_TERRITORY (e.g. en_AU), else en_US."""
    language, _, territory = (locale.getlocale()[0] or "").partition("_")
    if len(language) in (2, 3) and language.isalpha() and len(territory) == 2:
        return f"{language.lower()}_{territory.upper()}"
    return "en_US"


def region_from_system_locale() -> str:
    """A sensible default phone region: the territory of the user's locale, else US."""
    return system_locale_name().partition("_")[2]
