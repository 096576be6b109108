"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import Field

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_timestamp(moment: datetime) -> str:
    """The stored form of a moment: UTC, second precision, sortable as text.

    A naive datetime is taken to be UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text[:19], TIMESTAMP_FORMAT).replace(tzinfo=UTC)


class UtcDateTimeField(Field):
    """A moment stored as 'YYYY-MM-DD HH:MM:SS' in UTC and read back as an aware datetime.

    Text keeps the file readable with any SQLite tool and sorts chronologically; the fixed
    format avoids peewee's default, which writes microseconds and offsets when present.
    """

    field_type = "TEXT"

    def db_value(self, value: datetime | str | None) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return format_timestamp(value)

    def python_value(self, value: str | None) -> datetime | None:
        return None if value is None else parse_timestamp(value)
