"""Where a sample lives: `recent_samples` (time-clustered, cheap to append) or `samples`.

Clustered on (series, time), `samples` answers the review's reads with the rows
they return, but a poll cycle then touches one page per series: ~80 MB written per
cycle at 3,000 sites (every page twice with the WAL). So a cycle appends to
`recent_samples`, clustered on (bucket, time, series) where a bucket is
BUCKET_SERIES consecutive series: a cycle touches one page per bucket. Each bucket
is folded into `samples` about every FOLD_EVERY_MS, a few buckets per cycle at most,
so each series' page there takes a couple of minutes of samples at once.

The invariant: for each bucket, the samples of its series at or before its
`folded_ms` are in `samples`, the later ones in `recent_samples`. The two tables
never hold the same sample, so a read is the union of both, and writing a sample
twice is still a no-op (it goes to the table that may already hold it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, func, select, union_all

from vigie.store.sample_writer import SampleRow, SampleWriter
from vigie.store.schema import recent_samples, sample_buckets, samples

BUCKET_BITS = 7
BUCKET_SERIES = 1 << BUCKET_BITS  # 128: one bucket's samples of one instant, ~a 4 KB page
FOLD_EVERY_MS = 120_000  # a series' page in `samples` then takes ~120 samples at a time
MAX_FOLDS_PER_CYCLE = 4  # bounds a cycle's extra work; buckets fall due staggered
TABLES = (samples, recent_samples)


def bucket_of(series_id: int) -> int:
    return series_id >> BUCKET_BITS


def of_series(table: Table, series_id: Any) -> ColumnElement[bool]:
    """Rows of one series (an id or an SQL expression), by the table's key."""
    same: ColumnElement[bool] = table.c.series_id == series_id
    if table is recent_samples:
        return and_(table.c.bucket == series_id // BUCKET_SERIES, same)
    return same


def of_any_series(table: Table, series_ids: Sequence[int]) -> ColumnElement[bool]:
    chosen: ColumnElement[bool] = table.c.series_id.in_(list(series_ids))
    if table is recent_samples:
        return and_(table.c.bucket.in_(sorted({bucket_of(s) for s in series_ids})), chosen)
    return chosen


def both(arm: Any) -> Any:
    """UNION ALL of `arm(table)` over both tables: every sample the arm selects."""
    arms: list[Select[Any]] = [arm(table) for table in TABLES]
    return union_all(*arms).subquery()


class SampleLayout:
    def __init__(self, dialect: str, paramstyle: str) -> None:
        self._samples = SampleWriter(dialect, paramstyle, "samples")
        self._recent = SampleWriter(dialect, paramstyle, "recent_samples")

    def write(self, connection: Connection, rows: Sequence[SampleRow]) -> None:
        """Within the caller's transaction: each row to its table, then the due folds."""
        if not rows:
            return
        buckets = {series_id >> BUCKET_BITS for series_id, _, _ in rows}
        oldest = min(ms for _, ms, _ in rows)
        newest = max(ms for _, ms, _ in rows)
        folded = self._boundaries(connection, buckets, oldest)
        if oldest > max(folded.values()):  # a poll cycle: every row is recent
            old: list[SampleRow] = []
            new = [(s >> BUCKET_BITS, ms, s, v) for s, ms, v in rows]
        else:  # an import or a late sample: some rows may belong to folded time
            old = [r for r in rows if r[1] <= folded[r[0] >> BUCKET_BITS]]
            new = [
                (s >> BUCKET_BITS, ms, s, v) for s, ms, v in rows if ms > folded[s >> BUCKET_BITS]
            ]
        self._samples.write(connection, old)
        self._recent.write(connection, new)
        fold_due(connection, newest)

    def _boundaries(self, connection: Connection, buckets: set[int], oldest: int) -> dict[int, int]:
        """Each bucket's `folded_ms`; a bucket seen for the first time gets one below
        the batch's oldest sample, staggered so that buckets made together fall due apart."""
        query = select(sample_buckets.c.bucket, sample_buckets.c.folded_ms).where(
            sample_buckets.c.bucket.in_(sorted(buckets))
        )
        folded: dict[int, int] = {b: ms for b, ms in connection.execute(query)}
        made = {b: oldest - 1 - _stagger(b) for b in buckets if b not in folded}
        if made:
            connection.execute(
                sample_buckets.insert(), [{"bucket": b, "folded_ms": ms} for b, ms in made.items()]
            )
        return folded | made


def fold_due(connection: Connection, now_ms: int, limit: int = MAX_FOLDS_PER_CYCLE) -> None:
    """Fold the buckets not folded for FOLD_EVERY_MS, oldest first, up to `now_ms`."""
    due = (
        select(sample_buckets.c.bucket)
        .where(sample_buckets.c.folded_ms < now_ms - FOLD_EVERY_MS)
        .order_by(sample_buckets.c.folded_ms)
        .limit(limit)
    )
    fold(connection, connection.execute(due).scalars().all(), now_ms)


def fold(connection: Connection, buckets: Iterable[int], up_to_ms: int) -> None:
    """Move the buckets' recent samples at or before `up_to_ms` into `samples`."""
    for bucket in buckets:
        in_bucket = and_(recent_samples.c.bucket == bucket, recent_samples.c.ts_ms <= up_to_ms)
        moved = (
            select(recent_samples.c.series_id, recent_samples.c.ts_ms, recent_samples.c.value)
            .where(in_bucket)
            .order_by(recent_samples.c.series_id, recent_samples.c.ts_ms)
        )
        connection.execute(
            insert_ignoring_duplicates(connection.dialect.name, samples).from_select(
                ["series_id", "ts_ms", "value"], moved
            )
        )
        connection.execute(recent_samples.delete().where(in_bucket))
        connection.execute(
            sample_buckets.update()
            .where(sample_buckets.c.bucket == bucket, sample_buckets.c.folded_ms < up_to_ms)
            .values(folded_ms=up_to_ms)
        )


def fold_all(connection: Connection, series_ids: Iterable[int]) -> None:
    """Fold every recent sample of these series' buckets (an ended exercise)."""
    buckets = sorted({bucket_of(s) for s in series_ids})
    newest = (
        select(recent_samples.c.bucket, func.max(recent_samples.c.ts_ms))
        .where(recent_samples.c.bucket.in_(buckets))
        .group_by(recent_samples.c.bucket)
    )
    for bucket, ms in connection.execute(newest).all():
        fold(connection, [bucket], ms)


def insert_ignoring_duplicates(dialect: str, table: Table) -> Any:
    """An INSERT into `table` that skips rows whose key is already there."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing()
    return table.insert()


def _stagger(bucket: int) -> int:
    """A spread over one fold period (a multiplicative hash: neighbours land apart)."""
    return (bucket * 2_654_435_761) % FOLD_EVERY_MS
