"""Version 8: every site's view kept apart from the tick (tick_rosters, issue 16).

A tick of a 3,000-site exercise carried 3,000 faculty views that a wall never
shows; they move to a table of their own, one row per tick, written in the same
transaction. Ticks written before stay as they are: their views are in them, and
screens read them there (ViewContext.roster). The same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tick_rosters",
        sa.Column(
            "exercise_id",
            sa.Integer(),
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("exercise_id", "ts_ms", name="pk_tick_rosters"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
