"""Version 6: server-side sessions, known addresses, sliding login windows (issue 15).

`login_failures` changes form: one row per failure (account, address, time)
instead of a counter per fixed 15-minute window. Its rows are throwaway
counters of at most 15 minutes, so the old table is dropped, not converted: an
upgrade forgives the failures of the last quarter of an hour.
`login_sessions` (revoked at logout, expired when idle or too old),
`known_addresses` (the right password from one passes a lock) and `server_keys`
(the session cookies' signing key, kept across restarts) are new.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("login_failures")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_account", "login_failures", ["account", "at_ms"])
    op.create_index("ix_login_failures_address", "login_failures", ["address", "at_ms"])
    op.create_index("ix_login_failures_at", "login_failures", ["at_ms"])
    op.create_table(
        "known_addresses",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("last_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "address", name="pk_known_addresses"),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("principal", sa.String(32), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("seen_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked_ms", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
