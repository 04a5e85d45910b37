"""`python -m vigie.store.migrations new "what changes"`: draft the next revision.

Alembic's autogenerate compares vigie/store/schema.py with a scratch SQLite store
that the shipped revisions brought to the newest version, and writes the
difference as versions/v000N_what_changes.py (N the next number), in batch mode.
Read it and complete it before committing (see this package's docstring).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from vigie.store.database import sqlite_url
from vigie.store.migrations.history import alembic_config, head_version, revision_id

USAGE = 'usage: python -m vigie.store.migrations new "what changes"'


def draft_revision(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(sqlite_url(Path(scratch) / "newest.db"))
        with engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, "head")
            command.revision(
                config,
                message=message,
                autogenerate=True,
                rev_id=revision_id(head_version() + 1),
            )
        engine.dispose()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new" or not argv[1].strip():
        print(USAGE, file=sys.stderr)
        return 2
    draft_revision(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
