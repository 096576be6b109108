"""The shop logo: any picture is kept as a small PNG in the database; anything else is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from relapp.domain.shop.logo import InvalidLogo, logo_png, remove_logo, set_logo
from relapp.domain.shop.settings import load_settings


def test_a_large_jpeg_is_kept_as_a_png_of_at_most_600_pixels(db, tmp_path):
    source = tmp_path / "logo.jpg"
    Image.new("RGB", (2400, 1200), "teal").save(source)
    set_logo(source)
    with Image.open(io.BytesIO(logo_png())) as stored:
        assert (stored.format, stored.size) == ("PNG", (600, 300))
    remove_logo()
    assert logo_png() is None and load_settings().logo_png == ""


@pytest.mark.parametrize("content", [b"", b"not a picture", b"\x89PNG\r\n\x1a\nbroken"])
def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(db, tmp_path, content):
    source = tmp_path / "logo.png"
    source.write_bytes(content)
    with pytest.raises(InvalidLogo, match="not a picture"):
        set_logo(source)
    assert logo_png() is None


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(InvalidLogo, match="Cannot read"):
        set_logo(tmp_path / "nowhere.png")
