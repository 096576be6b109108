"""The Counter's type, sized from the screen so a cashier can read it at arm's length.

The sizes below are for the smallest screen a shop has, 1366 x 768, where everything must
fit. A larger screen scales them by how much more room it has (the smaller of its height and
width ratios, so a wide but short screen does not overflow), up to MAX_SCALE: on 1920 x 1080
the type is 1.4 times larger. The Counter's own size caps that, so a window left smaller
than the screen keeps type that fits it (a maximised window on 1920 x 1080 has it all). They
live here rather than in relapp.qss, which cannot scale; the style sheet keeps the colours,
borders and weights.
"""

from __future__ import annotations

from PySide6.QtCore import QSize

SMALLEST_SCREEN = QSize(1366, 768)
# The Counter's size in the window on that screen (the navigation, menus and status bar take
# the rest): the room its type at scale 1 is laid out for.
ROOM_AT_SCALE_1 = QSize(1040, 610)
MAX_SCALE = 1.6
STEP = 0.05

# Point sizes at 1366 x 768, by object name.
POINTS = {
    "counterSearch": 15,
    "counterResults": 10.5,
    "counterConfirmation": 13,
    "resultCount": 10,
    "enrolButton": 11,
    "undoSaleButton": 11,
    "saleButton": 10.5,
    "redeemButton": 10.5,
    "logButton": 10.5,
    "taskButton": 10.5,
    "printButton": 10.5,
    "avatar": 18,
    "customerName": 17,
    "customerStanding": 10.5,
    "factValue": 15,
    "emptyStateTitle": 18,
    "emptyStateBody": 12,
    "emptyStateDetail": 10,
    "enrolCardButton": 12,
    "offlineBanner": 12,
    "offlineBalance": 13,
    "memberStanding": 11,
    "membershipButton": 10,
}
AVATAR_PIXELS = 64
RESULTS_WIDTH = 380


def type_scale(screen: QSize, room: QSize | None = None) -> float:
    """How much larger than at 1366 x 768 the Counter's type is on a screen of this size,
    with room for the Counter (its own size; None: as much as the screen allows)."""
    ratio = _ratio(screen, SMALLEST_SCREEN)
    if room is not None:
        ratio = min(ratio, _ratio(room, ROOM_AT_SCALE_1))
    steps = int(min(max(ratio, 1.0), MAX_SCALE) / STEP + 1e-9)  # down: what fits
    return round(steps * STEP, 2)


def _ratio(size: QSize, reference: QSize) -> float:
    return min(size.width() / reference.width(), size.height() / reference.height())


def scaled(points: float, scale: float) -> float:
    return round(points * scale * 2) / 2  # half points, as the style sheet writes them


def counter_style_sheet(scale: float, base_points: float) -> str:
    """The Counter's font sizes (and the avatar's round shape) at this scale. base_points:
    the size of what has no size of its own (details, tabs, the history), at scale 1.

    A style sheet, as setFont on the Counter would not reach the widgets the application's
    style sheet styles.
    """
    rules = [f"* {{ font-size: {scaled(base_points, scale)}pt; }}"]
    rules += [
        f"#{name} {{ font-size: {scaled(points, scale)}pt; }}" for name, points in POINTS.items()
    ]
    rules.append(f"QLabel#avatar {{ border-radius: {avatar_pixels(scale) // 2}px; }}")
    return "\n".join(rules)


def avatar_pixels(scale: float) -> int:
    return round(AVATAR_PIXELS * scale)
