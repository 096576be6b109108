"""The shop's logo, printed on loyalty cards: kept in the database, so every counter on the
shop's file prints the same one and a backup holds it.

The picture is read with Pillow, whatever its format (PNG, JPEG, GIF, BMP, WebP), scaled down
to at most MAX_SIDE pixels on its longer side and stored as a PNG in base64 (a setting is
text). A file that is not a picture, or is too large to be a logo, is refused with a sentence.
"""

from __future__ import annotations

import base64
import binascii
import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from relapp.db.live_files import refuse_database_files
from relapp.domain.changes import Change
from relapp.domain.shop.settings import load_settings, save_settings
from relapp.errors import RelappError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_SIDE = 600
# Pillow refuses to open pictures of more pixels than this (a decompression bomb guard).
Image.MAX_IMAGE_PIXELS = 50_000_000


class InvalidLogo(RelappError):
    """The file cannot be used as the shop's logo."""


def set_logo(path: Path) -> Change:
    """Read the picture at path and keep it as the shop's logo."""
    path = refuse_database_files(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InvalidLogo(f"Cannot read {path}: {error.strerror}.") from error
    if size > MAX_FILE_BYTES:
        raise InvalidLogo(f"{path.name} is {size // (1024 * 1024)} MB; a logo must be under 20 MB.")
    try:
        with Image.open(path) as picture:
            picture.load()
            logo = picture.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise InvalidLogo(f"{path.name} is not a picture Relapp can read.") from error
    logo.thumbnail((MAX_SIDE, MAX_SIDE))
    stored = io.BytesIO()
    logo.save(stored, format="PNG", optimize=True)
    return save_settings(logo_png=base64.b64encode(stored.getvalue()).decode("ascii"))


def remove_logo() -> Change:
    return save_settings(logo_png="")


def logo_png() -> bytes | None:
    """The logo as PNG bytes, or None if the shop has none (or it was damaged)."""
    text = load_settings().logo_png
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
