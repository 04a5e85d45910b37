"""Version 5: learned_facts, what the alert engine must not forget (commit aff4ff7).

A new table only, the same on SQLite and PostgreSQL. A PostgreSQL store made
before version 4 and opened by a Vigie of version 5 before versions were
recorded already has the table (that Vigie's create_all made it) but is at
version 3 for its old samples key (see recognise.py): the table is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "learned_facts" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "learned_facts",
        sa.Column(
            "exercise_id",
            sa.Integer,
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("exercise_id", "kind", "key", name="pk_learned_facts"),
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
