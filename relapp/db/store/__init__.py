"""The store: every SQL statement the app runs, one module per aggregate.

Rules (tests/test_architecture.py and tests/db/test_store_rules.py check them):

- Outside relapp/db, no code runs SQL: domain modules, reports and the import/export call the
  functions here and hold the rules; the functions here hold no rules and publish nothing.
- Functions take and return plain values (ints, strings, datetimes, tuples, small frozen
  dataclasses defined here). Transactions are the caller's: the domain opens them with
  `database.atomic()`, and every function here runs inside whatever transaction is open.
- SQL is written with `?` (or `:name`) placeholders and portable SQL. What only SQLite
  understands comes from `dialect.py` (the JSON list of ids, case-insensitive comparison,
  string aggregation), or lives in an engine module (connection, bulk, busy, backups,
  migrations, store/search.py for FTS5). A PostgreSQL engine (issue 16) adds its own
  versions of those; the aggregate modules stay as they are.
"""
