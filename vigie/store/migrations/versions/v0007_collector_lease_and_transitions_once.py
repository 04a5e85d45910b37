"""Version 7: one active collector (collector_leases), each transition recorded once (issue 15).

`alert_transitions.follows` names the state transition of the same (rule,
subject) a new one follows; the unique key on (exercise, rule, subject, follows)
makes a step recordable once, so a takeover never doubles a notification. Rows
recorded before this version keep `follows` NULL: NULLs never collide, so the
duplicates an older store may hold (two collectors racing) stay as history, and
the constraint holds from the first transition written after the upgrade. SQLite
adds a unique key by copying the table (batch mode).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_transitions") as table:
        table.add_column(sa.Column("follows", sa.Integer, nullable=True))
        table.create_unique_constraint(
            "uq_alert_transitions_step", ["exercise_id", "rule", "subject", "follows"]
        )
    op.create_table(
        "collector_leases",
        sa.Column(
            "exercise_id",
            sa.Integer,
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("expires_ms", sa.BigInteger, nullable=False),
        sa.Column("renewed_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
