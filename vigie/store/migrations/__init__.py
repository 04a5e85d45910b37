"""The store's schema versions, with Alembic: one revision per change of schema.py.

Version N is revision "000N" in versions/ (v000N_what.py). Opening a store checks
its version (versioning.ensure_current); `vigie db upgrade` brings an older store
to the newest. A store made before versions were recorded is recognised by its
tables (recognise.py).

Adding a revision, when vigie/store/schema.py changes:

1. `python -m vigie.store.migrations new "what changes"` writes
   versions/v000N_what_changes.py: Alembic's autogenerate, run against a SQLite
   store brought to the current newest version by the revisions themselves
   (not by create_all), so it holds what the change needs, in batch mode.
2. Read it and complete it: autogenerate does not see everything (a PostgreSQL
   INCLUDE, a server default, data to move); branch on
   `op.get_context().dialect.name` where SQLite and PostgreSQL differ, and say in
   its docstring which commit it follows. Vigie never downgrades a store.
3. Copy the new schema.py to tests/fixtures/schemas/v000N.py... as vN.py and add
   it to tests/test_migrations.py's list; run that file (SQLite and PostgreSQL):
   it fails while any store, upgraded, differs from schema.py's metadata.
"""
