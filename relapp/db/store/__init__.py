"""The store: every SQL statement the app runs, one module per aggregate.

Rules (tests/test_architecture.py and tests/db/test_store_rules.py check them):

- Outside relapp/db, no code runs SQL: domain modules, reports and the import/export call the
  functions here and hold the rules; the functions here hold no rules and publish nothing.
- Functions take and return plain values (ints, strings, datetimes, tuples, small frozen
  dataclasses defined here). Transactions are the caller's: the domain opens them with
  `database.atomic()`, and every function here runs inside whatever transaction is open.
- SQL is written with `?` (or `:name`) placeholders and SQL both engines read (a shop server
  rewrites the placeholders: relapp.db.server.placeholders). What the engines spell
  differently comes from `dialect.py`, which answers for the engine bound just now (the JSON
  list of ids, case-insensitive comparison, string aggregation, NULL order), or lives in an
  engine module (connection, bulk, busy, backups, migrations, engine.py; search.py with
  server_search.py for the text search).
"""
