"""Write Relapp's Windows icon (.ico) from the PNGs in resources/icons, one image per size.

    python packaging/make_ico.py OUT.ico

Used by relapp.spec (the .exe's icon) and build-installer.sh (the installer's icon), so no
generated binary is kept in the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def make_ico(out: Path) -> Path:
    images = [Image.open(ICONS / f"relapp-{size}.png").convert("RGBA") for size in SIZES]
    out.parent.mkdir(parents=True, exist_ok=True)
    images[-1].save(out, format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python packaging/make_ico.py OUT.ico")
    print(make_ico(Path(sys.argv[1])))
