"""PostgreSQL, the shared engine: a shop server that several tills and shops use at once."""
