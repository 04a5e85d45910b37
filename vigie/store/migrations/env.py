"""Alembic's environment for Vigie's store.

Vigie always hands Alembic a connection already inside the transaction it
opened (versioning.upgrade, or __main__ for a draft): it commits or rolls back
as one, and nothing here opens an engine of its own or reads an ini file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from vigie.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters most things only by copying the table: batch mode does that,
        # and autogenerate writes new revisions in it from the start.
        render_as_batch=True,
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("Vigie's migrations run through vigie.store.migrations, with a connection")
_run(connection)
