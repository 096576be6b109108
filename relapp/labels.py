"""Time spans as said at the counter: one wording for the views, the reports and the command
line (each translates where it shows them). The names of stored codes are in
relapp.domain.terms.

No Qt here: reports and the command line use it too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from relapp.i18n import _


def duration_text(span: timedelta, translate: Callable[[str], str] = _) -> str:
    """A time span as said at the counter: "40 min", "5 h" (up to two days), "3 days"."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return translate("{n} min").format(n=minutes)
    if minutes < 48 * 60:
        return translate("{n} h").format(n=minutes // 60)
    return translate("{n} days").format(n=minutes // (24 * 60))
