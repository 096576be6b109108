"""Where the database lives: `--db`, then RELAPP_DB, then the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Relapp"
DATABASE_FILE = "relapp.db"
ENVIRONMENT_VARIABLE = "RELAPP_DB"


def user_data_dir() -> Path:
    """The per-user folder for Relapp's data (e.g. ~/.local/share/Relapp on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def user_log_dir() -> Path:
    """Where unexpected errors are written down in full for a support request."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return user_data_dir() / DATABASE_FILE


def resolve_database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database the user asked for: an explicit path wins over RELAPP_DB over the default."""
    chosen = explicit or os.environ.get(ENVIRONMENT_VARIABLE) or default_database_path()
    return Path(chosen).expanduser()
