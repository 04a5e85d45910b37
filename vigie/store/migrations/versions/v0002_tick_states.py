"""Version 2: tick_states, the per-tick state every screen reads (commit cec75b8).

A new table only: nothing to copy, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tick_states",
        sa.Column(
            "exercise_id",
            sa.Integer,
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("exercise_id", "ts_ms", name="pk_tick_states"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
