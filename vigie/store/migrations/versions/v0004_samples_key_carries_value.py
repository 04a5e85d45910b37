"""Version 4: on PostgreSQL, the samples key carries the value (commit c9b1936).

PostgreSQL keeps rows in the order written, so pk_samples becomes
PRIMARY KEY (series_id, ts_ms) INCLUDE (value): reads are index-only. The key is
rebuilt in place (one statement, so never a moment without it); on a large store
this reads every sample once: minutes for tens of millions, with the table locked.

On SQLite nothing changes: its samples table is already clustered on the key
(WITHOUT ROWID), and the version only records that.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE samples DROP CONSTRAINT pk_samples, "
        "ADD CONSTRAINT pk_samples PRIMARY KEY (series_id, ts_ms) INCLUDE (value)"
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
