"""Find bundled resources the same way from a checkout, an installed wheel and a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    """The folder holding icons/, fonts/, styles/ and translations/.

    Frozen (PyInstaller) builds unpack data under sys._MEIPASS; an installed wheel carries a copy
    inside the package (see setup.py); a source checkout has it beside the package.
    """
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates += [_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"]
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(
        "Relapp's resources folder is missing; looked in " + ", ".join(map(str, candidates))
    )


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. resource_path("icons", "relapp.svg")."""
    return resources_dir().joinpath(*parts)
