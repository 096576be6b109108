"""Where unexpected errors are written in full, so the user sees one line and support sees all."""

from __future__ import annotations

import time
from pathlib import Path

from relapp import __version__
from relapp.db.location import user_log_dir

LOG_FILE_NAME = "relapp-errors.log"


def write_crash_log(text: str) -> Path | None:
    """Append a traceback to the error log; returns its path, or None if it cannot be written."""
    folder = user_log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        log_file = folder / LOG_FILE_NAME
        with log_file.open("a", encoding="utf-8") as log:
            log.write(f"--- relapp {__version__} {time.strftime('%Y-%m-%d %H:%M:%S')}\n{text}\n")
    except OSError:
        return None
    return log_file
