"""Find bundled resources the same way from a checkout, an installed wheel and a frozen build."""

from __future__ import annotations

import contextlib
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


USER_GUIDE = "user-guide.md"


def user_guide_path() -> Path:
    """The user guide (docs/user-guide.md), wherever Relapp runs from.

    Builds carry it as resources/docs/user-guide.md (setup.py copies it into the wheel,
    packaging/relapp.spec into the bundle); a source checkout reads docs/ beside the package.

    Raises:
        FileNotFoundError: neither is there (a damaged installation).
    """
    candidates = []
    with contextlib.suppress(FileNotFoundError):  # no resources/ at all: the checkout's docs/
        candidates.append(resources_dir() / "docs" / USER_GUIDE)
    candidates.append(_PACKAGE_DIR.parent / "docs" / USER_GUIDE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "The user guide is missing; looked in " + ", ".join(map(str, candidates))
    )
