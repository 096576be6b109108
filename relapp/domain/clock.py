"""The current moment, in one place so that tests and the demo can fix it."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, in UTC, to the second (what the database stores)."""
    return datetime.now(UTC).replace(microsecond=0)
