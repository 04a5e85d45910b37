"""The store's schema versions, with Alembic: one revision per change of schema.py.

Version N is revision "000N", in versions/v000N_what.py. Opening a store checks
its version (versioning.ensure_current); `vigie db upgrade` brings an older store
to the newest, in one transaction. A store made before versions were recorded
(versions 1-5) is recognised by its tables (recognise.py).

Adding a revision, when vigie/store/schema.py changes:

1. `python -m vigie.store.migrations new "what changes"` writes
   versions/v000N_what_changes.py with Alembic's autogenerate, run against a
   scratch SQLite store that the shipped revisions (not create_all) brought to
   the newest version, in batch mode (SQLite alters a table by copying it).
2. Read and complete it: autogenerate misses some things (a PostgreSQL INCLUDE,
   a server default, data to move or deduplicate before a unique constraint);
   branch on `op.get_context().dialect.name` where SQLite and PostgreSQL differ,
   and say in its docstring which commit it follows. Vigie never downgrades.
3. Copy the new schema.py to tests/fixtures/schemas/vN.py, add it to SCHEMAS in
   tests/test_migrations.py (and a row of each new table to ROWS), and run that
   file: every older store, upgraded on SQLite and PostgreSQL, must equal
   schema.py's metadata; it fails while a change has no revision.
"""
