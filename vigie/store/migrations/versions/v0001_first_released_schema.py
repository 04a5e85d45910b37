"""Version 1: the first released schema, as of commit eb536cb.

Why this one: the first landing of the project (issues 2-4, its first session's
stop) shipped this schema. The commits before it (3e5bc2c to ed915e0) were that
same session's work in progress and were never released; its last one before the
landing, the review fixes, widened series.labels to 1,024 and is part of it. So
every store a user can have was made by this schema or a later one.

It creates the eight tables of that release, exactly as its create_all did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _exercise_fk() -> sa.Column[int]:
    return sa.Column(
        "exercise_id", sa.Integer, sa.ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    _exercises_and_their_samples()
    _annotations_and_alerts()
    _notifications_and_agent_tokens()


def _exercises_and_their_samples() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("plan_toml", sa.Text, nullable=False),
        sa.Column("t0_ms", sa.BigInteger, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("ended_ms", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _exercise_fk(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("labels", sa.String(1024), nullable=False),
        sa.UniqueConstraint("exercise_id", "name", "labels", name="uq_series_identity"),
    )
    op.create_table(
        "samples",
        sa.Column(
            "series_id", sa.Integer, sa.ForeignKey("series.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("series_id", "ts_ms", name="pk_samples"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "source_health",
        _exercise_fk(),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("up", sa.Boolean, nullable=False),
        sa.Column("last_success_ms", sa.BigInteger, nullable=True),
        sa.Column("last_error_ms", sa.BigInteger, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("last_latency_ms", sa.Float, nullable=True),
        sa.Column("down_since_ms", sa.BigInteger, nullable=True),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("exercise_id", "source", name="pk_source_health"),
    )


def _annotations_and_alerts() -> None:
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _exercise_fk(),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("wave", sa.Integer, nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_annotations_exercise_ts", "annotations", ["exercise_id", "ts_ms"])
    op.create_table(
        "alert_transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _exercise_fk(),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("server", sa.String(64), nullable=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
    )
    op.create_index(
        "ix_alert_transitions_exercise_ts", "alert_transitions", ["exercise_id", "ts_ms"]
    )
    op.create_index(
        "ix_alert_transitions_subject",
        "alert_transitions",
        ["exercise_id", "rule", "subject", "id"],
    )


def _notifications_and_agent_tokens() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "transition_id",
            sa.Integer,
            sa.ForeignKey("alert_transitions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("notifier", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_ms", sa.BigInteger, nullable=True),
    )
    op.create_index(
        "ix_notifications_due", "notifications", ["notifier", "status", "next_attempt_ms"]
    )
    op.create_table(
        "agent_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("faculty", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked_ms", sa.BigInteger, nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
