"""Storage: the SQLite connection, its models and migrations. No Qt here."""

from relapp.db.connection import open_database, schema_version
from relapp.db.location import resolve_database_path

__all__ = ["open_database", "resolve_database_path", "schema_version"]
