"""Version 9: a poll cycle appends to recent_samples, folded into samples (issue 16).

`recent_samples` holds the newest samples clustered on (bucket, time, series),
a bucket being 128 consecutive series ids; `sample_buckets` says, per bucket, up
to when its samples are in `samples` (vigie/store/sample_layout.py). A store's
existing samples all stay in `samples`: each bucket that has some gets the newest
of their times as its boundary, so a sample written again after the upgrade goes
where it already is. Reads every sample's key once (an index-ordered scan).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BUCKET_SERIES = 128  # vigie.store.sample_layout's, as of this version


def upgrade() -> None:
    op.create_table(
        "recent_samples",
        sa.Column("bucket", sa.Integer, nullable=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column(
            "series_id",
            sa.Integer,
            sa.ForeignKey("series.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket",
            "ts_ms",
            "series_id",
            name="pk_recent_samples",
            postgresql_include=["value"],
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sample_buckets",
        sa.Column("bucket", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("folded_ms", sa.BigInteger, nullable=False),
    )
    op.execute(
        f"INSERT INTO sample_buckets (bucket, folded_ms)"
        f" SELECT series_id / {BUCKET_SERIES}, max(ts_ms) FROM samples"
        f" GROUP BY series_id / {BUCKET_SERIES}"
    )


def downgrade() -> None:
    raise NotImplementedError("Vigie does not downgrade a store: restore its backup")
