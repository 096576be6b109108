"""Storage: the SQLite connection, the store (every SQL statement), migrations and backups.

No Qt here. Import the module you need (relapp.db.connection, relapp.db.store.contacts, ...):
this package runs nothing, so importing relapp.db.location (the base layer does) loads no
more than that.
"""
