"""Can a window open here? Checked before Qt is imported, because Qt aborts the process
(with a core dump and no useful message) when it cannot reach a display.

No PySide6 import in this module: the command line uses it before deciding to load Qt.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

HEADLESS_HINT = "for tests or headless use, set QT_QPA_PLATFORM=offscreen"


def display_problem(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """One sentence saying why no window can open, or None if one probably can."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith(("linux", "freebsd", "openbsd")):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith(("xcb", "wayland")):
        return None  # offscreen, minimal, vnc...: Qt needs no display server
    x_display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not x_display and not wayland:
        return (
            "Relapp needs a graphical desktop, and none was found (DISPLAY and WAYLAND_DISPLAY "
            f"are not set). Start it from your desktop; {HEADLESS_HINT}."
        )
    if wayland and not chosen.startswith("xcb"):
        return None
    local = re.fullmatch(r":(\d+)(\.\d+)?", x_display)
    if local and not Path(f"/tmp/.X11-unix/X{local.group(1)}").exists():
        return f"Relapp cannot reach the display {x_display}: no X server is running there."
    if ctypes.util.find_library("xcb-cursor") is None:
        return (
            "Relapp needs the system library libxcb-cursor0 to open its window. Install it "
            "with: sudo apt install libxcb-cursor0"
        )
    return None
