"""Placeholder: the email outbox (filled by the outbox work)."""

from __future__ import annotations

from peewee import Database

DESCRIPTION = "the email outbox (filled by the outbox work)"


def upgrade(db: Database) -> None:
    pass


def server_upgrade(db: Database) -> None:
    pass
