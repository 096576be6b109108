"""Where the database lives: `--db`, then RELAPP_DB, then this till's setting, then the user's
data folder.

The till setting is a small file of this user's, till.ini in the user config folder (e.g.
~/.config/Relapp/till.ini on Linux), written by the window (Settings -> Shop server) when a
till moves its shop onto a shop server or switches to one:

    [till]
    database = postgresql://shop@server.local/relapp

It names a shop server's address (or a shop file). Never a password: a URL carrying one is
refused when written and when read; the password belongs in ~/.pgpass. This module may import
nothing of ours but relapp.errors (it sits below relapp.db.server.urls), so it reads a URL with
urllib itself.
"""

from __future__ import annotations

import configparser
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

import platformdirs

from relapp.errors import RelappError

APP_NAME = "Relapp"
DATABASE_FILE = "relapp.db"
ENVIRONMENT_VARIABLE = "RELAPP_DB"
TILL_SETTINGS_FILE = "till.ini"
TILL_SECTION = "till"
TILL_DATABASE_KEY = "database"
# As relapp.db.server.urls.URL_SCHEMES (which this layer may not import).
SERVER_SCHEMES = ("postgresql://", "postgres://")
PGPASS_ADVICE = "keep the password in ~/.pgpass (or a pg_service.conf service) instead"

# Where the database a command or the window works on was named.
Origin = Literal["--db", "RELAPP_DB", "till setting", "default"]


class TillSettingProblem(RelappError):
    """The till setting cannot be read or cannot hold what was asked (a password)."""


@dataclass(frozen=True)
class ChosenDatabase:
    target: Path | str  # a shop file's path, or a shop server's postgresql:// URL
    origin: Origin


def user_data_dir() -> Path:
    """The per-user folder for Relapp's data (e.g. ~/.local/share/Relapp on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def user_config_dir() -> Path:
    """The per-user folder for this till's own settings (e.g. ~/.config/Relapp on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def user_log_dir() -> Path:
    """Where unexpected errors are written down in full for a support request."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return user_data_dir() / DATABASE_FILE


def till_settings_path() -> Path:
    return user_config_dir() / TILL_SETTINGS_FILE


def choose_database(explicit: str | os.PathLike[str] | None = None) -> ChosenDatabase:
    """The database asked for: explicit (--db) wins over RELAPP_DB, over this till's setting,
    over the file in the user data folder. Raises TillSettingProblem for a till setting that
    cannot be read (rather than opening another shop than the one it names)."""
    if explicit:
        return ChosenDatabase(_as_target(explicit), "--db")
    environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if environment:
        return ChosenDatabase(_as_target(environment), "RELAPP_DB")
    remembered = read_till_database()
    if remembered is not None:
        return ChosenDatabase(remembered, "till setting")
    return ChosenDatabase(default_database_path(), "default")


def resolve_database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The shop file asked for, in choose_database's order; a shop server is refused."""
    chosen = choose_database(explicit)
    if isinstance(chosen.target, str):
        raise RelappError(f"The {chosen.origin} names a shop server, not a shop file.")
    return chosen.target


# ------------------------------------------------------------------------------ till setting


def read_till_database() -> Path | str | None:
    """The database this till's setting names (a server's URL, or a file's path); None when
    there is no setting. Raises TillSettingProblem for a file that cannot be read, or one
    that holds a password."""
    path = till_settings_path()
    if not path.exists():
        return None
    parser = _parser()
    try:
        # configparser opens the file itself (this user's till.ini, never a database), and
        # passes over one it cannot open: that is an error here too.
        if not parser.read(path, encoding="utf-8"):
            raise PermissionError("it cannot be opened")
    except (OSError, UnicodeError, configparser.Error) as error:
        raise TillSettingProblem(
            f"This till's setting {path} cannot be read ({_first_line(error)}); correct it"
            " or delete it."
        ) from error
    value = parser.get(TILL_SECTION, TILL_DATABASE_KEY, fallback="").strip()
    if not value:
        return None
    if is_server_address(value):
        if has_password(value):
            raise TillSettingProblem(
                f"This till's setting {path} holds a shop server's password: remove it from"
                f" the address and {PGPASS_ADVICE}."
            )
        return value
    return Path(value).expanduser()


def write_till_database(target: Path | str) -> Path:
    """Remember target (a shop server's URL, or a shop file) as this till's database; the
    setting's file. Raises TillSettingProblem for a URL that carries a password."""
    value = str(target)
    if is_server_address(value) and has_password(value):
        raise TillSettingProblem(
            f"A till setting never holds a password: leave it out of the address and"
            f" {PGPASS_ADVICE}."
        )
    path = till_settings_path()
    parser = _parser()
    if path.exists():
        try:
            parser.read(path, encoding="utf-8")  # whatever else a person wrote there stays
        except (OSError, UnicodeError, configparser.Error):
            parser = _parser()  # a damaged setting is replaced
    if not parser.has_section(TILL_SECTION):
        parser.add_section(TILL_SECTION)
    parser.set(TILL_SECTION, TILL_DATABASE_KEY, value)
    _save(parser, path)
    return path


def clear_till_database() -> bool:
    """Forget this till's database (the next start opens RELAPP_DB or the default file);
    whether there was one."""
    path = till_settings_path()
    if not path.exists():
        return False
    parser = _parser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeError, configparser.Error):
        path.unlink()  # nothing in it can be read, this setting included
        return True
    had = parser.has_section(TILL_SECTION) and parser.remove_option(TILL_SECTION, TILL_DATABASE_KEY)
    if parser.has_section(TILL_SECTION) and not parser.options(TILL_SECTION):
        parser.remove_section(TILL_SECTION)
    if parser.sections():
        _save(parser, path)
    else:
        path.unlink()
    return had


def is_server_address(target: object) -> bool:
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def has_password(url: str) -> bool:
    """Whether a postgresql:// URL carries a password (user:secret@ or ?password=)."""
    parts = urlsplit(url)
    try:
        in_user_part = parts.password is not None
    except ValueError:
        in_user_part = False
    return in_user_part or any(
        name == "password" for name, _ in parse_qsl(parts.query, keep_blank_values=True)
    )


def _as_target(value: str | os.PathLike[str]) -> Path | str:
    if is_server_address(value):
        return str(value)
    return Path(value).expanduser()


def _parser() -> configparser.ConfigParser:
    # No interpolation: an address may hold %-escapes.
    return configparser.ConfigParser(interpolation=None)


def _save(parser: configparser.ConfigParser, path: Path) -> None:
    """Write the setting whole or not at all: a temporary file beside it, then renamed over
    it (a till that lost power mid-write must not open another shop)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".till-", suffix=".part", delete=False
    ) as part:
        written = Path(part.name)
        try:
            part.write(
                "# Relapp: the shop this till opens (relapp --db and RELAPP_DB come first).\n"
                "# Never a password here: a shop server's belongs in ~/.pgpass.\n"
            )
            parser.write(part)
        except BaseException:
            part.close()
            written.unlink(missing_ok=True)
            raise
    written.replace(path)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
